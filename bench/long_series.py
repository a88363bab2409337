"""A long series end to end: `lstmcast train` on 1M, 5M and 20M rows x 8 columns, lookback 336,
its wall time split into phases and its peak RSS against a baseline and the data's size.

    python -m bench.long_series [ROWS ...]      (make bench-long; part of make bench)

The data are synthetic minute readings (a daily cycle plus noise in the target, seven noise
features), written once to bench/results/long/ as Parquet (where people keep 20M rows) and,
up to 5M rows, as CSV. Two tables, each measured side by side in one run:
- read + validate: `lstmcast validate` beside pandas' fastest plain read of the same file
  (the pyarrow engine, or read_parquet), each a fresh process: wall time and peak RSS;
- train: one epoch at `stride: 5000` with `evaluation_stride` chosen so the test part scores
  about 250,000 windows; the phases and peak RSS are what `train --json` reports
  (lstmcast/phases.py). The baseline is the same command on 20,000 rows (TensorFlow, Keras,
  the model, its pipelines: nothing that grows with rows); a size's growth is its peak RSS
  minus that, and the target is growth <= 3 x the float32 data (rows x 8 x 4 bytes).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "results" / "long"
FEATURES = [f"x{i}" for i in range(1, 8)]
BASELINE_ROWS = 20_000
TEST_WINDOWS = 250_000
CHUNK = 1_000_000
CSV_ROWS = 5_000_000
"""Sizes up to this are also written and validated as CSV (20M rows are 1.6 GB of text)."""


def write_data(rows: int, fmt: str) -> Path:
    """The synthetic series, written in chunks of a million rows (generated once)."""
    path = DATA / f"long{rows}.{fmt}"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)  # left by an interrupted run: CSV chunks append
    writer = None
    for first in range(0, rows, CHUNK):
        frame = chunk_frame(first, min(CHUNK, rows - first))
        if fmt == "csv":
            frame.to_csv(partial, mode="a", header=first == 0, index=False, float_format="%.4f")
            continue
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(frame, preserve_index=False)
        writer = writer or pq.ParquetWriter(partial, table.schema)
        writer.write_table(table)
    if writer is not None:
        writer.close()
    partial.rename(path)
    return path


def chunk_frame(first: int, rows: int):  # -> pd.DataFrame
    import pandas as pd

    rng = np.random.default_rng(first)
    steps = np.arange(first, first + rows)
    timestamps = pd.Timestamp("2000-01-01") + pd.to_timedelta(steps, unit="min")
    frame = pd.DataFrame({"timestamp": timestamps})
    frame["y"] = 100 + 10 * np.sin(2 * np.pi * steps / 1440) + rng.normal(size=rows)
    for name in FEATURES:
        frame[name] = rng.normal(size=rows)
    return frame


def config(path: Path, rows: int, run_dir: Path) -> Path:
    evaluation_stride = max(1, round(rows / 10 / TEST_WINDOWS))
    text = f"""data:
  path: {path}
  target: y
  features: [{", ".join(FEATURES)}]
windows:
  lookback: 336
  horizon: 48
  stride: 5000
  evaluation_stride: {evaluation_stride}
split:
  validation: 0.1
  test: 0.1
training:
  epochs: 1
output:
  run_dir: {run_dir}
"""
    written = run_dir.with_suffix(".yaml")
    written.write_text(text, encoding="utf-8")
    return written


def train(config_path: Path) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "lstmcast", "train", str(config_path), "--json", "--overwrite"],
        cwd=REPO, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(done.stdout), time.perf_counter() - started


PANDAS_READ = """
import sys
import pandas as pd
path = sys.argv[1]
columns = ["timestamp", "y", *[f"x{i}" for i in range(1, 8)]]
if path.endswith(".csv"):
    frame = pd.read_csv(path, usecols=columns, engine="pyarrow")
else:
    frame = pd.read_parquet(path, columns=columns)
