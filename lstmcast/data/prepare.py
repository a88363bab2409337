"""Experiment -> everything training and evaluation need from the CSV, computed one way for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.config.schema import Experiment, ResolvedExperiment
from lstmcast.config.sections.data import DataSection
from lstmcast.data.calendar import calendar_columns, calendar_features
from lstmcast.data.checks import data_warnings
from lstmcast.data.profile import acf_lookback
from lstmcast.data.read import read_csv
from lstmcast.data.scaling import Scaler
from lstmcast.data.split import SplitBounds
from lstmcast.data.timeline import Timeline
from lstmcast.data.validate import Rules, Series, validate_frame
from lstmcast.data.windows import default_lookback, stateful_starts
from lstmcast.errors import ConfigError
from lstmcast.phases import phase


@dataclass(frozen=True)
class PreparedData:
    experiment: ResolvedExperiment
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
    series_count: int = 0
    """Many-series runs with model.series_embedding: how many series have a vector (the
    table's last observed column holds each row's series number, 1-based)."""

    @property
    def known_columns(self) -> int:
        """Trailing columns of `scaled` whose future values the model reads (known + calendar)."""
        return known_column_count(self.experiment)

    @property
    def warnings(self) -> list[str]:
        """What to say before training: a constant target, intervals that cannot calibrate."""
        training = {"": self.series.target_values[: self.bounds.validation_start]}
        return data_warnings(self.experiment, training, len(self.starts["validation"]))


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
    with phase("read"):
        frame = read_columns(data, path or data.path, role)
    with phase("validate"):
        return validated(frame, data, path=path, frequency=frequency, consume=True)


def read_columns(data: DataSection, path: Path, role: str) -> pd.DataFrame:
    """The CSV's timestamp and the section's columns; a missing one named by its key."""
    keys = {name: "data.known" for name in data.known}
    return read_csv(path, timestamp=data.timestamp, columns=data.columns, role=role, keys=keys)


def validated(
    frame: pd.DataFrame,
    data: DataSection,
    *,
    path: Path | None,
    frequency: str | None,
    consume: bool = False,
) -> Series:
    """The frame as a Series under the section's rules; `frequency` is a trained run's, for
    newer data fed to it."""
    return validate_frame(
        frame,
        source=path or data.path,
        timestamp=data.timestamp,
        columns=data.columns,
        rules=Rules.of(data, frequency=frequency),
        consume=consume,
    )


def timeline_of(data: DataSection, frequency: str) -> Timeline:
    """The series' steps: its (validated or trained) frequency with the config's holidays and
    sessions."""
    return Rules.of(data).timeline(frequency)


def season_length_of(data: DataSection, frequency: str) -> int:
    """data.season_length, or the cycle the steps imply (a day, a week, a year, a session)."""
    return data.season_length or timeline_of(data, frequency).season_length()


def prepare_data(experiment: Experiment, *, scaler: Scaler | None = None) -> PreparedData:
    """One series' fitting view of its workload (data/workload.py): validated, split, scaled
    (fitting on the training rows unless a fitted scaler is given)."""
    from lstmcast.data.workload import prepare_workload

    state = None
    if scaler is not None:
        state = {"series": {experiment.data.target: {"scaler": scaler.to_dict()}}}
    return prepare_workload(experiment, state=state).fitting


def known_column_count(experiment: Experiment) -> int:
    data = experiment.data
    return len(data.known) + len(calendar_columns(data.calendar))


def model_inputs(
    values: np.ndarray, timestamps: pd.DatetimeIndex | None, scaler: Scaler, calendar: list[str]
) -> np.ndarray:
    """The model's column table: scaled CSV values, then the calendar features (already in
    [-1, 1], so not scaled) of the rows' `timestamps`, needed only with calendar features."""
    if not calendar:
        return scaler.transform_float32(values)
    if timestamps is None:
        raise ValueError("calendar features need the rows' timestamps")
    features = calendar_features(timestamps, calendar)
    table = scaler.transform_float32(values, width=values.shape[1] + features.shape[1])
    table[:, values.shape[1] :] = features
    return table


def with_lookback(
    experiment: Experiment, season_length: int, *, training: np.ndarray | None = None
) -> ResolvedExperiment:
    """The experiment resolved: windows.lookback set by the default rule when the config left
    it out, or for 'auto' read from the autocorrelation of the `training` target (the rows
    before the validation split only, so no later value decides how far back a window reads)."""
    given = experiment.windows.lookback
    if given == "auto":
        if training is None:
            raise ConfigError(
                "windows.lookback: auto reads one series' autocorrelation; give a number for "
                "many-series runs"
            )
        lookback = acf_lookback(training, season_length)[0]
    else:
        lookback = given or default_lookback(experiment.windows.horizon, season_length)
    resolved = ResolvedExperiment.of(experiment, lookback=lookback)
    check_season_fits(resolved, season_length)
    return resolved


def check_season_fits(experiment: ResolvedExperiment, season_length: int) -> None:
    """model.anchor and model.blend: seasonal_naive repeat the window's last season: the
    window must hold one (checked with the data, before TensorFlow loads, and again where the
    model is built)."""
    model = experiment.model
    for key, value in (("anchor", model.anchor), ("blend", model.blend)):
        if value == "seasonal_naive" and season_length > experiment.windows.lookback:
            raise ConfigError(
                f"model.{key}: the window must hold a whole season ({season_length} steps) to "
                f"repeat it; set windows.lookback to at least {season_length}"
            )


def blends_seasonal_naive(experiment: ResolvedExperiment, season_length: int) -> bool:
    """Whether the model ends in a blend with seasonal naive: model.blend 'seasonal_naive', or
    'auto' where it applies (a direct or seq2seq model whose window holds a whole season)."""
    blend = experiment.model.blend
    if blend == "auto":
        fits = season_length <= experiment.windows.lookback
        return fits and experiment.model.output != "recursive"
    return blend == "seasonal_naive"


def stateful_train_starts(experiment: Experiment, train_end: int) -> np.ndarray:
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


def empty_split_message(split: str, bounds: SplitBounds, lookback: int, horizon: int) -> str:
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
