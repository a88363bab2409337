"""A year of weekly cron on one series, three policies from the same start: never retrain,
retrain from scratch every week, update every week (`lstmcast update`), each as the user runs
it, with real subprocesses.

    python -m bench.update_year [--config configs/vic_elec.yaml] [--weeks 52] [--epochs 10 [3]]

The first run trains on the rows before the year; then every week each policy forecasts the
next horizon from the rows up to now with `forecast --log`, a week of rows arrives, and the
policy retrains or updates (or not) on everything up to then. At the end `evaluate --history`
scores each policy's log against the actuals: live MASE over the year (every log on the first
run's MASE scale, so the three compare directly), seasonal naive's on the same cells, and the
CPU seconds a week each policy spent in training. The table goes to stdout and
bench/results/update-year.md.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"


def policies(epochs: list[int]) -> list[str]:
    """never, retrain, and one update policy per epoch count: update (one count) or update3."""
    updates = ["update"] if len(epochs) == 1 else [f"update{n}" for n in epochs]
    return ["never", "retrain", *updates]


def lstmcast(*args: object, cwd: Path) -> tuple[str, float]:
    """(stdout, CPU seconds of the child) of one command; exits on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "lstmcast", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"lstmcast {args[0]} failed: {done.stderr.strip()[-600:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done.stdout, cpu


def setup(folder: Path, config: Path, frame: pd.DataFrame, rows: int) -> None:
    """The config copied beside the data, reading data.csv; the first run trained."""
    raw = yaml.safe_load(config.read_text())
    raw["data"]["path"] = "data.csv"
    raw["output"] = {**raw.get("output", {}), "run_dir": "runs/week0"}
    (folder / "config.yaml").write_text(yaml.safe_dump(raw))
    frame.iloc[:rows].to_csv(folder / "data.csv", index=False)
    lstmcast("train", "config.yaml", "-q", cwd=folder)


def run_year(config: Path, weeks: int, epochs: list[int]) -> dict[str, dict]:
    data = yaml.safe_load(config.read_text())["data"]["path"]
    frame = pd.read_csv((config.parent / data).resolve())
    steps = _steps_a_week(frame)
    start = len(frame) - weeks * steps
    folder = Path(tempfile.mkdtemp(prefix="update-year-"))
    frame.to_csv(folder / "actuals.csv", index=False)
    setup(folder, config, frame, start)
    names = policies(epochs)
    updates = dict(zip(names[2:], epochs, strict=True))
    current = {policy: "runs/week0" for policy in names}
    cpu = {policy: 0.0 for policy in names}
    for week in range(weeks):
        rows = start + week * steps
        frame.iloc[:rows].to_csv(folder / "data.csv", index=False)
        for policy in names:
            lstmcast("forecast", current[policy], "--input", "data.csv", "--log",
                     f"{policy}.csv", "-o", "/dev/null", "-q", cwd=folder)  # fmt: skip
        frame.iloc[: rows + steps].to_csv(folder / "data.csv", index=False)
        if week == weeks - 1:
            break
        retrained = f"runs/r{week + 1}"
        _, seconds = lstmcast("train", "config.yaml", "--set", f"output.run_dir={retrained}",
                              "-q", cwd=folder)  # fmt: skip
        cpu["retrain"] += seconds
        current["retrain"] = retrained
        for policy, count in updates.items():
            updated = f"runs/{policy}-{week + 1}"
            _, seconds = lstmcast("update", current[policy], "-i", "data.csv", "--epochs", count,
                                  "--output-run", updated, "-q", cwd=folder)  # fmt: skip
            cpu[policy] += seconds
            current[policy] = updated
        print(f"week {week + 1}/{weeks}", file=sys.stderr, flush=True)
    return {policy: _scored(folder, policy, cpu[policy] / max(weeks - 1, 1))
            for policy in names}  # fmt: skip


def _steps_a_week(frame: pd.DataFrame) -> int:
    stamps = pd.to_datetime(frame["timestamp"].head(3), utc=True)
    return int(pd.Timedelta(days=7) / (stamps.iloc[1] - stamps.iloc[0]))


def _scored(folder: Path, policy: str, cpu_a_week: float) -> dict:
    """The policy's log scored by `evaluate --history` against the first run, so every policy
    is on the same MASE scale (the first run's training part)."""
    out, _ = lstmcast("evaluate", "runs/week0", "--history", f"{policy}.csv", "--actuals",
                      "actuals.csv", "--json", cwd=folder)  # fmt: skip
    return {"live": json.loads(out)["overall"], "cpu_a_week": cpu_a_week}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "vic_elec.yaml")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument(
        "--epochs",
        type=int,
        nargs="+",
        default=[10],
        help="update's --epochs; several give one update policy each",
    )
    args = parser.parse_args()
    started = time.perf_counter()
    found = run_year(args.config, args.weeks, args.epochs)
    lines = ["# A year of weekly cron (bench/update_year.py)", "",
             f"`python -m bench.update_year {' '.join(sys.argv[1:])}`, "
             f"{time.perf_counter() - started:.0f} s on this machine.", "",
             "| policy | live MASE | seasonal naive | training CPU s a week |",
             "|---|---:|---:|---:|"]  # fmt: skip
    for policy, result in found.items():
        live = result["live"]
        lines.append(f"| {policy} | {live['mase']:.3f} | {live['seasonal_naive_mase']:.3f} | "
                     f"{result['cpu_a_week']:.0f} |")  # fmt: skip
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "update-year.md").write_text(text)


if __name__ == "__main__":
    main()
