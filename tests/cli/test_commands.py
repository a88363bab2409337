"""Command behaviour through Typer's runner: results, messages, exit codes, files."""

from __future__ import annotations

import json

import pytest
import yaml

from lstmcast import __version__
from lstmcast.artifacts import CONFIG_FILE, MANIFEST_FILE, METRICS_FILE, MODEL_FILE
from lstmcast.errors import ExitCode
from tests.helpers.runs import invoke

COMMANDS = ["validate", "train", "evaluate", "forecast", "backtest", "report", "info", "schema"]


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"lstmcast {__version__}"


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command):
    result = invoke(command, "--help")
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    assert "--debug" in result.output


def test_no_arguments_shows_help():
    result = invoke()
    assert "validate" in result.output and "forecast" in result.output


def test_validate_json(tiny_config):
    result = invoke("validate", tiny_config, "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 240
    assert summary["columns"] == ["load", "x1"]
    assert summary["splits"]["test"]["rows"] == 36
    assert summary["splits"]["test"]["windows"] == 35


def test_validate_config_error_is_one_line_exit_2(write_config, tmp_path):
    config = write_config(
        "data:\n  path: x.csv\n  target: y\nwindows:\n  lookback: 0\n  horizon: 1\n"
    )
    result = invoke("validate", config)
    assert result.exit_code == ExitCode.USAGE
    assert "line 5: windows.lookback: Input should be greater than 0 (got 0)" in result.output
    assert "Traceback" not in result.output


def test_validate_data_error_exit_3(tiny_config, tmp_path):
    raw = yaml.safe_load(tiny_config.read_text())
    csv = tmp_path / "series.csv"
    lines = csv.read_text().splitlines()
    lines[10] = lines[10].replace(",", ",oops", 1)
    csv.write_text("\n".join(lines) + "\n")
    result = invoke("validate", tiny_config)
    assert result.exit_code == ExitCode.DATA
    assert "1 non-numeric cell (first: line 11" in result.output
    assert raw["data"]["path"] == str(csv)


def test_series_too_short_is_a_data_error(write_csv, write_config, tmp_path):
    from tests.helpers.data import synthetic_frame, tiny_experiment

    csv = write_csv(synthetic_frame(9))
    result = invoke("validate", write_config(tiny_experiment(csv, tmp_path / "run")))
    assert result.exit_code == ExitCode.DATA
    assert "9 rows are too few for lookback 8 + horizon 2" in result.output


def test_split_without_windows_is_a_config_error(tiny_config):
    result = invoke("validate", tiny_config, "--set", "split.test=1")
    assert result.exit_code == ExitCode.USAGE
    assert "split.test: the test part has 1 rows, fewer than the horizon (2)" in result.output


def test_missing_run_folder_exit_4(tmp_path):
    result = invoke("evaluate", tmp_path / "nothing-here")
    assert result.exit_code == ExitCode.ARTIFACT
    assert "is neither a run folder nor a config file" in result.output


def test_incomplete_run_folder_exit_4(tmp_path):
    (tmp_path / "half").mkdir()
    (tmp_path / "half" / MODEL_FILE).write_text("not a model")
    result = invoke("forecast", tmp_path / "half")
    assert result.exit_code == ExitCode.ARTIFACT
    assert "is not a complete run folder (no manifest.json)" in result.output


def test_train_evaluate_forecast_in_process(tiny_config, tmp_path):
    run_dir = tmp_path / "runs" / "tiny"
    result = invoke("train", tiny_config, "--json", "-q")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["run_dir"] == str(run_dir)
    assert summary["epochs_run"] == 2
    assert summary["device"].startswith("CPU")
    assert set(summary["evaluation"]["overall"]) == {"lstm", "naive", "seasonal_naive", "drift"}
    for name in (CONFIG_FILE, MANIFEST_FILE, METRICS_FILE, MODEL_FILE):
        assert (run_dir / name).is_file()
    hidden = {p.name for p in run_dir.parent.iterdir() if p.name.startswith(".")}
    assert hidden == {".tiny.lock"}  # no leftovers but the lock that stays for the next run

    again = invoke("train", tiny_config)
    assert again.exit_code == ExitCode.USAGE
    assert "already exists; pass --overwrite" in again.output

    evaluated = invoke("evaluate", run_dir, "--json")
    assert evaluated.exit_code == 0, evaluated.output
    metrics = json.loads(evaluated.stdout)
    assert metrics["overall"] == summary["evaluation"]["overall"]  # same windows, same numbers
    assert len(metrics["per_step"]["lstm"]["mase"]) == 2

    by_config = invoke("forecast", tiny_config, "--output", tmp_path / "next.csv")
    assert by_config.exit_code == 0, by_config.output
    lines = (tmp_path / "next.csv").read_text().splitlines()
    assert lines[0] == "timestamp,step,load,lower_80,upper_80,lower_95,upper_95"
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["2024-01-11T00:00:00", "1"],
        ["2024-01-11T01:00:00", "2"],
    ]
    as_json = invoke("forecast", tiny_config, "--json", "-q")
    document = json.loads(as_json.stdout)  # stdout is exactly one JSON document
    assert [row["timestamp"] for row in document["forecast"]] == [
        "2024-01-11T00:00:00",
        "2024-01-11T01:00:00",
    ]
    assert set(document["forecast"][0]) == {
        "timestamp", "step", "load", "lower_80", "upper_80", "lower_95", "upper_95"
    }  # fmt: skip
    row = document["forecast"][0]
    assert row["lower_95"] <= row["lower_80"] <= row["load"] <= row["upper_80"] <= row["upper_95"]


