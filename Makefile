# Set-up and the two everyday jobs. Every target creates .venv first if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench lint

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# Train, evaluate and forecast on the bundled air passengers series (about 30 s on 2 CPU cores).
demo: $(STAMP)
	$(BIN)/lstmcast validate configs/air_passengers.yaml
	$(BIN)/lstmcast train configs/air_passengers.yaml --overwrite
	$(BIN)/lstmcast evaluate runs/air_passengers
	$(BIN)/lstmcast forecast runs/air_passengers --output runs/air_passengers-forecast.csv
	@cat runs/air_passengers-forecast.csv

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/windows_memory.py

lint: $(STAMP)
	$(BIN)/ruff check lstmcast tests bench
	$(BIN)/ruff format --check lstmcast tests bench
