"""Frequency inference, season lengths, and future timestamps against a brute-force reference."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmcast.data.frequency import (
    format_timestamps,
    frequency_name,
    infer_frequency,
    season_length_for,
)
from lstmcast.data.timeline import Timeline
from lstmcast.data.validate import Rules, same_grid, validate_frame
from lstmcast.errors import DataError


@pytest.mark.parametrize(
    ("freq", "season"),
    [
        ("30min", 48),
        ("h", 24),
        ("15min", 96),
        ("D", 7),
        ("B", 5),
        ("W-SAT", 52),
        ("MS", 12),
        ("ME", 12),
        ("QS", 4),
        ("YS", 1),
    ],
)
def test_season_length_for(freq, season):
    assert season_length_for(freq) == season


@pytest.mark.parametrize("freq", ["30min", "h", "D", "W-SAT", "MS", "QS-JAN"])
def test_inference_round_trips(freq):
    timestamps = pd.date_range("2020-01-04", periods=20, freq=freq)
    inferred = infer_frequency(timestamps)
    assert pd.date_range(timestamps[0], periods=20, freq=inferred).equals(timestamps)


def test_inference_survives_a_gap_for_fixed_steps():
    timestamps = pd.date_range("2020-01-01", periods=50, freq="30min").delete([7, 8, 30])
    assert infer_frequency(timestamps) == "30min"


def test_future_timestamps_fixed_step_brute_force():
    origin = pd.Timestamp("2024-03-30T23:30:00", tz="UTC")
    got = Timeline.of("30min").future(origin, 5)
    assert list(got) == [origin + pd.Timedelta(minutes=30 * k) for k in range(1, 6)]


def test_future_timestamps_month_starts_brute_force():
    got = Timeline.of("MS").future(pd.Timestamp("1960-11-01"), 4)
    expected = ["1960-12-01", "1961-01-01", "1961-02-01", "1961-03-01"]
    assert [stamp.strftime("%Y-%m-%d") for stamp in got] == expected


def test_future_timestamps_weekly_keep_the_weekday():
    got = Timeline.of("W-SAT").future(pd.Timestamp("2001-12-29"), 3)
    assert [stamp.day_name() for stamp in got] == ["Saturday"] * 3
    assert got[0] == pd.Timestamp("2002-01-05")


GRIDS = {  # a calendar frequency, the name people use, and its season
    "MS": ("monthly", 12),
    "QS-JAN": ("quarterly", 4),
    "W-SUN": ("weekly", 52),
    "B": ("business-day", 5),
    "h": ("hourly", 24),
    "30min": ("half-hourly", 48),
}


@settings(max_examples=60)
@given(
    st.sampled_from(sorted(GRIDS)),
    st.integers(30, 200),
    st.lists(st.integers(1, 10_000), max_size=6),
)
def test_a_few_absent_rows_leave_the_frequency_as_the_majority_of_steps_says(freq, rows, picks):
    """Brute force: the complete grid is known; dropping a few rows (never the ends, at most a
    sixth of them) must infer the same frequency, and validation must find exactly the dropped
    rows missing and fill them back."""
    grid = pd.date_range("2001-01-01", periods=rows, freq=freq)
    dropped = sorted({1 + pick % (rows - 2) for pick in picks})[: rows // 6]
    kept = grid.delete(dropped)
    assert infer_frequency(kept) == infer_frequency(grid)
    frame = pd.DataFrame({"timestamp": kept.strftime("%Y-%m-%dT%H:%M:%S"), "y": 1.0})
    rules = Rules(missing="interpolate", max_filled=0.5)
    series = validate_frame(frame, source=Path("s.csv"), timestamp="timestamp", columns=["y"],
                            rules=rules)  # fmt: skip
    if freq == "B":  # absent weekdays are holidays unless listed: nothing to fill
        assert series.timestamps.equals(kept)
    else:
        assert series.timestamps.equals(grid)


@pytest.mark.parametrize("freq", sorted(GRIDS))
def test_the_message_names_each_missing_row_on_the_grid_people_call_it(freq):
    name, season = GRIDS[freq]
    grid = pd.date_range("2001-01-01", periods=60, freq=freq)
    holidays = [grid[20].date()] if freq == "B" else None  # listed: other gaps are missing rows
    kept = grid.delete([7, 30, 31, 32, *([20] if freq == "B" else [])])
    frame = pd.DataFrame({"timestamp": kept.strftime("%Y-%m-%dT%H:%M:%S"), "y": 1.0})
    with pytest.raises(DataError) as raised:
        validate_frame(frame, source=Path("s.csv"), timestamp="timestamp", columns=["y"],
                       rules=Rules(holidays=holidays))  # fmt: skip
    shown = format_timestamps(grid[[7, 30, 31]])
    assert f"4 rows missing from the {name} grid ({', '.join(shown)} and 1 more); " in str(
        raised.value
    )
    assert "set data.missing: interpolate (or ffill) to fill them" in str(raised.value)
    assert Timeline.of(infer_frequency(kept)).season_length() == season


def test_one_missing_month_is_one_missing_row_not_another_grid():
    stamps = pd.date_range("1949-01-01", "1960-12-01", freq="MS")
    kept = stamps[stamps != pd.Timestamp("1955-08-01")]
    assert infer_frequency(kept) == "MS"
    frame = pd.DataFrame({"timestamp": kept.strftime("%Y-%m-%d"), "y": np.arange(143.0)})
    with pytest.raises(DataError, match=re.escape(
        "1 row missing from the monthly grid (1955-08-01); set data.missing: interpolate (or "
        "ffill) to fill it"
    )):  # fmt: skip
        validate_frame(frame, source=Path("s.csv"), timestamp="timestamp", columns=["y"],
                       rules=Rules())  # fmt: skip


@pytest.mark.parametrize(
    ("freq", "name"),
    [("MS", "monthly"), ("QS-OCT", "quarterly"), ("W-SUN", "weekly"), ("B", "business-day"),
     ("D", "daily"), ("h", "hourly"), ("30min", "half-hourly"), ("5min", "5-minute"),
     ("2h", "2-hour"), ("none", "row")],
)  # fmt: skip
def test_frequency_names(freq, name):
    assert frequency_name(freq) == name


def test_the_same_grid_under_two_spellings_is_one_grid():
    assert same_grid("QS-JAN", "QS-OCT", pd.Timestamp("2000-01-01"))
    assert not same_grid("MS", "QS-JAN", pd.Timestamp("2000-01-01"))
