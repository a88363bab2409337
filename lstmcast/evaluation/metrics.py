"""Point-forecast metrics on arrays of actuals and forecasts, in original units.

Each takes (actual, forecast) of the same shape and an axis: None for one number over everything,
0 for one number per horizon step when the arrays are (windows, horizon).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

Axis = int | None


def mae(actual: np.ndarray, forecast: np.ndarray, axis: Axis = None) -> np.ndarray:
    return np.mean(np.abs(actual - forecast), axis=axis)


def rmse(actual: np.ndarray, forecast: np.ndarray, axis: Axis = None) -> np.ndarray:
    return np.sqrt(np.mean((actual - forecast) ** 2, axis=axis))


def mape(actual: np.ndarray, forecast: np.ndarray, axis: Axis = None) -> np.ndarray:
    """Mean absolute percentage error, skipping zero actuals (NaN if every actual is zero)."""
    kept = actual != 0
    ratio = np.divide(
        np.abs(actual - forecast),
        np.abs(actual),
        out=np.zeros_like(actual, dtype=float),
        where=kept,
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        return 100.0 * np.sum(ratio, axis=axis) / np.sum(kept, axis=axis)


def smape(actual: np.ndarray, forecast: np.ndarray, axis: Axis = None) -> np.ndarray:
    """Symmetric MAPE in percent, 0 to 200; pairs where both are zero count as perfect."""
    denominator = np.abs(actual) + np.abs(forecast)
    ratio = np.divide(
        2.0 * np.abs(actual - forecast),
        denominator,
        out=np.zeros_like(actual, dtype=float),
        where=denominator != 0,
    )
    return 100.0 * np.mean(ratio, axis=axis)


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float, axis: Axis = None) -> np.ndarray:
    """MAE divided by `scale`, the in-sample seasonal-naive MAE (see seasonal_naive_scale)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return mae(actual, forecast, axis=axis) / scale


