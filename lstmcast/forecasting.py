"""A trained run + the latest rows of a series -> the next `horizon` values and timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.artifacts import Run
from lstmcast.data.frequency import format_timestamps, future_timestamps
from lstmcast.data.prepare import (
    known_column_count,
    load_history_and_known_future,
    load_series,
    model_inputs,
)
from lstmcast.errors import DataError


@dataclass(frozen=True)
class Forecast:
    frame: pd.DataFrame
    """Columns: timestamp, step (1-based), and the target's name."""
    origin: str
    """Last observed timestamp; the forecast starts one step after it."""
    device: str


def forecast_run(run: Run, *, input_path: Path | None = None) -> Forecast:
    """Forecast from the last `lookback` rows of `input_path` (default: the training CSV)."""
    from lstmcast.training.device import select_device

    experiment = run.experiment
    data = experiment.data
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    frequency = run.preprocessing["frequency"]
    role = "--input" if input_path is not None else "data.path"
    if data.known:
        series, known_future = load_history_and_known_future(
            data, horizon=horizon, frequency=frequency, path=input_path, role=role
        )
    else:
        series = load_series(data, path=input_path, frequency=frequency, role=role)
        known_future = np.zeros((horizon, 0))
    if series.num_rows < lookback:
        raise DataError(
            f"{series.source} has {series.num_rows} rows but the model reads the last "
            f"{lookback}; give at least {lookback} rows"
        )
    scaler = run.scaler
    origin = series.timestamps[-1]
    timestamps = future_timestamps(origin, frequency, horizon)
    stateful = experiment.model.stateful
    history = slice(None) if stateful else slice(-lookback, None)  # stateful reads it all
    future_values = np.zeros((horizon, len(data.columns)))
    future_values[:, data.observed_columns :] = known_future
    table = model_inputs(
        np.concatenate([series.values[history], future_values]),
        series.timestamps[history].append(timestamps),
        scaler,
        data.calendar,
    )
    known = known_column_count(experiment)
    device = select_device(experiment.training.device)
    model = run.load_model()
    if stateful:
        from lstmcast.models.stateful import predict_at_origins

        last = np.array([series.num_rows - 1])
        predicted = predict_at_origins(model, experiment, table, last, known=known)[0]
    else:
        window = table[None, :lookback]
        inputs = {"window": window, "future": table[None, lookback:, -known:]} if known else window
        predicted = np.asarray(model.predict(inputs, verbose=0), dtype=np.float64)[0]
    frame = pd.DataFrame(
        {
            "timestamp": format_timestamps(timestamps),
            "step": np.arange(1, horizon + 1),
            series.target: scaler.inverse_target(predicted),
        }
    )
    return Forecast(
        frame=frame, origin=format_timestamps(pd.DatetimeIndex([origin]))[0], device=device
    )
