"""One trial: the config with the trial's values, trained as `train` would (same seed, same
data), scored by the study's objective."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lstmcast.config.load import load_experiment
from lstmcast.config.schema import Experiment
from lstmcast.config.sections.tune import TuneSection
from lstmcast.data.prepare import PreparedData
from lstmcast.data.workload import prepare_workload
from lstmcast.runtime import seed_everything

if TYPE_CHECKING:
    import optuna

    from lstmcast.training import EpochReport


def score_trial(
    config: Path, overrides: Sequence[str], section: TuneSection, trial: optuna.Trial
) -> float:
    """The objective's value for the config under `overrides` (lower is better); raises
    optuna.TrialPruned when the pruner stops it after an epoch."""
    experiment = load_experiment(config, overrides)
    if section.objective == "backtest_mase":
        return _backtest_mase(experiment, section)
    from lstmcast.training.fit import fit_model

    data = prepared_data(experiment)
    training = data.experiment.training
    seed_everything(training.seed, deterministic_ops=not training.jit_compile)
    report = _pruning_report(trial) if section.pruning else None
    return float(fit_model(data, report=report).best_val_loss)


def prepared_data(experiment: Experiment) -> PreparedData:
    """The windows a fit of this experiment trains on: its workload's fitting view."""
    return prepare_workload(experiment).fitting


def _backtest_mase(experiment: Experiment, section: TuneSection) -> float:
    """Time-series cross-validation over the rows before the test split: a refit per fold on
    the rows before it, MASE over all (many series: the mean of each series' MASE; the test
    part stays unseen, as `evaluate` needs)."""
    from lstmcast.workflows.backtest import refit

    backtest = experiment.backtest.model_copy(update={"folds": section.folds, "refit_every": 1})
    result = refit(experiment.model_copy(update={"backtest": backtest}), before_test=True)
    return float(result.overall[result.model]["mase"])


def _pruning_report(trial: optuna.Trial) -> EpochReport:
    """Each epoch's validation loss to the study; stops the fit when the pruner says so."""
    import optuna

    def report(epoch: int, epochs: int, logs: dict[str, Any], seconds: float) -> None:
        value = logs.get("val_loss")
        if value is None:
            return
        trial.report(float(value), epoch)
        if trial.should_prune():
            raise optuna.TrialPruned(f"validation loss {value:.5g} after epoch {epoch}")

    return report
