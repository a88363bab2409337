"""--as-of and --max-staleness against brute force, in every combination of zones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstmcast.data.freshness import check_fresh, rows_until
from lstmcast.errors import ConfigError, DataError, StaleInputError

STAMPS = pd.date_range("2024-03-30", periods=72, freq="h")
FRAME = pd.DataFrame({"timestamp": STAMPS.strftime("%Y-%m-%dT%H:%M:%S"), "load": range(72)})


@given(minutes=st.integers(0, 72 * 60 - 1))
def test_rows_until_keeps_exactly_the_rows_at_or_before_as_of(minutes):
    as_of = STAMPS[0] + pd.Timedelta(minutes=minutes)
    brute = sum(1 for stamp in STAMPS if stamp <= as_of)
    assert rows_until(FRAME, "timestamp", as_of, Path("x.csv")) == brute


def test_an_aware_as_of_is_compared_as_an_instant_with_aware_data():
    paris = pd.date_range("2024-03-30", periods=72, freq="h", tz="UTC").tz_convert("Europe/Paris")
    frame = FRAME.assign(timestamp=paris.strftime("%Y-%m-%dT%H:%M:%S%z"))  # +01:00, then +02:00
    as_of = pd.Timestamp("2024-03-31T10:00:00+00:00")  # 12:00 in Paris, summer time
    kept = rows_until(frame, "timestamp", as_of, Path("x.csv"), timezone="Europe/Paris")
    assert frame["timestamp"].iloc[kept - 1] == "2024-03-31T12:00:00+0200"
    with pytest.raises(DataError, match="changes UTC offset from \\+01:00 to \\+02:00 at line"):
        rows_until(frame, "timestamp", as_of, Path("x.csv"))  # without the zone: refused


def test_a_naive_as_of_is_the_wall_time_of_data_in_one_zone():
    india = pd.date_range("2024-03-30", periods=72, freq="h", tz="Asia/Kolkata")
    frame = FRAME.assign(timestamp=india.strftime("%Y-%m-%dT%H:%M:%S%z"))
    kept = rows_until(frame, "timestamp", pd.Timestamp("2024-03-31T12:00"), Path("x.csv"))
    assert frame["timestamp"].iloc[kept - 1] == "2024-03-31T12:00:00+0530"


def test_as_of_before_the_first_row_is_an_error():
    with pytest.raises(ConfigError, match="has no rows at or before it"):
        rows_until(FRAME, "timestamp", pd.Timestamp("2020-01-01"), Path("x.csv"))


@pytest.mark.parametrize(("hours", "stale"), [(2, False), (3, False), (4, True)])
def test_staleness_is_the_age_of_the_last_row_at_as_of(hours, stale):
    last = pd.Timestamp("2024-04-01T00:00")
    as_of = last + pd.Timedelta(hours=hours)
    if stale:
        with pytest.raises(StaleInputError, match="4 hours before --as-of"):
            check_fresh(last, max_staleness="3h", as_of=as_of, source=Path("x.csv"))
    else:
        check_fresh(last, max_staleness="3h", as_of=as_of, source=Path("x.csv"))


def test_without_as_of_staleness_is_measured_from_now():
    long_ago = pd.Timestamp("2001-01-01", tz="UTC")
    with pytest.raises(StaleInputError, match="before now"):
        check_fresh(long_ago, max_staleness="1 day", as_of=None, source=Path("x.csv"))
    check_fresh(pd.Timestamp.now(tz="UTC"), max_staleness="1 day", as_of=None, source=Path("x"))
