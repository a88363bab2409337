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
    from lstmcast.data.forecast_log import append_log, log_rows
    from lstmcast.data.freshness import parse_as_of
    from lstmcast.forecasting import forecast_run
    from lstmcast.panels.forecast import forecast_panel

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
            if opened.is_panel:
                wanted = _series_wanted(series, series_file)
                if log is not None or plot is not None:
                    option = "--log" if log is not None else "--plot"
                    raise ConfigError(f"{option}: not available for many-series runs yet")
                frame, notes, warnings = forecast_panel(
                    opened, input_path=input_csv, series=wanted, as_of=anchor,
                    max_staleness=max_staleness, engine=engine,
                )  # fmt: skip
                _write_panel(frame, opened, notes, warnings, output, json_output, quiet)
                return
            if series or series_file:
                raise ConfigError("--series: this run forecasts one series; drop --series")
            result = forecast_run(
                opened,
                input_path=input_csv,
                as_of=anchor,
                max_staleness=max_staleness,
                engine=engine,
            )
            run_id = opened.run_id
        where = "stdout (JSON)" if json_output and output == "-" else None
        if where is None:
            where = write_csv(result.frame, output, option="--output")
        if log is not None:
            rows = log_rows(result.frame, target=result.target, run_id=run_id, origin=result.origin)
            append_log(log, rows, tell=warn)
            wrote(log)
        if plot is not None:
            from lstmcast.evaluation.figures import plot_forecast

            title = f"the next {len(result.frame)} steps after {result.origin}"
            plot_forecast(result.history, result.frame, plot, target=result.target, title=title)
            wrote(plot)
    for message in result.warnings:
        warn(message)
    if json_output:
        print_json(
            {
                "origin": result.origin,
                "run_id": run_id,
                "device": result.device,
                "notes": result.notes,
                "warnings": result.warnings,
                "output": where,
                **({"forecast": result.frame.to_dict(orient="records")} if output == "-" else {}),
            }
        )
    say(
        f"forecast {count_of(len(result.frame), 'step')} after {result.origin} on "
        f"{result.device} -> {where}",
        quiet=quiet,
    )
    for note in result.notes:
        say(note, quiet=quiet)


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


def _write_panel(
    frame: Any, run: Any, notes: list[str], warnings: list[str], output: str, json_output: bool,
    quiet: bool,
) -> None:  # fmt: skip
    """Every series (or --series) of a many-series run, one long CSV."""
    for message in warnings:
        warn(message)
    to_json = json_output and output == "-"
    where = "stdout (JSON)" if to_json else write_csv(frame, output, option="--output")
    if json_output:
        rows = {"forecast": frame.to_dict(orient="records")} if to_json else {}
        print_json(
            {"run_id": run.run_id, "notes": notes, "warnings": warnings, "output": where, **rows}
        )
    count = frame["series_id"].nunique()
    steps = count_of(run.experiment.windows.horizon, "step")
    say(f"forecast {count_of(count, 'series')} x {steps} -> {where}", quiet=quiet)
    for note in notes:
        say(note, quiet=quiet)


def _checked(option: str, parse: Callable[[str], object], text: str) -> None:
    """Parse an option's value, its error naming the option."""
    try:
        parse(text)
    except ValueError as err:
        raise ConfigError(f"{option}: {err}") from None
