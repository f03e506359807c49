# Munis — the two commands of the Quick start are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# where `make run` serves: the base of links in e-mails and of QR codes on issued letters, unless MUNIS_SITE_URL
# says otherwise (config/settings.py, whose default is this same 127.0.0.1:8000)
SERVED_AT := MUNIS_SERVED_AT=http://$(HOST):$(PORT)

# Debian packages the app needs at run time (WeasyPrint, python-magic, gettext, poppler-utils for previews,
# Node.js for the npm packages it serves), and in addition for the tests (a real browser, and zbarimg
# to read the QR code of an issued PDF as a phone would).
# Node.js: Debian's nodejs and npm, unless an npm is already installed (NodeSource's
# nodejs bundles npm and conflicts with Debian's npm package).
NODE_DEBS := $(if $(shell command -v npm),,nodejs npm)
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libmagic1 gettext fonts-dejavu-core poppler-utils \
	$(NODE_DEBS)
TEST_DEBS := chromium zbar-tools

# make test: PostgreSQL when DATABASE_URL says so or 127.0.0.1:5432 answers, else SQLite.
PG_UP := $(shell (command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432) && echo yes)
ifeq ($(origin DATABASE_URL), undefined)
  ifeq ($(PG_UP),yes)
    TEST_DATABASE_URL := postgres://postgres@127.0.0.1:5432/munis
  else
    TEST_DATABASE_URL := sqlite:///var/test.sqlite3
  endif
else
  TEST_DATABASE_URL := $(DATABASE_URL)
endif

.PHONY: run test bench lint messages css debs-run debs-test serve clean screenshots

$(VENV)/.runtime: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PIP) install -q -r requirements-dev.txt
	touch $@

# npm packages, exactly as package-lock.json pins them: bpmn-js (served as our
# static files), bpmn-moddle and bpmnlint (the BPMN export's tests).
node_modules/.installed: package.json package-lock.json | debs-run
	npm ci --no-audit --no-fund
	touch $@

# The design system's stylesheet: GOV.UK Frontend compiled from its Sass with our settings (our
# typeface stack, no GOV.UK font or crown), served from static_build/ as our own static file.
CSS_SOURCES := $(wildcard static_src/scss/*.scss)
static_build/css/munis.css: $(CSS_SOURCES) node_modules/.installed
	mkdir -p static_build/css
	npx --no-install sass --no-source-map --style=compressed --load-path=node_modules \
		static_src/scss/munis.scss static_build/css/munis.css

css: static_build/css/munis.css

define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

debs-run:
	$(call apt_ensure,$(RUN_DEBS))

debs-test: debs-run
	$(call apt_ensure,$(TEST_DEBS))

messages: $(VENV)/.runtime
	$(PY) manage.py compilemessages -v0 --ignore=.venv --ignore=node_modules

run: debs-run $(VENV)/.runtime node_modules/.installed css messages
	$(PY) manage.py migrate --noinput
	$(SERVED_AT) $(PY) manage.py seed_demo
	@# The timers (reminders, escalations, automatic steps) run beside the server and stop with it.
	$(SERVED_AT) $(PY) manage.py run_timers --loop --interval 30 & timers=$$!; \
	trap 'kill $$timers 2>/dev/null' EXIT INT TERM; \
	$(SERVED_AT) $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

test: debs-test $(VENV)/.dev node_modules/.installed css messages lint
	@echo "Test database: $(TEST_DATABASE_URL)"
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

# README's pictures of the citizen's case page and the staff inbox, taken by a browser test.
screenshots: debs-test $(VENV)/.dev node_modules/.installed css messages
	MUNIS_SCREENSHOTS=docs/screenshots DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -q tests/test_readme_screenshots.py

bench: debs-run $(VENV)/.dev node_modules/.installed css messages
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m bench

clean:
	rm -rf $(VENV) var node_modules static_build
