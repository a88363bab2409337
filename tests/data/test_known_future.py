"""Calendar features, known-future windows and stateful window order against brute force."""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from lstmcast.data.calendar import calendar_columns, calendar_features
from lstmcast.data.windows import stateful_starts, window_dataset

NAMES = ["minute", "hour", "day_of_week", "day_of_month", "day_of_year", "month"]


def phase(stamp: datetime, name: str) -> float:
    if name == "minute":
        return stamp.minute / 60
    if name == "hour":
        return (stamp.hour + stamp.minute / 60) / 24
    if name == "day_of_week":
        return stamp.weekday() / 7
    if name == "day_of_month":
        days = (pd.Timestamp(stamp) + pd.offsets.MonthEnd(0)).day
        return (stamp.day - 1) / days
    if name == "day_of_year":
        leap = stamp.year % 4 == 0 and (stamp.year % 100 != 0 or stamp.year % 400 == 0)
        return (stamp.timetuple().tm_yday - 1) / (366 if leap else 365)
    return (stamp.month - 1) / 12


def test_calendar_features_against_brute_force():
    timestamps = pd.date_range("2023-12-30 22:45", periods=500, freq="97min")
    features = calendar_features(timestamps, NAMES)
    assert calendar_columns(["hour"]) == ["hour_sin", "hour_cos"]
    for row, stamp in enumerate(timestamps.to_pydatetime()):
        expected = []
        for name in NAMES:
            angle = 2 * math.pi * phase(stamp, name)
            expected += [math.sin(angle), math.cos(angle)]
        np.testing.assert_allclose(features[row], expected, atol=1e-6)


def test_calendar_features_are_cyclic():
    """23:30 sits next to 00:00; 12:00 is opposite."""
    hours = calendar_features(
        pd.DatetimeIndex(["2024-01-01 23:30", "2024-01-02 00:00", "2024-01-02 12:00"]), ["hour"]
    )
    assert np.linalg.norm(hours[0] - hours[1]) < 0.14
    np.testing.assert_allclose(hours[2], [0, -1], atol=1e-6)


@pytest.mark.parametrize("known", [1, 3])
def test_future_inputs_are_the_known_columns_over_the_target_steps_only(known):
    """Observed columns hold negative markers, known columns positive: the 'future' block
    equals the known columns at the target rows and holds no observed value."""
    rows, columns, lookback, horizon = 40, 5, 6, 3
    table = -np.arange(rows * columns, dtype=np.float32).reshape(rows, columns) - 1
    table[:, -known:] *= -1
    starts = np.array([0, 7, 31])
    batch = next(
        iter(
            window_dataset(
                table, starts, lookback=lookback, horizon=horizon, batch_size=8, known=known
            )
        )
    )
    inputs, targets = batch
    for index, start in enumerate(starts):
        np.testing.assert_array_equal(inputs["window"][index], table[start : start + lookback])
        future_rows = table[start + lookback : start + lookback + horizon]
        np.testing.assert_array_equal(inputs["future"][index], future_rows[:, -known:])
        np.testing.assert_array_equal(targets[index], future_rows[:, 0])
    assert (np.asarray(inputs["future"]) > 0).all()


@pytest.mark.parametrize(
    ("end", "lookback", "horizon", "streams"),
    [
        (20, 4, 1, 2),
        (100, 7, 3, 5),
        (50, 10, 10, 2),
        (9, 4, 2, 3),
    ],
)
def test_stateful_starts_against_brute_force(end, lookback, horizon, streams):
    part = end // streams
    batches = []
    position = 0
    while position + lookback + horizon <= part:
        batches.append([stream * part + position for stream in range(streams)])
        position += lookback
    expected = np.array(batches, dtype=np.int64).ravel()
    starts = stateful_starts(end, lookback=lookback, horizon=horizon, streams=streams)
    np.testing.assert_array_equal(starts, expected)
    if len(starts):
        assert (starts + lookback + horizon).max() <= end  # targets stay in the part given
        windows = starts.reshape(-1, streams)
        assert (np.diff(windows, axis=0) == lookback).all()  # row i continues row i


def test_a_missing_known_column_is_named_as_data_known(tmp_path):
    from lstmcast.config.sections.data import DataSection
    from lstmcast.data.prepare import load_series
    from lstmcast.errors import ConfigError

    csv = tmp_path / "series.csv"
    csv.write_text("timestamp,load\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n")
    section = DataSection(path=csv, target="load", known=["holiday"])
    with pytest.raises(ConfigError, match=r"^data.known: column 'holiday' is not in"):
        load_series(section)


def test_every_calendar_choice_of_the_schema_has_a_phase():
    from typing import get_args

    from lstmcast.config.sections.data import CalendarFeature
    from lstmcast.data import calendar

    assert list(calendar._PHASES) == list(get_args(CalendarFeature))
