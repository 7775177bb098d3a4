# Two commands on a fresh machine: `make lab` and `make test`.
# Everything is installed into .venv (nothing outside it); the stamp file makes a
# second run start at once when pyproject.toml has not changed.

PYTHON  ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
PORT    ?= 8888
LAB_ARGS ?=
# JupyterLab refuses to run as root (containers, CI, Binder-like images) without this flag.
ROOTFLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NOTEBOOKS := notebooks

.PHONY: install lab test test-unit test-notebooks bench lint check clean execute site server

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=. --port=$(PORT) --ServerApp.ip=127.0.0.1 $(ROOTFLAG) \
		--LabApp.default_url=/lab/tree/$(NOTEBOOKS)/00_start_here.ipynb $(LAB_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:nbval tests
	$(BIN)/python tests/notebooks/run_isolated.py

test-unit: $(STAMP)
	$(BIN)/python -m pytest -q -p no:nbval tests

test-notebooks: $(STAMP)
	$(BIN)/python tests/notebooks/run_isolated.py

# Re-execute every notebook (or NB=notebooks/02_lambda.ipynb) in a fresh kernel and store the outputs.
execute: $(STAMP)
	$(BIN)/python -m course_lib.notebook_tools execute $(or $(NB),$(NOTEBOOKS)/*.ipynb)

# The offline HTML course (site/, gitignored): every chapter executed with its plots and quiz
# widgets, drawn by the JavaScript pinned in package-lock.json (never a CDN). BINDER_REPO=owner/name
# adds Binder links.
SITE_DIR ?= site
site: $(STAMP) node_modules/.package-lock.json
	$(BIN)/python -m course_lib.site --out $(SITE_DIR) $(if $(BINDER_REPO),--binder-repo $(BINDER_REPO),)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# A course sandbox server on 127.0.0.1 (moto plus the course's Lambda runtime), for endpoint mode:
# notebooks then use it with COURSE_ENDPOINT_URL=http://127.0.0.1:$(SERVER_PORT). Ctrl-C stops it.
SERVER_PORT ?= 5000
server: $(STAMP)
	$(BIN)/python -m course_lib.server --standalone --port $(SERVER_PORT)

bench: $(STAMP)
	$(BIN)/python -m course_lib.bench

check: $(STAMP)
	$(BIN)/course check

clean:
	rm -rf $(VENV) build *.egg-info
