"""Naive and seasonal naive at the task's origins, from values up to each origin only."""

from __future__ import annotations

import numpy as np

from bench.accuracy.suite import Task


def baseline(task: Task, method: str) -> np.ndarray:
    """Naive repeats the last value; seasonal naive the last season, cycled over H."""
    spec, values = task.spec, task.values
    steps = np.arange(spec.horizon)
    if method == "naive":
        return np.repeat(values[task.origins][:, None], spec.horizon, axis=1)
    m = spec.season_length
    last_season = task.origins[:, None] + 1 - m  # first row of the season ending at the origin
    return values[last_season + steps % m]
