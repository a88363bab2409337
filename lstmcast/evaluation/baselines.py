"""Naive and seasonal-naive forecasts for the same windows the model is scored on.

`origins` are the indices of each window's first target step; every baseline reads only values
before its origin.
"""

from __future__ import annotations

import numpy as np


def naive(target: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """Repeat the last observed value: (windows, horizon)."""
    return np.repeat(target[origins - 1][:, None], horizon, axis=1)


def seasonal_naive(
    target: np.ndarray, origins: np.ndarray, horizon: int, season_length: int
) -> np.ndarray:
    """Step h (1-based) repeats the value m*ceil(h/m) steps before it: the last season seen.

    m=4, horizon=6, origin 10: steps 1-4 read rows 6-9, steps 5-6 read rows 6-7.
    """
    steps = np.arange(1, horizon + 1)
    lags = season_length * np.ceil(steps / season_length).astype(np.int64)
    rows = origins[:, None] + steps - 1 - lags
    if rows.min(initial=0) < 0:
        raise ValueError("a window has less than one season of history before its origin")
    return target[rows]


def drift(target: np.ndarray, origins: np.ndarray, horizon: int, first: int = 0) -> np.ndarray:
    """The line through the first and the last observed value, extended: step h adds h times
    the average change per step since row `first` (the start of the history the model had).

    target 0, 2, 4, origin 3 (first target row), horizon 2: last 4, slope 2 -> 6, 8.
    """
    last = target[origins - 1]
    slope = (last - target[first]) / np.maximum(origins - 1 - first, 1)
    return last[:, None] + slope[:, None] * np.arange(1, horizon + 1)
