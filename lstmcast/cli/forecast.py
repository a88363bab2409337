"""`lstmcast forecast RUN|CONFIG`: the next `horizon` values after the latest row, as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from lstmcast.cli.options import DebugFlag, Overrides, QuietFlag, RunOrConfig, VerboseFlag
from lstmcast.cli.output import configure, reported_errors, say
from lstmcast.errors import ConfigError

InputCsv = Annotated[
    Path | None,
    typer.Option(
        "--input",
        "-i",
        help="CSV with the same columns as the training data, newest rows last "
        "[default: the training CSV].",
        show_default=False,
    ),
]
OutputPath = Annotated[
    str,
    typer.Option("--output", "-o", help="Where to write the forecast CSV; '-' for stdout."),
]


def forecast(
    run: RunOrConfig,
    input_csv: InputCsv = None,
    output: OutputPath = "-",
    overrides: Overrides = None,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Forecast the `horizon` steps after the last timestamp of the input CSV.

    Writes columns timestamp, step and the target's name; a file output appears only when
    complete.
    """
    from lstmcast.artifacts import write_text_atomic
    from lstmcast.cli.targets import open_run
    from lstmcast.forecasting import forecast_run

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug):
        result = forecast_run(open_run(run, overrides or []), input_path=input_csv)
        text = result.frame.to_csv(index=False, lineterminator="\n", float_format="%.8g")
        if output == "-":
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            destination = Path(output)
            if not destination.parent.is_dir():
                raise ConfigError(f"--output: folder {destination.parent} does not exist")
            write_text_atomic(destination, text)
    where = "stdout" if output == "-" else output
    say(
        f"forecast {len(result.frame)} steps after {result.origin} on {result.device} -> {where}",
        quiet=quiet,
    )
