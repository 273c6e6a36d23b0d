# syntax=docker/dockerfile:1
# budgetbot image: build the wheel in one stage, install only that wheel into a slim runtime
# that runs `budgetbot serve` as a non-root user.
#   docker build -t budgetbot .
#   docker run -p 3000:3000 -v ./budgetbot.yaml:/etc/budgetbot/budgetbot.yaml:ro \
#     -e SLACK_BOT_TOKEN -e SLACK_SIGNING_SECRET budgetbot

FROM python:3.11-slim AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY storage ./storage
COPY templates ./templates
RUN pip wheel --no-deps --wheel-dir /wheels .

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    BUDGETBOT_CONFIG=/etc/budgetbot/budgetbot.yaml \
    DATABASE_URL=sqlite:////var/lib/budgetbot/budgetbot.db \
    PORT=3000
COPY --from=builder /wheels /wheels
# The wheel's dependencies come from the package index; all of them ship binary wheels.
RUN pip install /wheels/budgetbot-*.whl \
    && rm -rf /wheels \
    && groupadd --system --gid 10001 budgetbot \
    && useradd --system --uid 10001 --gid 10001 --no-log-init \
       --home-dir /var/lib/budgetbot --shell /usr/sbin/nologin budgetbot \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/budgetbot \
    && install -d -m 0755 /etc/budgetbot
# Mount the catalog at /etc/budgetbot/budgetbot.yaml (or set BUDGETBOT_CONFIG); SQLite state
# lives in /var/lib/budgetbot (mount a volume there, or set DATABASE_URL to PostgreSQL).
WORKDIR /var/lib/budgetbot
# Numeric so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
EXPOSE 3000
# python:3.11-slim has no curl; the shell expands ${PORT} when the check runs.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PORT}/healthz', timeout=4)" || exit 1
ENTRYPOINT ["budgetbot"]
CMD ["serve"]
