"""`lstmcast init data.csv`: a commented starter config, from what the CSV shows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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
    from lstmcast.files import write_text_atomic
    from lstmcast.workflows.init import starter_config

    to_stdout = output is not None and str(output) == "-"
    destination = output or Path(f"{csv.stem}.yaml")
    with reported_errors(debug=debug, json_output=json_output):
        if not to_stdout:
            _check_destination(destination, overwrite=overwrite)
        starter = starter_config(
            csv, target=target, horizon=horizon, destination=None if to_stdout else destination
        )
        if not to_stdout:
            write_text_atomic(destination, starter.text)
            wrote(destination)
    facts, text = starter.facts, starter.text
    if json_output:
        print_json({**facts, **({"config_text": text} if to_stdout else {})})
    elif to_stdout:
        typer.echo(text, nl=False)
    say(f"{facts['found']} -> {'stdout' if to_stdout else destination}", quiet=quiet)
    for message in filter(None, (starter.problem, starter.occupied)):
        warn(message)
    if starter.problem is None:
        next_step = (
            "save it to a file, then lstmcast train FILE"
            if to_stdout
            else f"lstmcast train {destination}"
        )
        say(f"it validates; next: {next_step}", quiet=quiet)


def _check_destination(destination: Path, *, overwrite: bool) -> None:
    from lstmcast.errors import ConfigError
    from lstmcast.workflows.destinations import Destination, check_destinations

    if destination.exists() and not overwrite:
        raise ConfigError(f"{destination} exists; choose another --output or add --overwrite")
    check_destinations(Destination("--output", destination))
