"""`lstmcast update RUN --input NEW`: continue a run's training on newer data, into a new run
folder that names its parent (workflows/update.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lstmcast.cli.options import (
    DebugFlag,
    JsonFlag,
    MlflowUriOption,
    QuietFlag,
    VerboseFlag,
    WaitOption,
)
from lstmcast.cli.output import configure, print_json, reported_errors
from lstmcast.cli.train import AgainstPath, GateFlag, Gating, OverwriteFlag, train_and_show
from lstmcast.workflows.destinations import Destination, check_destinations

RunFolder = Annotated[
    Path,
    typer.Argument(help="The run folder to update, e.g. runs/energy/current.", show_default=False),
]
InputPath = Annotated[
    Path,
    typer.Option(
        "--input",
        "-i",
        help="The data up to now: a file (or folder) with the run's columns.",
        show_default=False,
    ),
]
OutputRun = Annotated[
    Path | None,
    typer.Option(
        "--output-run",
        help="The new run folder [default: beside RUN, NAME.update-YYYYMMDDTHHMMSS].",
        show_default=False,
    ),
]
TrainingOverrides = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="training.KEY=VALUE",
        help="Override one training value, e.g. --set training.learning_rate=0.0005 "
        "(repeatable); the rest of the run's config cannot change.",
        show_default=False,
    ),
]
EpochsOption = Annotated[
    int | None,
    typer.Option(
        "--epochs",
        min=1,
        help="Epochs to continue for [default: 1, what bench/update_year.py measured best; the "
        "run's early stopping applies].",
        show_default=False,
    ),
]


def update(
    run: RunFolder,
    input_path: InputPath,
    output_run: OutputRun = None,
    epochs: EpochsOption = None,
    overrides: TrainingOverrides = None,
    overwrite: OverwriteFlag = False,
    gate: GateFlag = False,
    against: AgainstPath = None,
    wait: WaitOption = 0.0,
    mlflow_uri: MlflowUriOption = None,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Continue RUN's training from its weights on the data up to now, into a new run folder.

    The run's config, scalers and architecture are kept (only training.* may be --set); the
    newest rows validate and test, the blend and the bands are chosen again, and the new
    folder's manifest names its parent, which is left as it was.
    """
    from lstmcast.workflows.update import planned_update

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug, json_output=json_output):
        parent, experiment = planned_update(run, input_path, output_run=output_run,
                                            epochs=epochs, overrides=overrides or [],
                                            mlflow_uri=mlflow_uri)  # fmt: skip
        check_destinations(Destination("--output-run", experiment.run_dir, "folder"))
        summary = train_and_show(
            experiment, Gating(gate, against, wait), overwrite=overwrite,
            json_output=json_output, quiet=quiet, parent=parent,
        )  # fmt: skip
    if json_output:
        print_json(summary.to_dict())
