"""`lstmcast tune` as users run it: a space checked before any trial, a study whose best config
`train` accepts unchanged, two workers sharing one study, a killed study resumed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import optuna
import pytest
from sqlalchemy.exc import OperationalError

from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.program import ENV, lstmcast, wait_for_line

SPACE = {
    "model.dropout": {"low": 0.0, "high": 0.3},
    "training.learning_rate": {"low": 0.001, "high": 0.03, "log": True},
    "model.units": {"choices": [[4], [8]]},
}


@pytest.fixture
def config(tmp_path, write_csv, write_config):
    csv = write_csv(synthetic_frame(240))
    experiment = tiny_experiment(csv, tmp_path / "runs" / "tiny", tune={"space": SPACE})
    return write_config(experiment, name="tiny.yaml")


def finished(tmp_path, name: str = "tiny") -> list[optuna.trial.FrozenTrial]:
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{tmp_path / name}.tune.db")
    return study.get_trials(deepcopy=False)


@pytest.mark.parametrize(
    ("tune", "expected"),
    [
        ({"space": {"model.unitz": {"low": 1, "high": 2}}}, "tune.space.model.unitz: 1 does not"),
        ({"space": {"model.dropout": {"low": 0.0, "high": 1.5}}}, "tune.space.model.dropout: 1.5"),
        ({"space": {"model.dropout": {"low": 0.3, "high": 0.1}}}, "low (0.3) must be below high"),
        ({"space": {"model.cell": {"choices": ["lstm", "rnn"]}}}, "model.cell: 'rnn' does not"),
        ({"space": {}}, "tune.space is empty"),
        ({"space": SPACE, "trials": None}, "set tune.trials, tune.timeout or both"),
    ],
)
def test_a_bad_space_is_refused_before_any_trial(tmp_path, write_csv, write_config, tune, expected):
    csv = write_csv(synthetic_frame(240))
    write_config(tiny_experiment(csv, tmp_path / "runs" / "tiny", tune=tune), name="tiny.yaml")
    refused = lstmcast("tune", "tiny.yaml", cwd=tmp_path)
    assert refused.returncode == 2 and expected in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "tiny.tune.db").exists()


@pytest.mark.slow
def test_a_study_writes_a_best_config_that_trains_unchanged(config, tmp_path):
    done = lstmcast("tune", config, "--trials", "3", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert sum(result["counts"].values()) == 3 and result["trials"][0]["as_written"]
    best = result["best"]
    assert best["value"] == min(t["value"] for t in result["trials"] if t["state"] == "complete")
    again = lstmcast("tune", config, "--trials", "4", "-q", cwd=tmp_path)  # resumes: one more
    assert again.returncode == 0, again.stderr
    assert [t.number for t in finished(tmp_path)] == [0, 1, 2, 3]
    trained = lstmcast("train", "tiny.best.yaml", "--json", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert json.loads(trained.stdout)["run_dir"].endswith("tiny-tuned")


@pytest.mark.slow
def test_a_study_answers_one_question_and_a_rerun_says_where_it_stands(config, tmp_path):
    first = lstmcast("tune", config, "--trials", "1", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "study 'tiny': new, running 1 trial;" in first.stderr
    again = lstmcast("tune", config, "--trials", "2", cwd=tmp_path)
    assert "study 'tiny': 1 trial so far, running 1 more;" in again.stderr, again.stderr
    other = lstmcast("tune", config, "--set", "tune.objective=backtest_mase", cwd=tmp_path)
    assert other.returncode == 2, other.stderr
    assert "study 'tiny' in sqlite:///" in other.stderr
    assert "was run with objective 'validation_loss', now 'backtest_mase'" in other.stderr
    assert "set tune.study to a new name (e.g. tiny-backtest_mase)" in other.stderr
    space = "tune.space={model.dropout: {low: 0.0, high: 0.5}}"
    wider = lstmcast("tune", config, "--set", space, cwd=tmp_path)
    assert wider.returncode == 2 and "another tune.space" in wider.stderr, wider.stderr
    assert [t.number for t in finished(tmp_path)] == [0, 1]  # nothing mixed in


def _worker(config, tmp_path, trials: int, *, quiet: bool = True) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "lstmcast", "tune", str(config), "--trials", str(trials),
         *(["-q"] if quiet else [])],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


@pytest.mark.slow
def test_two_workers_finish_one_study_without_duplicates(config, tmp_path):
    """Both workers queue on the study's lock (held here until each says it waits), so both
    take part whatever the machine's load."""
    from lstmcast import locks

    with locks.holding(tmp_path / "tiny.tune.db", command="test"):
        workers = [_worker(config, tmp_path, 5, quiet=False) for _ in range(2)]
        for worker in workers:
            wait_for_line(worker.stderr, "waiting up to 600s for ")
    for worker in workers:
        _, stderr = worker.communicate(timeout=300)
        assert worker.returncode == 0, stderr
    trials = finished(tmp_path)
    numbers = [t.number for t in trials]
    assert numbers == list(range(5))  # each trial once, none lost
    assert {t.state for t in trials} <= {
        optuna.trial.TrialState.COMPLETE,
        optuna.trial.TrialState.PRUNED,
    }
    hosts = {t.user_attrs["worker"] for t in trials}
    assert len(hosts) == 2  # both took part


