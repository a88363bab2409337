"""Tiny shared fixtures: synthetic series with index-like values, a 1-epoch config, CPU only."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import settings

settings.register_profile("lstmcast", deadline=None)  # TensorFlow's first call is slow
settings.load_profile("lstmcast")

os.environ["CUDA_VISIBLE_DEVICES"] = ""  # tests never depend on a GPU
os.environ["NO_COLOR"] = "1"
os.environ["COLUMNS"] = "200"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"

REPO = Path(__file__).resolve().parents[1]
SAMPLE_DATA = REPO / "sample_data"


def synthetic_frame(rows: int = 240, freq: str = "h", features: int = 1) -> pd.DataFrame:
    """Trend + daily sine, and feature columns; deterministic."""
    timestamps = pd.date_range("2024-01-01", periods=rows, freq=freq)
    steps = np.arange(rows, dtype=float)
    frame = pd.DataFrame({"timestamp": timestamps.strftime("%Y-%m-%dT%H:%M:%S")})
    frame["load"] = 100 + 0.1 * steps + 10 * np.sin(2 * np.pi * steps / 24)
    for index in range(1, features):
        frame[f"x{index}"] = np.cos(2 * np.pi * steps / (12 * index))
    return frame


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[..., Path]:
    def write(frame: pd.DataFrame | str, name: str = "series.csv") -> Path:
        path = tmp_path / name
        if isinstance(frame, str):
            path.write_text(frame, encoding="utf-8")
        else:
            frame.to_csv(path, index=False)
        return path

    return write


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


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    def write(config: dict | str, name: str = "experiment.yaml") -> Path:
        path = tmp_path / name
        text = config if isinstance(config, str) else yaml.safe_dump(config, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def tiny_config(tmp_path: Path, write_csv, write_config) -> Path:
    csv = write_csv(synthetic_frame(240, features=2))
    return write_config(tiny_experiment(csv, tmp_path / "runs" / "tiny", data={"features": ["x1"]}))
