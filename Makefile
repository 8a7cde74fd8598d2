# Two entry points: `make run` serves the dashboard, `make test` runs lint and every test.
# Both create .venv and install what they need, Debian packages included, on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
APT_PACKAGES := chromium fonts-noto-cjk postgresql nginx-light
PORT ?= 8501

.PHONY: run test lint system-deps bench clean serve-multi load

system-deps:
	@sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
	missing=""; \
	python3 -c "import ensurepip" 2>/dev/null || missing="python3-venv"; \
	for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages:$$missing"; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.app-installed: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev-installed: $(VENV)/.app-installed requirements-dev.txt
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: system-deps $(VENV)/.app-installed
	$(VENV)/bin/streamlit run app.py --server.port $(PORT)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: system-deps $(VENV)/.dev-installed lint
	$(PY) -m pytest -n 2

bench: system-deps $(VENV)/.dev-installed
	$(PY) -m bench run

# Two app processes on PostgreSQL behind nginx with sticky sessions (tools/serve_multi.py):
# PROGRESS_DB=postgresql://... to use a store, else a local server in var/serve-multi/pg.
serve-multi: system-deps $(VENV)/.app-installed
	$(PY) -m tools.serve_multi --port $(PORT) $(if $(PROCESSES),--processes $(PROCESSES)) \
		$(if $(PG_PORT),--pg-port $(PG_PORT))

# The bounded load test (bench/load.py; several minutes): not part of `make test`.
load: system-deps $(VENV)/.dev-installed
	$(PY) -m bench.load

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache var screenshots
