"""The peer libraries' methods: statsforecast's AutoETS/AutoTheta and NeuralForecast's LSTM.

Each fits once on the history before the first origin and only moves the origin
(`cross_validation(..., refit=False)`). Runs in the peers' own environment (.venv-bench:
CPU PyTorch, statsforecast, neuralforecast; statsforecast 2.1 requires pandas < 3).
"""

from __future__ import annotations

import logging
import os
import warnings

import numpy as np
import pandas as pd

from bench.accuracy.suite import Task

# Same budget as the Keras methods: at most this many optimiser steps, early stopping on the
# validation rows (checked every VAL_CHECK_STEPS steps, patience counted in checks).
NF_MAX_STEPS = 1000
NF_VAL_CHECK_STEPS = 50
NF_PATIENCE_CHECKS = 5


def forecast_statistical(task: Task, method: str) -> np.ndarray:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, AutoTheta

    spec = task.spec
    model = {"auto_ets": AutoETS, "auto_theta": AutoTheta}[method](season_length=spec.season_length)
    engine = StatsForecast(models=[model], freq=spec.frequency, n_jobs=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = engine.cross_validation(
            h=spec.horizon,
            df=task.frame(),
            n_windows=spec.test_windows,
            step_size=spec.horizon,
            refit=False,
        )
    return _by_origin(task, result, model.alias)


def forecast_neuralforecast(task: Task, *, lookback: int, seed: int) -> np.ndarray:
    """NeuralForecast's LSTM with its own defaults (robust per-window scaling, MAE, MLP
    decoder, 2x128 encoder), the suite's lookback, and early stopping on the validation rows."""
    os.environ.setdefault("PYTORCH_LIGHTNING_DISABLE_TIPS", "1")
    logging.getLogger("pytorch_lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning").setLevel(logging.ERROR)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    from neuralforecast import NeuralForecast
    from neuralforecast.models import LSTM

    spec = task.spec
    model = LSTM(
        h=spec.horizon,
        input_size=lookback,
        max_steps=NF_MAX_STEPS,
        val_check_steps=NF_VAL_CHECK_STEPS,
        early_stop_patience_steps=NF_PATIENCE_CHECKS,
        random_seed=seed,
        accelerator="cpu",
        enable_progress_bar=False,
        enable_model_summary=False,
        logger=False,
    )
    engine = NeuralForecast(models=[model], freq=spec.frequency)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = engine.cross_validation(
            df=task.frame(),
            n_windows=spec.test_windows,
            step_size=spec.horizon,
            val_size=spec.validation,
            refit=False,
        )
    return _by_origin(task, result, "LSTM")


def _by_origin(task: Task, result: pd.DataFrame, column: str) -> np.ndarray:
    """cross_validation's long frame -> (windows, horizon), checked against the task's origins."""
    spec = task.spec
    result = result.sort_values(["cutoff", "ds"])
    cutoffs = pd.DatetimeIndex(result["cutoff"].unique())
    expected = task.timestamps[task.origins]
    if len(cutoffs) != len(expected) or not (cutoffs == expected).all():
        raise RuntimeError(f"{spec.name}: cutoffs {list(cutoffs)} are not the origins {expected}")
    return result[column].to_numpy(dtype="float64").reshape(spec.test_windows, spec.horizon)
