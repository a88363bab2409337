"""Experiment -> everything training and evaluation need from the CSV, computed one way for both."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from lstmcast.config.schema import DataSection, Experiment
from lstmcast.data.frequency import season_length_for
from lstmcast.data.read import read_csv
from lstmcast.data.scaling import Scaler, fit_scaler
from lstmcast.data.split import SPLITS, SplitBounds, split_bounds
from lstmcast.data.validate import Series, validate_frame
from lstmcast.data.windows import default_lookback, split_window_starts
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
    """Globally scaled values, float32, same shape as series.values."""
    starts: dict[str, np.ndarray]
    season_length: int


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
    if scaler is None:
        scaler = fit_scaler(series.values[train_first:train_end], experiment.scaling.method)
    return PreparedData(
        experiment=experiment,
        series=series,
        bounds=bounds,
        scaler=scaler,
        scaled=scaler.transform(series.values).astype(np.float32),
        starts=starts,
        season_length=season_length,
    )


def with_lookback(experiment: Experiment, season_length: int) -> tuple[Experiment, int]:
    """The experiment with windows.lookback set (by the default rule when the config left it
    out), and that lookback."""
    windows = experiment.windows
    if windows.lookback is not None:
        return experiment, windows.lookback
    lookback = default_lookback(windows.horizon, season_length)
    resolved = windows.model_copy(update={"lookback": lookback})
    return experiment.model_copy(update={"windows": resolved}), lookback


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
