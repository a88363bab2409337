"""The production path as cron runs it (env -i, stdin /dev/null): forecasts anchored and
logged, a stopped feed refused, the log scored as actuals arrive, retrains gated and
promoted under a stable name, and --json on every command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.data import SAMPLE_DATA, synthetic_frame, tiny_experiment
from tests.helpers.program import minimal

ENVELOPE = {
    "schema_version",
    "command",
    "status",
    "written",
    "elapsed_seconds",
    "device",
    "versions",
}


@pytest.fixture(scope="module")
def hourly(tmp_path_factory) -> Path:
    """A tiny run trained on the first 200 of 240 hourly rows; series.csv holds all 240."""
    root = tmp_path_factory.mktemp("hourly")
    frame = synthetic_frame(rows=240)
    frame.to_csv(root / "series.csv", index=False)
    frame.head(200).to_csv(root / "train.csv", index=False)
    config = tiny_experiment(root / "train.csv", root / "runs" / "tiny")
    (root / "tiny.yaml").write_text(yaml.safe_dump(config))
    assert minimal("train", "tiny.yaml", "-q", cwd=root).returncode == 0
    return root


def as_of(row: int) -> str:
    return synthetic_frame(rows=240)["timestamp"].iloc[row]


@pytest.mark.slow
def test_forecasts_logged_at_once_by_four_jobs_then_scored_against_the_actuals(hourly, tmp_path):
    log = tmp_path / "forecasts.csv"
    base = [sys.executable, "-m", "lstmcast", "forecast", hourly / "runs" / "tiny", "-i"]
    jobs = [  # four cron jobs appending to one log at the same moment
        subprocess.Popen(
            [
                *map(str, base),
                str(hourly / "series.csv"),
                "--as-of",
                as_of(row),
                "--log",
                str(log),
                "-o",
                str(tmp_path / f"f{row}.csv"),
                "-q",
            ],
            env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
            stdin=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for row in (205, 210, 215, 220)
    ]
    said = [job.communicate(timeout=300)[1] for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0, 0, 0], said
    lines = log.read_text().splitlines()
    assert lines[0].startswith("issued_at,run_id,target,origin,timestamp,step,forecast,lower_")
    logged = pd.read_csv(log)
    assert len(lines) == 1 + 4 * 2 and len(logged) == 8  # one header, whole forecasts only
    assert sorted(logged.groupby("origin").size().tolist()) == [2, 2, 2, 2]
    for row in (205, 210, 215, 220):  # what was logged is what was written
        issued = pd.read_csv(tmp_path / f"f{row}.csv")
        mine = logged[logged["origin"] == as_of(row)]
        assert mine["timestamp"].tolist() == issued["timestamp"].tolist()
        np.testing.assert_allclose(mine["forecast"], issued["load"], rtol=1e-6)

    scored = minimal(
        "evaluate", hourly / "runs" / "tiny", "--history", log, "--actuals",
        hourly / "series.csv", "--bucket", "day", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert scored.returncode == 0, scored.stderr
    live = json.loads(scored.stdout)
    assert set(live) >= ENVELOPE and live["status"] == "ok"
    assert live["issued_steps"] == 8 and live["scored_steps"] == 8
    actual = synthetic_frame(rows=240).set_index("timestamp")["load"]
    errors = (logged["forecast"] - logged["timestamp"].map(actual)).abs()
    assert live["overall"]["mae"] == pytest.approx(errors.mean(), rel=1e-9)
    naive = logged["origin"].map(actual)  # the last actual at each origin
    naive_mae = (naive - logged["timestamp"].map(actual)).abs().mean()
    assert live["overall"]["naive_mae"] == pytest.approx(naive_mae, rel=1e-9)
    assert set(live["per_step"]) == {"1", "2"}
    buckets = live["per_bucket"]  # origins on two days; the verdict follows from their ratios
    assert sorted(buckets) == ["2024-01-09", "2024-01-10"] and live["bucket"] == "day"
    ratios = [buckets[day]["live_over_test"] for day in sorted(buckets)]
    assert live["drift"]["drifting"] == all(ratio > 1 + live["drift"]["margin"] for ratio in ratios)


@pytest.mark.slow
def test_a_stopped_feed_is_refused_and_nothing_is_written(hourly, tmp_path):
    log = tmp_path / "forecasts.csv"
    log.write_text("")
    latest = hourly / "series.csv"  # ends 2024-01-10T23:00
    result = minimal(
        "forecast", hourly / "runs" / "tiny", "-i", latest, "--as-of", "2024-01-11T06:00",
        "--max-staleness", "3h", "--log", log, "-o", "next.csv", cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 8, result.stderr
    assert "the last row is 2024-01-10T23:00:00, 7 hours before --as-of" in result.stderr
    assert "more than the allowed 3h" in result.stderr
    assert not (tmp_path / "next.csv").exists() and log.read_text() == ""
    fresh = minimal(
        "forecast", hourly / "runs" / "tiny", "-i", latest, "--as-of", "2024-01-11T01:00",
        "--max-staleness", "3h", "-q", cwd=tmp_path,
    )  # fmt: skip
    assert fresh.returncode == 0, fresh.stderr  # 2 hours old: fresh enough
    assert fresh.stdout.splitlines()[1].startswith("2024-01-11T00:00:00,1,")


def wave(path: Path, *, period: int, noise: float) -> None:
    steps = np.arange(400)
    values = 10 + 5 * np.sin(2 * np.pi * steps / period)
    values += noise * np.random.default_rng(0).standard_normal(400)
    stamps = pd.date_range("2020-01-01", periods=400, freq="h").strftime("%Y-%m-%dT%H:%M:%S")
    pd.DataFrame({"timestamp": stamps, "load": values}).to_csv(path, index=False)


def gated_config(root: Path, name: str, csv: str, season: int) -> Path:
    config = tiny_experiment(root / csv, root / "runs" / name, data={"season_length": season})
    config["training"]["epochs"] = 1
    config["gate"] = {"enabled": True, "against": str(root / "runs" / "energy" / "current")}
    (root / f"{name}.yaml").write_text(yaml.safe_dump(config))
    return root / f"{name}.yaml"


@pytest.mark.slow
def test_a_retrain_is_gated_and_only_an_accepted_run_is_promoted(tmp_path):
    # seasonal naive with the wrong season (12 on a 24-step wave) is easy to beat...
    wave(tmp_path / "easy.csv", period=24, noise=0.0)
    # ...and with the right one on a nearly noise-free wave it cannot be beaten in one epoch
    wave(tmp_path / "hard.csv", period=24, noise=0.05)
    first = minimal("train", gated_config(tmp_path, "week1", "easy.csv", 12), "-q", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "gate: no production run at" not in first.stderr  # -q
    promoted = minimal("promote", "runs/week1", "--as", "energy", cwd=tmp_path)
    assert promoted.returncode == 0, promoted.stderr
    current = tmp_path / "runs" / "energy" / "current"
    assert current.is_symlink() and os.readlink(current) == "../week1"

    refused = minimal("train", gated_config(tmp_path, "week2", "hard.csv", 24), cwd=tmp_path)
    assert refused.returncode == 9, refused.stderr
    assert "/runs/week2 is refused: test MASE" in refused.stderr.splitlines()[-1]
    verdict = json.loads((tmp_path / "runs" / "week2" / "gate.json").read_text())
    assert verdict["passed"] is False and verdict["production"]["run_id"].startswith("week1-")
    kept = minimal("promote", "runs/week2", "--as", "energy", "--json", cwd=tmp_path)
    assert kept.returncode == 9 and json.loads(kept.stdout)["error"]["exit_code"] == 9
    assert os.readlink(current) == "../week1"  # production untouched

    again = minimal("train", gated_config(tmp_path, "week3", "easy.csv", 12), "--json",
                    cwd=tmp_path)  # fmt: skip
    assert again.returncode == 0, again.stderr
    gate = json.loads(again.stdout)["gate"]
    assert gate["passed"] and gate["production"]["mase"] > 0
    assert minimal("promote", "runs/week3", "--as", "energy", cwd=tmp_path).returncode == 0
    assert os.readlink(current) == "../week3"
    history = (tmp_path / "runs" / "energy" / "promotions.log").read_text().splitlines()
    assert len(history) == 2 and "week3-" in history[1] and "previous=" in history[1]
    forecast = minimal("forecast", current, "--json", cwd=tmp_path)  # the crontab's line
    assert forecast.returncode == 0, forecast.stderr
    assert json.loads(forecast.stdout)["run_id"].startswith("week3-")


@pytest.mark.parametrize(
    "args",
    [
        ["init", "missing.csv"],
        ["validate", "missing.yaml"],
        ["train", "missing.yaml"],
        ["evaluate", "runs/missing"],
        ["forecast", "runs/missing"],
        ["backtest", "runs/missing"],
        ["report", "runs/missing"],
        ["info", "runs/missing"],
        ["promote", "runs/missing", "--as", "energy"],
        ["forecast", "--no-such-flag"],
    ],
)
def test_json_on_every_command_even_when_it_fails(tmp_path, args):
    result = minimal(*args, "--json", cwd=tmp_path)
    assert result.returncode in (2, 3, 4), result.stderr
    document = json.loads(result.stdout)
    assert ENVELOPE | {"error"} <= set(document)
    assert document["status"] == "error" and document["schema_version"] == 1
    assert document["command"] == args[0]
    assert document["error"]["exit_code"] == result.returncode
    assert document["versions"]["lstmcast"] and "tensorflow" not in document["versions"]


def test_json_on_success_carries_the_result_in_the_envelope(tmp_path):
    schema = minimal("schema", "--json", cwd=tmp_path)
    document = json.loads(schema.stdout)
    assert set(document) >= ENVELOPE and document["status"] == "ok"
    assert document["schema"]["title"] == "lstmcast experiment"


@pytest.mark.parametrize("csv", sorted(SAMPLE_DATA.glob("*.csv")), ids=lambda p: p.stem)
def test_init_writes_a_starter_config_that_validates_without_tensorflow(tmp_path, csv):
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "lstmcast", "init", str(csv), "--json"],
        capture_output=True, text=True, cwd=tmp_path, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["valid"], facts["problem"]
    assert " tensorflow" not in result.stderr and " keras" not in result.stderr
    written = tmp_path / f"{csv.stem}.yaml"
    text = written.read_text()  # the lookback is the shipped rule's, said in a comment
    if "series_id:" in text:  # a panel's is written out: max(horizon, 2 x season)
        assert f"\n  lookback: {facts['lookback']}    # many series: max(horizon, 2" in text
    else:
        assert "lookback left out: max(2 x horizon, 2 x season)" in text
        assert "\n  lookback:" not in text
    assert facts["lookback"] >= 2 * facts["season_length"]
    assert minimal("validate", written, "-q", cwd=tmp_path).returncode == 0
