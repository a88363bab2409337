"""`lstmcast backtest RUN|CONFIG`: rolling-origin forecasts scored beside the baselines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from lstmcast.cli.options import (
    DebugFlag,
    DeviceOption,
    JsonFlag,
    MlflowUriOption,
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
    wrote,
)
from lstmcast.text import count_of
from lstmcast.workflows.destinations import Destination, check_destinations

BacktestDir = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Folder for forecasts.csv (every fold, origin and step) and metrics.json "
        "[default: the run folder's name + '-backtest', beside it].",
        show_default=False,
    ),
]
BacktestPlot = Annotated[
    Path | None,
    typer.Option(
        "--plot",
        help="Also draw the backtest as a PNG: actuals, one-step forecasts, MASE per fold "
        "(needs the plotting extra: pip install 'lstmcast[plot]').",
        show_default=False,
    ),
]


def backtest(
    run: RunOrConfig,
    overrides: RunOverrides = None,
    output: BacktestDir = None,
    plot: BacktestPlot = None,
    device: DeviceOption = None,
    wait: WaitOption = 0.0,
    mlflow_uri: MlflowUriOption = None,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Forecast at rolling origins over the end of the series and score every fold beside naive,
    seasonal-naive and drift forecasts of the same cells.

    A run folder is backtested as trained (its model moves over the test part); a config
    refits a model every backtest.refit_every folds on the rows before each fold (0: train
    once, using the config's run folder).
    """
    from lstmcast.workflows.backtest import run_backtest
    from lstmcast.workflows.runs import device_choice

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug, json_output=json_output):
        check_destinations(
            Destination("--output", output, "folder"), Destination("--plot", plot, "plot")
        )
        result = run_backtest(
            run, overrides or [], output=output, plot=plot,
            device=device_choice(device) if device is not None else None, wait=wait,
            tell=lambda message: say(message, quiet=quiet), mlflow_uri=mlflow_uri,
        )  # fmt: skip
    _show(result, json_output=json_output, quiet=quiet)


def _show(result: Any, *, json_output: bool, quiet: bool) -> None:
    """The JSON, or the scores' tables (many series: means and medians over them), warnings,
    the verdict and the speed."""
    from lstmcast.cli.render import backtest_tables, panel_table, verdict

    summary: dict[str, Any] = result.backtest.to_dict()
    wrote(result.output)
    if json_output:
        print_json({**summary, "output": str(result.output), "mlflow": result.mlflow,
                    "warnings": result.warnings})  # fmt: skip
        return
    if "per_series" in summary:
        title = (
            f"{summary['target']}: backtest, {count_of(summary['series'], 'series')}, "
            f"{count_of(summary['folds'], 'fold')} each, {count_of(summary['windows'], 'origin')}"
            f" x {count_of(summary['horizon'], 'step')}"
        )
        print_table(panel_table(summary, title=title, scale="its rows before its first forecast"))
    else:
        for table in backtest_tables(summary):
            print_table(table)
    for message in result.warnings:
        warn(message)
    say(verdict(summary, what="backtest"), quiet=quiet)
    say(
        f"{summary['windows']:,} forecasts predicted in {summary['predict_seconds']:.2f}s "
        f"({summary['windows_per_second']:,.0f} windows/s), {summary['seconds']:.1f}s in all "
        f"-> {result.output}",
        quiet=quiet,
    )
    if result.mlflow is not None:
        say(f"logged to MLflow run {result.mlflow}", quiet=quiet)
