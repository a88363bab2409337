"""`lstmcast tune CONFIG`: search the config's tune.space with Optuna and write the best
config; start the same command on several machines (or several times) to share one study."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from lstmcast.cli.destinations import Destination, check_destinations
from lstmcast.cli.options import ConfigPath, DebugFlag, JsonFlag, Overrides, QuietFlag, VerboseFlag
from lstmcast.cli.output import (
    configure,
    print_json,
    print_table,
    reported_errors,
    say,
    wrote,
)
from lstmcast.errors import ConfigError
from lstmcast.text import count_of

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
    from lstmcast.config.schema import parse_duration
    from lstmcast.tuning.result import summarise, write_best
    from lstmcast.tuning.study import default_database, open_study, prepared, run_trials

    configure(verbose=verbose, debug=debug)
    with reported_errors(debug=debug, json_output=json_output):
        if timeout is not None:
            try:
                parse_duration(timeout)
            except ValueError as err:
                raise ConfigError(f"--timeout: {err}") from None
        best_path = output or config.with_name(f"{config.stem}.best.yaml")
        check_destinations(Destination("--output", best_path))  # before hours of trials
        settings = overrides or []
        experiment, section = prepared(
            config, settings, trials=trials, timeout=timeout, storage=storage
        )
        opened = open_study(config, experiment, section, tell=lambda line: say(line, quiet=quiet))
        storage = section.storage or str(default_database(config))
        say(f"study '{opened.study.study_name}': {_progress(opened)}; {_where(section, storage)}",
            quiet=quiet)  # fmt: skip
        ran = run_trials(config, settings, opened, tell=lambda line: say(line, quiet=quiet))
        found = summarise(opened.study, section.space)
        if found["best"] is None:
            raise ConfigError(
                f"tune: no trial finished ({found['counts']}); see the trials' errors in --json"
            )
        note = _note(config, found)
        write_best(config, settings, found["best"], best_path, note=note)
        wrote(best_path)
        trained = _train(best_path, quiet=quiet) if train_best else None
    if json_output:
        print_json({**found, "ran": ran, "best_config": str(best_path), "trained": trained})
        return
    print_table(_best_table(found))
    if found["importances"]:
        print_table(_importance_table(found["importances"]))
    say(f"{note}\nbest config -> {best_path}", quiet=quiet)


def _progress(opened: Any) -> str:
    """'4 trials so far, running 3 more' (or 'new')."""
    wanted = opened.section.trials
    if not opened.finished:
        return "new" if wanted is None else f"new, running {count_of(wanted, 'trial')}"
    so_far = f"{count_of(opened.finished, 'trial')} so far"
    if wanted is None:
        return f"{so_far}, running more until tune.timeout"
    more = max(wanted - opened.finished, 0)
    return f"{so_far}, running {more} more" if more else f"{so_far}: it has its {wanted}"


def _where(section: Any, storage: str) -> str:
    ends = [count_of(section.trials, "trial") if section.trials else "", section.timeout or ""]
    return f"{section.objective}, until {' or '.join(e for e in ends if e)}; stored in {storage}"


def _note(config: Path, found: dict[str, Any]) -> str:
    best, written = found["best"], found["as_written"]
    counts = ", ".join(f"{count} {state}" for state, count in sorted(found["counts"].items()))
    than = f"; the config as written: {written['value']:.5g}" if written else ""
    return (
        f"written by lstmcast tune from {config.name}: trial {best['number']} of the study "
        f"'{found['study']}' ({counts}), objective {best['value']:.5g}{than}"
    )


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
