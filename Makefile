# Two entry points for a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: run test lint typecheck install browser bench clean

$(BIN)/.installed: pyproject.toml
	@# bubblewrap confines the agents' run_command; without it run_command is refused.
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq bubblewrap; \
	  else echo "warning: bubblewrap (bwrap) is not installed: agents' run_command will be refused"; fi; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

## run: install and start the server (HTTP :8025, SMTP :2525, SQLite in ./.waypost)
run: install
	$(BIN)/waypost serve $(ARGS)

# Debian's chromium runs the web UI's browser tests (tests/ui; only `make test` needs it).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "warning: chromium is not installed: the browser tests (tests/ui) will be skipped"; fi; }

## test: install, lint, type-check and run the whole suite
test: install browser lint typecheck
	$(BIN)/python -m pytest -q $(ARGS)

lint: install
	$(BIN)/ruff check waypost tests bench
	$(BIN)/ruff format --check waypost tests bench

typecheck: install
	$(BIN)/mypy waypost

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
