"""Metrics against hand-computed values; baselines against a plain loop."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstmcast.evaluation import baselines
from lstmcast.evaluation.metrics import all_metrics, mape, mase, seasonal_naive_scale, smape

ACTUAL = np.array([[10.0, 20.0], [0.0, 40.0]])
FORECAST = np.array([[12.0, 18.0], [1.0, 40.0]])


def test_metrics_by_hand():
    got = all_metrics(ACTUAL, FORECAST, scale=2.0)
    assert got["mae"] == pytest.approx((2 + 2 + 1 + 0) / 4)
    assert got["rmse"] == pytest.approx(math.sqrt((4 + 4 + 1 + 0) / 4))
    # MAPE skips the zero actual: (2/10 + 2/20 + 0/40) / 3
    assert got["mape"] == pytest.approx(100 * (0.2 + 0.1 + 0.0) / 3)
    # sMAPE: 2|e| / (|a| + |f|) -> 4/22, 4/38, 2/1, 0/80
    assert got["smape"] == pytest.approx(100 * (4 / 22 + 4 / 38 + 2 + 0) / 4)
    assert got["mase"] == pytest.approx(1.25 / 2.0)


def test_metrics_per_horizon_step():
    per_step = all_metrics(ACTUAL, FORECAST, scale=1.0, axis=0)
    np.testing.assert_allclose(per_step["mae"], [1.5, 1.0])
    np.testing.assert_allclose(per_step["mape"], [20.0, 5.0])  # step 1 has one non-zero actual


def test_all_zero_actuals_make_mape_nan_and_smape_zero():
    zeros = np.zeros(4)
    assert math.isnan(mape(zeros, np.ones(4)))
    assert smape(zeros, zeros) == 0.0


def test_seasonal_naive_scale_by_hand():
    history = np.array([1.0, 2.0, 3.0, 5.0, 4.0, 8.0])
    # m=2: |3-1|, |5-2|, |4-3|, |8-5| -> 2, 3, 1, 3
    assert seasonal_naive_scale(history, 2) == pytest.approx(9 / 4)
    assert seasonal_naive_scale(history, 10) == pytest.approx(np.mean(np.abs(np.diff(history))))
    assert math.isnan(mase(np.ones(2), np.zeros(2), scale=seasonal_naive_scale(np.ones(1), 1)))


def test_baselines_match_a_loop():
    rng = np.random.default_rng(1)
    target = rng.normal(size=60)
    origins = np.array([10, 17, 33])
    horizon, m = 7, 4
    snaive = baselines.seasonal_naive(target, origins, horizon, m)
    naive = baselines.naive(target, origins, horizon)
    for row, origin in enumerate(origins):
        last_season = target[origin - m : origin]
        for step in range(horizon):
            assert snaive[row, step] == last_season[step % m]
            assert naive[row, step] == target[origin - 1]


def test_seasonal_naive_refuses_missing_history():
    with pytest.raises(ValueError, match="less than one season"):
        baselines.seasonal_naive(np.arange(10.0), np.array([2]), 3, 4)


def test_rmsse_and_bias_by_hand():
    from lstmcast.evaluation.metrics import bias, rmsse

    # squared errors 4, 4, 1, 0 -> MSE 9/4; over an in-sample MSE of 2.25 -> 1
    assert rmsse(ACTUAL, FORECAST, squared_scale=2.25) == pytest.approx(1.0)
    assert bias(ACTUAL, FORECAST) == pytest.approx((2 - 2 + 1 + 0) / 4)  # forecast - actual
    history = np.array([1.0, 2.0, 4.0, 8.0])
    assert seasonal_naive_scale(history, 2, power=2) == pytest.approx((9 + 36) / 2)


def test_interval_metrics_by_hand():
    from lstmcast.evaluation.metrics import interval_metrics

    actual = np.array([0.0, 5.0, 12.0, -3.0])
    lower, upper = np.full(4, 0.0), np.full(4, 10.0)
    got = interval_metrics(actual, lower, upper, level=80)
    assert got["coverage"] == pytest.approx(50.0)  # 0 and 5 inside (bounds count)
    assert got["width"] == pytest.approx(10.0)
    # Winkler: width + 2/0.2 * miss -> 10, 10, 10 + 10*2, 10 + 10*3
    assert got["winkler"] == pytest.approx((10 + 10 + 30 + 40) / 4)
    # pinball at 0.1 for lower, 0.9 for upper, each averaged over the actuals
    lower_loss = np.mean([0.0, 0.5, 1.2, 0.9 * 3])
    upper_loss = np.mean([0.1 * 10, 0.1 * 5, 0.9 * 2, 0.1 * 13])
    assert got["pinball"] == pytest.approx((lower_loss + upper_loss) / 2)


def test_drift_extends_the_line_through_first_and_last_value():
    target = np.array([0.0, 2.0, 4.0, 7.0, 9.0])
    got = baselines.drift(target, np.array([3, 5]), horizon=2)
    # origin row 2 (value 4): slope (4-0)/2 = 2 -> 6, 8; origin row 4 (9): slope 9/4
    np.testing.assert_allclose(got, [[6.0, 8.0], [9 + 9 / 4, 9 + 2 * 9 / 4]])


@pytest.mark.parametrize("block", [1, 3, 10_000])
def test_error_sums_give_every_metric_as_computed_whole(block):
    """Scoring sums errors a block of windows at a time; overall and per step, every metric
    must be what the plain whole-array functions give (zero actuals and zero pairs included)."""
    from lstmcast.evaluation.metrics import ErrorSums

    rng = np.random.default_rng(5)
    actual = rng.normal(size=(23, 4)) * 10
    forecast = actual + rng.normal(size=(23, 4))
    actual[[0, 5, 9], [1, 1, 3]] = 0.0
    forecast[5, 1] = 0.0  # both zero: a perfect sMAPE cell
    sums = ErrorSums.of(actual, forecast, block=block)
    for per_step, axis in [(False, None), (True, 0)]:
        got = sums.metrics(scale=1.7, squared_scale=2.9, per_step=per_step)
        expected = all_metrics(actual, forecast, scale=1.7, squared_scale=2.9, axis=axis)
        assert set(got) == set(expected)
        for name in expected:
            np.testing.assert_allclose(got[name], expected[name], rtol=1e-12, err_msg=name)
    assert sums.windows == 23


def test_every_metric_has_one_heading_in_its_order():
    from lstmcast.evaluation.metrics import METRICS
    from lstmcast.text import METRIC_HEADINGS

    assert tuple(METRIC_HEADINGS) == METRICS


@pytest.mark.parametrize("block", [1, 4, 10_000])
def test_interval_sums_give_every_interval_metric_as_computed_whole(block):
    """Bands are scored a block of windows at a time; overall and per step, every interval
    metric must be what interval_metrics gives over the whole arrays (an unbounded band too)."""
    from lstmcast.evaluation.metrics import IntervalSums, interval_metrics

    rng = np.random.default_rng(8)
    actual = rng.normal(size=(17, 3)) * 5
    point = actual + rng.normal(size=(17, 3)) * 3
    radius = np.array([1.0, 4.0, 2.5])
    lower, upper = point - radius, point + radius
    actual[2, 0] = lower[2, 0]  # on a bound: inside
    cells = lambda rows: (actual[rows], lower[rows], upper[rows])  # noqa: E731
    sums = IntervalSums.over(len(actual), cells, level=90, block=block)
    for per_step, axis in [(False, None), (True, 0)]:
        got = sums.metrics(per_step=per_step)
        expected = interval_metrics(actual, lower, upper, level=90, axis=axis)
        assert set(got) == set(expected)
        for name in expected:
            np.testing.assert_allclose(got[name], expected[name], rtol=1e-12, err_msg=name)
    unbounded = lambda rows: (actual[rows], point[rows] - np.inf, point[rows] + np.inf)  # noqa: E731
    wide = IntervalSums.over(len(actual), unbounded, level=80)
    assert wide.metrics()["coverage"] == 100.0 and np.isinf(wide.metrics()["width"])


def test_windows_scored_a_block_at_a_time_score_as_whole_arrays():
    """The test split's scores build the actuals, baselines and bands a block of windows at a
    time; over more windows than a block they must equal the scores of the whole arrays."""
    from lstmcast.evaluation.metrics import BLOCK_WINDOWS
    from lstmcast.evaluation.scoring import (
        LazyForecasts,
        Scales,
        score,
        score_band,
        score_interval,
        score_windows,
    )  # fmt: skip

    rng = np.random.default_rng(3)
    target = np.cumsum(rng.normal(size=BLOCK_WINDOWS + 900))
    target[[40, 5000, 9000]] = 0.0
    first_targets = np.arange(30, len(target) - 4)
    model = target[first_targets[:, None] + np.arange(4)] + rng.normal(size=(len(first_targets), 4))
    windows = LazyForecasts({"lstm": model}, target, first_targets, 4, 7)
    scales = Scales.of(target[:30], 7)
    whole = {method: windows[method] for method in windows}
    assert score_windows(windows, scales) == score(windows.actual(), whole, scales)
    radius = np.array([0.5, 1.0, 1.5, 2.0])
    assert score_band(windows, model, radius, level=80) == score_interval(
        windows.actual(), model - radius, model + radius, level=80
    )
    assert windows.zero_actuals() == int(np.sum(windows.actual() == 0)) > 0
