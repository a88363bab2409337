"""Experiments and random inputs for building models directly, without a CSV."""

from __future__ import annotations

import numpy as np

from lstmcast.config.schema import ResolvedExperiment

KNOWN = {"data": {"known": ["k"], "calendar": ["hour"]}}  # 1 + 2 known-in-advance columns


def experiment(
    model: dict, *, lookback=12, horizon=4, known=False, batch_size=32
) -> ResolvedExperiment:
    per_window = "none" if model.get("stateful") else "standard"
    data = {"path": "x.csv", "target": "y", **(KNOWN["data"] if known else {})}
    return ResolvedExperiment.model_validate(
        {
            "data": data,
            "windows": {"lookback": lookback, "horizon": horizon},
            "scaling": {"per_window": per_window},
            "model": model,
            "training": {"batch_size": batch_size},
            "output": {"run_dir": "runs/x"},
        }
    )


def inputs(batch: int, lookback: int, horizon: int, known: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    window = rng.normal(size=(batch, lookback, 1 + known)).astype("float32")
    if not known:
        return window
    return {"window": window, "future": rng.normal(size=(batch, horizon, known)).astype("float32")}
