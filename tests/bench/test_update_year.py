"""The year-of-cron benchmark's protocol: which rows each step knows, and how a stopped year
resumes (without training anything)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from bench.update_year import REPO, Cuts, Progress, copied, run_at
from bench.update_year_daily import daily_origins

CONFIG = REPO / "configs" / "vic_elec.yaml"


def _half_hourly_panel(days: int = 30) -> pd.DataFrame:
    stamps = pd.date_range("2014-01-01", periods=days * 48, freq="30min", tz="UTC")
    frames = [pd.DataFrame({"timestamp": stamps, "id": name, "y": np.arange(len(stamps))})
              for name in ("a", "b")]  # fmt: skip
    return pd.concat(frames, ignore_index=True).sample(frac=1.0, random_state=0)


def test_each_step_knows_the_rows_up_to_its_week_for_every_series() -> None:
    frame = _half_hourly_panel()
    cuts = Cuts(frame, "timestamp", steps=3)
    last = pd.Timestamp("2014-01-30 23:30", tz="UTC")
    for step in range(4):
        known = cuts.upto(step)
        end = last - pd.Timedelta(weeks=3 - step)
        brute = frame[pd.to_datetime(frame["timestamp"], utc=True) <= end]
        pd.testing.assert_frame_equal(known, brute)
        assert (known.groupby("id")["timestamp"].max() == end).all()
    assert len(cuts.upto(3)) == len(frame)


def test_a_step_is_one_period_for_data_not_within_the_day() -> None:
    quarters = pd.DataFrame({"timestamp": pd.date_range("2000-01-01", periods=20, freq="QS"),
                             "y": range(20)})  # fmt: skip
    cuts = Cuts(quarters, "timestamp", steps=8)
    assert [len(cuts.upto(step)) for step in range(9)] == list(range(12, 21))


def _folder_with_year(tmp_path: Path, config: Path) -> Path:
    folder = tmp_path / "year"
    folder.mkdir()
    (folder / "config.yaml").write_text(copied(config))
    Progress.started(folder, config, 52, [1], ["never", "retrain", "update"])
    return folder


def test_a_year_resumes_from_a_copy_of_its_config_elsewhere(tmp_path) -> None:
    config = CONFIG
    folder = _folder_with_year(tmp_path, config)
    elsewhere = tmp_path / "clone" / "configs"
    elsewhere.mkdir(parents=True)
    shutil.copy(config, elsewhere / "vic_elec.yaml")
    resumed = Progress.resumed(folder, elsewhere / "vic_elec.yaml", 52, [1])
    assert resumed is not None and resumed.step == 0


@pytest.mark.parametrize("change", ["config", "steps", "epochs"])
def test_another_benchmark_in_the_folder_is_refused(tmp_path, change) -> None:
    config = CONFIG
    folder = _folder_with_year(tmp_path, config)
    if change == "config":
        raw = yaml.safe_load(CONFIG.read_text())
        raw["data"]["path"] = str(CONFIG.parent / raw["data"]["path"])
        raw["windows"]["lookback"] = 96
        config = tmp_path / "other.yaml"
        config.write_text(yaml.safe_dump(raw))
    steps, epochs = (8 if change == "steps" else 52), ([3] if change == "epochs" else [1])
    with pytest.raises(SystemExit, match="holds another benchmark"):
        Progress.resumed(folder, config, steps, epochs)


def test_resuming_cuts_each_log_back_to_the_last_finished_step(tmp_path) -> None:
    config = CONFIG
    folder = _folder_with_year(tmp_path, config)
    progress = Progress.resumed(folder, config, 52, [1])
    (folder / "update.csv").write_text("header\nstep one\n")
    progress.done(0)
    with (folder / "update.csv").open("a") as log:
        log.write("half of step two")
    resumed = Progress.resumed(folder, config, 52, [1])
    assert resumed.step == 1
    assert (folder / "update.csv").read_text() == "header\nstep one\n"
    assert json.loads((folder / "progress.json").read_text())["log_bytes"]["update"] == 16


def test_daily_origins_are_each_step_s_origin_and_the_same_time_on_the_next_six_days() -> None:
    frame = _half_hourly_panel(days=35)
    cuts = Cuts(frame, "timestamp", steps=4)
    origins = daily_origins(cuts, steps=4)
    assert len(origins) == 4 * 7
    for step, origin in origins:
        weekly = pd.to_datetime(cuts.upto(step)["timestamp"], utc=True).max()
        assert (origin - weekly) % pd.Timedelta(days=1) == pd.Timedelta(0)
        assert pd.Timedelta(0) <= origin - weekly <= pd.Timedelta(days=6)
    assert origins[-1][1] < pd.Timestamp("2014-02-04 23:30", tz="UTC")  # inside the data


def test_each_policy_forecasts_from_the_run_it_had_at_that_step() -> None:
    assert [run_at("never", step) for step in (0, 5)] == ["runs/first", "runs/first"]
    assert [run_at("retrain", step) for step in (0, 5)] == ["runs/first", "runs/r5"]
    assert [run_at("update", step) for step in (0, 5)] == ["runs/first", "runs/update-5"]
