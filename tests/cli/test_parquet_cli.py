"""A config reading Parquet trains, evaluates and forecasts like the same data in CSV: the
same metrics, and the same forecast from a Parquet --input as from a CSV one."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.program import lstmcast


@pytest.mark.slow
def test_parquet_and_csv_runs_agree(write_config, tmp_path):
    frame = synthetic_frame(240, features=2)
    frame.to_csv(tmp_path / "s.csv", index=False)
    frame.assign(timestamp=pd.to_datetime(frame["timestamp"])).to_parquet(tmp_path / "s.parquet")
    metrics = {}
    for kind in ("csv", "parquet"):
        config = tiny_experiment(tmp_path / f"s.{kind}", tmp_path / "runs" / kind)
        config["data"]["features"] = ["x1"]
        trained = lstmcast("train", write_config(config, f"{kind}.yaml"), "--json", cwd=tmp_path)
        assert trained.returncode == 0, trained.stderr
        metrics[kind] = json.loads(trained.stdout)["evaluation"]["overall"]
    assert metrics["parquet"] == metrics["csv"]
    forecasts = [
        lstmcast("forecast", tmp_path / "runs" / "csv", "--input", tmp_path / name, cwd=tmp_path)
        for name in ("s.csv", "s.parquet")
    ]
    assert all(done.returncode == 0 for done in forecasts), forecasts[1].stderr
    by_csv, by_parquet = (pd.read_csv(io.StringIO(done.stdout)) for done in forecasts)
    pd.testing.assert_frame_equal(by_parquet, by_csv)
