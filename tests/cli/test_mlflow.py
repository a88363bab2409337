"""MLflow as a team reads it: train, update, backtest, tune and promote run as subprocesses
against a real tracking store on a SQLite file (no server, no mocks), read back with
MlflowClient; a store that is down costs a warning, never the run; and without output.mlflow,
MLflow is not even imported."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from lstmcast import tracking
from lstmcast.config.sections.output import MlflowSection
from lstmcast.errors import ConfigError
from tests.helpers.data import REPO, synthetic_frame, tiny_experiment
from tests.helpers.program import minimal

pytestmark = pytest.mark.slow


def client(root: Path):
    from mlflow.tracking import MlflowClient

    return MlflowClient(tracking_uri=store(root))


def store(root: Path) -> str:
    return f"sqlite:///{root / 'mlruns.db'}"


def runs_of(root: Path, experiment: str) -> list:
    found = client(root).get_experiment_by_name(experiment)
    assert found is not None, f"no MLflow experiment {experiment}"
    return client(root).search_runs([found.experiment_id], order_by=["attributes.start_time"])


def logged_as(root: Path, run_dir: Path):
    """The MLflow run holding the run folder at `run_dir`."""
    from lstmcast.artifacts import run_id_of

    (found,) = [
        run for run in runs_of(root, "load")
        if run.data.tags.get("lstmcast.run_id") == run_id_of(run_dir)
    ]  # fmt: skip
    return found


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> Path:
    """A tiny run trained with output.mlflow (a registry model named) on 240 of 300 rows."""
    root = tmp_path_factory.mktemp("tracked")
    frame = synthetic_frame(rows=300)
    frame.head(240).to_csv(root / "old.csv", index=False)
    frame.to_csv(root / "new.csv", index=False)
    mlflow = {"tracking_uri": store(root), "registered_model": "load-model"}
    config = tiny_experiment(root / "old.csv", root / "runs" / "load", intervals={"levels": [80]},
                             output={"mlflow": mlflow})  # fmt: skip
    (root / "load.yaml").write_text(yaml.safe_dump(config))
    done = minimal("train", "load.yaml", cwd=root)
    assert done.returncode == 0, done.stderr
    assert "logged to MLflow" in done.stderr
    return root


def test_train_logs_params_losses_per_epoch_test_metrics_tags_and_the_run_folder(tracked):
    run = logged_as(tracked, tracked / "runs" / "load")
    assert run.info.status == "FINISHED" and run.info.run_name == "load"
    params = run.data.params
    assert params["windows.lookback"] == "8" and params["model.units"] == "[4]"
    assert params["training.seed"] == "1" and params["data.target"] == "load"
    with (tracked / "runs" / "load" / "history.csv").open() as handle:
        history = list(csv.DictReader(handle))
    losses = client(tracked).get_metric_history(run.info.run_id, "val_loss")
    assert [(m.step, m.value) for m in losses] == [
        (int(row["epoch"]), pytest.approx(float(row["val_loss"]))) for row in history
    ]
    scores = json.loads((tracked / "runs" / "load" / "metrics.json").read_text())
    assert run.data.metrics["test.mase"] == pytest.approx(scores["overall"]["lstm"]["mase"])
    assert run.data.metrics["test.seasonal_naive.mase"] == pytest.approx(
        scores["overall"]["seasonal_naive"]["mase"]
    )
    assert "test.interval80.coverage" in run.data.metrics
    manifest = json.loads((tracked / "runs" / "load" / "manifest.json").read_text())
    tags = run.data.tags
    assert tags["lstmcast.data_sha256"] == manifest["data_sha256"]
    assert tags["lstmcast.device"] == manifest["device"]
    assert tags["lstmcast.versions.tensorflow"] == manifest["versions"]["tensorflow"]
    assert tags["lstmcast.command"] == "train"
    artifacts = {a.path for a in client(tracked).list_artifacts(run.info.run_id, "run_folder")}
    assert {"run_folder/model.keras", "run_folder/manifest.json"} <= artifacts


def test_update_logs_a_new_run_naming_its_parent_in_mlflow(tracked):
    done = minimal("update", "runs/load", "-i", "new.csv", "--epochs", "1", "--output-run",
                   "runs/load-w2", cwd=tracked)  # fmt: skip
    assert done.returncode == 0, done.stderr
    parent = logged_as(tracked, tracked / "runs" / "load")
    child = logged_as(tracked, tracked / "runs" / "load-w2")
    assert child.data.tags["lstmcast.command"] == "update"
    assert child.data.tags["lstmcast.parent_mlflow_run_id"] == parent.info.run_id
    assert child.data.tags["lstmcast.parent_run_id"] == parent.data.tags["lstmcast.run_id"]
    assert child.data.tags["lstmcast.epochs_added"] == "1"


def test_a_backtest_of_a_run_adds_its_scores_to_that_runs_mlflow_run(tracked):
    done = minimal("backtest", "runs/load", "--json", cwd=tracked)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    run = logged_as(tracked, tracked / "runs" / "load")
    assert result["mlflow"] == run.info.run_id
    assert run.data.metrics["backtest.mase"] == pytest.approx(result["overall"]["lstm"]["mase"])


def test_promote_points_a_registry_alias_at_the_runs_model_version(tracked):
    for _ in range(2):  # promoting again keeps one version
        done = minimal("promote", "runs/load", "--as", "production", cwd=tracked)
        assert done.returncode == 0, done.stderr
    assert "MLflow registry: load-model@production (version 1)" in done.stderr
    version = client(tracked).get_model_version_by_alias("load-model", "production")
    assert version.run_id == logged_as(tracked, tracked / "runs" / "load").info.run_id
    assert version.source.endswith("/run_folder")


def test_a_panel_logs_its_pooled_scores(tmp_path):
    frames = [synthetic_frame(rows=200).assign(series_id=f"s{i}") for i in range(3)]
    pd.concat(frames).to_csv(tmp_path / "stores.csv", index=False)
    config = tiny_experiment(tmp_path / "stores.csv", tmp_path / "runs" / "stores",
                             data={"series_id": "series_id"})  # fmt: skip
    (tmp_path / "stores.yaml").write_text(yaml.safe_dump(config))
    done = minimal("train", "stores.yaml", "-q", "--mlflow-uri", store(tmp_path), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (run,) = runs_of(tmp_path, "stores")  # the config's name when output.mlflow names none
    scores = json.loads((tmp_path / "runs" / "stores" / "metrics.json").read_text())
    assert run.data.metrics["test.mean_mase"] == pytest.approx(scores["mean_mase"]["lstm"])
    assert run.data.params["data.series_id"] == "series_id"


def test_tune_logs_the_study_with_a_nested_run_per_trial_and_none_twice(tmp_path):
    synthetic_frame(rows=240).to_csv(tmp_path / "load.csv", index=False)
    space = {"model.dropout": {"low": 0.0, "high": 0.3}}
    config = tiny_experiment(tmp_path / "load.csv", tmp_path / "runs" / "load",
                             tune={"trials": 2, "space": space})  # fmt: skip
    (tmp_path / "load.yaml").write_text(yaml.safe_dump(config))
    for trials in (2, 3):  # the second call resumes the study for one more trial
        done = minimal("tune", "load.yaml", "--trials", trials, "--mlflow-uri", store(tmp_path),
                       "-q", cwd=tmp_path)  # fmt: skip
        assert done.returncode == 0, done.stderr
    runs = runs_of(tmp_path, "load")
    (study,) = [run for run in runs if "lstmcast.study" in run.data.tags]
    trials = [run for run in runs if run.data.tags.get("mlflow.parentRunId") == study.info.run_id]
    assert sorted(run.data.tags["lstmcast.trial"] for run in trials) == ["0", "1", "2"]
    assert all("model.dropout" in run.data.params for run in trials)
    best = min(run.data.metrics["objective"] for run in trials)
    assert study.data.metrics["best_objective"] == pytest.approx(best)


def test_a_store_that_is_down_costs_a_warning_not_the_run(tmp_path):
    synthetic_frame(rows=240).to_csv(tmp_path / "load.csv", index=False)
    config = tiny_experiment(tmp_path / "load.csv", tmp_path / "runs" / "load")
    (tmp_path / "load.yaml").write_text(yaml.safe_dump(config))
    done = minimal("train", "load.yaml", "--mlflow-uri", "http://127.0.0.1:9", "--json",
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["mlflow"] is None
    (warning,) = [w for w in summary["warnings"] if w.startswith("MLflow")]
    assert warning.startswith("MLflow: not logged to http://127.0.0.1:9 (the files written are")
    assert "Traceback" not in done.stderr
    assert minimal("forecast", "runs/load", "-q", cwd=tmp_path).returncode == 0


def test_without_the_key_no_command_imports_mlflow():
    code = (
        "import sys\n"
        "import lstmcast.cli, lstmcast.workflows.train, lstmcast.workflows.backtest\n"
        "import lstmcast.workflows.promote, lstmcast.workflows.update, lstmcast.tuning.session\n"
        "assert 'mlflow' not in sys.modules, 'mlflow imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr


def test_without_the_package_the_key_is_refused_before_training(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda n: None if n == "mlflow" else real(n))
    with pytest.raises(ConfigError, match=r"pip install 'lstmcast\[mlflow\]'"):
        tracking.check_installed(MlflowSection(tracking_uri="sqlite:///x.db"))
    tracking.check_installed(None)


def test_config_flattens_to_the_keys_set_takes():
    nested = {"data": {"path": "a.csv", "features": ["x"], "static": []},
              "training": {"early_stopping": {"patience": 3}, "clip_norm": None}}  # fmt: skip
    assert tracking.flat_params(nested) == {
        "data.path": "a.csv", "data.features": '["x"]', "data.static": "[]",
        "training.early_stopping.patience": "3",
    }  # fmt: skip


def test_promote_names_become_aliases_mlflow_accepts():
    assert tracking.registry_alias("production") == "production"
    assert tracking.registry_alias("runs/energy prod") == "energy_prod"
    for reserved in ("latest", "v3"):
        with pytest.raises(ConfigError, match="reserves"):
            tracking.registry_alias(reserved)
