"""One way to predict: the horizon after each of a set of origins, in large batches.

evaluate (every test origin), forecast (the last row), the attention export and the stateful
validation loss all come through here; backtests, intervals and many-series forecasts will too.
An origin is the row index of the last observed row before a forecast: its window is rows
origin-lookback+1 .. origin, and known-in-advance columns are read over origin+1 .. origin+horizon.
Stateless models gather every window lazily from the one table (tf.data, no copies, no Python
per origin); a stateful model replays the history before its origins (models/stateful.py); a
run's ONNX export (models/onnx.py) reads windows gathered in numpy, without TensorFlow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmcast.config.schema import ResolvedExperiment
from lstmcast.config.sections.training import TrainingSection
from lstmcast.data.prepare import known_column_count
from lstmcast.data.scaling import Scaler
from lstmcast.data.windows import window_arrays, window_dataset
from lstmcast.models.onnx import OnnxModel

if TYPE_CHECKING:
    import keras

PREDICT_BATCH = 256
"""Windows per predict batch at least: inference holds no gradients, so batches can be large."""

BLOCK_BATCHES = 64
"""Predict batches per call of model.predict: Keras holds a call's outputs twice (its batches,
then their concatenation), so 250,000 windows x 48 steps go through in blocks of 64 batches
straight into one float64 array instead of costing 300 MB more at once. Blocks are whole
batches, so every batch, and every number, is what one call would give."""


def predict_scaled(
    model: keras.Model | OnnxModel,
    experiment: ResolvedExperiment,
    table: np.ndarray,
    origins: np.ndarray,
    *,
    horizon: int | None = None,
) -> np.ndarray:
    """The model's outputs (origins, ...) for the windows ending at `origins`, in the scaled
    units it works in. `table` is the model's input table (data.prepare.model_inputs); with
    known columns it must hold `horizon` rows after the last origin. `horizon` replaces the
    experiment's for a model of another output length (the one-step model of a recursive one)."""
    lookback = experiment.windows.lookback
    horizon = horizon or experiment.windows.horizon
    known = known_column_count(experiment)
    origins = np.asarray(origins, dtype=np.int64)
    _check_origins(origins, rows=len(table), lookback=lookback, ahead=horizon if known else 0)
    if isinstance(model, OnnxModel):  # a few windows, no TensorFlow: gathered in numpy
        starts = origins - lookback + 1
        windows = window_arrays(table, starts, lookback=lookback, horizon=horizon, known=known)
        return np.asarray(model.predict(windows), dtype=np.float64)
    if experiment.model.stateful:
        from lstmcast.models.stateful import replay_at_origins

        return replay_at_origins(model, experiment, table, origins, known=known)
    batch = prediction_batch(experiment.training)
    block = batch * BLOCK_BATCHES
    outputs = None
    for first in range(0, len(origins), block):
        starts = origins[first : first + block] - lookback + 1
        dataset = window_dataset(table, starts, lookback=lookback, horizon=horizon,
                                 batch_size=batch, targets=False, known=known)  # fmt: skip
        predicted = model.predict(dataset, verbose=0)
        if outputs is None:
            outputs = np.empty((len(origins), *predicted.shape[1:]), dtype=np.float64)
        outputs[first : first + len(starts)] = predicted
    return outputs


def prediction_batch(training: TrainingSection) -> int:
    return max(training.batch_size, PREDICT_BATCH)


def forecast_at_origins(
    model: keras.Model | OnnxModel,
    experiment: ResolvedExperiment,
    table: np.ndarray,
    origins: np.ndarray,
    scaler: Scaler,
) -> np.ndarray:
    """Point forecasts (origins, horizon) in the target's own units (a quantile model's
    median)."""
    return forecast_with_quantiles(model, experiment, table, origins, scaler)[0]


def forecast_with_quantiles(
    model: keras.Model | OnnxModel,
    experiment: ResolvedExperiment,
    table: np.ndarray,
    origins: np.ndarray,
    scaler: Scaler,
) -> tuple[np.ndarray, np.ndarray | None]:
    """(point forecasts (origins, horizon), quantiles (origins, horizon, quantiles) or None),
    in the target's units, from one prediction pass."""
    outputs = scaler.inverse_target(predict_scaled(model, experiment, table, origins), out=True)
    quantiles = experiment.model.quantiles
    if not quantiles:
        return outputs, None
    return outputs[:, :, quantiles.index(0.5)], outputs


def quantile_column(quantile: float) -> str:
    """0.1 -> 'quantile_10', 0.025 -> 'quantile_2.5': a quantile forecast's column name."""
    return f"quantile_{100 * quantile:g}"


def history_rows(experiment: ResolvedExperiment) -> int | None:
    """How many rows before a forecast the model reads: its lookback, or every row (None) for
    a stateful model, whose state at the origin summarises all of them."""
    return None if experiment.model.stateful else experiment.windows.lookback


def origin_positions(timestamps: pd.DatetimeIndex, origins: pd.DatetimeIndex) -> np.ndarray:
    """Row index of each origin timestamp; every one must be a row of the series."""
    positions = timestamps.get_indexer(origins)
    if (positions < 0).any():
        missing = origins[positions < 0][0]
        raise ValueError(f"origin {missing} is not a timestamp of the series")
    return positions.astype(np.int64)


def _check_origins(origins: np.ndarray, *, rows: int, lookback: int, ahead: int) -> None:
    """Programming errors, not user errors: callers choose origins from the data's own rows."""
    if len(origins) == 0:
        raise ValueError("no origins to predict at")
    if origins.min() < lookback - 1:
        raise ValueError(f"origin {origins.min()} has fewer than lookback={lookback} rows")
    if origins.max() + ahead >= rows:
        raise ValueError(f"origin {origins.max()} needs {ahead} known rows after it")
