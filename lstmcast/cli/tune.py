"""`lstmcast tune CONFIG`: search the config's tune.space with Optuna and write the best
config; start the same command on several machines (or several times) to share one study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lstmcast.cli.options import (
    ConfigPath,
    DebugFlag,
    JsonFlag,
    MlflowUriOption,
    Overrides,
    QuietFlag,
    VerboseFlag,
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

Trials = Annotated[
    int | None,
    typer.Option("--trials", min=1, help="Finished trials the study needs [default: tune.trials].",
                 show_default=False),
]  # fmt: skip
Timeout = Annotated[
    str | None,
    typer.Option("--timeout", metavar="DURATION", show_default=False,
                 help="Start no trial after this long, e.g. 30min [default: tune.timeout]."),
]  # fmt: skip
Storage = Annotated[
    str | None,
    typer.Option("--storage", metavar="URL", show_default=False,
                 help="Optuna storage shared by the study's workers [default: tune.storage, "
                 "else CONFIG.tune.db beside the config]."),
]  # fmt: skip
BestOutput = Annotated[
    Path | None,
    typer.Option("--output", "-o", show_default=False,
                 help="Where to write the best config [default: CONFIG.best.yaml beside it]."),
]  # fmt: skip
TrainBest = Annotated[
    bool, typer.Option("--train", help="Then train the best config into its run folder.")
]


def tune(
    config: ConfigPath,
    overrides: Overrides = None,
    trials: Trials = None,
    timeout: Timeout = None,
    storage: Storage = None,
    output: BestOutput = None,
    train_best: TrainBest = False,
    mlflow_uri: MlflowUriOption = None,
    json_output: JsonFlag = False,
    quiet: QuietFlag = False,
    verbose: VerboseFlag = False,
    debug: DebugFlag = False,
) -> None:
    """Search the keys in the config's tune.space with Optuna (TPE, median pruning): every
    trial trains the config with its values, seeded, and is scored by tune.objective. The
    study lives in CONFIG.tune.db (or --storage), so an interrupted study resumes and several
    workers share one. Writes the best config as YAML that `lstmcast train` accepts.
    """
    from lstmcast.tuning.session import TuneRequest, tune_config

    configure(verbose=verbose, debug=debug)
    request = TuneRequest(config, overrides or [], trials=trials, timeout=timeout,
                          storage=storage, output=output, mlflow_uri=mlflow_uri)  # fmt: skip
    with reported_errors(debug=debug, json_output=json_output):
        check_destinations(Destination("--output", request.best_path))  # before hours of trials
        done = tune_config(request, tell=lambda line: say(line, quiet=quiet))
        for message in done.warnings:
            warn(message)
        wrote(done.best_path)
        trained = _train(done.best_path, quiet=quiet) if train_best else None
    found = done.found
    if json_output:
        print_json({**found, "ran": done.ran, "best_config": str(done.best_path),
                    "trained": trained, "mlflow": done.mlflow,
                    "warnings": done.warnings})  # fmt: skip
        return
    print_table(_best_table(found))
    if found["importances"]:
        print_table(_importance_table(found["importances"]))
    say(f"{done.note}\nbest config -> {done.best_path}", quiet=quiet)
    if done.mlflow is not None:
        say(f"logged to MLflow run {done.mlflow} (a nested run per trial)", quiet=quiet)


def _best_table(found: dict[str, Any], rows: int = 5) -> Table:
    from lstmcast.tuning.space import shown

    complete = sorted((t for t in found["trials"] if t["state"] == "complete"), key=_value)
    table = Table(title=f"best of {count_of(len(found['trials']), 'trial')}", title_justify="left")
    for column in ("trial", "value", "seconds", "params"):
        table.add_column(column, justify="left" if column == "params" else "right")
    for trial in complete[:rows]:
        params = shown(trial["params"])
        mark = " (as written)" if trial["as_written"] else ""
        table.add_row(
            str(trial["number"]), f"{trial['value']:.5g}", f"{trial['seconds']:.1f}", params + mark
        )
    return table


def _value(trial: dict[str, Any]) -> float:
    return float(trial["value"])


def _importance_table(importances: dict[str, float]) -> Table:
    table = Table(title="parameter importance (fANOVA)", title_justify="left")
    table.add_column("key")
    table.add_column("importance", justify="right")
    for key, value in importances.items():
        table.add_row(key, f"{value:.3f}")
    return table


def _train(best: Path, *, quiet: bool) -> str:
    from lstmcast.config.load import load_experiment
    from lstmcast.workflows.train import train

    experiment = load_experiment(best)
    say(f"training the best config into {experiment.run_dir}", quiet=quiet)
    summary = train(experiment, tell=lambda line: say(line, quiet=quiet))
    wrote(Path(summary.run_dir))
    return str(summary.run_dir)