def _wait_for_a_running_trial(tmp_path) -> None:
    """Until the study has a finished trial and is running the next one."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            states = [t.state.name for t in finished(tmp_path)]
        except (KeyError, OperationalError):  # the study is not created yet, or the file busy
            states = []
        if "COMPLETE" in states and states[-1] == "RUNNING":
            return
        time.sleep(0.2)
    raise AssertionError("the study never had a trial running after a finished one")


@pytest.mark.slow
def test_a_killed_study_resumes_and_loses_nothing(config, tmp_path):
    worker = _worker(config, tmp_path, 6)
    try:
        _wait_for_a_running_trial(tmp_path)
    finally:  # kill it mid-study, most likely with a trial running
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
    cut = [t.number for t in finished(tmp_path) if t.state.name == "RUNNING"]  # 0 or 1
    resumed = lstmcast("tune", config, "--trials", "6", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert all(f"trial {number} was interrupted" in resumed.stderr for number in cut)
    states = {t.number: t.state.name for t in finished(tmp_path)}
    assert [number for number, state in states.items() if state == "FAIL"] == cut
    assert sum(state in ("COMPLETE", "PRUNED") for state in states.values()) == 6


@pytest.mark.slow
def test_the_backtest_objective_never_reaches_the_test_split(config):
    """Tuning on backtest_mase chooses on folds before the test split: its last forecast
    target is the row just before it, so evaluate stays an honest score."""
    import pandas as pd

    from lstmcast.config.load import load_experiment
    from lstmcast.data.prepare import prepare_data
    from lstmcast.workflows.backtest import refit

    experiment = load_experiment(config, ["backtest.folds=2", "backtest.refit_every=1"])
    data = prepare_data(experiment)
    targets = pd.to_datetime(refit(experiment, before_test=True).frame["timestamp"])
    assert targets.max() == data.series.timestamps[data.bounds.test_start - 1]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--output", "no/such/folder/best.yaml"], "--output: folder no/such/folder does not"),
        (["--timeout", "soon"], "--timeout: 'soon' is not a duration"),
        (["--storage", "nosuchdb://x"], "tune.storage: cannot open nosuchdb://x"),
    ],
)
def test_bad_command_line_values_fail_before_any_trial(config, tmp_path, args, expected):
    refused = lstmcast("tune", config, *args, "--json", cwd=tmp_path)
    assert refused.returncode == 2, refused.stderr
    document = json.loads(refused.stdout)
    assert document["status"] == "error" and expected in document["error"]["message"]
    assert expected in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    assert not list(tmp_path.glob("*.best.yaml"))


@pytest.mark.slow
def test_the_shipped_tuning_config_end_to_end(tmp_path):
    """configs/air_passengers.yaml's own tune section, one short trial (the config as written),
    its best config trained, evaluated and forecast; the study kept out of the repository."""
    from tests.helpers.data import CONFIGS

    study = f"sqlite:///{tmp_path / 'study.db'}"
    quick = ["--set", "training.epochs=1", "--set", "tune.folds=2"]
    done = lstmcast(
        "tune", CONFIGS / "air_passengers.yaml", *quick, "--trials", "1", "--storage", study,
        "-o", "best.yaml", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["trials"][0]["as_written"] and result["best_config"] == "best.yaml"
    assert not list(CONFIGS.glob("*.tune.db")) and not list(CONFIGS.glob("*.best.yaml"))
    trained = lstmcast("train", "best.yaml", "--set", "output.run_dir=runs/best", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    evaluated = lstmcast("evaluate", "runs/best", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["num_windows"] > 0
    forecast = lstmcast("forecast", "runs/best", "--json", cwd=tmp_path)
    assert forecast.returncode == 0 and len(json.loads(forecast.stdout)["forecast"]) == 12


@pytest.mark.slow
def test_an_anchored_ensemble_runs_through_the_commands(config, tmp_path):
    """model.anchor and model.ensemble as users set them: train, evaluate, forecast as real
    processes; a lookback shorter than the season is refused in one line, before TensorFlow."""
    settings = ["--set", "model.anchor=seasonal_naive", "--set", "model.ensemble=2"]
    trained = lstmcast("train", config, *settings, "--set", "windows.lookback=24", "--json",
                       cwd=tmp_path)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    summary = json.loads(trained.stdout)
    assert "anchored on seasonal naive" in summary["architecture"]
    assert "median of 2 members" in summary["architecture"]
    evaluated = lstmcast("evaluate", "runs/tiny", "--json", cwd=tmp_path)
    assert json.loads(evaluated.stdout)["overall"] == summary["evaluation"]["overall"]
    forecast = lstmcast("forecast", "runs/tiny", "--json", cwd=tmp_path)
    assert forecast.returncode == 0 and len(json.loads(forecast.stdout)["forecast"]) == 2
    short = lstmcast(
        "train", config, *settings, "--set", "windows.lookback=8", "--set",
        "data.season_length=24", "--set", "output.run_dir=runs/short", "--json", cwd=tmp_path,
    )  # fmt: skip
    assert short.returncode == 2 and len(short.stderr.strip().splitlines()) == 1
    assert "model.anchor: the window must hold a whole season (24 steps)" in short.stderr
    assert json.loads(short.stdout)["status"] == "error"
    assert not (tmp_path / "runs" / "short").exists()
