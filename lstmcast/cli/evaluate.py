"""`lstmcast evaluate RUN|CONFIG`: test metrics of the model beside naive baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.live import (
    ActualsPath,
    BucketOption,
    DriftMargin,
    HistoryPath,
    LiveRequest,
    score_logged,
)
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
    print_table,
    reported_errors,
    say,
    warn,
    write_csv,
    wrote,
)
from lstmcast.errors import ConfigError
from lstmcast.workflows.destinations import Destination, check_destinations

PerStepFlag = Annotated[
    bool, typer.Option("--per-step", help="Also show MASE for each horizon step.")
]
ForecastsPath = Annotated[
    str | None,
    typer.Option(
        "--forecasts",
        help="Also write every test window's forecasts (origin, timestamp, step, actual, the "
        "model (lstm or gru), naive, seasonal_naive) as CSV to this file; '-' for stdout.",
        show_default=False,
    ),
]
AttentionPath = Annotated[
    str | None,
    typer.Option(
        "--attention",
        help="Also write the attention weights of every test window as CSV (origin, head, "
        "query, lag_N .. lag_0) to this file; '-' for stdout. Needs model.attention.",
        show_default=False,
    ),
]
AttentionPlotPath = Annotated[
    Path | None,
    typer.Option(
        "--attention-plot",
        help="Also draw the mean attention weights as a PNG heat map (needs the plotting "
        "extra: pip install 'lstmcast[plot]').",
        show_default=False,
    ),
]


def evaluate(
    run: RunOrConfig,
    overrides: RunOverrides = None,
    device: DeviceOption = None,
    per_step: PerStepFlag = False,
    forecasts: ForecastsPath = None,
    attention: AttentionPath = None,
    attention_plot: AttentionPlotPath = None,
    plot: PlotPath = None,
    history: HistoryPath = None,
    actuals: ActualsPath = None,
    bucket: BucketOption = None,
    drift_margin: DriftMargin = 0.25,
    wait: WaitOption = 0.0,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Score RUN on its test split beside naive and seasonal-naive forecasts.

    Metrics are in the target's units, over every test window; they are also saved in the run
    folder as metrics.json.
    """
    from lstmcast.workflows.evaluate import (
        EvaluateRequest,
        draw_attention,
        draw_steps,
        evaluate_test,
    )

    configure(verbose=verbose, debug=debug)
    if history is not None or actuals is not None:
        live = LiveRequest(history, actuals, bucket, drift_margin, wait)
        score_logged(run, live, json_output=json_output, quiet=quiet, debug=debug)
        return
    to_stdout = forecasts == "-" or attention == "-"
    with reported_errors(debug=debug, json_output=json_output):
        _check_outputs(json_output, forecasts, attention, attention_plot, plot)
        with_attention = attention is not None or attention_plot is not None
        request = EvaluateRequest(run, overrides or [], with_attention, device, wait)
        report, metrics = evaluate_test(request)
        wrote(metrics)
        where = attention_where = None
        if forecasts is not None:
            where = write_csv(report.forecasts_frame(), forecasts, option="--forecasts")
        if attention is not None:
            attention_where = write_csv(report.attention_frame(), attention, option="--attention")
        for path, draw in ((attention_plot, draw_attention), (plot, draw_steps)):
            if path is not None:
                draw(report, path)
                wrote(path)
    written = {
        "test forecasts": where,
        "attention weights": attention_where,
        "attention heat map": attention_plot,
        "error by horizon step": plot,
    }
    _show(report, written, tables=not to_stdout, per_step=per_step, json_output=json_output,
          quiet=quiet)  # fmt: skip


def _show(
    report: Any, written: dict[str, Any], *, tables: bool, per_step: bool, json_output: bool,
    quiet: bool,
) -> None:  # fmt: skip
    """Warnings, then the JSON or the tables (unless a CSV took stdout), the verdict and
    where each output went."""
    from lstmcast.cli.render import evaluation_tables, verdict

    for message in report.warnings:
        warn(message)
    result = report.to_dict()
    if json_output:
        print_json(result)
        return
    if tables:
        for table in evaluation_tables(result, per_step=per_step):
            print_table(table)
    say(verdict(result), quiet=quiet)
    say(f"evaluated on {report.device}", quiet=quiet)
    for what, where in written.items():
        if where is not None:
            say(f"{what} -> {where}", quiet=quiet)


def _check_outputs(
    json_output: bool, forecasts: str | None, attention: str | None,
    attention_plot: Path | None, plot: Path | None,
) -> None:  # fmt: skip
    """One writer of stdout at most; every destination writable before any work."""
    stdout_users = [
        name
        for name, value in (("--json", json_output), ("--forecasts -", forecasts == "-"))
        + (("--attention -", attention == "-"),)
        if value
    ]
    if len(stdout_users) > 1:
        raise ConfigError(
            f"{' and '.join(stdout_users)} would all write to stdout; give file names"
        )
    check_destinations(
        Destination("--forecasts", forecasts),
        Destination("--attention", attention),
        Destination("--attention-plot", attention_plot, "plot"),
        Destination("--plot", plot, "plot"),
    )
