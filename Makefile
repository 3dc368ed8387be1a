# `make run` plays offline in the terminal (or runs on Telegram when BOT_TOKEN is set);
# `make test` checks style and types and runs the whole test suite. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Running needs only the bot's own dependencies; tests, lint and benches add the dev tools.
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test lint format bench clean i18n catalogue webapp

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

run: $(RUN_STAMP)
	$(BIN)/python -m bot

lint: $(DEV_STAMP)
	$(BIN)/ruff check bot tests bench
	$(BIN)/ruff format --check bot tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

format: $(DEV_STAMP)
	$(BIN)/ruff format bot tests bench
	$(BIN)/ruff check --fix bot tests bench

# The interface's catalogues: extract every marked sentence of bot/views, merge the new ones into
# each language's messages.po (translators fill them in), compile the .mo files the bot reads.
LOCALES_DIR := bot/locales
I18N_KEYWORDS := -k _ -k N_ -k ngettext:1,2 -k count:2,3
i18n: $(DEV_STAMP)
	$(BIN)/pybabel extract -F babel.cfg $(I18N_KEYWORDS) --no-location --sort-output \
		--omit-header -o $(LOCALES_DIR)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES_DIR)/messages.pot -d $(LOCALES_DIR) --no-fuzzy-matching \
		--ignore-obsolete
	$(BIN)/pybabel compile -d $(LOCALES_DIR) --statistics

# The Mini App's vendored telegram-web-app.js: Telegram's own script as the npm registry ships it
# (@twa-dev/sdk, pinned with its checksum in webapp/package-lock.json), copied into the static
# files the bot serves; its sha256 goes to webapp/vendored.sha256, which a test compares with the
# committed copy (tests/webapp/test_vendored.py), so a hand edit cannot go unnoticed.
WEBAPP_VENDORED := bot/webapp/static/telegram-web-app.js
webapp:
	cd webapp && npm ci --ignore-scripts --no-audit --no-fund
	cp webapp/node_modules/@twa-dev/sdk/dist/telegram-web-apps.js $(WEBAPP_VENDORED)
	sha256sum $(WEBAPP_VENDORED) > webapp/vendored.sha256

# The starter decks (data/decks/catalogue/), rebuilt from their sources: the same files, byte for
# byte, for the same sources (tests/unit/test_catalogue_decks.py checks it).
catalogue: $(DEV_STAMP)
	$(BIN)/python -m pip install --quiet -e '.[catalogue]'
	$(BIN)/python scripts/build_catalogue.py

bench: $(DEV_STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
