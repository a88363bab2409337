"""Two workers training one panel model: every worker reading the whole panel against each
reading only its own files of a folder, side by side on this machine.

    python -m bench.worker_files [SERIES]      (make bench-workers; part of make bench)

A synthetic hourly panel (SERIES series x 2,000 points, default 2,000: 4M rows of a target and
three features) is written once as one Parquet file and once as a folder of 8 Parquet files
holding the same rows, whole series in each, under bench/results/workers/. Both are trained
by two `lstmcast train` processes on loopback ports (training.distribution: multi_worker),
one epoch. The table gives each worker's time and peak RSS after preparing its data and after
fitting (from `train --json`), the chief's wall time (it also scores every series and writes
the run folder) and the test MASE. The two workers share this machine's cores, so the times
say what each path costs, not what two machines would take.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from bench.placement import two_workers

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "bench" / "results" / "workers"
POINTS = 2_000
FILES = 8
CONFIG = {
    "windows": {"lookback": 48, "horizon": 24, "stride": 24, "evaluation_stride": 24},
    "split": {"validation": 168, "test": 168},
    "model": {"units": [32]},
    "training": {"batch_size": 256, "seed": 1},
}


def write_panel(series: int) -> tuple[Path, Path]:
    """(one Parquet file, a folder of FILES Parquet files) holding the same panel."""
    whole, folder = DATA / f"panel{series}.parquet", DATA / f"panel{series}"
    if whole.exists() and folder.is_dir():
        return whole, folder
    folder.mkdir(parents=True, exist_ok=True)
    frame = panel_frame(series)
    frame.to_parquet(whole, index=False)
    ids = frame["series_id"].unique()
    for number, part in enumerate(np.array_split(ids, FILES)):
        rows = frame[frame["series_id"].isin(part)]
        rows.to_parquet(folder / f"part-{number:03d}.parquet", index=False)
    return whole, folder


def panel_frame(series: int) -> pd.DataFrame:
    """Hourly series with a daily cycle at levels spread over two decades, three noise
    features."""
    rng = np.random.default_rng(series)
    steps = np.arange(POINTS)
    level = rng.uniform(10, 1000, size=series)
    cycle = 1 + 0.3 * np.sin(2 * np.pi * (steps[None, :] + rng.integers(0, 24, (series, 1))) / 24)
    values = level[:, None] * (cycle + 0.05 * rng.standard_normal((series, POINTS)))
    frame = pd.DataFrame({
        "timestamp": np.tile(pd.date_range("2020-01-01", periods=POINTS, freq="h"), series),
        "series_id": np.repeat([f"m{index:05d}" for index in range(series)], POINTS),
        "y": values.ravel(),
    })  # fmt: skip
    for name in ("x1", "x2", "x3"):
        frame[name] = rng.standard_normal(len(frame))
    return frame


def run(data: Path, name: str) -> list[dict]:
    config = {
        "data": {"path": str(data), "target": "y", "features": ["x1", "x2", "x3"],
                 "series_id": "series_id"},
        **CONFIG,
    }  # fmt: skip
    path = DATA / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    shutil.rmtree(DATA / "runs" / name, ignore_errors=True)  # the last run's
    return two_workers(path, 1, f"runs/{name}", DATA)


PREPARE = ("read", "validate", "window", "scale")
"""The phases before TensorFlow: reading the data and laying out its windows."""


def prepared(phases: dict) -> dict:
    """The preparing phases together: their seconds, and the peak memory after them."""
    done = [phases[name] for name in PREPARE if name in phases]
    return {"seconds": sum(e["seconds"] for e in done), "peak_rss_mib": done[-1]["peak_rss_mib"]}


def row(label: str, worker: int, summary: dict) -> str:
    phases = summary["phases"]
    prepare, fit = prepared(phases), phases["fit"]
    chief = summary["evaluation"] is not None
    wall = sum(entry["seconds"] for entry in phases.values())
    mase = summary["evaluation"]["mean_mase"]["lstm"] if chief else None
    return (
        f"| {label} | {worker} | {len(summary['files'])} | {prepare['seconds']:.1f} s | "
        f"{prepare['peak_rss_mib']:,.0f} MiB | {fit['seconds']:.1f} s | "
        f"{fit['peak_rss_mib']:,.0f} MiB | "
        + (f"{wall:.0f} s | {max(e['peak_rss_mib'] for e in phases.values()):,.0f} MiB | "
           f"{mase:.3f} |" if chief else "| | |")
    )  # fmt: skip


def main(series: int) -> None:
    whole, folder = write_panel(series)
    results = {"every worker reads the whole file": run(whole, "whole"),
               f"each reads its own files ({FILES})": run(folder, "files")}  # fmt: skip
    print(
        f"{series:,} series x {POINTS:,} hourly points ({series * POINTS:,} rows, target + 3 "
        "features), lookback 48, horizon 24, one epoch, two workers on one machine.\n"
    )
    print(
        "| input | worker | files read | prepare | peak after prepare | fit | peak after fit | "
        "chief: wall (all phases) | chief: peak | chief: test mean MASE |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, workers in results.items():
        for worker, summary in enumerate(workers):
            print(row(label, worker, summary))
    own, every = results[f"each reads its own files ({FILES})"], results[next(iter(results))]
    other = [summary["phases"]["fit"]["peak_rss_mib"] for summary in (own[1], every[1])]
    times = [prepared(summary["phases"])["seconds"] for summary in (own[1], every[1])]
    print(
        f"\nWorker 1, own files / whole file: peak RSS after fit {other[0] / other[1]:.2f}x, "
        f"prepare time {times[0] / times[1]:.2f}x. After training, the chief of the "
        "own-files run scores the panel one worker's share at a time (blend, calibrate, "
        "evaluate: each share read three times)."
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("series", nargs="?", type=int, default=2_000)
    main(parser.parse_args().series)
