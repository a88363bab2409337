"""Run a study: ask for a trial under the study's lock, train and score it, tell the result,
until the study has `tune.trials` finished trials or this worker's time is up. Any number of
workers may run this at once against one storage (the default SQLite file beside the config,
or any Optuna storage URL); a worker killed mid-trial leaves a trial that the next worker on
the same machine marks failed, so a resumed study loses nothing and counts nothing twice."""

from __future__ import annotations

import contextlib
import os
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstmcast import locks
from lstmcast.config.load import load_experiment
from lstmcast.config.schema import Experiment
from lstmcast.config.sections.output import parse_duration
from lstmcast.config.sections.tune import TuneSection
from lstmcast.errors import ConfigError, DataError
from lstmcast.tuning.objective import prepared_data, score_trial
from lstmcast.tuning.space import as_written, check_space, override, shown, suggest

if TYPE_CHECKING:
    import optuna

FAILURES_IN_A_ROW = 3
"""A worker stops when this many of its trials fail one after another: the config, not bad
luck in the space."""

WORKER = "worker"
"""A trial's user attribute naming the process running it: host:pid."""


@dataclass(frozen=True)
class Study:
    """An open study and how this worker reaches it."""

    study: optuna.Study
    section: TuneSection
    lock: Path | None
    """The SQLite file whose lock serialises asking for trials; None for a server storage."""
    finished: int = 0
    """Trials the study had finished before this worker opened it."""


def default_database(config: Path) -> Path:
    """Where a study lives without tune.storage: CONFIG.tune.db beside the config."""
    return config.with_name(f"{config.stem}.tune.db")


def open_study(
    config: Path,
    experiment: Experiment,
    section: TuneSection,
    tell: Callable[[str], None] | None = None,
) -> Study:
    """Create or load the study (the config's values as its first trial when new)."""
    optuna = _optuna()
    database = default_database(config).resolve()
    url = section.storage or f"sqlite:///{database}"
    lock = database if section.storage is None else None
    with _holding(lock, tell):
        try:
            storage = optuna.storages.RDBStorage(url)
        except Exception as err:  # SQLAlchemy's errors: a bad URL, a server not reachable
            raise ConfigError(f"tune.storage: cannot open {url}: {err}") from None
        name = section.study or config.stem
        existing = {s.study_name: s.n_trials for s in optuna.get_all_study_summaries(storage)}
        pruner = (
            optuna.pruners.MedianPruner(n_startup_trials=3, n_warmup_steps=1)
            if section.pruning and section.objective == "validation_loss"
            else optuna.pruners.NopPruner()
        )
        sampler = optuna.samplers.TPESampler(seed=experiment.training.seed + existing.get(name, 0))
        study = optuna.create_study(
            storage=storage, study_name=name, sampler=sampler, pruner=pruner,
            direction="minimize", load_if_exists=True,
        )  # fmt: skip
        _same_question(study, section, url)
        if name not in existing and (start := as_written(experiment, section.space)):
            study.enqueue_trial(start, user_attrs={"as_written": True})
    finished = _optuna().trial.TrialState
    done = len(study.get_trials(deepcopy=False, states=(finished.COMPLETE, finished.PRUNED)))
    return Study(study, section, lock, finished=done)


IDENTITY = "lstmcast_question"
"""The study's user attribute recording what its trials answer: objective and space."""


def question(section: TuneSection) -> dict[str, Any]:
    """What a study's values mean: the objective (with its folds) and the space searched.
    Trials of another question are not comparable, so they never share a study."""
    folds = section.folds if section.objective == "backtest_mase" else None
    space = {key: dimension.model_dump() for key, dimension in sorted(section.space.items())}
    return {"objective": section.objective, "folds": folds, "space": space}


def _same_question(study: optuna.Study, section: TuneSection, url: str) -> None:
    """Record the study's question when it is new; refuse one asked differently before."""
    asked = question(section)
    recorded = study.user_attrs.get(IDENTITY)
    if recorded is None:
        study.set_user_attr(IDENTITY, asked)
        return
    if recorded == asked:
        return
    what = [
        f"{key} {recorded.get(key)!r}, now {asked[key]!r}"
        if key != "space"
        else "another tune.space"
        for key in asked
        if recorded.get(key) != asked[key]
    ]
    raise ConfigError(
        f"tune: study '{study.study_name}' in {url} was run with {'; '.join(what)}: its trials "
        f"would not compare with these; set tune.study to a new name (e.g. "
        f"{study.study_name}-{section.objective}) or remove that study"
    )


