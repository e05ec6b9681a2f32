# The two commands of the README. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements/constraints.txt | sha1sum | cut -c1-12)
export PARLOUR_TEST_POSTGRES_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test

.PHONY: run test lint install clean bench web browser

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e ".[test]"
	rm -f $(VENV)/.installed-*; touch $(STAMP)

# Front ends: pinned by web/package-lock.json, bundled by esbuild into src/parlour/static/dist/.
WEB_STAMP := web/node_modules/.installed-$(shell cat web/package-lock.json | sha1sum | cut -c1-12)
$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -f web/node_modules/.installed-*; touch $(WEB_STAMP)

web: $(WEB_STAMP)
	cd web && node build.mjs

# Browser tests drive Debian's Chromium (Playwright never downloads a browser here).
browser:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

install: $(STAMP) web

## make run: install, migrate, seed the demo account, serve on http://$PARLOUR_HOST:$PARLOUR_PORT
run: install
	$(BIN)/parlour migrate
	$(BIN)/parlour demo
	$(BIN)/parlour serve --no-migrate

## make test: lint, type-check, import contracts, then the whole suite on SQLite and PostgreSQL
test: install browser lint
	$(BIN)/python -m pytest -q -p no:cacheprovider --db=sqlite
	$(BIN)/python -m pytest -q -p no:cacheprovider --db=postgres -m "not backend_independent"

lint: install
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install
	$(BIN)/python bench/api_messages.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache web/node_modules src/parlour/static/dist
