"""Steps on each calendar against brute-force references: the timestamps after an origin, which
rows validation keeps, refuses or fills, and windows that count rows, never clock time."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstmcast.data.frequency import infer_frequency, season_length_for
from lstmcast.data.split import split_bounds
from lstmcast.data.timeline import Timeline
from lstmcast.data.validate import Rules, validate_frame
from lstmcast.data.windows import split_window_starts
from lstmcast.errors import DataError

SOURCE = Path("series.csv")


def frame_of(stamps, values=None) -> pd.DataFrame:
    stamps = pd.DatetimeIndex(stamps)
    values = np.arange(len(stamps), dtype=float) if values is None else values
    return pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%S"), "y": values})


def validate(frame: pd.DataFrame, **options):
    rules = Rules(**options)
    return validate_frame(frame, source=SOURCE, timestamp="timestamp", columns=["y"], rules=rules)


def next_business_days(origin: date, horizon: int, holidays: set[date]) -> list[date]:
    """The brute-force reference: walk one calendar day at a time."""
    days, day = [], origin
    while len(days) < horizon:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in holidays:
            days.append(day)
    return days


@given(
    st.dates(date(2000, 1, 3), date(2030, 12, 31)).filter(lambda day: day.weekday() < 5),
    st.integers(1, 30),
    st.sets(st.integers(1, 45), max_size=6),
)
def test_business_day_future_matches_brute_force(origin, horizon, offsets):
    holidays = {origin + timedelta(days=offset) for offset in offsets}
    timeline = Timeline.of("B", sorted(holidays))
    got = timeline.future(pd.Timestamp(origin), horizon)
    assert [stamp.date() for stamp in got] == next_business_days(origin, horizon, holidays)


def test_business_days_keep_the_time_of_day_and_the_time_zone():
    origin = pd.Timestamp("2024-03-28T16:00:00Z")  # Thursday; Friday listed as a holiday
    got = Timeline.of("B", [date(2024, 3, 29)]).future(origin, 2)
    assert [stamp.isoformat() for stamp in got] == [
        "2024-04-01T16:00:00+00:00",
        "2024-04-02T16:00:00+00:00",
    ]


def test_rows_have_no_future_timestamps():
    assert Timeline.of("none").future(pd.Timestamp("2024-01-01"), 3) is None
    assert season_length_for("none") == 1 and season_length_for("B") == 5


def trading_days(start: str, count: int, holidays: set[str]) -> pd.DatetimeIndex:
    days = pd.bdate_range(start, periods=count + len(holidays))
    return days[~days.isin(pd.DatetimeIndex(sorted(holidays)))][:count]


def test_trading_days_are_inferred_as_business_days_and_kept_as_they_are():
    stamps = trading_days("2024-01-01", 60, {"2024-01-15", "2024-02-19"})
    frame = frame_of(stamps)
    assert infer_frequency(stamps) == "B"
    series = validate(frame)
    assert series.frequency == "B"
    assert series.timestamps.equals(stamps)  # no holiday invented, no weekend added
    np.testing.assert_array_equal(series.values[:, 0], np.arange(60))


def test_a_weekend_row_is_refused_on_business_days_naming_its_line():
    stamps = trading_days("2024-01-01", 20, set()).append(pd.DatetimeIndex(["2024-02-03"]))
    with pytest.raises(DataError, match=r"line 22 \(2024-02-03\) is a Saturday"):
        validate(frame_of(stamps), frequency="B")


def test_listed_holidays_make_other_absent_weekdays_missing_rows():
    holidays = [date(2024, 1, 15)]
    stamps = trading_days("2024-01-01", 30, {"2024-01-15", "2024-01-22"})  # 22nd: data lost
    with pytest.raises(DataError, match=r"1 row missing from the business-day grid \(2024-01-22\)"):
        validate(frame_of(stamps), frequency="B", holidays=holidays)
    filled = validate(frame_of(stamps), frequency="B", holidays=holidays, missing="interpolate")
    assert pd.Timestamp("2024-01-22") in filled.timestamps
    assert pd.Timestamp("2024-01-15") not in filled.timestamps  # a listed holiday stays a gap
    with pytest.raises(DataError, match="is a listed holiday"):
        validate(frame_of(stamps), frequency="B", holidays=[date(2024, 1, 23)])


def test_rows_are_steps_whatever_the_time_between_them():
    """Business hours: 3 rows a day, nights absent; interpolation fills a cell by rows."""
    days = pd.bdate_range("2024-01-01", periods=5)
    stamps = pd.DatetimeIndex([day + pd.Timedelta(hours=h) for day in days for h in (9, 10, 11)])
    values = np.arange(15, dtype=float)
    values[4] = np.nan
    series = validate(frame_of(stamps, values), frequency="none", missing="interpolate")
    assert series.timestamps.equals(stamps) and series.frequency == "none"
    assert series.values[4, 0] == 4.0  # halfway between its neighbouring rows, not by time


def test_interpolating_more_than_max_filled_is_refused_with_the_calendar_that_fits():
    days = pd.bdate_range("2024-01-01", periods=10)
    stamps = pd.DatetimeIndex([day + pd.Timedelta(hours=h) for day in days for h in range(8, 18)])
    with pytest.raises(DataError) as raised:
        validate(frame_of(stamps), frequency="h", missing="interpolate")
    message = str(raised.value)
    assert re.search(r"174 rows missing .* would invent [\d.]+% of the grid", message)
    assert "data.sessions: {days: Mon-Fri, open: '08:00', close: '17:00'}" in message
    with pytest.raises(DataError, match="data.frequency: B"):
        validate(frame_of(trading_days("2024-01-01", 40, set())), frequency="D")


@given(st.integers(30, 200), st.integers(1, 8), st.integers(1, 5), st.integers(1, 3))
def test_windows_on_business_days_count_rows_not_days(rows, lookback, horizon, stride):
    """Every window is lookback + horizon consecutive rows of the series: on business days a
    window over a weekend spans more calendar days, never more steps."""
    stamps = trading_days("2024-01-01", rows, {"2024-01-15", "2024-05-27"})
    bounds = split_bounds(stamps, validation=0.2, test=0.2)
    starts = split_window_starts(bounds, lookback=lookback, horizon=horizon, stride=stride)
    for split, chosen in starts.items():
        first, end = bounds.rows(split)
        expected = [
            s
            for s in range(0, rows - lookback - horizon + 1)
            if first <= s + lookback and s + lookback + horizon <= end
        ]
        expected = expected[::stride] if split == "train" else expected
        assert chosen.tolist() == expected
