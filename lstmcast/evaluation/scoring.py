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
from lstmcast.evaluation.metrics import ErrorSums, IntervalSums, blocks, seasonal_naive_scale


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
    """The given forecasts, then BASELINES, and the actuals, of the windows whose first target
    rows are given: each baseline and the actuals built when read, or a block of windows at a
    time when scored, and not kept (on 250,000 test windows of 48 steps each is 96 MB)."""

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

    @property
    def windows(self) -> int:
        return len(self.first_targets)

    def block(self, method: str, rows: slice) -> np.ndarray:
        """One method's forecasts for a block of the windows."""
        if method in self.given:
            return self.given[method][rows]
        return baseline_forecast(
            method, self.target, self.first_targets[rows], self.horizon, self.season_length
        )

    def actual(self, rows: slice = slice(None)) -> np.ndarray:
        """The actual values of the windows (or a block of them): (windows, horizon)."""
        return self.target[self.first_targets[rows, None] + np.arange(self.horizon)]

    def zero_actuals(self) -> int:
        """Cells whose actual is 0 (which MAPE skips)."""
        return sum(int(np.sum(self.actual(rows) == 0)) for rows in blocks(self.windows))

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
    """(method -> metric -> value over every cell, method -> metric -> value per step)."""
    return _scores({method: ErrorSums.of(actual, forecasts[method]) for method in forecasts},
                   scales)  # fmt: skip


def score_windows(
    windows: LazyForecasts, scales: Scales
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, list[float]]]]:
    """score() of the windows' actuals and forecasts, each built a block of windows at a time:
    no array the size of all the windows but the model's forecast."""
    sums = {
        method: ErrorSums.over(
            windows.windows, lambda rows, method=method: (windows.actual(rows),
                                                          windows.block(method, rows))
        )
        for method in windows
    }  # fmt: skip
    return _scores(sums, scales)


def _scores(
    by_method: dict[str, ErrorSums], scales: Scales
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, list[float]]]]:
    overall, per_step = {}, {}
    for method, sums in by_method.items():
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
    cells = lambda rows: (actual[rows], lower[rows], upper[rows])  # noqa: E731
    return _interval_scores(IntervalSums.over(len(actual), cells, level=level))


def score_band(
    windows: LazyForecasts, point: np.ndarray, radius: np.ndarray, *, level: int
) -> dict[str, Any]:
    """score_interval of the band point -/+ radius around the windows' forecast, it and the
    actuals built a block of windows at a time."""
    cells = lambda rows: (windows.actual(rows), point[rows] - radius, point[rows] + radius)  # noqa: E731
    return _interval_scores(IntervalSums.over(windows.windows, cells, level=level))


def _interval_scores(sums: IntervalSums) -> dict[str, Any]:
    steps = rounded(sums.metrics(per_step=True))
    return {**rounded(sums.metrics()), "coverage_per_step": steps["coverage"]}


def rounded(metrics: dict[str, np.ndarray]) -> dict[str, Any]:
    """Seven significant digits (never 0 for a tiny error: series in 1e-9 units exist);
    arrays become lists (JSON, and tables a person reads)."""
    return {
        name: [_significant(v) for v in np.ravel(value)] if np.ndim(value) else _significant(value)
        for name, value in metrics.items()
    }


def _significant(value: Any) -> float:
    return float(f"{float(value):.7g}")


WORST = 5
"""Series listed where the model does worst against seasonal naive."""


def mean_over_series(values: list[Any], weights: list[float] | None = None) -> Any:
    """The mean over series of nested scores of one shape (method -> metric -> value or list):
    a workload's summary; with one series, that series' own scores. `weights` (cells) for
    shares such as coverage, plain means otherwise."""
    first = values[0]
    if isinstance(first, dict):
        return {key: mean_over_series([v[key] for v in values], weights) for key in first}
    if isinstance(first, list):
        columns = [mean_over_series(list(column), weights) for column in zip(*values, strict=True)]
        return columns
    if len(values) == 1:
        return first
    array = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(array)
    if not finite.any():
        return float("nan")
    chosen = np.asarray(weights, dtype=np.float64)[finite] if weights is not None else None
    return _significant(np.average(array[finite], weights=chosen))


