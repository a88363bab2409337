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
from lstmcast.cli.output import configure, print_json, print_table, reported_errors, say, warn

PerStepFlag = Annotated[
    bool, typer.Option("--per-step", help="Also show MASE for each horizon step.")
]


def evaluate(
    run: RunOrConfig,
    overrides: Overrides = None,
    per_step: PerStepFlag = False,
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
    with reported_errors(debug=debug):
        report = evaluate_run(open_run(run, overrides or []))
    for message in report.warnings:
        warn(message)
    result = report.to_dict()
    if json_output:
        print_json(result)
        return
    print_table(metrics_table(result))
    if per_step:
        print_table(per_step_table(result))
    say(verdict(result), quiet=quiet)
    say(f"evaluated on {report.device}", quiet=quiet)
