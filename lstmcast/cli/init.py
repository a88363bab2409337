"""`lstmcast init data.csv`: a commented starter config, from what the CSV shows."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.options import DebugFlag, JsonFlag, QuietFlag
from lstmcast.cli.output import print_json, reported_errors, say, warn, wrote
from lstmcast.text import count_of

TargetOption = Annotated[
    str | None,
    typer.Option("--target", help="The column to forecast [default: guessed].", show_default=False),
]
ConfigOutput = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Where to write the config; '-' for stdout [default: <csv name>.yaml here].",
        show_default=False,
    ),
]
HorizonOption = Annotated[
    int | None,
    typer.Option(
        "--horizon", min=1, help="Steps to forecast [default: one season].", show_default=False
    ),
]


def init(
    csv: Annotated[Path, typer.Argument(help="The CSV to forecast.", show_default=False)],
    target: TargetOption = None,
    horizon: HorizonOption = None,
    output: ConfigOutput = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing file.")
    ] = False,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Write a commented starter config for CSV: the timestamp column and time zone,
    frequency (business days and business hours included) and gaps, numeric columns, a likely
    target, the season, a split whose validation part calibrates the intervals, and the
    default lookback rule, each with the reason; then check it as `validate` would. Never
    imports TensorFlow."""
    from lstmcast.data.profile import profile_csv
    from lstmcast.data.starter import plan_starter

    with reported_errors(debug=debug, json_output=json_output):
        profile = profile_csv(csv, target=target)
        steps = horizon or (profile.season_length if profile.season_length > 1 else 7)
        plan = plan_starter(profile, horizon=steps)
        to_stdout = output is not None and str(output) == "-"
        destination = output or Path(f"{csv.stem}.yaml")
        if not to_stdout:
            _check_destination(destination, overwrite=overwrite)
        text = _config_text(profile, plan, destination, to_stdout=to_stdout)
        problem = _problem(text, destination, to_stdout=to_stdout)
        occupied = _occupied_run_dir(destination, to_stdout=to_stdout)
        if not to_stdout:
            from lstmcast.artifacts import write_text_atomic

            write_text_atomic(destination, text)
            wrote(destination)
    facts = _facts(profile, plan, destination, problem, to_stdout=to_stdout)
    if json_output:
        print_json({**facts, **({"config_text": text} if to_stdout else {})})
    elif to_stdout:
        typer.echo(text, nl=False)
    say(f"{facts['found']} -> {'stdout' if to_stdout else destination}", quiet=quiet)
    for message in filter(None, (problem, occupied)):
        warn(message)
    if problem is None:
        next_step = (
            "save it to a file, then lstmcast train FILE"
            if to_stdout
            else f"lstmcast train {destination}"
        )
        say(f"it validates; next: {next_step}", quiet=quiet)


def _check_destination(destination: Path, *, overwrite: bool) -> None:
    from lstmcast.cli.destinations import Destination, check_destinations
    from lstmcast.errors import ConfigError

    if destination.exists() and not overwrite:
        raise ConfigError(f"{destination} exists; choose another --output or add --overwrite")
    check_destinations(Destination("--output", destination))


def _config_text(profile: Any, plan: Any, destination: Path, *, to_stdout: bool) -> str:
    from lstmcast.data.starter import starter_yaml

    base = Path.cwd() if to_stdout else destination.resolve().parent
    data_path = os.path.relpath(profile.path.resolve(), base)
    return starter_yaml(profile, plan, data_path=data_path, today=str(date.today()))


def _problem(text: str, destination: Path, *, to_stdout: bool) -> str | None:
    """What `lstmcast validate` would refuse in the config text (no TensorFlow), read as if
    it stood at `destination` (stdout: the working directory)."""
    from lstmcast.config import load_experiment
    from lstmcast.data.prepare import prepare_data
    from lstmcast.errors import LstmcastError

    where = Path.cwd() / "starter.yaml" if to_stdout else destination
    try:
        experiment = load_experiment(where, text=text)
        if experiment.data.is_panel:
            from lstmcast.panels.prepare import prepare_panel

            prepare_panel(experiment)
        else:
            prepare_data(experiment)
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
    from lstmcast.data.frequency import frequency_name

    missing = f", {count_of(profile.missing_rows, 'row')} missing" if profile.missing_rows else ""
    steps = f"{frequency_name(profile.frequency)} steps"
    if profile.sessions is not None:
        steps += f" in sessions {profile.sessions.describe()}"
    zone = f" ({profile.timezone})" if profile.timezone else ""
    found = (
        f"{count_of(profile.rows, 'row')}, time in '{profile.timestamp}'{zone}, {steps}"
        f"{missing}, target '{profile.target}', season {profile.season_length}, horizon "
        f"{plan.horizon}, lookback {plan.lookback} (the rule), validation {plan.validation}"
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
