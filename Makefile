# Set-up and the two everyday jobs. Every target creates .venv first if it is missing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: readme-results demo test bench bench-peers bench-accuracy bench-architectures bench-placement bench-calendars bench-startup bench-forecast-latency bench-cron-week bench-panels bench-panels-accuracy bench-unseen-series bench-update-year bench-long bench-workers lint

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
	$(BIN)/python -m pytest -n 2 --dist worksteal

bench: $(STAMP)
	$(BIN)/python -m bench.results_page

# The README's results table: every shipped single-series config trained with its seed, with
# the machine it ran on (about 7 minutes on 2 cores).
readme-results: $(STAMP)
	$(BIN)/python -m bench.readme_results

# train on 1M, 5M and 20M rows x 8 columns (Parquet, generated once under bench/results/long):
# time per phase and peak memory; about 15 minutes on 2 cores. `make bench-long ROWS=1000000`.
ROWS ?= 1000000 5000000 20000000
bench-long: $(STAMP)
	$(BIN)/python -m bench.long_series $(ROWS)

# two workers on loopback training one panel: every worker reading the whole Parquet file
# against each reading its own files of a folder (about a minute; part of make bench).
bench-workers: $(STAMP)
	$(BIN)/python -m bench.worker_files

# The peers' environment for the accuracy benchmark: CPU PyTorch first, then the libraries.
PEERS := .venv-bench
PEERS_STAMP := $(PEERS)/.installed-stamp
$(PEERS_STAMP): bench/requirements-peers.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install --quiet --upgrade pip
	$(PEERS)/bin/python -m pip install --quiet torch==2.13.0
	$(PEERS)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $(PEERS_STAMP)

bench-peers: $(PEERS_STAMP)

# Every method on every series, then ETTh1-S; tables in bench/results/accuracy-defaults.md.
bench-accuracy: $(STAMP) $(PEERS_STAMP)
	$(BIN)/python -m bench.accuracy

# Every architecture family on the Taylor series; table in bench/results/architectures.md.
bench-architectures: $(STAMP)
	$(BIN)/python -m bench.architectures

# Step time under each training placement (one device, XLA, mixed precision, mirrored,
# two workers), side by side: `make bench-placement CONFIG=configs/taylor.yaml EPOCHS=4`.
CONFIG ?= configs/taylor.yaml
EPOCHS ?= 4
bench-placement: $(STAMP)
	$(BIN)/python -m bench.placement $(CONFIG) $(EPOCHS)

# Trading days and business hours on their own calendar vs a clock grid filled by interpolation,
# two seeds each, side by side (a few minutes on 2 CPU cores): `make bench-calendars SEEDS="7 8"`.
SEEDS ?= 7 8
bench-calendars: $(STAMP)
	$(BIN)/python -m bench.calendars $(SEEDS)

# Start-up of the commands that never import TensorFlow, beside `import typer` (a few seconds).
bench-startup: $(STAMP)
	$(BIN)/python -m bench.startup

# `lstmcast forecast` with Keras and with the run's ONNX export, stage by stage (a minute).
bench-forecast-latency: $(STAMP)
	$(BIN)/python -m bench.forecast_latency

# A week of hourly cron (forecast + log + evaluate --history, an outage, a gated retrain) on the
# Taylor series as real subprocesses; summary in bench/results/cron-week.md (about 12 minutes).
bench-cron-week: $(STAMP)
	$(BIN)/python -m bench.cron_week

# One global model over many series against one model per series: synthetic 1,000 and 10,000
# series x 2,000 points (time, windows/s, peak RSS).
bench-panels: $(STAMP)
	$(BIN)/python -m bench.panels speed $(SERIES)

# Four real panels (retail, tourism, livestock, prison; the last held out of tuning), the last
# horizon of each series held back: init's config, trained with seeds 0 and 1, beside AutoETS,
# AutoTheta, seasonal naive and NHITS (in .venv-bench); bench/results/panel-accuracy.md.
bench-panels-accuracy: $(STAMP) $(PEERS_STAMP)
	$(BIN)/python -m bench.panel_accuracy

# A fifth of a panel's series never trained on, forecast at the same cut-off beside the trained
# series, seasonal naive and AutoETS (PANEL: shipped, tourism, retail, livestock, prison).
bench-unseen-series: $(STAMP) $(PEERS_STAMP)
	$(BIN)/python -m bench.unseen_series --panel $(or $(PANEL),tourism)

# A year of cron: never retrain, retrain, update (the default one epoch) every week on vic_elec
# (about three hours on 2 cores; stopped, it resumes from its workdir: run it again; WEEKS=3
# for a smoke run), then the same runs forecast from every day of each week (eight minutes),
# and never, retrain, update (10, 3 and 1 epochs) every quarter for two years on the tourism
# panel (five minutes); bench/results/update-year-*.md.
bench-update-year: $(STAMP)
	$(BIN)/python -m bench.update_year --steps $(or $(WEEKS),52) --epochs 1 \
		--workdir bench/results/year-vic_elec$(if $(WEEKS),-$(WEEKS))
	$(BIN)/python -m bench.update_year_daily --workdir bench/results/year-vic_elec$(if $(WEEKS),-$(WEEKS))
	$(BIN)/python -m bench.update_year --config configs/tourism_panel.yaml --steps 8 --epochs 10 3 1

lint: $(STAMP)
	$(BIN)/ruff check lstmcast tests bench
	$(BIN)/ruff format --check lstmcast tests bench
