"""Business hours against brute-force references: which rows a session calendar keeps, refuses
or finds missing, and the timestamps after an origin, walked minute by minute."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmcast.config.sections.data import SessionsSection
from lstmcast.data.sessions import Sessions, detect_sessions
from lstmcast.data.timeline import Timeline
from lstmcast.data.validate import Rules, validate_frame
from lstmcast.errors import DataError
from tests.helpers.data import SAMPLE_DATA

CALL_CENTRE = Sessions.of(SessionsSection(days="Mon-Fri", open="07:00", close="21:00"))
STEP = pd.Timedelta(minutes=5)


def in_session(moment: pd.Timestamp, sessions: Sessions, holidays: set[date]) -> bool:
    """The reference: a weekday of the sessions, not a holiday, open to close included, on a
    step from the open."""
    since = moment - moment.normalize()
    return (
        moment.day_of_week in sessions.days
        and moment.date() not in holidays
        and sessions.open <= since <= sessions.close
        and (since - sessions.open) % STEP == pd.Timedelta(0)
    )


def walked(origin: pd.Timestamp, horizon: int, sessions: Sessions, holidays: set[date]) -> list:
    found, moment = [], origin
    while len(found) < horizon:
        moment += STEP
        if in_session(moment, sessions, holidays):
            found.append(moment)
    return found


@settings(max_examples=40)
@given(
    st.datetimes(pd.Timestamp("2024-01-01"), pd.Timestamp("2024-12-20")),
    st.integers(1, 400),
    st.sampled_from(["Mon-Fri", "Mon,Wed,Sat", "Sun-Thu"]),
    st.sets(st.dates(date(2024, 1, 1), date(2025, 1, 31)), max_size=5),
)
def test_future_rows_match_a_walk_through_the_clock(moment, horizon, days, holidays):
    sessions = Sessions.of(SessionsSection(days=days, open="07:00", close="21:00"))
    origin = pd.Timestamp(moment).floor("5min")
    timeline = Timeline.of("5min", sorted(holidays), sessions)
    got = timeline.future(origin, horizon)
    assert list(got) == walked(origin, horizon, sessions, holidays)


def test_after_a_friday_close_comes_the_monday_open():
    friday_close = pd.Timestamp("2003-12-19T21:00:00")
    got = Timeline.of("5min", None, CALL_CENTRE).future(friday_close, 170)
    assert got[0] == pd.Timestamp("2003-12-22T07:00:00")
    assert got[168] == pd.Timestamp("2003-12-22T21:00:00")
    assert got[169] == pd.Timestamp("2003-12-23T07:00:00")
    listed = Timeline.of("5min", [date(2003, 12, 22)], CALL_CENTRE).future(friday_close, 1)
    assert listed[0] == pd.Timestamp("2003-12-23T07:00:00")


def test_sessions_open_at_local_time_on_both_sides_of_a_daylight_saving_change():
    friday = pd.Timestamp("2024-03-29T21:00:00").tz_localize("Europe/Berlin")
    got = Timeline.of("5min", None, CALL_CENTRE).future(friday, 169 * 2)
    assert got[0].isoformat() == "2024-04-01T07:00:00+02:00"  # Monday, summer time
    assert got.tz is not None and str(got.tz) == "Europe/Berlin"


def test_rows_outside_the_sessions_match_the_reference():
    stamps = pd.date_range("2024-01-05", "2024-01-09", freq="5min")  # Friday to Tuesday
    mask = CALL_CENTRE.outside(stamps, STEP)
    brute = [not in_session(stamp, CALL_CENTRE, set()) for stamp in stamps]
    assert mask.tolist() == brute


def frame_of(stamps: pd.DatetimeIndex) -> pd.DataFrame:
    values = np.arange(len(stamps), dtype=float)
    return pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%S"), "y": values})


def sessions_rows(days: pd.DatetimeIndex) -> pd.DatetimeIndex:
    return CALL_CENTRE.grid(days, STEP)


def validate(frame: pd.DataFrame, **rules: object):
    settings = {"frequency": "5min", "sessions": CALL_CENTRE} | rules
    return validate_frame(
        frame, source=Path("calls.csv"), timestamp="timestamp", columns=["y"],
        rules=Rules(**settings),
    )  # fmt: skip


def test_an_absent_day_is_a_holiday_and_an_absent_step_a_missing_row():
    days = pd.bdate_range("2024-01-01", periods=10).delete(4)  # Friday 5th: a holiday
    stamps = sessions_rows(days)
    series = validate(frame_of(stamps))
    assert series.timestamps.equals(stamps) and series.frequency == "5min"
    with pytest.raises(DataError, match=r"1 row missing from the 5-minute sessions grid \("
                       r"2024-01-02T10:00:00\)"):  # fmt: skip
        validate(frame_of(stamps.delete(169 + 36)))
    filled = validate(frame_of(stamps.delete(169 + 36)), missing="interpolate")
    assert filled.timestamps.equals(stamps) and filled.values[169 + 36, 0] == 169 + 35.5


def test_listed_holidays_make_other_absent_days_missing_rows():
    days = pd.bdate_range("2024-01-01", periods=10).delete([4, 6])
    stamps = sessions_rows(days)
    with pytest.raises(DataError, match=r"169 rows missing .* \(2024-01-09T07:00:00"):
        validate(frame_of(stamps), holidays=[date(2024, 1, 5)])


def test_a_row_outside_business_hours_is_refused_naming_its_line():
    stamps = sessions_rows(pd.bdate_range("2024-01-01", periods=3))
    late = stamps.append(pd.DatetimeIndex(["2024-01-03T21:05:00"]))
    with pytest.raises(DataError, match=r"line 509 \(2024-01-03T21:05:00\) is outside the "
                       r"sessions Mon-Fri 07:00-21:00 every '5min'"):  # fmt: skip
        validate(frame_of(late))


def test_the_sessions_of_the_bank_calls_are_read_off_its_rows():
    frame = pd.read_csv(SAMPLE_DATA / "bank_calls_5min.csv")
    stamps = pd.DatetimeIndex(pd.to_datetime(frame["timestamp"]))
    found = detect_sessions(stamps, STEP)
    assert found is not None and found.describe() == "Mon-Fri 07:00-21:00"
    assert Timeline.of("5min", None, found).season_length() == 169
    clock = pd.date_range("2024-01-01", periods=500, freq="h")  # every hour of every day
    assert detect_sessions(clock, pd.Timedelta(hours=1)) is None


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        ({"open": "21:00", "close": "07:00"}, "must come after open"),
        ({"open": "7am", "close": "21:00"}, "is not a clock time"),
        ({"days": "Weekdays", "open": "07:00", "close": "21:00"}, "is not days such as"),
    ],
)
def test_sessions_settings_say_what_is_wrong(raw, error):
    with pytest.raises(ValueError, match=error):
        SessionsSection.model_validate(raw)


def test_an_unquoted_yaml_time_reads_as_that_time():
    section = SessionsSection.model_validate({"open": 420, "close": 1260})  # YAML 07:00, 21:00
    assert (section.open, section.close) == ("07:00", "21:00")
