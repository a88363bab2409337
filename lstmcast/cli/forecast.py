"""`lstmcast forecast RUN|CONFIG`: the next `horizon` values after the latest row, as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lstmcast.cli.options import (
    DebugFlag,
    DeviceOption,
    JsonFlag,
    Overrides,
    PlotPath,
    QuietFlag,
    RunOrConfig,
    VerboseFlag,
    WaitOption,
)
from lstmcast.cli.output import (
    configure,
    print_json,
    reported_errors,
    require_plotting,
    say,
    write_csv,
)

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
    plot: PlotPath = None,
    json_output: JsonFlag = False,
    wait: WaitOption = 0.0,
    overrides: Overrides = None,
    device: DeviceOption = None,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Forecast the `horizon` steps after the last timestamp of the input CSV.

    Writes columns timestamp, step, the target's name and the interval bounds (lower_80,
    upper_80, ...); a file output appears only when complete. With --json and no --output
    file, stdout is one JSON document with the same rows.
    """
    from lstmcast.cli.targets import opened_run
    from lstmcast.forecasting import forecast_run

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug):
        if plot is not None:
            require_plotting(plot, option="--plot")
        target = opened_run(run, overrides or [], command="forecast", device=device, wait=wait)
        with target as opened:
            result = forecast_run(opened, input_path=input_csv)
        if json_output and output == "-":
            where = "stdout (JSON)"
            print_json(
                {
                    "origin": result.origin,
                    "device": result.device,
                    "notes": result.notes,
                    "forecast": result.frame.to_dict(orient="records"),
                }
            )
        else:
            where = write_csv(result.frame, output, option="--output")
        if plot is not None:
            from lstmcast.evaluation.figures import plot_forecast

            title = f"the next {len(result.frame)} steps after {result.origin}"
            plot_forecast(result.history, result.frame, plot, target=result.target, title=title)
    say(
        f"forecast {len(result.frame)} steps after {result.origin} on {result.device} -> {where}",
        quiet=quiet,
    )
    for note in result.notes:
        say(note, quiet=quiet)
