"""A trained run + the latest rows of a series -> the next `horizon` values and timestamps."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmcast.artifacts import Run
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.freshness import check_fresh, refuse_older_than_training, rows_until
from lstmcast.data.known_future import load_history_and_known_future
from lstmcast.data.prepare import model_inputs, read_columns, timeline_of, validated
from lstmcast.errors import ConfigError, DataError
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.models.onnx import OnnxModel
from lstmcast.prediction import forecast_with_quantiles, history_rows, quantile_column

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Forecast:
    frame: pd.DataFrame
    """Columns: timestamp, step (1-based), and the target's name."""
    origin: str
    """Last observed timestamp; the forecast starts one step after it."""
    device: str
    notes: list[str]
    """What a person should know about the output (an empty timestamp column, ...)."""
    warnings: list[str]
    """What is wrong with it (bands too few windows could calibrate)."""
    target: str
    history: pd.Series
    """The target's recent rows (three seasons or four horizons, at least 48), by timestamp
    (by row for frequency none): what a picture of the forecast shows before it."""


def forecast_run(
    run: Run,
    *,
    input_path: Path | None = None,
    model: keras.Model | OnnxModel | None = None,
    as_of: pd.Timestamp | None = None,
    max_staleness: str | None = None,
    engine: str = "auto",
) -> Forecast:
    """Forecast from the last `lookback` rows of `input_path` (default: the training CSV) at or
    before `as_of` (default: all of them), refusing input older than `max_staleness` (default:
    the run's forecast.max_staleness); `model`, when the caller has loaded it already
    (report), is not loaded again; `engine` (auto, keras, onnx) as for forecast_predictor."""
    experiment = run.experiment
    data = experiment.data
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    role = "--input" if input_path is not None else "data.path"
    timeline = timeline_of(data, run.preprocessing["frequency"])
    if data.known:
        series, known_future, timestamps = load_history_and_known_future(
            data,
            horizon=horizon,
            frequency=timeline.frequency,
            path=input_path,
            role=role,
            as_of=as_of,
        )
    else:
        frame = read_columns(data, input_path or data.path, role)
        if as_of is not None:
            end = rows_until(
                frame, data.timestamp, as_of, input_path or data.path, timezone=data.timezone
            )
            frame = frame.iloc[:end]
        series = validated(frame, data, path=input_path, frequency=timeline.frequency)
        known_future = np.zeros((horizon, 0))
        timestamps = timeline.future(series.timestamps[-1], horizon)
    staleness = max_staleness or experiment.forecast.max_staleness
    if staleness is not None:
        check_fresh(
            series.timestamps[-1], max_staleness=staleness, as_of=as_of, source=series.source
        )
    if series.num_rows < lookback:
        raise DataError(
            f"{series.source} has {series.num_rows} rows but the model reads the last "
            f"{lookback}; give at least {lookback} rows"
        )
    if input_path is not None and as_of is None:
        refuse_older_than_training(series, run.preprocessing.get("last_timestamp"))
    scaler = run.scaler
    reads = history_rows(experiment)
    history = slice(-reads if reads else None, None)
    future_values = np.zeros((horizon, len(data.columns)))
    future_values[:, data.observed_columns :] = known_future
    table = model_inputs(
        np.concatenate([series.values[history], future_values]),
        series.timestamps[history].append(timestamps) if data.calendar else None,
        scaler,
        data.calendar,
    )
    predictor, device = forecast_predictor(run, engine=engine, model=model)
    origin_row = len(series.values[history]) - 1
    point, quantiles = forecast_with_quantiles(
        predictor, experiment, table, np.array([origin_row]), scaler
    )
    predicted = point[0]
    intervals = ConformalIntervals.of_run(run)
    quantile_columns = {
        quantile_column(q): quantiles[0, :, i]
        for i, q in enumerate(experiment.model.quantiles or [])
        if quantiles is not None
    }
    frame = pd.DataFrame(
        {
            "timestamp": format_timestamps(timestamps) if timestamps is not None else "",
            "step": np.arange(1, horizon + 1),
            series.target: predicted,
            **(intervals.columns(predicted) if intervals is not None else {}),
            **quantile_columns,
        }
    )
    origin = format_timestamps(series.timestamps[-1:])[0]
    notes = []
    if timestamps is None:
        notes.append(
            "frequency none: each step is the next row, whose time the model cannot know, so "
            "the timestamp column is empty; step counts rows after the origin"
        )
    keep = max(3 * run.preprocessing.get("season_length", 1), 4 * horizon, 48)
    index = series.timestamps[-keep:] if timestamps is not None else None
    history = pd.Series(series.values[-keep:, 0], index=index, name=series.target)
    warnings = intervals.warnings() if intervals is not None else []
    return Forecast(frame, origin, device, notes, warnings, series.target, history)


def forecast_predictor(
    run: Run, *, engine: str = "auto", model: keras.Model | OnnxModel | None = None
) -> tuple[keras.Model | OnnxModel, str]:
    """(what predicts, where it runs, for people): `model` when given, else the run's ONNX
    export under ONNX Runtime when engine is auto or onnx and it can (TensorFlow is then
    never imported), else the run's Keras model, on the configured device. Asking for a GPU
    (--device gpu) asks for TensorFlow: ONNX Runtime runs on the CPU here."""
    from lstmcast.runtime import select_device

    wants_gpu = run.experiment.training.device == "gpu"
    if wants_gpu and engine == "onnx":
        raise ConfigError("--engine onnx runs on the CPU; drop --device gpu or use --engine keras")
    if model is None and not wants_gpu:
        model = run.onnx_model(engine)
    if isinstance(model, OnnxModel):
        return model, model.device
    device = select_device(run.experiment.training.device).describe()
    return model or run.load_model(), device
