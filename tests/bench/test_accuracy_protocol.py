"""The accuracy benchmark's own protocol, against brute force: origins, baselines, metrics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bench.accuracy.baselines import baseline
from bench.accuracy.keras_lstm import _windows
from bench.accuracy.scoring import geometric_mean, score, seasonal_naive_scale
from bench.accuracy.suite import SUITE, SeriesSpec, Task, load_task


def toy_task(rows=60, horizon=5, windows=3, m=4) -> Task:
    spec = SeriesSpec("toy", "-", "y", "D", m, horizon, windows, 10)
    stamps = pd.date_range("2024-01-01", periods=rows, freq="D")
    return Task(spec, stamps, np.random.default_rng(0).normal(size=rows).cumsum())


def test_origins_cut_the_last_w_times_h_points_into_non_overlapping_forecasts():
    task = toy_task()
    assert task.history_end == 60 - 15
    np.testing.assert_array_equal(task.origins, [44, 49, 54])
    expected = np.array([[task.values[o + h] for h in range(1, 6)] for o in task.origins])
    np.testing.assert_array_equal(task.actuals(), expected)


def test_baselines_match_brute_force_and_read_nothing_after_the_origin():
    task = toy_task()
    m, horizon = task.spec.season_length, task.spec.horizon
    for row, origin in enumerate(task.origins):
        history = task.values[: origin + 1]  # everything a method may see
        naive = [history[-1]] * horizon
        seasonal = [history[len(history) - m + (h % m)] for h in range(horizon)]
        np.testing.assert_array_equal(baseline(task, "naive")[row], naive)
        np.testing.assert_array_equal(baseline(task, "seasonal_naive")[row], seasonal)


def test_keras_reference_inputs_end_at_the_origin():
    values = np.arange(100.0)
    inputs, targets = _windows(values, np.array([30, 50]), lookback=8, horizon=3)
    assert inputs[:, -1, 0].tolist() == [29, 49]
    assert targets[:, 0].tolist() == [30, 50]


def test_metrics_match_their_definitions():
    actual = np.array([[1.0, 2.0], [3.0, 0.0]])
    forecast = np.array([[2.0, 2.0], [1.0, 0.0]])
    scores = score(actual, forecast, scale=0.5)
    assert scores["mae"] == pytest.approx(3 / 4)
    assert scores["rmse"] == pytest.approx(np.sqrt(5 / 4))
    assert scores["smape"] == pytest.approx(100 * (2 / 3 + 0 + 1 + 0) / 4)  # 0/0 counts as 0
    assert scores["mase"] == pytest.approx(1.5)
    assert seasonal_naive_scale(np.array([1.0, 2.0, 4.0, 8.0]), 2) == pytest.approx(4.5)
    assert geometric_mean([0.5, 2.0]) == pytest.approx(1.0)


@pytest.mark.parametrize("spec", SUITE, ids=lambda spec: spec.name)
def test_every_suite_series_loads_on_a_regular_grid_without_gaps(spec):
    task = load_task(spec)
    assert not np.isnan(task.values).any()
    steps = pd.Series(task.timestamps).diff().dropna().unique()
    assert len(steps) == 1 or spec.frequency in ("MS", "QS")
    assert task.history_end - spec.validation > 2 * spec.horizon + 2 * spec.season_length
