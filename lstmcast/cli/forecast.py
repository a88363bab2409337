"""`lstmcast forecast RUN|CONFIG`: the next `horizon` values after the latest row, as CSV."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.destinations import Destination, check_destinations
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
from lstmcast.errors import ConfigError
from lstmcast.text import count_of

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
ENGINES = ("auto", "keras", "onnx")
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
    from lstmcast.cli.targets import opened_run
    from lstmcast.config.schema import parse_duration
    from lstmcast.data.freshness import parse_as_of
    from lstmcast.workflows.forecast import forecast as forecast_workflow

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug, json_output=json_output):
        check_destinations(
            Destination("--output", output),
            Destination("--log", log, "log"),
            Destination("--plot", plot, "plot"),
        )
        if max_staleness is not None:
            _checked("--max-staleness", parse_duration, max_staleness)
        if engine not in ENGINES:
            raise ConfigError(f"--engine: '{engine}' is not one of {', '.join(ENGINES)}")
        anchor = parse_as_of(as_of) if as_of is not None else None
        target = opened_run(run, overrides or [], command="forecast", device=device, wait=wait)
        with target as opened:
            result = forecast_workflow(
                opened, input_path=input_csv, series=_series_wanted(series, series_file),
                as_of=anchor, max_staleness=max_staleness, engine=engine,
            )  # fmt: skip
            run_id = opened.run_id
        where = _written(result, run_id, output=output, log=log, plot=plot, json_output=json_output)
    for message in result.warnings:
        warn(message)
    if json_output:
        rows = {"forecast": result.frame.to_dict(orient="records")} if output == "-" else {}
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


def _series_wanted(series: list[str] | None, series_file: Path | None) -> list[str] | None:
    """--series (repeatable; an id may hold commas) and --series-file (one id per line)."""
    wanted = list(series or [])
    if series_file is not None:
        try:
            text = series_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"--series-file: cannot read {series_file} ({err})") from None
        wanted += [line.strip() for line in text.splitlines() if line.strip()]
    return wanted or None


def _checked(option: str, parse: Callable[[str], object], text: str) -> None:
    """Parse an option's value, its error naming the option."""
    try:
        parse(text)
    except ValueError as err:
        raise ConfigError(f"{option}: {err}") from None
