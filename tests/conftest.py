"""Tiny shared fixtures: synthetic series with index-like values, a 1-epoch config, CPU only."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import settings

from tests.helpers.data import synthetic_frame, tiny_experiment

settings.register_profile("lstmcast", deadline=None)  # TensorFlow's first call is slow
settings.load_profile("lstmcast")

os.environ["CUDA_VISIBLE_DEVICES"] = ""  # tests never depend on a GPU
os.environ["NO_COLOR"] = "1"
os.environ["COLUMNS"] = "200"
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"


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
