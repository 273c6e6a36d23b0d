# The two quick-start commands are `make demo` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test lint unit bench prometheus stores clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

prometheus:
	@scripts/ensure-prometheus.sh

stores: prometheus
	@scripts/ensure-victoria-metrics.sh

demo: $(STAMP) prometheus
	$(VENV)/bin/budgetbot demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

test: $(STAMP) stores lint
	$(PY) -m pytest

bench: $(STAMP) prometheus
	$(PY) bench/evaluate.py
	$(PY) bench/cold.py
	$(PY) bench/timeslices.py
	$(PY) bench/slack_load.py
	$(PY) bench/alerting.py
	$(PY) bench/policies.py
	$(PY) bench/digest.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
