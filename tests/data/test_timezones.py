"""Local time with daylight saving: timestamps in a zone, checked against brute-force references
built from UTC, across both changes of a year, hourly and half-hourly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstmcast.data.calendar import calendar_features
from lstmcast.data.timeline import Timeline
from lstmcast.data.timezones import candidate_zones, written_offsets
from lstmcast.data.validate import Rules, validate_frame
from lstmcast.errors import DataError

SOURCE = Path("local.csv")
CHANGES = {  # the two changes of 2024 in each zone (local dates)
    "Europe/Berlin": ("2024-03-31", "2024-10-27"),
    "America/New_York": ("2024-03-10", "2024-11-03"),
    "Australia/Melbourne": ("2024-04-07", "2024-10-06"),
}


def local_frame(zone: str, freq: str, start: str, end: str) -> pd.DataFrame:
    """Every step between two instants, written as local time with its offset: what a meter
    or a SCADA export in that zone writes."""
    utc = pd.date_range(start, end, freq=freq, tz="UTC", inclusive="left")
    local = utc.tz_convert(zone)
    text = [stamp.isoformat() for stamp in local]
    return pd.DataFrame({"timestamp": text, "y": np.arange(len(utc), dtype=float)})


def validate(frame: pd.DataFrame, **rules: object):
    return validate_frame(
        frame, source=SOURCE, timestamp="timestamp", columns=["y"], rules=Rules(**rules)
    )


@pytest.mark.parametrize("zone", sorted(CHANGES))
@pytest.mark.parametrize("freq", ["h", "30min"])
@pytest.mark.parametrize("change", [0, 1])
def test_both_changes_of_a_year_keep_every_instant_and_local_time(zone, freq, change):
    day = pd.Timestamp(CHANGES[zone][change])
    frame = local_frame(
        zone, freq, str(day - pd.Timedelta(days=3)), str(day + pd.Timedelta(days=3))
    )
    series = validate(frame, timezone=zone)
    expected = pd.date_range(
        day - pd.Timedelta(days=3), day + pd.Timedelta(days=3), freq=freq, tz="UTC",
        inclusive="left",
    ).tz_convert(zone)  # fmt: skip
    assert series.timestamps.equals(expected)  # 23- or 25-hour day: no row missing or extra
    assert str(series.timestamps.tz) == zone
    np.testing.assert_array_equal(series.values[:, 0], np.arange(len(expected)))
    assert [stamp.isoformat() for stamp in series.timestamps] == frame["timestamp"].tolist()


@pytest.mark.parametrize("zone", sorted(CHANGES))
@pytest.mark.parametrize("freq", ["h", "30min"])
def test_future_steps_across_a_change_match_utc_steps(zone, freq):
    for day in CHANGES[zone]:
        origin = (pd.Timestamp(day) - pd.Timedelta(hours=2)).tz_localize(zone)
        got = Timeline.of(freq).future(origin, 12)
        utc = origin.tz_convert("UTC")
        step = pd.Timedelta(freq if freq != "h" else "1h")
        brute = [(utc + k * step).tz_convert(zone) for k in range(1, 13)]
        assert list(got) == brute


def test_a_missing_hour_is_found_in_absolute_time_not_local():
    frame = local_frame("Europe/Berlin", "h", "2024-03-29", "2024-04-02")
    series = validate(frame, timezone="Europe/Berlin")  # 02:00 on 31 March does not exist
    assert series.num_rows == 4 * 24
    with pytest.raises(DataError, match=r"1 row missing from the hourly grid \(2024-03-31T03:00"):
        validate(frame.drop(index=frame.index[49]), timezone="Europe/Berlin")


def test_the_daily_season_reads_local_hours():
    frame = local_frame("Europe/Berlin", "h", "2024-03-30", "2024-04-01")
    series = validate(frame, timezone="Europe/Berlin")
    hours = calendar_features(series.timestamps, ["hour"])
    brute = np.array([stamp.hour for stamp in series.timestamps])
    np.testing.assert_allclose(hours[:, 0], np.sin(2 * np.pi * brute / 24), atol=1e-6)
    assert brute[0] == 1 and 2 not in brute[24:30]  # 00:00 UTC is 01:00 in Berlin


def test_changing_offsets_without_a_zone_are_refused_naming_one():
    frame = local_frame("Europe/Berlin", "h", "2024-03-30", "2024-04-01")
    with pytest.raises(DataError) as raised:
        validate(frame)
    message = str(raised.value)
    assert "changes UTC offset from +01:00 to +02:00 at line 27" in message
    assert "set data.timezone to the zone the times are in (e.g. Europe/Berlin)" in message


def test_naive_times_and_other_offsets_are_refused_for_a_zone_never_shifted():
    frame = local_frame("Europe/Berlin", "h", "2024-01-01", "2024-01-03")
    naive = frame.assign(timestamp=frame["timestamp"].str[:19])
    with pytest.raises(DataError, match="has no UTC offsets, but data.timezone is"):
        validate(naive, timezone="Europe/Berlin")
    utc = frame.assign(
        timestamp=pd.to_datetime(frame["timestamp"], utc=True).map(pd.Timestamp.isoformat)
    )
    with pytest.raises(DataError, match=r"line 2 \(.*\+00:00\) is written with offset \+00:00, but "
                       r"Europe/Berlin is at \+01:00 then"):  # fmt: skip
        validate(utc, timezone="Europe/Berlin")


def test_written_offsets_read_every_spelling():
    text = pd.Series(["2024-01-01T00:00:00Z", "2024-01-01T00:00:00+0530", "2024-01-01T00:00-03:00",
                      "2024-01-01T00:00:00", "2024-01-01T00:00:00+01"])  # fmt: skip
    np.testing.assert_array_equal(written_offsets(text), [0, 19800, -10800, np.nan, 3600])


def test_init_proposes_a_zone_that_fits_every_offset():
    frame = local_frame("America/New_York", "h", "2024-03-01", "2024-12-01")
    utc = pd.DatetimeIndex(pd.to_datetime(frame["timestamp"], utc=True))
    zones = candidate_zones(utc, written_offsets(frame["timestamp"]))
    assert zones[0] == "America/New_York" and "Europe/Berlin" not in zones
