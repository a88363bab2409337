"""Frequency inference, season lengths, and future timestamps against a brute-force reference."""

from __future__ import annotations

import pandas as pd
import pytest

from lstmcast.data.frequency import infer_frequency, season_length_for
from lstmcast.data.timeline import Timeline


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
