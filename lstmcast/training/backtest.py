"""Time-series cross-validation: a new model every `refit_every` folds, trained only on the
rows before its fold's first origin, then forecasting every origin of its folds.

Each refit is an ordinary training run (the same seed, the same settings) on an expanding
window (every row before the fold) or a sliding one (the last backtest.train_rows of them),
validated and conformally calibrated on its own last rows. Its forecasts at later origins read
the data up to each origin, as a model in production would without retraining.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from lstmcast.config.schema import Experiment
from lstmcast.data.prepare import PreparedData, model_inputs, prepare_data, prepare_refit
from lstmcast.evaluation.backtest import (
    Backtest,
    FoldForecasts,
    assemble,
    plan_folds,
    split_into_folds,
)
from lstmcast.evaluation.evaluate import calibrate_fitting
from lstmcast.prediction import forecast_at_origins
from lstmcast.runtime import seed_everything, select_device
from lstmcast.text import count_of


def backtest_refit(
    experiment: Experiment,
    *,
    tell: Callable[[str], None] | None = None,
    before_test: bool = False,
) -> Backtest:
    """Refit and forecast fold by fold; `tell` hears one line per refit. `before_test` lays
    the folds over the rows before the test split (tuning chooses on them, so the test part
    stays unseen)."""
    started = time.perf_counter()
    data = prepare_data(experiment)
    section = data.experiment.backtest
    model_horizon = data.experiment.windows.horizon
    folds = plan_folds(
        data.bounds.test_start if before_test else data.series.num_rows,
        horizon=model_horizon,
        folds=section.folds,
        spacing=section.spacing or model_horizon,
        first_allowed=data.experiment.windows.lookback - 1,
    )
    select_device(data.experiment.training.device)
    every = section.refit_every or 1
    fold_forecasts, predict_seconds = [], 0.0
    for group_start in range(0, len(folds), every):
        group = folds[group_start : group_start + every]
        forecasts, seconds = _refit_group(data, group, tell=tell)
        fold_forecasts += forecasts
        predict_seconds += seconds
    return assemble(
        data.series,
        fold_forecasts,
        label=data.experiment.model.cell,
        season_length=data.season_length,
        mode=f"refit every {every} fold(s), {section.window} window",
        horizon=section.horizon or model_horizon,
        started=started,
        predict_seconds=predict_seconds,
    )


def refit_rows(data: PreparedData, first_origin: int) -> tuple[int, int]:
    """[first, end) rows a refit trains and validates on: up to and including the fold's first
    origin, all of them (expanding) or the last train_rows (sliding)."""
    section = data.experiment.backtest
    end = first_origin + 1
    first = max(end - section.train_rows, 0) if section.window == "sliding" else 0
    return first, end


def _refit_group(
    data: PreparedData, group: list[np.ndarray], *, tell: Callable[[str], None] | None
) -> tuple[list[FoldForecasts], float]:
    from lstmcast.training.fit import fit_model

    experiment = data.experiment
    first, end = refit_rows(data, int(group[0][0]))
    refit = prepare_refit(data, first=first, end=end)
    seed_everything(experiment.training.seed, deterministic_ops=not experiment.training.jit_compile)
    trained = fit_model(refit)
    if tell is not None:
        tell(
            f"refit on rows {first}..{end - 1}: {count_of(trained.epochs_run, 'epoch')} "
            f"(best {trained.best_epoch}) in {trained.seconds:.1f}s"
        )
    intervals = calibrate_fitting(trained.model, [refit])
    series = data.series
    table = model_inputs(series.values, series.timestamps, refit.scaler, experiment.data.calendar)
    origins = np.concatenate(group)
    predict_started = time.perf_counter()
    predicted = forecast_at_origins(trained.model, experiment, table, origins, refit.scaler)
    seconds = time.perf_counter() - predict_started
    return split_into_folds(group, predicted, intervals, (first, end)), seconds
