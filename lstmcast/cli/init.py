"""`lstmcast init data.csv`: a commented starter config, from what the CSV shows."""

from __future__ import annotations

import os
import textwrap
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.options import DebugFlag, JsonFlag, QuietFlag
from lstmcast.cli.output import print_json, reported_errors, say, warn, wrote

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
    typer.Option("--horizon", help="Steps to forecast [default: one season].", show_default=False),
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
    """Write a commented starter config for CSV: the timestamp column, frequency (business
    days included) and gaps, numeric columns, a likely target, the season, and a lookback from
    the autocorrelation function, each with the reason; then check it as `validate` would.
    Never imports TensorFlow."""
    from lstmcast.data.profile import profile_csv

    with reported_errors(debug=debug, json_output=json_output):
        profile = profile_csv(csv, target=target)
        steps = horizon or (profile.season_length if profile.season_length > 1 else 7)
        destination = output or Path(f"{csv.stem}.yaml")
        problem = _written(profile, steps, destination, overwrite=overwrite)
    facts = _facts(profile, steps, destination, problem)
    if json_output:
        print_json(facts)
    else:
        say(f"{facts['found']} -> {destination}", quiet=quiet)
    if problem:
        warn(problem)
    else:
        say(f"it validates; next: lstmcast train {destination}", quiet=quiet)


def _written(profile: Any, horizon: int, destination: Path, *, overwrite: bool) -> str | None:
    """Write the config (stdout for '-') and check it as validate would; the problem, if any."""
    import tempfile

    from lstmcast.artifacts import write_text_atomic
    from lstmcast.errors import ConfigError

    to_stdout = str(destination) == "-"
    if not to_stdout and destination.exists() and not overwrite:
        raise ConfigError(f"{destination} exists; choose another --output or add --overwrite")
    if not to_stdout and not destination.resolve().parent.is_dir():
        raise ConfigError(f"--output: folder {destination.parent} does not exist")
    base = Path.cwd() if to_stdout else destination.resolve().parent
    text = starter_config(
        profile, horizon=horizon, data_path=os.path.relpath(profile.path.resolve(), base)
    )
    if to_stdout:
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", dir=base, delete=False) as stream:
            stream.write(text)
        try:
            problem = _problem(Path(stream.name))
        finally:
            os.unlink(stream.name)
        typer.echo(text, nl=False)
        return problem
    write_text_atomic(destination, text)
    wrote(destination)
    return _problem(destination)


def _problem(path: Path) -> str | None:
    """What `lstmcast validate` would refuse in the config at `path` (no TensorFlow)."""
    from lstmcast.config import load_experiment
    from lstmcast.data.prepare import prepare_data
    from lstmcast.errors import LstmcastError

    try:
        experiment = load_experiment(path)
        if experiment.data.is_panel:
            from lstmcast.panels.prepare import prepare_panel

            prepare_panel(experiment)
        else:
            prepare_data(experiment)
    except LstmcastError as err:
        return f"the starter config does not validate yet: {err}"
    return None


def _facts(profile: Any, horizon: int, destination: Path, problem: str | None) -> dict[str, Any]:
    found = (
        f"{profile.rows} rows, time in '{profile.timestamp}', every '{profile.frequency}'"
        f"{f', {profile.missing_rows} rows missing' if profile.missing_rows else ''}, target "
        f"'{profile.target}', season {profile.season_length}, lookback {profile.lookback}, "
        f"horizon {horizon}"
    )
    return {
        "config": str(destination),
        "found": found,
        "rows": profile.rows,
        "timestamp": profile.timestamp,
        "frequency": profile.frequency,
        "missing_rows": profile.missing_rows,
        "numeric_columns": profile.numeric,
        "target": profile.target,
        "season_length": profile.season_length,
        "lookback": profile.lookback,
        "lookback_reason": profile.lookback_reason,
        "horizon": horizon,
        "valid": problem is None,
        "problem": problem,
    }


def starter_config(profile: Any, *, horizon: int, data_path: str) -> str:
    """The YAML text, every choice commented with where it came from."""
    features = [name for name in profile.numeric if name != profile.target]
    grid = profile.frequency not in {"none", "B"}
    share = profile.missing_rows / max(profile.rows + profile.missing_rows, 1)
    missing = "interpolate" if profile.missing_rows or profile.empty_cells else "error"
    frequency_note = {
        "B": "business days: weekdays only; an absent weekday is a holiday",
        "none": "each row counts as one step",
    }.get(profile.frequency, f"one row every '{profile.frequency}' (inferred)")
    lines = [
        "# yaml-language-server: $schema=lstmcast.schema.json",
        f"# Starter config from `lstmcast init {profile.path.name}` ({date.today()}).",
        "# (Editor completion: lstmcast schema > lstmcast.schema.json.)",
        "# Check it with `lstmcast validate <this file>`, then `lstmcast train <this file>`.",
        "",
        "data:",
        f"  path: {data_path}    # relative to this file",
        f"  timestamp: {profile.timestamp}",
        f"  target: {profile.target}"
        + ("" if len(profile.numeric) == 1 else "    # --target chooses another"),
    ]
    if profile.series_id is not None:
        lines.append(f"  series_id: {profile.series_id}    # many series, one global model")
        if profile.static:
            lines.append(f"  static: [{', '.join(profile.static)}]    # constant within a series")
    if features:
        lines.append(
            f"  # features: [{', '.join(features)}]    # other numeric columns the model could read"
        )
    lines += [f"  # {line}" for note in profile.notes for line in textwrap.wrap(note, 90)]
    lines.append(f"  frequency: {profile.frequency}    # {frequency_note}")
    if missing != "error":
        gaps = f"{profile.missing_rows} rows missing from the grid ({share:.1%})" if grid else ""
        cells = f"{profile.empty_cells} empty {profile.target} cells" if profile.empty_cells else ""
        lines.append(f"  missing: interpolate    # {', '.join(x for x in (gaps, cells) if x)}")
    if profile.frequency == "none" and profile.season_length > 1:
        lines.append(f"  season_length: {profile.season_length}    # rows in a usual day")
    else:
        lines.append(f"  # season_length: {profile.season_length}    # from the frequency")
    lines += [
        "",
        "windows:",
        *(f"  # {line}" for line in textwrap.wrap(profile.lookback_reason, 90)),
        f"  lookback: {profile.lookback}",
        f"  horizon: {horizon}    # steps to forecast (one season here): set what you need",
        "",
        "split:    # time-ordered: train, then validation, then test (the last rows)",
        "  validation: 0.1",
        "  test: 0.1",
        "",
        "training:",
        "  seed: 0",
        "",
    ]
    return "\n".join(lines)
