"""Every command on one series and on many, with the same assertions: validate, train behind
the gate, evaluate, forecast (logged and drawn), live scoring of the log, a train-once and a
refitting backtest, report, info, promote, a gated update logged to MLflow beside the run it
continues, and tune on backtest_mase with two trials, all as real subprocesses on a shipped
config (one tiny epoch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.configs import quick_settings
from tests.helpers.data import CONFIGS
from tests.helpers.program import lstmcast

SHAPES = {"one series": "air_passengers", "many series": "tourism_panel"}
SECTIONS = ("Latest forecast", "Test metrics beside the baselines", "Backtest", "Training", "Data")


def _project(name: str, tmp_path: Path) -> tuple[Path, dict]:
    """The shipped config, copied beside a copy of its data, with one tiny epoch and a small
    tune section (the study's database is written beside the config)."""
    config = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    data = Path(config["data"]["path"])
    (tmp_path / data.name).write_bytes((CONFIGS / data).read_bytes())
    config["data"]["path"] = data.name
    for setting in quick_settings(config, "runs/new")[1::2]:  # --set KEY=VALUE pairs
        key, raw = setting.split("=", 1)
        section, field = key.split(".")
        config.setdefault(section, {})[field] = yaml.safe_load(raw)
    config["tune"] = {
        "trials": 2, "objective": "backtest_mase", "folds": 2,
        "space": {"training.learning_rate": {"low": 0.001, "high": 0.01, "log": True}},
    }  # fmt: skip
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path, config


def _ok(done, *codes: int) -> None:
    assert done.returncode in (codes or (0,)), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", SHAPES.values(), ids=SHAPES.keys())
def test_every_command_works_for_one_series_and_many(name, tmp_path):
    config_path, config = _project(name, tmp_path)
    keyed = "series_id" in config["data"]
    horizon = config["windows"]["horizon"]
    run = lambda *args, **kw: lstmcast(*args, cwd=tmp_path, **kw)  # noqa: E731

    checked = run("validate", config_path, "--json")
    _ok(checked)
    assert json.loads(checked.stdout)["splits"]["test"]["windows"] > 0

    trained = run("train", config_path, "--gate", "--json", "--mlflow-uri", "sqlite:///mlruns.db")
    _ok(trained, 0, 9)
    gate = json.loads((tmp_path / "runs/new/gate.json").read_text())
    passed = gate["mase"] < gate["seasonal_naive_mase"]
    assert gate["passed"] is passed and trained.returncode == (0 if passed else 9)
    promoted = run("promote", "runs/new", "--as", "prod")
    assert promoted.returncode == (0 if passed else 9), promoted.stderr
    if not passed:
        _ok(run("promote", "runs/new", "--as", "prod", "--force"))
    assert (tmp_path / "runs/prod/current").resolve() == (tmp_path / "runs/new").resolve()

    evaluated = run("evaluate", "runs/prod/current", "--json")
    _ok(evaluated)
    scores = json.loads(evaluated.stdout)
    saved = json.loads((tmp_path / "runs/new/metrics.json").read_text())
    assert scores["overall"] == saved["overall"] and ("per_series" in scores) is keyed

    _forecast(run, tmp_path, horizon, keyed)
    _live(run, tmp_path, config, keyed)
    _backtests(run, tmp_path, config_path, keyed)

    reported = run("report", "runs/new", "-o", "report.html")
    _ok(reported)
    page = (tmp_path / "report.html").read_text()
    assert all(f"<h2>{section}</h2>" in page for section in SECTIONS)
    assert ("<h2>Every series</h2>" in page) is keyed and "<script" not in page
    assert ("Where it does worst" in page) is keyed and page.count("<img") >= 4

    described = run("info", "runs/new", "--json")
    _ok(described)
    info = json.loads(described.stdout)
    assert info["test_mase"] == {m: value["mase"] for m, value in scores["overall"].items()}
    assert (info["panel"] is not None) is keyed
    if keyed:
        assert info["panel"]["series"] == len(scores["per_series"])
        assert info["panel"]["per_series_parameters"] is False

    _update(run, tmp_path, config, experiment=config_path.stem)

    tuned = run("tune", config_path, "--json", timeout=600)
    _ok(tuned)
    found = json.loads(tuned.stdout)
    assert found["ran"] == 2 and (tmp_path / found["best_config"]).is_file()


def _update(run, tmp_path: Path, config: dict, *, experiment: str) -> None:
    """Production continued on its data behind the gate, logged to MLflow as the run it
    continues was, and naming it there."""
    done = run("update", "runs/prod/current", "-i", config["data"]["path"], "--epochs", "1",
               "--output-run", "runs/next", "--gate", "--against", "runs/prod/current")  # fmt: skip
    _ok(done, 0, 9)
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{tmp_path / 'mlruns.db'}")
    found = client.get_experiment_by_name(experiment)  # the config's name
    runs = {r.info.run_name: r for r in client.search_runs([found.experiment_id])}
    assert runs["next"].data.tags["lstmcast.parent_mlflow_run_id"] == runs["new"].info.run_id
    scores = json.loads((tmp_path / "runs/new/metrics.json").read_text())
    model = scores["model"]
    assert runs["new"].data.metrics["test.mase"] == pytest.approx(scores["overall"][model]["mase"])
    if "series_id" in config["data"]:  # a panel's mean over its series too
        mean = scores["mean_mase"][model]
        assert runs["new"].data.metrics["test.mean_mase"] == pytest.approx(mean)
    assert runs["next"].data.tags["lstmcast.gate"] == ("passed" if done.returncode == 0 else
                                                       "refused")  # fmt: skip


def _forecast(run, tmp_path: Path, horizon: int, keyed: bool) -> None:
    """forecast -o, --log and --plot: every series' horizon, logged as issued, drawn."""
    done = run("forecast", "runs/new", "-o", "next.csv", "--log", "log.csv", "--plot", "f.png")
    _ok(done)
    frame = pd.read_csv(tmp_path / "next.csv")
    series = frame["series_id"].nunique() if keyed else 1
    assert len(frame) == series * horizon and (tmp_path / "f.png").stat().st_size > 0
    log = pd.read_csv(tmp_path / "log.csv")
    assert len(log) == len(frame) and ("series_id" in log.columns) is keyed


def _live(run, tmp_path: Path, config: dict, keyed: bool) -> None:
    """Forecasts issued at three earlier origins, scored against the data as it is: per step,
    per run, per series for many, and pooled."""
    data = config["data"]
    stamps = pd.read_csv(tmp_path / data["path"])[data.get("timestamp", "timestamp")]
    earlier = sorted(pd.to_datetime(stamps).unique())[-7:-1:2]  # 6, 4 and 2 steps back
    for as_of in earlier:
        as_of = str(pd.Timestamp(as_of).date())
        _ok(run("forecast", "runs/new", "--as-of", as_of, "-o", "/dev/null", "--log", "log.csv"))
    scored = run("evaluate", "runs/new", "--history", "log.csv", "--json")
    _ok(scored)
    live = json.loads(scored.stdout)
    assert live["scored_steps"] > 0 and live["overall"]["cells"] == live["scored_steps"]
    assert ("per_series" in live) is keyed
    if keyed:
        cells = sum(s["cells"] for s in live["per_series"].values())
        assert cells == live["scored_steps"]


def _backtests(run, tmp_path: Path, config_path: Path, keyed: bool) -> None:
    """A run folder's train-once backtest and a config's refits: every score recomputes from
    forecasts.csv (a series' MASE from its rows and its scale)."""
    for target, settings in (
        ("runs/new", []),
        (config_path, ["--set", "backtest.refit_every=1", "--set", "backtest.folds=2",
                       "--set", "backtest.spacing=2"]),
    ):  # fmt: skip
        done = run("backtest", target, *settings, "--output", "bt", "--json")
        _ok(done)
        summary = json.loads(done.stdout)
        rows = pd.read_csv(tmp_path / summary["output"] / "forecasts.csv")
        if keyed:
            sid = rows["series_id"].iloc[0]
            mine, expected = rows[rows.series_id == sid], summary["per_series"][sid]["overall"]
        else:
            mine, expected = rows, summary["overall"]
        mase = np.mean(np.abs(mine.y_true - mine.y_pred)) / mine.mase_scale.iloc[0]
        assert mase == pytest.approx(expected[summary["model"]]["mase"], rel=1e-5)
        assert len(rows) == summary["windows"] * summary["horizon"]
