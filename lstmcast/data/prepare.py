"""Experiment -> everything training and evaluation need from the CSV, computed one way for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.config.schema import DataSection, Experiment
from lstmcast.data.calendar import calendar_columns, calendar_features
from lstmcast.data.frequency import format_timestamps, future_timestamps, season_length_for
from lstmcast.data.read import read_csv
from lstmcast.data.scaling import Scaler, fit_scaler
from lstmcast.data.split import SPLITS, SplitBounds, split_bounds
from lstmcast.data.validate import Series, validate_frame
from lstmcast.data.windows import default_lookback, split_window_starts, stateful_starts
from lstmcast.errors import ConfigError, DataError


@dataclass(frozen=True)
class PreparedData:
    experiment: Experiment
    """The experiment with every data-dependent default filled in (the lookback): the one to
    train with and to save in the run folder."""
    series: Series
    bounds: SplitBounds
    scaler: Scaler
    scaled: np.ndarray
    """The model's input table, float32: globally scaled series.values (target, features,
    known columns), then the calendar features."""
    starts: dict[str, np.ndarray]
    season_length: int

    @property
    def known_columns(self) -> int:
        """Trailing columns of `scaled` whose future values the model reads (known + calendar)."""
        return known_column_count(self.experiment)


def load_series(
    data: DataSection,
    *,
    path: Path | None = None,
    frequency: str | None = None,
    role: str = "data.path",
) -> Series:
    """Read and validate a CSV with the columns and rules of a data section.

    `path` and `frequency` replace the section's for newer data fed to a trained run; `role`
    names where the path came from ('data.path' or '--input').
    """
    frame = read_csv(path or data.path, timestamp=data.timestamp, columns=data.columns, role=role)
    return _validated(frame, data, path=path, frequency=frequency)


def load_history_and_known_future(
    data: DataSection, *, horizon: int, frequency: str, path: Path | None, role: str
) -> tuple[Series, np.ndarray]:
    """The history up to the last row with an observed value, and the known-in-advance columns
    over the `horizon` rows after it, (horizon, known), raw.

    Rows after the last observed value carry the future of the data.known columns: a CSV for
    forecasting ends with `horizon` rows whose target and features are empty.
    """
    source = path or data.path
    frame = read_csv(source, timestamp=data.timestamp, columns=data.columns, role=role)
    observed = frame[data.columns[: data.observed_columns]].notna().any(axis=1).to_numpy()
    end = int(np.flatnonzero(observed)[-1]) + 1 if observed.any() else len(frame)
    series = _validated(frame.iloc[:end], data, path=path, frequency=frequency)
    future = frame.iloc[end : end + horizon]
    expected = future_timestamps(series.timestamps[-1], frequency, horizon)
    stamps = format_timestamps(expected)
    if len(future) < horizon:
        raise DataError(
            f"{source}: the model reads {', '.join(data.known)} over the {horizon} steps after "
            f"the last observed {data.target} ({format_timestamps(series.timestamps[-1:])[0]}), "
            f"but the file has {len(future)} rows after it; add rows {stamps[0]} .. "
            f"{stamps[-1]} with {', '.join(data.known)} filled and {data.target} empty"
        )
    empty = future[data.known].isna().any(axis=1).to_numpy()
    if empty.any():
        line = end + int(np.argmax(empty)) + 2
        raise DataError(
            f"{source}: line {line}: {', '.join(data.known)} must be filled in every row after "
            f"the last observed {data.target}: they are the known future the model reads"
        )
    given = validate_frame(
        future,
        source=source,
        timestamp=data.timestamp,
        columns=data.known,
        frequency=frequency,
        missing="error",
    )
    if not given.timestamps.equals(expected):
        raise DataError(
            f"{source}: the rows after the last observed {data.target} must be {stamps[0]} .. "
            f"{stamps[-1]}, one per step; they start at "
            f"{format_timestamps(given.timestamps[:1])[0]}"
        )
    return series, given.values


def _validated(
    frame: pd.DataFrame, data: DataSection, *, path: Path | None, frequency: str | None
) -> Series:
    return validate_frame(
        frame,
        source=path or data.path,
        timestamp=data.timestamp,
        columns=data.columns,
        frequency=frequency or data.frequency,
        missing=data.missing,
        frequency_origin="data.frequency" if frequency is None else "the trained run's frequency",
    )


def prepare_data(experiment: Experiment, *, scaler: Scaler | None = None) -> PreparedData:
    """Validate, split, scale (fitting on the training rows unless a fitted scaler is given)."""
    series = load_series(experiment.data)
    season_length = experiment.data.season_length or season_length_for(series.frequency)
    experiment, lookback = with_lookback(experiment, season_length)
    windows = experiment.windows
    needed = lookback + windows.horizon
    if series.num_rows < needed + 2:
        raise DataError(
            f"{series.source}: {series.num_rows} rows are too few for lookback "
            f"{lookback} + horizon {windows.horizon} and three splits; "
            "use more data or a shorter windows.lookback"
        )
    bounds = split_bounds(
        series.timestamps, validation=experiment.split.validation, test=experiment.split.test
    )
    starts = split_window_starts(
        bounds, lookback=lookback, horizon=windows.horizon, stride=windows.stride
    )
    for split in SPLITS:
        if len(starts[split]) == 0:
            raise ConfigError(_empty_split_message(split, bounds, lookback, windows.horizon))
    train_first, train_end = bounds.rows("train")
    if experiment.model.stateful:
        starts["train"] = _stateful_train_starts(experiment, train_end)
    if scaler is None:
        scaler = fit_scaler(series.values[train_first:train_end], experiment.scaling.method)
    return PreparedData(
        experiment=experiment,
        series=series,
        bounds=bounds,
        scaler=scaler,
        scaled=model_inputs(series.values, series.timestamps, scaler, experiment.data.calendar),
        starts=starts,
        season_length=season_length,
    )


def known_column_count(experiment: Experiment) -> int:
    data = experiment.data
    return len(data.known) + len(calendar_columns(data.calendar))


def model_inputs(
    values: np.ndarray, timestamps: pd.DatetimeIndex, scaler: Scaler, calendar: list[str]
) -> np.ndarray:
    """The model's column table: scaled CSV values, then the calendar features (already in
    [-1, 1], so not scaled)."""
    scaled = scaler.transform(values).astype(np.float32)
    if not calendar:
        return scaled
    return np.concatenate([scaled, calendar_features(timestamps, calendar)], axis=1)


def with_lookback(experiment: Experiment, season_length: int) -> tuple[Experiment, int]:
    """The experiment with windows.lookback set (by the default rule when the config left it
    out), and that lookback."""
    windows = experiment.windows
    if windows.lookback is not None:
        return experiment, windows.lookback
    lookback = default_lookback(windows.horizon, season_length)
    resolved = windows.model_copy(update={"lookback": lookback})
    return experiment.model_copy(update={"windows": resolved}), lookback


def _stateful_train_starts(experiment: Experiment, train_end: int) -> np.ndarray:
    """Consecutive windows in training.batch_size parallel streams; refuses a batch size the
    training rows cannot fill with at least one window per stream."""
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    streams = experiment.training.batch_size
    starts = stateful_starts(train_end, lookback=lookback, horizon=horizon, streams=streams)
    if len(starts) == 0:
        most = max(train_end // (lookback + horizon), 1)
        raise ConfigError(
            f"training.batch_size: a stateful model trains on {streams} parallel streams of "
            f"consecutive windows, each needing lookback + horizon = {lookback + horizon} rows, "
            f"but the training part has {train_end} rows; set batch_size to at most {most}"
        )
    return starts


def _empty_split_message(split: str, bounds: SplitBounds, lookback: int, horizon: int) -> str:
    first, end = bounds.rows(split)
    key = {"train": "split", "validation": "split.validation", "test": "split.test"}[split]
    if split == "train":
        return (
            f"split: the training part has {end - first} rows, too few for one window of "
            f"lookback {lookback} + horizon {horizon}; make validation/test smaller or the "
            "lookback shorter"
        )
    return (
        f"{key}: the {split} part has {end - first} rows, fewer than the horizon ({horizon}) "
        f"or without {lookback} rows of history before it, so it holds no window; make it at "
        f"least {horizon} rows"
    )
