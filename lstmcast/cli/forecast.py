"""`lstmcast forecast RUN|CONFIG`: the next `horizon` values after the latest row, as CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.options import (
    DebugFlag,
    DeviceOption,
    JsonFlag,
    PlotPath,
    QuietFlag,
    RunOrConfig,
    RunOverrides,
    VerboseFlag,
    WaitOption,
)
from lstmcast.cli.output import (
    configure,
    print_json,
    reported_errors,
    say,
    warn,
    write_csv,
    wrote,
)
from lstmcast.text import count_of
from lstmcast.workflows.destinations import Destination, check_destinations

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
AsOf = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="TIMESTAMP",
        help="Forecast from this origin: rows after it are ignored [default: the input's last "
        "timestamp].",
        show_default=False,
    ),
]
MaxStaleness = Annotated[
    str | None,
    typer.Option(
        "--max-staleness",
        metavar="DURATION",
        help="Refuse (exit 8) input whose last row is older than this before --as-of or now, "
        "e.g. 3h or '2 days' [default: forecast.max_staleness].",
        show_default=False,
    ),
]
LogPath = Annotated[
    Path | None,
    typer.Option(
        "--log",
        help="Also append the forecast (issued_at, run_id, target, origin, timestamp, step, "
        "forecast, bounds) to this CSV, safely when several jobs append at once; score it "
        "later with evaluate --history.",
        show_default=False,
    ),
]
SeriesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--series",
        metavar="ID",
        help="Many-series runs: forecast this series only (repeatable) [default: every series "
        "in the input].",
        show_default=False,
    ),
]
SeriesFile = Annotated[
    Path | None,
    typer.Option(
        "--series-file",
        help="Many-series runs: forecast the series listed in this file, one id per line (a "
        "shard of a large panel).",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="auto, keras or onnx: what runs the model. auto: the run's model.onnx under ONNX "
        "Runtime when both are there (no TensorFlow import), else Keras.",
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
    as_of: AsOf = None,
    max_staleness: MaxStaleness = None,
    log: LogPath = None,
    series: SeriesOption = None,
    series_file: SeriesFile = None,
    plot: PlotPath = None,
    json_output: JsonFlag = False,
    wait: WaitOption = 0.0,
    overrides: RunOverrides = None,
    device: DeviceOption = None,
    engine: EngineOption = "auto",
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Forecast the `horizon` steps after the last timestamp of the input CSV.

    Writes columns timestamp, step, the target's name and the interval bounds (lower_80,
    upper_80, ...); a file output appears only when complete. With --json and no --output
    file, stdout is one JSON document with the same rows. In cron: --as-of anchors the origin,
    --max-staleness refuses a stopped feed (exit 8), --log keeps what was issued for
    evaluate --history.
    """
    from lstmcast.workflows.forecast import ForecastRequest, issue_forecast

    configure(verbose=verbose, debug=debug)
    request = ForecastRequest(
        run, overrides or [], input_path=input_csv, series=series, series_file=series_file,
        as_of=as_of, max_staleness=max_staleness, engine=engine, device=device, wait=wait,
    )  # fmt: skip
    with reported_errors(debug=debug, json_output=json_output):
        check_destinations(
            Destination("--output", output),
            Destination("--log", log, "log"),
            Destination("--plot", plot, "plot"),
        )
        result, run_id = issue_forecast(request)
        where = _written(result, run_id, output=output, log=log, plot=plot, json_output=json_output)
    _show(result, run_id, where, to_stdout=output == "-", json_output=json_output, quiet=quiet)


def _show(
    result: Any, run_id: str, where: str, *, to_stdout: bool, json_output: bool, quiet: bool
) -> None:
    """Warnings, the JSON document (with the rows when they go to stdout), what was forecast
    and where it went, and the notes."""
    for message in result.warnings:
        warn(message)
    if json_output:
        rows = {"forecast": result.frame.to_dict(orient="records")} if to_stdout else {}
        print_json(
            {"origin": result.origin, "origins": result.origins, "run_id": run_id,
             "device": result.device, "notes": result.notes, "warnings": result.warnings,
             "output": where, **rows}
        )  # fmt: skip
    many = f"{count_of(len(result.origins), 'series')} x " if result.keyed else ""
    steps = len(result.frame) // len(result.origins)
    say(
        f"forecast {many}{count_of(steps, 'step')} after {result.origin} on {result.device} -> "
        f"{where}",
        quiet=quiet,
    )
    for note in result.notes:
        say(note, quiet=quiet)


def _written(
    result: Any, run_id: str, *, output: str, log: Path | None, plot: Path | None,
    json_output: bool,
) -> str:  # fmt: skip
    """Write the forecast (unless --json takes stdout), append it to --log, draw --plot;
    where the forecast went."""
    from lstmcast.workflows.forecast import draw_forecast, log_forecast

    where = "stdout (JSON)" if json_output and output == "-" else None
    if where is None:
        where = write_csv(result.frame, output, option="--output")
    if log is not None:
        log_forecast(result, log, run_id=run_id, tell=warn)
        wrote(log)
    if plot is not None:
        draw_forecast(result, plot)
        wrote(plot)
    return where
