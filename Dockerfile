# syntax=docker/dockerfile:1
# Multi-stage image: build the wheel, then install it into a slim runtime as a non-root user.

FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY templates ./templates
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BUDGETBOT_CONFIG=/etc/budgetbot/budgetbot.yaml \
    DATABASE_URL=sqlite:////var/lib/budgetbot/budgetbot.db
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels \
    && useradd --system --uid 10001 --home-dir /var/lib/budgetbot --create-home budgetbot
USER budgetbot
WORKDIR /var/lib/budgetbot
# Mount the catalog at /etc/budgetbot/budgetbot.yaml (or set BUDGETBOT_CONFIG).
ENTRYPOINT ["budgetbot"]
CMD ["check-config"]