def run_trials(
    config: Path,
    overrides: Sequence[str],
    opened: Study,
    *,
    tell: Callable[[str], None] | None = None,
) -> int:
    """This worker's share of the study; how many trials it ran."""
    optuna = _optuna()
    section, study = opened.section, opened.study
    deadline = time.monotonic() + parse_duration(section.timeout) if section.timeout else None
    ran, failed = 0, 0
    while True:
        with _holding(opened.lock):
            _fail_interrupted(study, tell)
            if _enough(study, section) or (deadline is not None and time.monotonic() > deadline):
                return ran
            trial = study.ask()
            trial.set_user_attr(WORKER, f"{socket.gethostname()}:{os.getpid()}")
        params = suggest(trial, section.space)
        started = time.perf_counter()
        state, value = _run_one(config, overrides, section, trial, params)
        if state is optuna.trial.TrialState.COMPLETE:
            study.tell(trial, value)
        else:
            study.tell(trial, state=state)
        ran += 1
        failed = failed + 1 if state is optuna.trial.TrialState.FAIL else 0
        if failed == FAILURES_IN_A_ROW:
            raise ConfigError(
                f"tune: {failed} trials in a row failed, the last with: "
                f"{trial.user_attrs.get('error')}; fix the config or narrow tune.space"
            )
        if tell is not None:
            outcome = f"{value:.5g}" if value is not None else state.name.lower()
            seconds = time.perf_counter() - started
            tell(f"trial {trial.number}: {outcome} in {seconds:.1f}s: {shown(params)}")


def _run_one(
    config: Path,
    overrides: Sequence[str],
    section: TuneSection,
    trial: optuna.Trial,
    params: dict[str, Any],
) -> tuple[Any, float | None]:
    """(the trial's final state, its value): pruned and impossible trials are recorded as
    such; an interruption (SIGTERM, Ctrl-C) marks the trial failed before it propagates."""
    optuna = _optuna()
    states = optuna.trial.TrialState
    try:
        settings = [*overrides, *(override(key, value) for key, value in params.items())]
        return states.COMPLETE, score_trial(config, settings, section, trial)
    except optuna.TrialPruned:
        return states.PRUNED, None
    except (ConfigError, DataError) as err:  # e.g. a lookback the data is too short for
        trial.set_user_attr("error", str(err))
        return states.FAIL, None
    except BaseException:
        trial.study.tell(trial, state=states.FAIL)
        raise


def _enough(study: optuna.Study, section: TuneSection) -> bool:
    """The study has its trials: finished ones, and those other workers are running."""
    if section.trials is None:
        return False
    states = _optuna().trial.TrialState
    counted = (states.COMPLETE, states.PRUNED, states.RUNNING)
    return len(study.get_trials(deepcopy=False, states=counted)) >= section.trials


def _fail_interrupted(study: optuna.Study, tell: Callable[[str], None] | None) -> None:
    """Trials still RUNNING whose worker on this machine is gone were killed mid-way: failed,
    so that they neither count as done nor block the count."""
    states = _optuna().trial.TrialState
    host = socket.gethostname()
    for trial in study.get_trials(deepcopy=False, states=(states.RUNNING,)):
        where, _, pid = str(trial.user_attrs.get(WORKER, "")).rpartition(":")
        if where == host and pid.isdigit() and not locks.alive(int(pid)):
            study.tell(trial.number, state=states.FAIL)
            if tell is not None:
                tell(f"trial {trial.number} was interrupted (pid {pid} is gone): marked failed")


@contextlib.contextmanager
def _holding(database: Path | None, tell: Callable[[str], None] | None = None) -> Iterator[None]:
    if database is None:
        yield
        return
    with locks.holding(database, command="tune", wait=600.0, tell=tell):
        yield


def _optuna() -> Any:
    try:
        import optuna
    except ImportError:
        raise ConfigError(
            "tune needs Optuna, an optional extra: pip install 'lstmcast[tune]'"
        ) from None
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    return optuna


def prepared(
    config: Path, overrides: Sequence[str], **replaced: Any
) -> tuple[Experiment, TuneSection]:
    """The experiment, resolved on its data (so the config's own values, defaults included,
    can be the first trial), and its tune section with the command line's replacements, the
    search space checked against the schema."""
    experiment = load_experiment(config, overrides)
    section = experiment.tune.model_copy(
        update={k: v for k, v in replaced.items() if v is not None}
    )
    if section.trials is None and section.timeout is None:
        raise ConfigError("tune: set tune.trials, tune.timeout or both; the study needs an end")
    check_space(config, section.space, overrides)
    resolved = prepared_data(experiment).experiment  # the data's errors, once, before any trial
    return resolved, section
