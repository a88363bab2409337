"""Point-forecast metrics on arrays of actuals and forecasts, in original units.

Each takes (actual, forecast) of the same shape and an axis: None for one number over everything,
0 for one number per horizon step when the arrays are (windows, horizon).
"""

from __future__ import annotations

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


def seasonal_naive_scale(history: np.ndarray, season_length: int) -> float:
    """Mean |y[t] - y[t-m]| over the history; m falls back to 1 when the history is too short."""
    m = season_length if len(history) > season_length else 1
    if len(history) <= m:
        return float("nan")
    return float(np.mean(np.abs(history[m:] - history[:-m])))


METRICS = ("mae", "rmse", "mape", "smape", "mase")


def all_metrics(
    actual: np.ndarray, forecast: np.ndarray, *, scale: float, axis: Axis = None
) -> dict[str, np.ndarray]:
    return {
        "mae": mae(actual, forecast, axis),
        "rmse": rmse(actual, forecast, axis),
        "mape": mape(actual, forecast, axis),
        "smape": smape(actual, forecast, axis),
        "mase": mase(actual, forecast, scale, axis),
    }
