"""Every shipped config the way a user runs it, as real subprocesses: train (one tiny epoch),
then evaluate, forecast, backtest, report and update the run folder it wrote, then reload its
saved config. A run folder
that `train` writes but `evaluate` refuses (GRU defaults in the saved config) fails here."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
import yaml

from lstmcast.artifacts import CONFIG_FILE, load_run
from lstmcast.config.load import experiment_from_dict
from tests.helpers.configs import SHIPPED, forecast_input, quick_horizon, quick_settings
from tests.helpers.data import CONFIGS
from tests.helpers.program import TF_NOISE, lstmcast


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_trains_evaluates_forecasts_and_reloads(name, tmp_path):
    config = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    run_dir = tmp_path / "runs" / name
    trained = lstmcast(
        "train", CONFIGS / f"{name}.yaml", *quick_settings(config, str(run_dir)), cwd=tmp_path
    )
    assert trained.returncode == 0, trained.stderr

    evaluated = lstmcast("evaluate", run_dir, "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["num_windows"] > 0
    assert not any(noise in evaluated.stderr for noise in TF_NOISE), evaluated.stderr

    log = tmp_path / "forecasts.csv"
    forecast = lstmcast(
        "forecast", run_dir, *forecast_input(config, tmp_path), "-o", "-", "--log", log,
        cwd=tmp_path,
    )  # fmt: skip
    assert forecast.returncode == 0, forecast.stderr
    assert len(pd.read_csv(log)) == quick_horizon(config)
    live = lstmcast("evaluate", run_dir, "--history", log, "--json", cwd=tmp_path)
    assert live.returncode == 3  # issued from the last row: no actual has arrived yet
    assert json.loads(live.stdout)["error"]["message"].startswith("none of the ")
    frame = pd.read_csv(io.StringIO(forecast.stdout))
    levels = config.get("intervals", {}).get("levels", [80, 95])
    bands = [f"{side}_{level}" for level in levels for side in ("lower", "upper")]
    assert list(frame.columns) == ["timestamp", "step", config["data"]["target"], *bands]
    assert frame["step"].tolist() == list(range(1, quick_horizon(config) + 1))
    assert frame[config["data"]["target"]].notna().all()

    backtest = lstmcast("backtest", run_dir, "--json", cwd=tmp_path)
    assert backtest.returncode == 0, backtest.stderr
    summary = json.loads(backtest.stdout)
    assert summary["windows"] > 0 and list(summary["intervals"]) == [str(v) for v in levels]
    assert (tmp_path / "runs" / f"{name}-backtest" / "forecasts.csv").is_file()

    report = lstmcast("report", run_dir, "-o", tmp_path / "report.html", cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    assert (tmp_path / "report.html").read_text().count("<img") >= 4

    described = lstmcast("info", run_dir, "--json", cwd=tmp_path)
    assert described.returncode == 0, described.stderr
    assert json.loads(described.stdout)["windows"]["horizon"] == quick_horizon(config)
    blend = json.loads(described.stdout)["training"]["blend"]  # what train said it chose
    assert (blend is not None) == ("model.blend:" in trained.stderr), trained.stderr
    assert (blend is None) == (config.get("model", {}).get("output") == "recursive")

    updated = lstmcast("update", run_dir, "-i", CONFIGS / config["data"]["path"], "--epochs", 1,
                       "--output-run", tmp_path / "runs" / f"{name}-next", "--json",
                       cwd=tmp_path)  # fmt: skip
    assert updated.returncode == 0, updated.stderr
    summary = json.loads(updated.stdout)  # a run folder written, its test part scored
    assert summary["epochs_run"] == 1 and summary["evaluation"]["num_windows"] > 0

    run = load_run(run_dir)  # the saved config goes through the schema again...
    saved = yaml.safe_load((run_dir / CONFIG_FILE).read_text())
    again = experiment_from_dict(run.experiment.model_dump(mode="json"), run_dir / CONFIG_FILE)
    assert again.model_dump(mode="json") == run.experiment.model_dump(mode="json")
    assert saved["model"] == run.experiment.model.model_dump(mode="json")  # ...unchanged