def rmsse(
    actual: np.ndarray, forecast: np.ndarray, squared_scale: float, axis: Axis = None
) -> np.ndarray:
    """Root mean squared scaled error: MSE over `squared_scale`, the in-sample seasonal-naive
    MSE (see seasonal_naive_scale), square-rooted (the M5 competition's measure)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sqrt(np.mean((actual - forecast) ** 2, axis=axis) / squared_scale)


def bias(actual: np.ndarray, forecast: np.ndarray, axis: Axis = None) -> np.ndarray:
    """Mean error, forecast minus actual: above 0 the forecast runs high."""
    return np.mean(forecast - actual, axis=axis)


def seasonal_naive_scale(history: np.ndarray, season_length: int, *, power: int = 1) -> float:
    """Mean |y[t] - y[t-m]|**power over the history (power 1 scales MASE, 2 RMSSE); m falls
    back to 1 when the history is too short."""
    m = season_length if len(history) > season_length else 1
    if len(history) <= m:
        return float("nan")
    return float(np.mean(np.abs(history[m:] - history[:-m]) ** power))


METRICS = ("mae", "rmse", "mape", "smape", "mase", "rmsse", "bias")


def all_metrics(
    actual: np.ndarray,
    forecast: np.ndarray,
    *,
    scale: float,
    squared_scale: float = float("nan"),
    axis: Axis = None,
) -> dict[str, np.ndarray]:
    """Every metric of METRICS over (windows, horizon) arrays, one at a time: the reference
    ErrorSums is tested against."""
    return {
        "mae": mae(actual, forecast, axis),
        "rmse": rmse(actual, forecast, axis),
        "mape": mape(actual, forecast, axis),
        "smape": smape(actual, forecast, axis),
        "mase": mase(actual, forecast, scale, axis),
        "rmsse": rmsse(actual, forecast, squared_scale, axis),
        "bias": bias(actual, forecast, axis),
    }


BLOCK_WINDOWS = 8192
"""Windows per block when summing errors: 8192 x 48 steps is 3 MB per temporary."""


def blocks(windows: int, block: int = BLOCK_WINDOWS) -> Iterator[slice]:
    """Consecutive slices of at most `block` of `windows` windows (none when there are none)."""
    return (slice(first, first + block) for first in range(0, windows, block))


@dataclass(frozen=True)
class ErrorSums:
    """Per-step sums of the errors behind every metric of METRICS, added up a block of windows
    at a time: the metrics of 250,000 test windows x 48 steps without a dozen whole-size
    temporaries (100 MB each), and overall and per-step values from one pass."""

    windows: int
    absolute: np.ndarray
    squared: np.ndarray
    signed: np.ndarray
    """forecast - actual."""
    relative: np.ndarray
    """|error| / |actual| where the actual is not zero (MAPE skips zeros)."""
    nonzero: np.ndarray
    symmetric: np.ndarray
    """2 |error| / (|actual| + |forecast|), 0 where both are zero."""

    @classmethod
    def of(cls, actual: np.ndarray, forecast: np.ndarray, block: int = BLOCK_WINDOWS) -> ErrorSums:
        """Sums over the windows (rows) of (windows, horizon) arrays."""
        if not len(actual):  # no windows: zero sums, NaN metrics
            return cls(0, *(np.zeros(actual.shape[1]) for _ in range(6)))
        return cls.over(len(actual), lambda rows: (actual[rows], forecast[rows]), block)

    @classmethod
    def over(
        cls,
        windows: int,
        pair: Callable[[slice], tuple[np.ndarray, np.ndarray]],
        block: int = BLOCK_WINDOWS,
    ) -> ErrorSums:
        """Sums over `windows` windows whose (actual, forecast) `pair(rows)` gives a block at a
        time, so neither need exist whole."""
        sums: dict[str, np.ndarray] = {}
        for rows in blocks(windows, block):
            for name, values in _error_terms(*pair(rows)).items():
                sums[name] = sums.get(name, 0) + values.sum(axis=0)
        return cls(windows, **sums)

    def metrics(
        self, *, scale: float, squared_scale: float = float("nan"), per_step: bool = False
    ) -> dict[str, np.ndarray]:
        """What all_metrics gives with axis=0 (per_step) or axis=None."""
        total = (lambda sums: sums) if per_step else np.sum
        cells = self.windows * (1 if per_step else len(self.absolute))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_absolute, mean_squared = total(self.absolute) / cells, total(self.squared) / cells
            return {
                "mae": mean_absolute,
                "rmse": np.sqrt(mean_squared),
                "mape": 100.0 * total(self.relative) / total(self.nonzero),
                "smape": 100.0 * total(self.symmetric) / cells,
                "mase": mean_absolute / scale,
                "rmsse": np.sqrt(mean_squared / squared_scale),
                "bias": total(self.signed) / cells,
            }


def _error_terms(actual: np.ndarray, forecast: np.ndarray) -> dict[str, np.ndarray]:
    error = forecast - actual
    absolute = np.abs(error)
    kept = actual != 0
    relative = np.divide(absolute, np.abs(actual), out=np.zeros_like(absolute), where=kept)
    both = np.abs(actual) + np.abs(forecast)
    symmetric = np.divide(2.0 * absolute, both, out=np.zeros_like(absolute), where=both != 0)
    return {
        "absolute": absolute,
        "squared": np.square(error),
        "signed": error,
        "relative": relative,
        "nonzero": kept,
        "symmetric": symmetric,
    }


def coverage(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, axis: Axis = None
) -> np.ndarray:
    """Share of actuals inside [lower, upper], in percent."""
    return 100.0 * np.mean((actual >= lower) & (actual <= upper), axis=axis)


def pinball(actual: np.ndarray, quantile: np.ndarray, tau: float, axis: Axis = None) -> np.ndarray:
    """Quantile loss of a forecast of the tau-quantile: tau * e if e >= 0 else (tau - 1) * e,
    with e = actual - quantile."""
    return np.mean(_pinball_terms(actual, quantile, tau), axis=axis)


def winkler(
    actual: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float, axis: Axis = None
) -> np.ndarray:
    """Interval (Winkler) score of a central `level`% interval: its width, plus 2/alpha times
    how far the actual falls outside it (alpha = 1 - level/100). Lower is better."""
    alpha = 1 - level / 100
    below = np.maximum(lower - actual, 0.0)
    above = np.maximum(actual - upper, 0.0)
    return np.mean(upper - lower + 2.0 / alpha * (below + above), axis=axis)


@dataclass(frozen=True)
class IntervalSums:
    """Per-step sums behind interval_metrics, added up a block of windows at a time, like
    ErrorSums: a band's scores over 250,000 windows x 48 steps without its bounds, or any
    temporary, at full size."""

    windows: int
    inside: np.ndarray
    width: np.ndarray
    pinball: np.ndarray
    """The two bounds' quantile losses, averaged."""
    winkler: np.ndarray

    @classmethod
    def over(
        cls,
        windows: int,
        cells: Callable[[slice], tuple[np.ndarray, np.ndarray, np.ndarray]],
        *,
        level: float,
        block: int = BLOCK_WINDOWS,
    ) -> IntervalSums:
        """Sums over `windows` windows whose (actual, lower, upper) `cells(rows)` gives a block
        at a time."""
        tail, alpha = (1 - level / 100) / 2, 1 - level / 100
        sums = dict.fromkeys(("inside", "width", "pinball", "winkler"), 0)
        for rows in blocks(windows, block):
            observed, lower, upper = cells(rows)
            width = upper - lower
            miss = np.maximum(lower - observed, 0.0) + np.maximum(observed - upper, 0.0)
            losses = _pinball_terms(observed, lower, tail) + _pinball_terms(
                observed, upper, 1 - tail
            )
            sums["inside"] += ((observed >= lower) & (observed <= upper)).sum(axis=0)
            sums["width"] += width.sum(axis=0)
            sums["pinball"] += (losses / 2).sum(axis=0)
            sums["winkler"] += (width + 2.0 / alpha * miss).sum(axis=0)
        return cls(windows, **sums)

    def metrics(self, *, per_step: bool = False) -> dict[str, np.ndarray]:
        """What interval_metrics gives with axis=0 (per_step) or axis=None."""
        total = (lambda sums: sums) if per_step else np.sum
        cells = self.windows * (1 if per_step else len(self.inside))
        return {
            "coverage": 100.0 * total(self.inside) / cells,
            "width": total(self.width) / cells,
            "pinball": total(self.pinball) / cells,
            "winkler": total(self.winkler) / cells,
        }


def _pinball_terms(actual: np.ndarray, quantile: np.ndarray, tau: float) -> np.ndarray:
    error = actual - quantile
    return np.maximum(tau * error, (tau - 1) * error)


def interval_metrics(
    actual: np.ndarray,
    lower: np.ndarray,
    upper: np.ndarray,
    *,
    level: float,
    axis: Axis = None,
) -> dict[str, np.ndarray]:
    """Coverage (%), mean width, pinball loss of the two bounds (averaged) and Winkler score,
    over whole arrays: the reference IntervalSums is tested against."""
    tail = (1 - level / 100) / 2
    return {
        "coverage": coverage(actual, lower, upper, axis),
        "width": np.mean(upper - lower, axis=axis),
        "pinball": (pinball(actual, lower, tail, axis) + pinball(actual, upper, 1 - tail, axis))
        / 2,
        "winkler": winkler(actual, lower, upper, level, axis),
    }
