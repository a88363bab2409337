"""Live accuracy against a brute-force join of the forecast log with the actuals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstmcast.data.validate import Series
from lstmcast.evaluation.live import (
    ExpectedError,
    LiveCells,
    default_bucket,
    live_cells,
    live_report,
)


def actuals(rows: int, freq: str = "h") -> Series:
    stamps = pd.date_range("2024-01-01", periods=rows, freq=freq)
    values = np.random.default_rng(rows).normal(size=(rows, 1)).cumsum(axis=0)
    return Series(stamps, values, ["load"], freq, Path("actuals.csv"))


def log_of(series: Series, origins: list[int], horizon: int) -> pd.DataFrame:
    rows = [
        {"run_id": "r", "origin": series.timestamps[o].isoformat(), "step": h, "forecast": o + h}
        for o in origins
        for h in range(1, horizon + 1)
    ]
    return pd.DataFrame(rows)


@given(
    origins=st.lists(st.integers(0, 79), min_size=1, max_size=12),
    horizon=st.integers(1, 6),
    season=st.integers(1, 8),
)
def test_cells_match_a_brute_force_join(origins, horizon, season):
    series = actuals(80)
    test_mae = list(np.arange(1, horizon + 1, dtype=float))
    cells = live_cells(
        log_of(series, origins, horizon), series, season_length=season,
        test=ExpectedError(test_mae, 1.0),
    ).frame  # fmt: skip
    expected = []
    y = series.values[:, 0]
    for o in origins:  # the issued step h from origin o is h rows later; its baselines:
        for h in range(1, horizon + 1):
            seasonal = o - season + 1 + (h - 1) % season  # the same phase, one season back
            if o + h < 80 and seasonal >= 0:
                expected.append((o + h, y[o + h], y[o], y[seasonal], float(h)))
    got = list(zip(cells["forecast"], cells["actual"], cells["naive"],
                   cells["seasonal_naive"], cells["test_mae"], strict=True))  # fmt: skip
    assert got == expected


def test_an_actual_is_never_taken_from_before_its_target_or_after_it():
    series = actuals(30)
    log = log_of(series, [10], 3)
    cells = live_cells(log, series, season_length=1, test=ExpectedError([1.0] * 3, 1.0)).frame
    y = series.values[:, 0]
    assert cells["actual"].tolist() == [y[11], y[12], y[13]]
    assert cells["naive"].tolist() == [y[10]] * 3  # known at the origin, nothing later


def test_drift_is_flagged_only_when_the_last_buckets_all_exceed_the_margin():
    series = actuals(24 * 21)
    origins = list(range(24, 24 * 20, 24))
    log = log_of(series, origins, 1)
    y = series.values[:, 0]
    errors = np.where(np.arange(len(origins)) < 12, 1.0, 3.0)  # worse in the last week
    log["forecast"] = [y[o + 1] + e for o, e in zip(origins, errors, strict=True)]
    cells = live_cells(log, series, season_length=1, test=ExpectedError([1.0], 1.0))
    report = live_report(cells, bucket="week", drift_margin=0.25)
    assert report["drift"]["drifting"]
    assert list(report["per_bucket"].values())[-1]["live_over_test"] == pytest.approx(3.0)
    calm = live_report(cells, bucket="week", drift_margin=5.0)
    assert not calm["drift"]["drifting"]


def test_many_series_pool_on_each_series_scale_and_are_judged_one_by_one():
    """Two series, one a thousand times the other's size: pooled, each counts by its MASE
    (not by its units); only the one whose error grew is flagged."""
    series = actuals(24 * 21)
    origins = list(range(24, 24 * 20, 24))
    y = series.values[:, 0]
    parts = []
    for sid, size, worse in (("small", 1.0, 1.0), ("large", 1000.0, 4.0)):
        scaled = Series(series.timestamps, series.values * size, ["load"], "h", series.source)
        log = log_of(scaled, origins, 1)
        errors = np.where(np.arange(len(origins)) < 12, 1.0, worse) * size
        log["forecast"] = [size * y[o + 1] + e for o, e in zip(origins, errors, strict=True)]
        test = ExpectedError([size], mase_scale=2.0 * size)
        parts.append(live_cells(log, scaled, season_length=1, test=test, series_id=sid))
    report = live_report(LiveCells.joined(parts), bucket="week", keyed=True)
    assert report["drifting_series"] == ["large"]
    assert "mae" not in report["overall"]  # pooled over units that differ: MASE only
    mean_mase = np.mean([s["mase"] for s in report["per_series"].values()])
    assert report["overall"]["mase"] == pytest.approx(mean_mase)  # equal cells per series
    assert report["per_series"]["small"]["mase"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("frequency", "bucket"),
    [("30min", "day"), ("h", "day"), ("5min", "day"), ("none", "day"), ("D", "week"),
     ("B", "week"), ("W-SUN", "week"), ("MS", "month"), ("QS-JAN", "quarter"), ("YS", "year")],
)  # fmt: skip
def test_live_scores_are_bucketed_by_the_data_s_own_cycle(frequency, bucket):
    assert default_bucket(frequency) == bucket
