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


def test_a_run_in_mlflow_from_train_to_update_backtest_and_promote(tmp_path):
    """One tiny run trained with output.mlflow (a registry model named), then what a crontab
    does with it; each step read back from the store."""
    frame = synthetic_frame(rows=300)
    frame.head(240).to_csv(tmp_path / "old.csv", index=False)
    frame.to_csv(tmp_path / "new.csv", index=False)
    mlflow = {"tracking_uri": store(tmp_path), "registered_model": "load-model"}
    config = tiny_experiment(tmp_path / "old.csv", tmp_path / "runs" / "load",
                             intervals={"levels": [80]}, output={"mlflow": mlflow})  # fmt: skip
    (tmp_path / "load.yaml").write_text(yaml.safe_dump(config))
    done = minimal("train", "load.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "logged to MLflow" in done.stderr
    trained_is_logged(tmp_path, tmp_path / "runs" / "load")
    update_names_its_parent(tmp_path)
    backtest_adds_its_scores(tmp_path)
    promote_moves_an_alias(tmp_path)
    a_store_that_is_down_costs_a_warning(tmp_path)


def trained_is_logged(root: Path, run_dir: Path) -> None:
    """Params, losses per epoch, test metrics, tags and the run folder."""
    run = logged_as(root, run_dir)
    assert run.info.status == "FINISHED" and run.info.run_name == "load"
    params = run.data.params
    assert params["windows.lookback"] == "8" and params["model.units"] == "[4]"
    assert params["training.seed"] == "1" and params["data.target"] == "load"
    with (run_dir / "history.csv").open() as handle:
        history = list(csv.DictReader(handle))
    losses = client(root).get_metric_history(run.info.run_id, "val_loss")
    assert [(m.step, m.value) for m in losses] == [
        (int(row["epoch"]), pytest.approx(float(row["val_loss"]))) for row in history
    ]
    scores = json.loads((run_dir / "metrics.json").read_text())
    assert run.data.metrics["test.mase"] == pytest.approx(scores["overall"]["lstm"]["mase"])
    assert run.data.metrics["test.seasonal_naive.mase"] == pytest.approx(
        scores["overall"]["seasonal_naive"]["mase"]
    )
    assert "test.interval80.coverage" in run.data.metrics
    manifest = json.loads((run_dir / "manifest.json").read_text())
    tags = run.data.tags
    assert tags["lstmcast.data_sha256"] == manifest["data_sha256"]
    assert tags["lstmcast.device"] == manifest["device"]
    assert tags["lstmcast.versions.tensorflow"] == manifest["versions"]["tensorflow"]
    assert tags["lstmcast.command"] == "train"
    artifacts = {a.path for a in client(root).list_artifacts(run.info.run_id, "run_folder")}
    assert {"run_folder/model.keras", "run_folder/manifest.json"} <= artifacts


def update_names_its_parent(root: Path) -> None:
    done = minimal("update", "runs/load", "-i", "new.csv", "--epochs", "1", "--output-run",
                   "runs/load-w2", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    parent = logged_as(root, root / "runs" / "load")
    child = logged_as(root, root / "runs" / "load-w2")
    assert child.data.tags["lstmcast.command"] == "update"
    assert child.data.tags["lstmcast.parent_mlflow_run_id"] == parent.info.run_id
    assert child.data.tags["lstmcast.parent_run_id"] == parent.data.tags["lstmcast.run_id"]
    assert child.data.tags["lstmcast.epochs_added"] == "1"


def backtest_adds_its_scores(root: Path) -> None:
    """Into the MLflow run of the run folder it tested."""
    done = minimal("backtest", "runs/load", "--json", cwd=root)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    run = logged_as(root, root / "runs" / "load")
    assert result["mlflow"] == run.info.run_id
    assert run.data.metrics["backtest.mase"] == pytest.approx(result["overall"]["lstm"]["mase"])


def promote_moves_an_alias(root: Path) -> None:
    """The registry alias points at the run's model version; promoting again keeps one."""
    for _ in range(2):
        done = minimal("promote", "runs/load", "--as", "production", cwd=root)
        assert done.returncode == 0, done.stderr
    assert "MLflow registry: load-model@production (version 1)" in done.stderr
    version = client(root).get_model_version_by_alias("load-model", "production")
    assert version.run_id == logged_as(root, root / "runs" / "load").info.run_id
    assert version.source.endswith("/run_folder")


def a_store_that_is_down_costs_a_warning(root: Path) -> None:
    """Not the command: the files are written, the exit status is 0."""
    done = minimal("backtest", "runs/load", "--mlflow-uri", "http://127.0.0.1:9", "--json",
                   "--output", "down", cwd=root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["mlflow"] is None and (root / "down" / "metrics.json").is_file()
    (warning,) = [w for w in summary["warnings"] if w.startswith("MLflow")]
    assert warning.startswith("MLflow: not logged to http://127.0.0.1:9 (the files written are")
    assert "Traceback" not in done.stderr


def test_update_mlflow_uri_logs_a_run_trained_without_it_under_the_runs_name(tmp_path):
    synthetic_frame(rows=240).to_csv(tmp_path / "load.csv", index=False)
    config = tiny_experiment(tmp_path / "load.csv", tmp_path / "runs" / "meter")
    (tmp_path / "cron.yaml").write_text(yaml.safe_dump(config))
    assert minimal("train", "cron.yaml", "-q", cwd=tmp_path).returncode == 0
    done = minimal("update", "runs/meter", "-i", "load.csv", "--mlflow-uri", store(tmp_path),
                   "--json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    (run,) = runs_of(tmp_path, "meter")  # the run's name, without the update's suffix
    assert run.info.run_id == summary["mlflow"]
    assert run.info.run_name == Path(summary["run_dir"]).name
    assert run.data.tags["lstmcast.command"] == "update"


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
