# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails point at the server `make run` starts, unless SITE_URL is given explicitly.
SITE_URL ?= http://$(HOST):$(PORT)
export SITE_URL

.PHONY: run test lint typecheck pytest bench bench-load messages clean

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed-runtime $@

## run: install, migrate, seed the demo once, collect static files, serve with a local worker and beat.
## DEBUG is on here only: settings default to DEBUG off, as production must.
run: export DJANGO_DEBUG = 1
run: $(VENV)/.installed-runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Serving on http://$(HOST):$(PORT)/ (demo logins in README.md); Ctrl-C stops the server and the worker."
	@mkdir -p var
	@trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A mentoring worker --beat --pool=solo --loglevel=INFO & \
	  $(PY) manage.py runserver $(HOST):$(PORT)

## test: install the dev tools, then lint, type-check and run the whole suite.
test: $(VENV)/.installed-dev lint typecheck pytest

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed-dev
	$(VENV)/bin/mypy mentoring people programmes evaluation privacy

## pytest: the suite on PYTEST_WORKERS processes (pytest-xdist; each has its own test database and Redis
## database). PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= 2
pytest: $(VENV)/.installed-dev
	$(VENV)/bin/pytest --numprocesses $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(PY) bench/import_people.py
	$(PY) bench/matching.py

## bench-load: the locust load test (README); DATABASE_URL and REDIS_URL point at a seed_demo --people 50000 database.
bench-load: $(VENV)/.installed-dev
	$(PY) bench/load.py

## messages: refresh the translation catalogues after changing strings (needs gettext).
messages: export DJANGO_DEBUG = 1
messages: $(VENV)/.installed-dev
	$(PY) manage.py makemessages --locale id --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'staticfiles/*'
	$(PY) manage.py makemessages --locale id --domain djangojs --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale id --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .mypy_cache .ruff_cache
