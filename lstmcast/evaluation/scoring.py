"""Forecasts scored beside the baselines on the same cells, one way for evaluate and backtest.

`first_targets` are the row indices of each forecast's first target step (origin + 1); every
baseline reads only rows before it. Scales for MASE and RMSSE come from the training rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmcast.evaluation import baselines
from lstmcast.evaluation.metrics import all_metrics, interval_metrics, seasonal_naive_scale


@dataclass(frozen=True)
class Scales:
    """In-sample seasonal-naive errors of the training rows: MAE (MASE's scale) and MSE
    (RMSSE's)."""

    mae: float
    mse: float

    @classmethod
    def of(cls, history: np.ndarray, season_length: int) -> Scales:
        return cls(
            seasonal_naive_scale(history, season_length),
            seasonal_naive_scale(history, season_length, power=2),
        )


def baseline_forecasts(
    target: np.ndarray, first_targets: np.ndarray, horizon: int, season_length: int
) -> dict[str, np.ndarray]:
    """Naive, seasonal naive and drift for the windows whose first target rows are given."""
    return {
        "naive": baselines.naive(target, first_targets, horizon),
        "seasonal_naive": baselines.seasonal_naive(target, first_targets, horizon, season_length),
        "drift": baselines.drift(target, first_targets, horizon),
    }


def score(
    actual: np.ndarray, forecasts: dict[str, np.ndarray], scales: Scales
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, list[float]]]]:
    """(method -> metric -> value over every cell, method -> metric -> value per step)."""
    overall, per_step = {}, {}
    for method, predicted in forecasts.items():
        kwargs = {"scale": scales.mae, "squared_scale": scales.mse}
        overall[method] = rounded(all_metrics(actual, predicted, **kwargs))
        per_step[method] = rounded(all_metrics(actual, predicted, **kwargs, axis=0))
    return overall, per_step


def skill(overall: dict[str, dict[str, float]], model: str) -> float:
    """1 - MASE(model) / MASE(seasonal naive): above 0 the model beats seasonal naive by that
    share of its error; NaN when seasonal naive's MASE is 0 or undefined."""
    baseline = overall["seasonal_naive"]["mase"]
    if not baseline or baseline != baseline:
        return float("nan")
    return round(1.0 - overall[model]["mase"] / baseline, 6)


def score_intervals(
    actual: np.ndarray, bounds: dict[int, tuple[np.ndarray, np.ndarray]]
) -> dict[str, dict[str, Any]]:
    """level -> coverage, width, pinball, winkler overall, and coverage per step."""
    scored = {}
    for level, (lower, upper) in bounds.items():
        metrics = rounded(interval_metrics(actual, lower, upper, level=level))
        steps = rounded(interval_metrics(actual, lower, upper, level=level, axis=0))
        scored[str(level)] = {**metrics, "coverage_per_step": steps["coverage"]}
    return scored


def rounded(metrics: dict[str, np.ndarray]) -> dict[str, Any]:
    """Seven significant digits (never 0 for a tiny error: series in 1e-9 units exist);
    arrays become lists (JSON, and tables a person reads)."""
    return {
        name: [_significant(v) for v in np.ravel(value)] if np.ndim(value) else _significant(value)
        for name, value in metrics.items()
    }


def _significant(value: Any) -> float:
    return float(f"{float(value):.7g}")
