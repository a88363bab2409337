"""Many series: one global model against the loop of one model per series people write by hand.

    python -m bench.panels speed [SERIES ...]     (make bench-panels)

speed: synthetic hourly panels of SERIES x 2,000 points (default 1,000 and 10,000): the wall
time of validate, of one training epoch, of forecasting every series, and each command's peak
RSS, measured as real `lstmcast` subprocesses; beside them, the per-series loop (the same
model, one run per series) timed on a sample of 3 series and extrapolated to all of them, as
the table says.

Accuracy on real panels is bench/panel_accuracy.py (make bench-panels-accuracy).
The table goes to stdout and bench/results/panels-speed.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SHARED = REPO.parent / "shared" / "data" / "panel"
POINTS = 2_000
LOOP_SAMPLE = 3


def measured(*args: object, cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one lstmcast subprocess; the peak comes from
    /usr/bin/time -v (Debian package `time`), NaN without it."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    command = [*timer, sys.executable, "-m", "lstmcast", *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"lstmcast {' '.join(map(str, args))} failed: {done.stderr.strip()[-400:]}")
    peak = next(
        (int(line.split(":")[1]) / 1024 for line in done.stderr.splitlines()
         if "Maximum resident set size" in line),
        float("nan"),
    )  # fmt: skip
    return wall, peak, done.stdout


def synthetic_panel(folder: Path, series: int) -> Path:
    """Hourly series with a daily cycle, levels spread over two decades, 5% noise."""
    rng = np.random.default_rng(series)
    steps = np.arange(POINTS)
    level = rng.uniform(10, 1000, size=series)
    cycle = 1 + 0.3 * np.sin(2 * np.pi * (steps[None, :] + rng.integers(0, 24, (series, 1))) / 24)
    values = level[:, None] * (cycle + 0.05 * rng.standard_normal((series, POINTS)))
    stamps = pd.date_range("2020-01-01", periods=POINTS, freq="h").strftime("%Y-%m-%dT%H:%M:%S")
    path = folder / f"panel{series}.csv"
    with path.open("w") as stream:
        stream.write("timestamp,series_id,y\n")
        for index in range(series):
            block = pd.DataFrame({"t": stamps, "id": f"m{index:05d}", "y": values[index].round(3)})
            block.to_csv(stream, header=False, index=False)
    return path


SPEED_CONFIG = {
    "windows": {"lookback": 48, "horizon": 24, "stride": 4},
    "split": {"validation": 168, "test": 168},
    "model": {"units": [32]},
    "training": {"epochs": 1, "batch_size": 256, "early_stopping": None, "seed": 1},
}


def speed(counts: list[int]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for series in counts:
            rows.append(_speed_row(folder, series))
    header = (
        "| series x points | validate s | train s (1 epoch) | windows/s | forecast all s | "
        "peak RSS MB (validate / train / forecast) | per-series loop: train s, forecast s "
        f"(extrapolated from {LOOP_SAMPLE}) | loop / global train | loop / global forecast |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---|---:|---:|---:|", *rows]
    _write("panels-speed.md", "Panel speed (bench/panels.py speed)", lines)


def _speed_row(folder: Path, series: int) -> str:
    csv = synthetic_panel(folder, series)
    config = {"data": {"path": csv.name, "target": "y", "series_id": "series_id"},
              **SPEED_CONFIG, "output": {"run_dir": f"runs/p{series}"}}  # fmt: skip
    (folder / f"p{series}.yaml").write_text(yaml.safe_dump(config))
    validate_s, validate_mb, _ = measured("validate", f"p{series}.yaml", "-q", cwd=folder)
    train_s, train_mb, out = measured("train", f"p{series}.yaml", "--json", "-q", cwd=folder)
    summary = json.loads(out)
    forecast_s, forecast_mb, _ = measured(
        "forecast", f"runs/p{series}", "-o", "f.csv", "-q", cwd=folder
    )
    loop_train, loop_forecast = _loop(folder, csv, series)
    return (
        f"| {series:,} x {POINTS:,} | {validate_s:.1f} | {train_s:.1f} "
        f"(fit {summary['seconds']:.1f}) | {summary['samples_per_second']:,.0f} | "
        f"{forecast_s:.1f} | {validate_mb:,.0f} / {train_mb:,.0f} / {forecast_mb:,.0f} | "
        f"{loop_train:,.0f}, {loop_forecast:,.0f} | {loop_train / train_s:.0f}x | "
        f"{loop_forecast / forecast_s:.0f}x |"
    )


def _loop(folder: Path, csv: Path, series: int) -> tuple[float, float]:
    """One run per series, as a hand-written loop would do: mean wall time of LOOP_SAMPLE
    series, times the number of series."""
    frame = pd.read_csv(csv, nrows=LOOP_SAMPLE * POINTS)
    train_times, forecast_times = [], []
    for sid, part in frame.groupby("series_id"):
        part[["timestamp", "y"]].to_csv(folder / f"{sid}.csv", index=False)
        config = {"data": {"path": f"{sid}.csv", "target": "y"}, **SPEED_CONFIG,
                  "output": {"run_dir": f"runs/{sid}"}}  # fmt: skip
        (folder / f"{sid}.yaml").write_text(yaml.safe_dump(config))
        train_times.append(measured("train", f"{sid}.yaml", "-q", "--overwrite", cwd=folder)[0])
        forecast_times.append(measured("forecast", f"runs/{sid}", "-o", "x.csv", cwd=folder)[0])
    return float(np.mean(train_times)) * series, float(np.mean(forecast_times)) * series


def _write(name: str, title: str, lines: list[str]) -> None:
    text = f"# {title}\n\n" + "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(text)


if __name__ == "__main__":
    counts = [int(n) for n in sys.argv[1:] if n != "speed"]
    speed(counts or [1_000, 10_000])
