"""A single series is a panel of one: the same data given as one series and as a one-series
panel (a series_id column holding one id) trains the same windows into the same model, with the
same test metrics, interval bands and forecast."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from lstmcast.config.load import load_experiment
from lstmcast.data.workload import prepare_workload
from tests.helpers.data import REPO
from tests.helpers.program import lstmcast

CONFIG = {
    "windows": {"lookback": 24, "horizon": 12, "stride": 2},
    "split": {"validation": 30, "test": 24},
    "model": {"units": [8]},
    "intervals": {"levels": [80]},
    "training": {"epochs": 3, "seed": 3, "early_stopping": None, "min_steps_per_epoch": 1},
}


def _configs(tmp_path) -> dict[str, str]:
    frame = pd.read_csv(REPO / "sample_data" / "air_passengers.csv")
    frame.to_csv(tmp_path / "one.csv", index=False)
    frame.assign(store="only").to_csv(tmp_path / "panel.csv", index=False)
    names = {}
    for name, data in (
        ("one", {"path": "one.csv", "target": "passengers"}),
        ("panel", {"path": "panel.csv", "target": "passengers", "series_id": "store"}),
    ):
        config = {"data": {"timestamp": "timestamp", **data}, **CONFIG,
                  "output": {"run_dir": f"runs/{name}"}}  # fmt: skip
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(config))
        names[name] = f"{name}.yaml"
    return names


def test_a_one_series_panel_has_the_one_series_windows(tmp_path):
    configs = _configs(tmp_path)
    one, panel = (prepare_workload(load_experiment(tmp_path / configs[n])) for n in configs)
    assert not one.keyed and panel.keyed
    np.testing.assert_array_equal(one.table, panel.table)
    for split in ("train", "validation", "test"):
        np.testing.assert_array_equal(one.starts[split], panel.starts[split])
    np.testing.assert_array_equal(one.layout.scalers[0].center, panel.layout.scalers[0].center)


@pytest.mark.slow
def test_a_one_series_panel_trains_scores_and_forecasts_as_the_series(tmp_path):
    configs = _configs(tmp_path)
    for config in configs.values():
        trained = lstmcast("train", config, "-q", cwd=tmp_path)
        assert trained.returncode == 0, trained.stderr
    one, panel = (
        json.loads((tmp_path / "runs" / name / "metrics.json").read_text()) for name in configs
    )
    for method, scores in one["overall"].items():
        for metric, value in scores.items():
            assert panel["overall"][method][metric] == pytest.approx(value, rel=1e-6, abs=1e-9)
    cell = 100 / (one["num_windows"] * one["horizon"])  # one test cell, in %
    for level, scores in one["intervals"].items():  # a panel calibrates in scaled units: a
        mine = panel["intervals"][level]  # cell exactly on the band's edge may fall either way
        assert mine["width"] == pytest.approx(scores["width"], rel=1e-5)
        assert mine["coverage"] == pytest.approx(scores["coverage"], abs=cell * 1.01)
    forecasts = [
        pd.read_csv(io.StringIO(lstmcast("forecast", f"runs/{name}", cwd=tmp_path).stdout))
        for name in configs
    ]
    columns = ["timestamp", "step", "passengers", "lower_80", "upper_80"]
    assert forecasts[1]["series_id"].unique().tolist() == ["only"]
    pd.testing.assert_frame_equal(forecasts[0][columns], forecasts[1][columns], rtol=1e-5)
