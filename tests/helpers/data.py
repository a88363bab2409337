"""Synthetic series with index-like values and a tiny experiment that trains in a second."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]
SAMPLE_DATA = REPO / "sample_data"
CONFIGS = REPO / "configs"


def synthetic_frame(rows: int = 240, freq: str = "h", features: int = 1) -> pd.DataFrame:
    """Trend + daily sine, and feature columns; deterministic."""
    timestamps = pd.date_range("2024-01-01", periods=rows, freq=freq)
    steps = np.arange(rows, dtype=float)
    frame = pd.DataFrame({"timestamp": timestamps.strftime("%Y-%m-%dT%H:%M:%S")})
    frame["load"] = 100 + 0.1 * steps + 10 * np.sin(2 * np.pi * steps / 24)
    for index in range(1, features):
        frame[f"x{index}"] = np.cos(2 * np.pi * steps / (12 * index))
    return frame


def tiny_experiment(csv: Path, run_dir: Path, **sections: dict) -> dict:
    """lookback 8, horizon 2, one 4-unit LSTM, 2 epochs: trains in about a second."""
    config = {
        "data": {"path": str(csv), "target": "load"},
        "windows": {"lookback": 8, "horizon": 2},
        "split": {"validation": 0.15, "test": 0.15},
        "model": {"units": [4]},
        "training": {
            "epochs": 2,
            "batch_size": 32,
            "min_steps_per_epoch": 1,
            "early_stopping": None,
            "seed": 1,
        },
        "output": {"run_dir": str(run_dir)},
    }
    for section, values in sections.items():
        config[section] = {**config.get(section, {}), **values}
    return config
