"""Forecasts scored beside the baselines on the same cells, one way for evaluate and backtest.

`first_targets` are the row indices of each forecast's first target step (origin + 1); every
baseline reads only rows before it. Scales for MASE and RMSSE come from the training rows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmcast.evaluation import baselines
from lstmcast.evaluation.metrics import ErrorSums, interval_metrics, seasonal_naive_scale


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


BASELINES = ("naive", "seasonal_naive", "drift")


def baseline_forecasts(
    target: np.ndarray, first_targets: np.ndarray, horizon: int, season_length: int
) -> dict[str, np.ndarray]:
    """Naive, seasonal naive and drift for the windows whose first target rows are given."""
    return {
        name: baseline_forecast(name, target, first_targets, horizon, season_length)
        for name in BASELINES
    }


@dataclass(frozen=True)
class LazyForecasts(Mapping[str, np.ndarray]):
    """The given forecasts, then BASELINES, each baseline built when it is read and not kept:
    on 250,000 test windows of 48 steps each baseline is 96 MB."""

    given: Mapping[str, np.ndarray]
    target: np.ndarray
    first_targets: np.ndarray
    horizon: int
    season_length: int

    def __getitem__(self, method: str) -> np.ndarray:
        if method in self.given:
            return self.given[method]
        if method not in BASELINES:
            raise KeyError(method)
        return baseline_forecast(
            method, self.target, self.first_targets, self.horizon, self.season_length
        )

    def __iter__(self) -> Iterator[str]:
        return iter([*self.given, *BASELINES])

    def __len__(self) -> int:
        return len(self.given) + len(BASELINES)


def baseline_forecast(
    name: str, target: np.ndarray, first_targets: np.ndarray, horizon: int, season_length: int
) -> np.ndarray:
    """One of BASELINES for the windows whose first target rows are given."""
    if name == "seasonal_naive":
        return baselines.seasonal_naive(target, first_targets, horizon, season_length)
    return getattr(baselines, name)(target, first_targets, horizon)


def score(
    actual: np.ndarray, forecasts: Mapping[str, np.ndarray], scales: Scales
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, list[float]]]]:
    """(method -> metric -> value over every cell, method -> metric -> value per step).
    `forecasts` may build each method's forecast when asked for it (LazyForecasts), so only
    one is held at a time."""
    overall, per_step = {}, {}
    for method in forecasts:
        sums = ErrorSums.of(actual, forecasts[method])
        kwargs = {"scale": scales.mae, "squared_scale": scales.mse}
        overall[method] = rounded(sums.metrics(**kwargs))
        per_step[method] = rounded(sums.metrics(**kwargs, per_step=True))
    return overall, per_step


def skill(overall: dict[str, dict[str, float]], model: str) -> float:
    """1 - MASE(model) / MASE(seasonal naive): above 0 the model beats seasonal naive by that
    share of its error; NaN when seasonal naive's MASE is 0 or undefined."""
    baseline = overall["seasonal_naive"]["mase"]
    if not baseline or baseline != baseline:
        return float("nan")
    return round(1.0 - overall[model]["mase"] / baseline, 6)


def score_intervals(
    actual: np.ndarray, bounds: Mapping[int, tuple[np.ndarray, np.ndarray]]
) -> dict[str, dict[str, Any]]:
    """level -> coverage, width, pinball, winkler overall, and coverage per step."""
    return {str(level): score_interval(actual, *bounds[level], level=level) for level in bounds}


def score_interval(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, *, level: int
) -> dict[str, Any]:
    metrics = rounded(interval_metrics(actual, lower, upper, level=level))
    steps = rounded(interval_metrics(actual, lower, upper, level=level, axis=0))
    return {**metrics, "coverage_per_step": steps["coverage"]}


def rounded(metrics: dict[str, np.ndarray]) -> dict[str, Any]:
    """Seven significant digits (never 0 for a tiny error: series in 1e-9 units exist);
    arrays become lists (JSON, and tables a person reads)."""
    return {
        name: [_significant(v) for v in np.ravel(value)] if np.ndim(value) else _significant(value)
        for name, value in metrics.items()
    }


def _significant(value: Any) -> float:
    return float(f"{float(value):.7g}")
