"""Split-conformal intervals against a brute-force rank, and their coverage on exchangeable
data at least the nominal level (the finite-sample guarantee)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstmcast.evaluation.intervals import ConformalIntervals, calibrate


@given(st.integers(1, 60), st.sampled_from([50, 80, 90, 95]), st.integers(0, 10_000))
def test_radius_is_the_corrected_rank_of_the_residuals(count, level, seed):
    rng = np.random.default_rng(seed)
    actual, predicted = rng.normal(size=(count, 3)), rng.normal(size=(count, 3))
    got = calibrate(actual, predicted, [level], source="validation").radius[level]
    for step in range(3):
        residuals = sorted(abs(actual[:, step] - predicted[:, step]))
        rank = math.ceil((count + 1) * level / 100 - 1e-9)
        expected = residuals[rank - 1] if rank <= count else math.inf
        assert got[step] == expected


def test_coverage_is_at_least_nominal_on_exchangeable_windows():
    rng = np.random.default_rng(0)
    hits = {80: [], 95: []}
    for _ in range(300):
        errors = rng.standard_t(df=3, size=(41, 2))  # 40 to calibrate, 1 to test
        intervals = calibrate(errors[:40], np.zeros((40, 2)), [80, 95], source="validation")
        for level, (lower, upper) in intervals.bounds(np.zeros(2)).items():
            hits[level].append(((errors[40] >= lower) & (errors[40] <= upper)).mean())
    assert np.mean(hits[80]) >= 0.80 - 0.03 and np.mean(hits[95]) >= 0.95 - 0.02


def test_too_few_windows_give_an_unbounded_band_and_a_warning():
    intervals = calibrate(np.arange(10.0)[:, None], np.zeros((10, 1)), [80, 95], source="v")
    assert np.isfinite(intervals.radius[80]).all() and np.isinf(intervals.radius[95]).all()
    (warning,) = intervals.warnings()
    assert "10 validation windows are too few to calibrate a 95% band (calibration needs 19)" in (
        warning
    )


def test_round_trip_through_json_keeps_infinite_bands():
    intervals = calibrate(np.arange(10.0)[:, None], np.zeros((10, 1)), [80, 95], source="v")
    again = ConformalIntervals.from_dict(intervals.to_dict())
    assert again.levels == (80, 95)
    np.testing.assert_array_equal(again.radius[95], [np.inf])
    assert again.columns(np.array([1.0]))["upper_80"] == pytest.approx(1 + intervals.radius[80])
