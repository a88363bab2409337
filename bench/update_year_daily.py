"""A finished year of bench/update_year.py scored at every day's origin, not only the weekly
one: the runs each policy had in a week (trained or updated at the week's start) forecast
from each of the week's seven days, as a daily forecast cron between weekly updates would.
No training: it reuses the year's run folders.

    python -m bench.update_year_daily --workdir bench/results/year-vic_elec [--jobs 2]

The weekly year forecasts from one time of one weekday (vic_elec: Wednesday 12:30 UTC), a
biased sample for judging the model against seasonal naive; this scores 7 origins a week,
every weekday, through `forecast --as-of --log` and `evaluate --history` like the year. The
table goes to stdout and bench/results/update-year-daily-WORKDIR.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import pandas as pd
import yaml

from bench.update_year import Cuts, Progress, lstmcast, policies, publish, run_at, scored_log

DAYS = 7


def daily_origins(cuts: Cuts, steps: int) -> list[tuple[int, pd.Timestamp]]:
    """(step, origin) for every day of every step: the step's own origin, then the same time
    on each of the next six days (data recorded within the day only)."""
    per_day = cuts.size // DAYS
    if per_day * DAYS != cuts.size or per_day == 0:
        sys.exit("daily origins need data recorded within the day (a step of a week)")
    found = []
    for step in range(steps):
        last_known = cuts.start + step * cuts.size - 1
        found += [(step, cuts.moments[last_known + day * per_day]) for day in range(DAYS)]
    return found


def issue(folder: Path, policy: str, step: int, origin: pd.Timestamp) -> None:
    """One forecast of the policy's run at `step`, from `origin`, appended to its daily log."""
    lstmcast("forecast", run_at(policy, step), "--input", "actuals.csv", "--as-of",
             origin.isoformat(), "--log", f"daily-{policy}.csv", "-o", "/dev/null", "-q",
             cwd=folder)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True, help="a finished year's folder")
    parser.add_argument("--jobs", type=int, default=2, help="forecasts run at once")
    args = parser.parse_args()
    folder = args.workdir
    state = json.loads((folder / Progress.FILE).read_text())
    if state["step"] < state["steps"]:
        sys.exit(f"{folder} has finished {state['step']} of {state['steps']} steps")
    timestamp = yaml.safe_load((folder / "config.yaml").read_text())["data"].get("timestamp")
    cuts = Cuts(pd.read_csv(folder / "actuals.csv"), timestamp or "timestamp", state["steps"])
    origins = daily_origins(cuts, state["steps"])
    names = policies(state["epochs"])
    steps, moments = zip(*origins, strict=True)
    started = time.perf_counter()
    for policy in names:
        (folder / f"daily-{policy}.csv").unlink(missing_ok=True)
        with ThreadPoolExecutor(args.jobs) as pool:
            list(pool.map(partial(issue, folder, policy), steps, moments))
    found = {policy: scored_log(folder, f"daily-{policy}", None) for policy in names}
    publish(["# A year of cron, forecast daily (bench/update_year_daily.py)", "",
             f"`python -m bench.update_year_daily {' '.join(sys.argv[1:])}`: {len(origins)} "
             f"origins a policy, {time.perf_counter() - started:.0f} s."], found,
            f"update-year-daily-{folder.name}")  # fmt: skip


if __name__ == "__main__":
    main()