def series_summary(
    mase: dict[str, dict[str, float]], label: str, windows: dict[str, int]
) -> dict[str, Any]:
    """Across series (`mase`: series -> method -> MASE): mean and median MASE per method, the
    share of series beating seasonal naive, the series where the model does worst against it."""
    ids = list(mase)
    methods = list(mase[ids[0]])
    values = {m: np.array([mase[sid][m] for sid in ids], dtype=np.float64) for m in methods}
    finite = {m: v[np.isfinite(v)] for m, v in values.items()}
    ratio = values[label] / values["seasonal_naive"]
    order = np.argsort(np.where(np.isfinite(ratio), -ratio, np.inf))
    return {
        "series": len(ids),
        "test_windows": int(sum(windows.values())),
        "mean_mase": {m: _round(v.mean()) if len(v) else np.nan for m, v in finite.items()},
        "median_mase": {m: _round(np.median(v)) if len(v) else np.nan for m, v in finite.items()},
        "beats_seasonal_naive": _round(float(np.mean(values[label] < values["seasonal_naive"]))),
        "worst": [
            {
                "series_id": ids[i],
                "mase": _round(values[label][i]),
                "seasonal_naive_mase": _round(values["seasonal_naive"][i]),
            }
            for i in order[:WORST]
        ],
    }


def pooled_coverage(
    intervals: dict[str, dict[str, dict[str, Any]]], windows: dict[str, int]
) -> dict[str, dict[str, float]]:
    """level -> the share of every test cell of every series inside its band (what a
    calibration pooled over series promises), and the lowest coverage of any one series."""
    scored = [sid for sid, bands in intervals.items() if bands]
    if not scored:
        return {}
    weights = np.array([windows[sid] for sid in scored], dtype=np.float64)
    pooled = {}
    for level in intervals[scored[0]]:
        coverage = np.array([intervals[sid][level]["coverage"] for sid in scored])
        pooled[level] = {
            "coverage": _round(float(np.average(coverage, weights=weights))),
            "lowest_series_coverage": _round(float(coverage.min())),
        }
    return pooled


def _round(value: float) -> float:
    return float(f"{float(value):.7g}") if np.isfinite(value) else float("nan")


def series_brief(
    windows: int, overall: dict[str, dict[str, float]], skill_value: float,
    intervals: dict[str, dict[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """One series' entry under a panel's per_series: its windows, scores and band coverage."""
    return {
        "windows": int(windows),
        "overall": overall,
        "skill": skill_value,
        "intervals": {level: {"coverage": s["coverage"]} for level, s in intervals.items()},
    }


@dataclass(frozen=True)
class Pooled:
    """Scores over series, as evaluate and backtest summarise them: the mean of each metric
    (one series: its own), band coverage pooled over every cell with the lowest of any
    series, and the summary (mean and median MASE, share beating seasonal naive, worst)."""

    overall: dict[str, dict[str, float]]
    per_step: dict[str, dict[str, list[float]]]
    intervals: dict[str, dict[str, Any]]
    summary: dict[str, Any]
    skill: float

    @classmethod
    def of(cls, scores: dict[str, Any], windows: dict[str, int], label: str) -> Pooled:
        """`scores`: series -> its scores (with overall, per_step and intervals)."""
        each = list(scores.values())
        overall = mean_over_series([s.overall for s in each])
        intervals = (
            mean_over_series([s.intervals for s in each], list(windows.values()))
            if each[0].intervals
            else {}
        )
        for level, pooled in intervals.items():
            pooled["lowest_series_coverage"] = min(s.intervals[level]["coverage"] for s in each)
        mase = {sid: {m: v["mase"] for m, v in s.overall.items()} for sid, s in scores.items()}
        return cls(
            overall=overall,
            per_step=mean_over_series([s.per_step for s in each]),
            intervals=intervals,
            summary=series_summary(mase, label, windows),
            skill=skill(overall, label),
        )
