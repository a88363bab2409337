"""Data as people record it, through the real program: a monthly series with a month missing,
a weekly one with a week missing, hourly local time across daylight saving, and business
hours forecast with real timestamps."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.data import CONFIGS, SAMPLE_DATA, synthetic_frame, tiny_experiment
from tests.helpers.program import lstmcast, minimal

TINY = ["--set", "training.epochs=1", "--set", "model.units=[4]",
        "--set", "training.min_steps_per_epoch=1"]  # fmt: skip


def one_line_error(result, code: int) -> str:
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.slow
def test_a_monthly_series_with_a_month_missing(tmp_path):
    frame = pd.read_csv(SAMPLE_DATA / "air_passengers.csv")
    frame[frame["timestamp"] != "1955-08-01"].to_csv(tmp_path / "ap.csv", index=False)
    config = {"data": {"path": "ap.csv", "target": "passengers"}, "windows": {"horizon": 12}}
    (tmp_path / "ap.yaml").write_text(yaml.safe_dump(config))

    refused = minimal("validate", "ap.yaml", cwd=tmp_path)
    assert one_line_error(refused, 3).endswith(
        "1 row missing from the monthly grid (1955-08-01); set data.missing: interpolate (or "
        "ffill) to fill it"
    )
    init = minimal("init", "ap.csv", "-o", "started.yaml", "--json", cwd=tmp_path)
    facts = json.loads(init.stdout)
    assert (facts["frequency"], facts["season_length"], facts["horizon"]) == ("MS", 12, 12)
    assert facts["missing_rows"] == 1 and facts["valid"], init.stderr
    assert "missing: interpolate    # 1 row missing" in (tmp_path / "started.yaml").read_text()

    settings = ["--set", "data.missing=interpolate", "--set", "output.run_dir=runs/ap"]
    trained = lstmcast("train", "ap.yaml", *settings, *TINY, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    feed = lstmcast("forecast", "runs/ap", "--input", "ap.csv", cwd=tmp_path)
    assert feed.returncode == 0, feed.stderr  # the run fills the gap as it was trained to


@pytest.mark.slow
def test_a_feed_with_a_gap_says_what_to_do_from_the_run(tmp_path):
    frame = pd.read_csv(SAMPLE_DATA / "air_passengers.csv")
    frame.to_csv(tmp_path / "ap.csv", index=False)
    frame[frame["timestamp"] != "1960-03-01"].to_csv(tmp_path / "feed.csv", index=False)
    config = {"data": {"path": "ap.csv", "target": "passengers"}, "windows": {"horizon": 12}}
    (tmp_path / "ap.yaml").write_text(yaml.safe_dump(config))
    assert lstmcast("train", "ap.yaml", *TINY, cwd=tmp_path).returncode == 0
    refused = minimal("forecast", "runs/ap", "--input", "feed.csv", cwd=tmp_path)
    message = one_line_error(refused, 3)
    assert "1 row missing from the monthly grid (1960-03-01); fill it in the feed, or " in message
    assert "retrain with data.missing: interpolate" in message and "--set" not in message
    with_set = minimal("forecast", "runs/ap", "--set", "data.missing=interpolate", cwd=tmp_path)
    assert "a run folder keeps the settings it was trained with" in one_line_error(with_set, 2)


@pytest.mark.slow
def test_a_weekly_series_with_a_week_missing(tmp_path):
    stamps = pd.date_range("2015-01-04", periods=260, freq="W-SUN")
    steps = np.arange(260.0)
    load = 50 + 10 * np.sin(2 * np.pi * steps / 52) + 0.05 * steps
    frame = pd.DataFrame({"date": stamps.strftime("%Y-%m-%d"), "load": load}).drop(index=[100])
    frame.to_csv(tmp_path / "weekly.csv", index=False)
    init = minimal("init", "weekly.csv", "--horizon", "8", "--json", cwd=tmp_path)
    facts = json.loads(init.stdout)
    assert (facts["frequency"], facts["season_length"]) == ("W-SUN", 52), init.stderr
    assert facts["missing_rows"] == 1 and facts["valid"], facts["problem"]
    trained = lstmcast("train", "weekly.yaml", *TINY, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    forecast = lstmcast("forecast", "runs/weekly", cwd=tmp_path)
    stamps = pd.read_csv(io.StringIO(forecast.stdout))["timestamp"]
    assert stamps.tolist()[:2] == ["2019-12-29", "2020-01-05"]


def berlin_hours(first: str, last: str) -> pd.DataFrame:
    utc = pd.date_range(first, last, freq="h", tz="UTC")
    local = utc.tz_convert("Europe/Berlin")
    load = 100 + 10 * np.sin(2 * np.pi * local.hour / 24)
    return pd.DataFrame({"timestamp": [t.isoformat() for t in local], "load": load})


@pytest.mark.slow
def test_hourly_local_time_across_daylight_saving(tmp_path):
    berlin_hours("2024-02-20", "2024-10-26T21:00").to_csv(tmp_path / "grid.csv", index=False)
    init = minimal("init", "grid.csv", "--json", cwd=tmp_path)
    assert init.returncode == 0, init.stderr  # not 'internal error: Mixed timezones'
    facts = json.loads(init.stdout)
    assert (facts["timezone"], facts["frequency"], facts["season_length"]) == (
        "Europe/Berlin", "h", 24,
    )  # fmt: skip
    assert "timezone: Europe/Berlin" in (tmp_path / "grid.yaml").read_text()

    trained = lstmcast("train", "grid.yaml", *TINY, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    forecast = lstmcast("forecast", "runs/grid", cwd=tmp_path)  # last row 23:00+02:00
    stamps = pd.read_csv(io.StringIO(forecast.stdout))["timestamp"].tolist()
    assert stamps[:5] == [
        "2024-10-27T00:00:00+02:00", "2024-10-27T01:00:00+02:00", "2024-10-27T02:00:00+02:00",
        "2024-10-27T02:00:00+01:00", "2024-10-27T03:00:00+01:00",
    ]  # fmt: skip
    naive = berlin_hours("2024-10-01", "2024-10-26T21:00")
    naive["timestamp"] = naive["timestamp"].str[:19]
    naive.to_csv(tmp_path / "naive.csv", index=False)
    refused = minimal("forecast", "runs/grid", "--input", "naive.csv", cwd=tmp_path)
    assert "has no UTC offsets, but data.timezone is 'Europe/Berlin'" in one_line_error(refused, 3)


@pytest.mark.slow
def test_business_hours_forecast_the_next_session_with_its_timestamps(tmp_path):
    config = yaml.safe_load((CONFIGS / "bank_calls.yaml").read_text())
    assert config["data"]["sessions"] == {"days": "Mon-Fri", "open": "07:00", "close": "21:00"}
    frame = pd.read_csv(SAMPLE_DATA / "bank_calls_5min.csv")
    friday = frame[frame["timestamp"] <= "2003-10-17T21:00:00Z"]  # ends on a Friday's close
    friday.to_csv(tmp_path / "feed.csv", index=False)
    settings = ["--set", "output.run_dir=runs/calls", "--set", "windows.stride=16"]
    trained = lstmcast("train", CONFIGS / "bank_calls.yaml", *settings, *TINY, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    forecast = lstmcast("forecast", "runs/calls", "--input", "feed.csv", "--as-of",
                        "2003-10-17T21:00:00Z", cwd=tmp_path)  # fmt: skip
    assert forecast.returncode == 0, forecast.stderr
    stamps = pd.read_csv(io.StringIO(forecast.stdout))["timestamp"]
    assert stamps.iloc[0] == "2003-10-20T07:00:00+00:00"  # Monday's open
    assert stamps.iloc[-1] == "2003-10-20T21:00:00+00:00" and len(stamps) == 169
    described = lstmcast("info", "runs/calls", "--json", cwd=tmp_path)
    assert json.loads(described.stdout)["data"]["frequency"] == "5min"


@pytest.mark.slow
def test_a_copied_project_still_works_with_its_own_config(tmp_path):
    project = tmp_path / "project"
    (project / "configs").mkdir(parents=True)
    (project / "data").mkdir()
    synthetic_frame(240).to_csv(project / "data" / "load.csv", index=False)
    config = tiny_experiment(Path("../data/load.csv"), Path("runs/load"))
    (project / "configs" / "load.yaml").write_text(yaml.safe_dump(config))
    assert minimal("train", "configs/load.yaml", "-q", cwd=project).returncode == 0
    saved = yaml.safe_load((project / "runs" / "load" / "config.yaml").read_text())
    assert saved["data"]["path"] == "../../data/load.csv"  # beside the run, as a config's is

    copy = tmp_path / "elsewhere"
    shutil.copytree(project, copy)
    shutil.rmtree(project)  # the original is gone: nothing may point back at it
    for target in ("configs/load.yaml", "runs/load"):
        result = minimal("forecast", target, cwd=copy)
        assert result.returncode == 0, (target, result.stderr)
    evaluated = minimal("evaluate", "configs/load.yaml", cwd=copy)
    assert evaluated.returncode == 0 and "changed since training" not in evaluated.stderr

    other = pd.read_csv(copy / "data" / "load.csv")
    other.loc[5, "load"] += 1.0  # other bytes under another name: another data set
    other.to_csv(copy / "data" / "other.csv", index=False)
    config["data"]["path"] = "../data/other.csv"
    (copy / "configs" / "other.yaml").write_text(yaml.safe_dump(config))
    refused = minimal("forecast", "configs/other.yaml", cwd=copy)
    assert refused.returncode == 2 and "does not match the run" in refused.stderr