def test_forecast_refuses_mismatched_input(tiny_config, tmp_path, write_csv):
    from tests.helpers.data import synthetic_frame

    assert invoke("train", tiny_config, "-q").exit_code == 0
    run_dir = tmp_path / "runs" / "tiny"
    no_feature = write_csv(synthetic_frame(50).drop(columns=[]), "no_feature.csv")
    result = invoke("forecast", run_dir, "--input", no_feature)
    assert result.exit_code == ExitCode.DATA
    assert "data.features: column 'x1' is not in" in result.output

    daily = write_csv(synthetic_frame(50, freq="D", features=2), "daily.csv")
    result = invoke("forecast", run_dir, "--input", daily)
    assert result.exit_code == ExitCode.DATA
    assert "step by 'D' (daily) but the trained run's frequency is 'h' (hourly)" in result.output

    short = write_csv(synthetic_frame(5, features=2), "short.csv")
    result = invoke("forecast", run_dir, "--input", short)
    assert result.exit_code == ExitCode.DATA
    assert "has 5 rows but the model reads the last 8" in result.output

    newer = synthetic_frame(300, features=2).iloc[-20:]
    result = invoke("forecast", run_dir, "--input", write_csv(newer, "newer.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1].startswith("2024-01-13T12:00:00,1,")


def test_tampered_model_is_refused(tiny_config, tmp_path):
    assert invoke("train", tiny_config, "-q").exit_code == 0
    model = tmp_path / "runs" / "tiny" / MODEL_FILE
    model.write_bytes(model.read_bytes()[:-10])
    result = invoke("evaluate", tmp_path / "runs" / "tiny")
    assert result.exit_code == ExitCode.ARTIFACT
    assert "has changed since training" in result.output


def test_same_seed_same_metrics(tiny_config):
    first = json.loads(invoke("train", tiny_config, "--json", "-q").stdout)
    second = json.loads(invoke("train", tiny_config, "--json", "-q", "--overwrite").stdout)
    assert first["evaluation"]["overall"] == second["evaluation"]["overall"]
    assert first["best_val_loss"] == second["best_val_loss"]


def test_evaluate_exports_every_test_window_against_brute_force(tiny_config, tmp_path):
    import pandas as pd

    assert invoke("train", tiny_config, "-q").exit_code == 0
    run_dir = tmp_path / "runs" / "tiny"
    exported = tmp_path / "test-forecasts.csv"
    result = invoke("evaluate", run_dir, "--forecasts", exported, "--json")
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)
    frame = pd.read_csv(exported)
    assert list(frame.columns) == [
        "origin",
        "timestamp",
        "step",
        "actual",
        "lstm",
        "lower_80",
        "upper_80",
        "lower_95",
        "upper_95",
        "naive",
        "seasonal_naive",
        "drift",
    ]
    assert len(frame) == metrics["num_windows"] * metrics["horizon"] == 35 * 2
    data = pd.read_csv(yaml.safe_load(tiny_config.read_text())["data"]["path"])
    value_at = dict(zip(pd.to_datetime(data["timestamp"]), data["load"], strict=True))
    stamps = pd.to_datetime(data["timestamp"])
    step = stamps.iloc[1] - stamps.iloc[0]
    for row in frame.itertuples():
        origin, stamp = pd.Timestamp(row.origin), pd.Timestamp(row.timestamp)
        assert stamp == origin + row.step * step
        assert row.actual == pytest.approx(value_at[stamp], rel=1e-7)  # CSV keeps 8 digits
        assert row.naive == pytest.approx(value_at[origin], rel=1e-7)  # last value observed
        assert row.seasonal_naive == pytest.approx(value_at[stamp - 24 * step], rel=1e-7)
    assert frame["origin"].iloc[0] == metrics["first_origin"]
    mae = (frame["lstm"] - frame["actual"]).abs().mean()
    assert mae == pytest.approx(metrics["overall"]["lstm"]["mae"], rel=1e-5)

    to_stdout = invoke("evaluate", run_dir, "--forecasts", "-", "-q")
    assert to_stdout.exit_code == 0
    assert to_stdout.stdout.splitlines()[0].startswith("origin,timestamp,step,actual")
    clash = invoke("evaluate", run_dir, "--forecasts", "-", "--json")
    assert clash.exit_code == ExitCode.USAGE
    assert "would all write to stdout" in clash.output


def test_lookback_left_out_follows_the_default_rule_and_is_saved(write_csv, write_config, tmp_path):
    from tests.helpers.data import synthetic_frame, tiny_experiment

    config = tiny_experiment(write_csv(synthetic_frame(240)), tmp_path / "run")
    del config["windows"]["lookback"]  # hourly: m = 24, horizon 2 -> lookback 48
    path = write_config(config)
    described = invoke("validate", path, "--json")
    assert json.loads(described.stdout)["lookback"] == 48
    assert invoke("train", path, "-q").exit_code == 0
    saved = yaml.safe_load((tmp_path / "run" / CONFIG_FILE).read_text())
    assert saved["windows"]["lookback"] == 48
    assert invoke("forecast", tmp_path / "run", "-q").exit_code == 0


def test_forecast_output_onto_a_folder_or_an_unwritable_place_is_one_line(tiny_config, tmp_path):
    assert invoke("train", tiny_config, "-q").exit_code == 0
    folder = invoke("forecast", tiny_config, "--output", tmp_path)
    assert folder.exit_code == 2
    assert f"--output: {tmp_path} is a folder; give a file name" in folder.output
    # /sys refuses new files even to root, as a read-only mount would
    refused = invoke("forecast", tiny_config, "--output", "/sys/next.csv")
    assert refused.exit_code == 2, refused.output
    assert "--output: cannot write /sys/next.csv (" in refused.output
    assert "Traceback" not in refused.output


def test_a_config_that_disagrees_with_its_run_folder_is_refused(tiny_config):
    assert invoke("train", tiny_config, "-q").exit_code == 0
    for command in ("evaluate", "forecast", "report"):  # backtest CONFIG refits: no run read
        refused = invoke(command, tiny_config, "--set", "windows.horizon=3")
        assert refused.exit_code == 2, refused.output
        assert "does not match the run in" in refused.output
        assert "windows.horizon 3 (the run: 2)" in refused.output
    assert invoke("evaluate", tiny_config, "-q").exit_code == 0  # the same settings: fine
