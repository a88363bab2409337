"""`lstmcast evaluate RUN|CONFIG`: test metrics of the model beside naive baselines."""

from __future__ import annotations

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
    print_table,
    reported_errors,
    say,
    warn,
    write_csv,
    wrote,
)
from lstmcast.errors import ConfigError

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

HistoryPath = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="Score the forecasts logged by forecast --log against --actuals instead of the "
        "test split: live accuracy per step and per --bucket, beside the naive baselines on "
        "the same cells and the run's test figures, and a drift flag.",
        show_default=False,
    ),
]
ActualsPath = Annotated[
    Path | None,
    typer.Option(
        "--actuals",
        help="CSV of the series as observed now (same columns as the training data) "
        "[default: the run's data.path].",
        show_default=False,
    ),
]
BucketOption = Annotated[
    str | None,
    typer.Option(
        "--bucket",
        help="With --history: day, week, month, quarter or year, by origin [default: a day "
        "for steps within a day, a week for daily and weekly data, else the data's step].",
        show_default=False,
    ),
]
DriftMargin = Annotated[
    float,
    typer.Option(
        "--drift-margin",
        help="With --history: flag drift when live MAE exceeds the test MAE on the same steps "
        "by more than this share in each of the last two buckets.",
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
    from lstmcast.cli.render import evaluation_tables, verdict
    from lstmcast.cli.targets import opened_run
    from lstmcast.evaluation.attention import plot_attention
    from lstmcast.evaluation.evaluate import evaluate_run

    configure(verbose=verbose, debug=debug)
    if history is not None or actuals is not None:
        with reported_errors(debug=debug, json_output=json_output):
            result = _live(run, history, actuals, bucket, drift_margin, wait)
        _show_live(result, json_output=json_output, quiet=quiet)
        return
    stdout_users = [
        name
        for name, value in (("--json", json_output), ("--forecasts -", forecasts == "-"))
        + (("--attention -", attention == "-"),)
        if value
    ]
    to_stdout = forecasts == "-" or attention == "-"
    with reported_errors(debug=debug, json_output=json_output):
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
        with_attention = attention is not None or attention_plot is not None
        target = opened_run(
            run, overrides or [], command="evaluate", device=device, exclusive=True, wait=wait
        )
        with target as opened:  # it rewrites the run's metrics.json
            report = evaluate_run(opened, attention=with_attention)
            wrote(opened.run_dir / "metrics.json")
        if forecasts is not None:
            where = write_csv(report.forecasts_frame(), forecasts, option="--forecasts")
        if attention is not None:
            attention_where = write_csv(report.attention_frame(), attention, option="--attention")
        if attention_plot is not None:
            plot_attention(report.attention, attention_plot)
            wrote(attention_plot)
        if plot is not None:
            from lstmcast.evaluation.figures import plot_error_by_step

            title = f"MASE per horizon step, {report.evaluation.num_windows} test windows"
            plot_error_by_step(report.evaluation.per_step, plot, title=title)
            wrote(plot)
    for message in report.warnings:
        warn(message)
    result = report.to_dict()
    if json_output:
        print_json(result)
        return
    if not to_stdout:  # the CSV is the output; the tables would corrupt it
        for table in evaluation_tables(result, per_step=per_step):
            print_table(table)
    say(verdict(result), quiet=quiet)
    say(f"evaluated on {report.device}", quiet=quiet)
    if forecasts is not None:
        say(f"test forecasts -> {where}", quiet=quiet)
    if attention is not None:
        say(f"attention weights -> {attention_where}", quiet=quiet)
    if attention_plot is not None:
        say(f"attention heat map -> {attention_plot}", quiet=quiet)
    if plot is not None:
        say(f"error by horizon step -> {plot}", quiet=quiet)


def _live(
    run: Path,
    history: Path | None,
    actuals: Path | None,
    bucket: str | None,
    margin: float,
    wait: float,
) -> dict[str, Any]:
    from lstmcast.cli.targets import opened_run
    from lstmcast.evaluation.live import BUCKETS, score_history

    if history is None:
        raise ConfigError("--actuals scores a forecast log: give it with --history LOG.csv")
    if bucket is not None and bucket not in BUCKETS:
        raise ConfigError(f"--bucket: expected one of {', '.join(BUCKETS)} (got {bucket!r})")
    if not margin >= 0:
        raise ConfigError(f"--drift-margin: expected a share >= 0 (got {margin})")
    with opened_run(run, [], command="evaluate", wait=wait) as opened:
        return score_history(opened, history, actuals, bucket=bucket, drift_margin=margin)


def _show_live(result: dict[str, Any], *, json_output: bool, quiet: bool) -> None:
    from lstmcast.cli.render import live_tables

    drift = result["drift"]
    if json_output:
        print_json(result)
    else:
        for table in live_tables(result):
            print_table(table)
    if drift["drifting"]:
        warn(drift["verdict"])
    else:
        say(drift["verdict"], quiet=quiet)
