"""`tune`, start to end: the config's search space checked, the study opened (or resumed,
its question unchanged), trials run until tune.trials or tune.timeout, and the best config
written as YAML that `train` accepts, with a note saying where it came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lstmcast import tracking
from lstmcast.config.sections.output import parse_duration
from lstmcast.errors import ConfigError
from lstmcast.text import count_of
from lstmcast.tuning.result import summarise, write_best
from lstmcast.tuning.study import default_database, open_study, prepared, run_trials


@dataclass(frozen=True)
class TuneRequest:
    """What `tune` was asked, as typed."""

    config: Path
    overrides: list[str]
    trials: int | None = None
    timeout: str | None = None
    storage: str | None = None
    output: Path | None = None
    mlflow_uri: str | None = None

    @property
    def best_path(self) -> Path:
        """--output, else CONFIG.best.yaml beside the config."""
        return self.output or self.config.with_name(f"{self.config.stem}.best.yaml")


@dataclass(frozen=True)
class Tuned:
    found: dict[str, Any]
    """The study summarised: every trial, the best, the config as written, importances."""
    ran: int
    note: str
    best_path: Path
    mlflow: str | None = None
    """The MLflow run holding the study (output.mlflow or --mlflow-uri)."""
    warnings: list[str] = field(default_factory=list)


def tune_config(request: TuneRequest, *, tell: Callable[[str], None]) -> Tuned:
    """Run the study the request names; `tell` hears where it stands and each trial."""
    if request.timeout is not None:
        try:
            parse_duration(request.timeout)
        except ValueError as err:
            raise ConfigError(f"--timeout: {err}") from None
    config, settings = request.config, request.overrides
    experiment, section = prepared(
        config, settings, trials=request.trials, timeout=request.timeout, storage=request.storage
    )
    mlflow = tracking.with_uri(experiment.output.mlflow, request.mlflow_uri, experiment=config.stem)
    opened = open_study(config, experiment, section, tell=tell)
    storage = section.storage or str(default_database(config))
    tell(f"study '{opened.study.study_name}': {_progress(opened)}; {_where(section, storage)}")
    ran = run_trials(config, settings, opened, tell=tell)
    found = summarise(opened.study, section.space)
    if found["best"] is None:
        raise ConfigError(
            f"tune: no trial finished ({found['counts']}); see the trials' errors in --json"
        )
    note = _note(config, found)
    write_best(config, settings, found["best"], request.best_path, note=note)
    tuned = Tuned(found, ran, note, request.best_path)
    if mlflow is None:
        return tuned
    with tracking.mirrored(mlflow, tuned.warnings.append):
        logged = tracking.log_study(found, mlflow, config=experiment.model_dump(mode="json"))
        tuned = replace(tuned, mlflow=logged)
    return tuned


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
