"""`init`, one series or many: a commented starter config from what a CSV shows (data/
profile.py reads it, data/starter.py decides and writes the YAML), checked as `validate` would
check it, with the facts it found and whether its default run folder is taken. Never imports
TensorFlow."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from lstmcast.config import load_experiment
from lstmcast.data.frequency import frequency_name
from lstmcast.data.profile import profile_csv
from lstmcast.data.starter import plan_starter, starter_yaml
from lstmcast.data.workload import prepare_workload
from lstmcast.errors import LstmcastError
from lstmcast.text import count_of


@dataclass(frozen=True)
class Starter:
    text: str
    """The config's YAML, comments and all."""
    facts: dict[str, Any]
    problem: str | None
    """What validate would refuse in it (None: it validates)."""
    occupied: str | None
    """Its default run folder holds a run already."""


def starter_config(
    csv: Path, *, target: str | None, horizon: int | None, destination: Path | None
) -> Starter:
    """The starter config of `csv` as it would read from `destination` (None: stdout, read
    from the working directory); `horizon` defaults to one season (7 without one)."""
    profile = profile_csv(csv, target=target)
    steps = horizon or (profile.season_length if profile.season_length > 1 else 7)
    plan = plan_starter(profile, horizon=steps)
    to_stdout = destination is None
    place = destination or Path("-")
    text = _config_text(profile, plan, place, to_stdout=to_stdout)
    problem = _problem(text, place, to_stdout=to_stdout)
    return Starter(
        text=text,
        facts=_facts(profile, plan, place, problem, to_stdout=to_stdout),
        problem=problem,
        occupied=_occupied_run_dir(place, to_stdout=to_stdout),
    )


def _config_text(profile: Any, plan: Any, destination: Path, *, to_stdout: bool) -> str:
    base = Path.cwd() if to_stdout else destination.resolve().parent
    data_path = os.path.relpath(profile.path.resolve(), base)
    return starter_yaml(profile, plan, data_path=data_path, today=str(date.today()))


def _problem(text: str, destination: Path, *, to_stdout: bool) -> str | None:
    """What `lstmcast validate` would refuse in the config text (no TensorFlow), read as if
    it stood at `destination` (stdout: the working directory)."""
    where = Path.cwd() / "starter.yaml" if to_stdout else destination
    try:
        prepare_workload(load_experiment(where, text=text))
    except LstmcastError as err:
        message = str(err).replace(f"{where}: ", "")
        return f"the starter config does not validate yet: {message}"
    return None


def _occupied_run_dir(destination: Path, *, to_stdout: bool) -> str | None:
    """The default run folder of the config (runs/<stem>) when it already holds something."""
    run_dir = Path("runs") / ("starter" if to_stdout else destination.stem)
    if to_stdout or not run_dir.exists():
        return None
    return (
        f"{run_dir} already holds a run: `lstmcast train {destination}` will refuse to replace "
        "it without --overwrite; set output.run_dir in the config to keep both"
    )


def _facts(
    profile: Any, plan: Any, destination: Path, problem: str | None, *, to_stdout: bool
) -> dict[str, Any]:
    missing = f", {count_of(profile.missing_rows, 'row')} missing" if profile.missing_rows else ""
    steps = f"{frequency_name(profile.frequency)} steps"
    if profile.sessions is not None:
        steps += f" in sessions {profile.sessions.describe()}"
    zone = f" ({profile.timezone})" if profile.timezone else ""
    rule = "the panel rule" if plan.panel else "the rule"
    found = (
        f"{count_of(profile.rows, 'row')}, time in '{profile.timestamp}'{zone}, {steps}"
        f"{missing}, target '{profile.target}', season {profile.season_length}, horizon "
        f"{plan.horizon}, lookback {plan.lookback} ({rule}), validation {plan.validation}"
    )
    return {
        "config": "-" if to_stdout else str(destination),
        "found": found,
        "rows": profile.rows,
        "timestamp": profile.timestamp,
        "timezone": profile.timezone,
        "frequency": profile.frequency,
        "sessions": profile.sessions.describe() if profile.sessions is not None else None,
        "missing_rows": profile.missing_rows,
        "numeric_columns": profile.numeric,
        "target": profile.target,
        "season_length": profile.season_length,
        "lookback": plan.lookback,
        "horizon": plan.horizon,
        "split": {"validation": plan.validation, "test": plan.test},
        "split_reason": plan.split_reason,
        "interval_levels": list(plan.levels),
        "valid": problem is None,
        "problem": problem,
    }
