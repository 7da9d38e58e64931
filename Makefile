# Two commands do all set-up on a fresh machine with Python 3.11 and pip:
#   make demo   - create .venv, install v2x with SUMO, run the main job: a co-simulation of the
#                 shipped highway scenario, its report in runs/highway-<time>/
#   make test   - create .venv, install v2x with SUMO and its test tools, run ruff and the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[sim]"
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,sim]"
	touch $@ $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/v2x sim run scenarios/highway --out runs/highway-$$(date +%Y%m%d-%H%M%S)

test: $(VENV)/.installed-test
	$(BIN)/ruff check v2x tests bench
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-test
	$(BIN)/ruff check v2x tests bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
