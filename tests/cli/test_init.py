"""`lstmcast init` as a newcomer meets it: its flags, its output to stdout, and a starter
config whose lookback, split and interval levels work, as real subprocesses."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.data import SAMPLE_DATA
from tests.helpers.program import lstmcast, minimal


@pytest.mark.parametrize("horizon", ["0", "-5"])
def test_a_horizon_below_one_is_a_usage_error_and_nothing_is_written(tmp_path, horizon):
    result = minimal("init", SAMPLE_DATA / "air_passengers.csv", "--horizon", horizon,
                     cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert (
        len(lines) == 1 and "'--horizon': Input should be greater than or equal to 1" in (lines[0])
    ), result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_config_on_stdout_names_no_temporary_file_and_says_how_to_go_on(tmp_path):
    result = minimal("init", SAMPLE_DATA / "air_passengers.csv", "-o", "-", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert list(tmp_path.iterdir()) == []  # nothing but stdout
    assert "tmp" not in result.stderr and ".yaml" not in result.stderr.split("->")[-1]
    assert "next: save it to a file, then lstmcast train FILE" in result.stderr
    (tmp_path / "saved.yaml").write_text(result.stdout)
    assert minimal("validate", "saved.yaml", "-q", cwd=tmp_path).returncode == 0


def test_a_starter_config_calibrates_the_bands_it_asks_for(tmp_path):
    result = minimal("init", SAMPLE_DATA / "air_passengers.csv", "--json", cwd=tmp_path)
    facts = json.loads(result.stdout)
    assert facts["split"] == {"validation": 30, "test": 0.1}  # 19 windows: enough for 95%
    assert facts["interval_levels"] == [80, 95] and facts["lookback"] == 24
    text = (tmp_path / "air_passengers.yaml").read_text()
    comments = " ".join(line.strip(" #") for line in text.splitlines())
    assert "19 validation windows, the fewest that calibrate 80% and 95% bands" in comments
    checked = minimal("validate", "air_passengers.yaml", cwd=tmp_path)
    assert checked.returncode == 0 and "warning" not in checked.stderr, checked.stderr


@pytest.mark.parametrize(("series", "validation"), [(40, 8), (5, 11)])
def test_a_panel_keeps_only_a_horizon_or_two_of_each_series_out_of_training(
    tmp_path, series, validation
):
    """Many series: a test part of one horizon and the fewest validation rows that pool
    enough windows for both bands (40 series: one window each; 5 series: four each), so each
    series' latest rows train."""
    frame = pd.read_csv(SAMPLE_DATA / "tourism_quarterly_tas_wa.csv")
    kept = sorted(frame["series_id"].unique())[:series]
    frame[frame["series_id"].isin(kept)].to_csv(tmp_path / "panel.csv", index=False)
    result = minimal("init", "panel.csv", "--target", "trips", "--horizon", "8", "--json",
                     cwd=tmp_path)  # fmt: skip
    facts = json.loads(result.stdout)
    assert facts["split"] == {"validation": validation, "test": 8}, result.stderr
    assert facts["interval_levels"] == [80, 95] and facts["valid"]
    comments = " ".join(
        line.strip(" #") for line in (tmp_path / "panel.yaml").read_text().splitlines()
    )
    assert f"every series trains on all but its last {validation + 8} rows" in comments
    config = yaml.safe_load((tmp_path / "panel.yaml").read_text())
    assert config["windows"]["lookback"] == 8  # the panel rule: max(horizon 8, 2 x season 4)
    assert config["model"] == {"linear_skip": True}


def test_a_large_panel_trains_with_larger_batches_and_a_small_one_keeps_the_default(tmp_path):
    """10,000 training windows or more (here 250 quarterly series x 41): 128 windows a step."""
    stamps = pd.date_range("2000-01-01", periods=80, freq="QS")
    rng = np.random.default_rng(0)
    walk = 100 + rng.normal(size=(250, 80)).cumsum(axis=1)
    frames = [pd.DataFrame({"timestamp": stamps, "series_id": f"s{i}", "y": walk[i]})
              for i in range(250)]  # fmt: skip
    pd.concat(frames).to_csv(tmp_path / "big.csv", index=False)
    pd.concat(frames[:20]).to_csv(tmp_path / "small.csv", index=False)
    for name, batch in (("big", 128), ("small", 32)):
        minimal("init", f"{name}.csv", "--target", "y", "--horizon", "8", cwd=tmp_path)
        config = yaml.safe_load((tmp_path / f"{name}.yaml").read_text())
        assert config["training"].get("batch_size", 32) == batch, name
        checked = lstmcast("validate", f"{name}.yaml", cwd=tmp_path)
        assert checked.returncode == 0, checked.stderr


def test_a_short_series_gets_the_levels_it_can_calibrate(tmp_path):
    stamps = pd.date_range("2015-01-01", periods=60, freq="MS")
    season = 10 * np.sin(2 * np.pi * np.arange(60) / 12)
    frame = pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d"), "sales": 100 + season})
    frame.to_csv(tmp_path / "short.csv", index=False)
    result = minimal("init", "short.csv", "--horizon", "6", "--json", cwd=tmp_path)
    facts = json.loads(result.stdout)
    assert facts["interval_levels"] == [80] and facts["valid"], result.stderr
    config = yaml.safe_load((tmp_path / "short.yaml").read_text())
    assert config["intervals"] == {"levels": [80]}
    assert "80% only: a 95% band needs 19" in (tmp_path / "short.yaml").read_text()


def test_init_says_when_its_run_folder_is_taken(tmp_path):
    (tmp_path / "runs" / "air_passengers").mkdir(parents=True)
    result = minimal("init", SAMPLE_DATA / "air_passengers.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "warning: runs/air_passengers already holds a run" in result.stderr


@pytest.mark.slow
def test_the_starter_config_trains_and_forecasts_bounded_bands(tmp_path):
    minimal("init", SAMPLE_DATA / "air_passengers.csv", cwd=tmp_path)
    quick = ["--set", "training.epochs=1", "--set", "model.units=[4]"]
    trained = lstmcast("train", "air_passengers.yaml", *quick, cwd=tmp_path)
    assert trained.returncode == 0 and "unbounded" not in trained.stderr, trained.stderr
    forecast = lstmcast("forecast", "runs/air_passengers", cwd=tmp_path)
    frame = pd.read_csv(io.StringIO(forecast.stdout))
    assert np.isfinite(frame[["lower_95", "upper_95"]].to_numpy()).all()