"""

MEASURED = """
import resource, subprocess, sys, time
started = time.perf_counter()
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(time.perf_counter() - started, peak)
"""


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one command, in a process of its own."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *command], cwd=REPO, check=True, capture_output=True,
        text=True,
    )  # fmt: skip
    seconds, peak = done.stdout.split()
    return float(seconds), float(peak)


def read_and_validate(sizes: list[int], runs: Path) -> None:
    """`lstmcast validate` beside pandas' fastest plain read of the same file."""
    print("| rows | file | lstmcast validate | pandas read (pyarrow engine) | x pandas |")
    print("|---:|---|---:|---:|---:|")
    for rows in sizes:
        for fmt in ("csv", "parquet") if rows <= CSV_ROWS else ("parquet",):
            path = write_data(rows, fmt)
            validate = measured([sys.executable, "-m", "lstmcast", "validate", "-q",
                                 str(config(path, rows, runs / f"validate{rows}"))])  # fmt: skip
            plain = measured([sys.executable, "-c", PANDAS_READ, str(path)])
            size = path.stat().st_size / 2**20
            print(
                f"| {rows:,} | {fmt}, {size:,.0f} MiB | {validate[0]:.2f} s, "
                f"{validate[1]:,.0f} MiB | {plain[0]:.2f} s, {plain[1]:,.0f} MiB | "
                f"{validate[0] / plain[0]:.2f} |",
                flush=True,
            )
    print(
        "\nWall time of the whole command (Python and imports included) and its peak RSS; "
        "validate also parses and checks the timestamps and every value.\n"
    )


def train_phases(sizes: list[int], runs: Path) -> None:
    baseline, _ = train(config(write_data(BASELINE_ROWS, "parquet"), BASELINE_ROWS,
                               runs / "baseline"))  # fmt: skip
    floor = peak_of(baseline)
    print(
        f"Baseline: {BASELINE_ROWS:,} rows, peak RSS {floor:,.0f} MiB "
        "(TensorFlow, Keras, the model, its pipelines, the ONNX export).\n"
    )
    print(
        "| rows | read | validate | scale | window | TensorFlow | fit | calibrate | "
        "evaluate (windows/s) | write | wall | peak RSS | growth / float32 data |"
    )
    print("|" + "---:|" * 13)
    for rows in sizes:
        summary, wall = train(config(write_data(rows, "parquet"), rows, runs / f"long{rows}"))
        seconds = {name: entry["seconds"] for name, entry in summary["phases"].items()}
        windows = summary["evaluation"]["num_windows"]
        growth = (peak_of(summary) - floor) / (rows * 8 * 4 / 2**20)
        cells = [
            f"{rows:,}",
            *(f"{seconds[name]:.1f} s" for name in ("read", "validate", "scale", "window")),
            f"{seconds['tensorflow']:.1f} s",
            f"{seconds['fit']:.1f} s",
            f"{seconds['calibrate']:.1f} s",
            f"{seconds['evaluate']:.1f} s ({windows / seconds['evaluate']:,.0f} on {windows:,})",
            f"{seconds['write']:.1f} s",
            f"{wall:.0f} s",
            f"{peak_of(summary):,.0f} MiB",
            f"{growth:.1f}x",
        ]
        print("| " + " | ".join(cells) + " |", flush=True)
    print(
        f"\nParquet input, lookback 336, horizon 48, stride 5000, one epoch; evaluation_stride "
        f"keeps about {TEST_WINDOWS:,} test windows. Phases and peaks from `train --json`. "
        "Growth = (peak RSS - baseline) / (rows x 8 x 4 bytes); target <= 3x."
    )


def main(sizes: list[int]) -> None:
    runs = DATA / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    read_and_validate(sizes, runs)
    train_phases(sizes, runs)


def peak_of(summary: dict) -> float:
    return max(entry["peak_rss_mib"] for entry in summary["phases"].values())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="*", type=int, default=[1_000_000, 5_000_000, 20_000_000])
    main(parser.parse_args().rows)
