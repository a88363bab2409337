"""ETTh1-S, the standard univariate long-horizon protocol (Zhou et al., Informer, AAAI 2021).

Target OT only; rows 0-8639 train, 8640-11519 validation, 11520-14399 test (12/4/4 months of
30 days); z-score with the training rows' mean and standard deviation; MSE and MAE of the
scaled values over every test window (stride 1). Inputs may reach back into validation rows,
as in the reference code.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bench.accuracy.lstmcast_method import run_lstmcast
from bench.accuracy.suite import SeriesSpec, load_task

TRAIN_ROWS, VALIDATION_ROWS, TEST_ROWS = 8640, 2880, 2880
HORIZONS = (24, 48, 96, 168, 336)
LOOKBACK = 96
"""Input length for every horizon: four days of hourly data (the Informer papers' own 96)."""

PUBLISHED = {
    "LSTMa (Informer paper)": {24: 0.114, 48: 0.193, 168: 0.236},
    "NLinear (input 336)": {96: 0.053, 336: 0.081},
}
"""Published test MSE on ETTh1-S; MAE is not quoted here."""


def ett_spec(horizon: int) -> SeriesSpec:
    return SeriesSpec(
        "etth1_s",
        "bench/data/ett/ETTh1.csv",
        "OT",
        "h",
        24,
        horizon,
        1,
        VALIDATION_ROWS,
        timestamp="date",
        last_row=TRAIN_ROWS + VALIDATION_ROWS + TEST_ROWS,
    )


def run_ett(horizon: int, *, seed: int, overrides: list[str]) -> dict[str, Any]:
    """lstmcast and persistence at one horizon, scored on z-scored values."""
    task = load_task(ett_spec(horizon))
    std = task.values[:TRAIN_ROWS].std()  # z-scoring subtracts the mean from both sides
    frame, info = run_lstmcast(
        task,
        seed=seed,
        overrides=[f"windows.lookback={LOOKBACK}", *overrides],
        test_rows=TEST_ROWS,
    )
    num_windows = TEST_ROWS - horizon + 1
    actual = frame["actual"].to_numpy("float64").reshape(num_windows, horizon)
    forecast = frame["lstm"].to_numpy("float64").reshape(num_windows, horizon)
    first_targets = TRAIN_ROWS + VALIDATION_ROWS + np.arange(num_windows)
    expected = task.values[first_targets[:, None] + np.arange(horizon)]
    if not np.allclose(actual, expected, rtol=1e-6):
        raise RuntimeError("lstmcast's ETTh1 test windows are not the protocol's")
    persistence = np.repeat(task.values[first_targets - 1][:, None], horizon, axis=1)
    scores = {}
    for method, predicted in (("lstmcast", forecast), ("persistence", persistence)):
        error = (predicted - actual) / std
        scores[method] = {"mse": float(np.mean(error**2)), "mae": float(np.mean(np.abs(error)))}
    return {"horizon": horizon, "windows": num_windows, "scores": scores, "info": info}
