"""`lstmcast evaluate RUN|CONFIG`: test metrics of the model beside naive baselines."""

from __future__ import annotations

from typing import Annotated

import typer

from lstmcast.cli.options import (
    DebugFlag,
    JsonFlag,
    Overrides,
    QuietFlag,
    RunOrConfig,
    VerboseFlag,
)
from lstmcast.cli.output import (
    configure,
    print_json,
    print_table,
    reported_errors,
    say,
    warn,
    write_csv,
)
from lstmcast.errors import ConfigError

PerStepFlag = Annotated[
    bool, typer.Option("--per-step", help="Also show MASE for each horizon step.")
]
ForecastsPath = Annotated[
    str | None,
    typer.Option(
        "--forecasts",
        help="Also write every test window's forecasts (origin, timestamp, step, actual, "
        "model, naive, seasonal_naive) as CSV to this file; '-' for stdout.",
        show_default=False,
    ),
]


def evaluate(
    run: RunOrConfig,
    overrides: Overrides = None,
    per_step: PerStepFlag = False,
    forecasts: ForecastsPath = None,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Score RUN on its test split beside naive and seasonal-naive forecasts.

    Metrics are in the target's units, over every test window; they are also saved in the run
    folder as metrics.json.
    """
    from lstmcast.cli.render import metrics_table, per_step_table, verdict
    from lstmcast.cli.targets import open_run
    from lstmcast.evaluation.evaluate import evaluate_run

    configure(verbose=verbose, debug=debug)
    to_stdout = forecasts == "-"
    with reported_errors(debug=debug):
        if to_stdout and json_output:
            raise ConfigError("--json and --forecasts - both write to stdout; give a file name")
        report = evaluate_run(open_run(run, overrides or []))
        if forecasts is not None:
            where = write_csv(report.forecasts_frame(), forecasts, option="--forecasts")
    for message in report.warnings:
        warn(message)
    result = report.to_dict()
    if json_output:
        print_json(result)
        return
    if not to_stdout:  # the CSV is the output; the tables would corrupt it
        print_table(metrics_table(result))
        if per_step:
            print_table(per_step_table(result))
    say(verdict(result), quiet=quiet)
    say(f"evaluated on {report.device}", quiet=quiet)
    if forecasts is not None:
        say(f"test forecasts -> {where}", quiet=quiet)
