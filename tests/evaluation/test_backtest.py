"""Backtest folds against brute force, no value after a refit's first origin reaching its
training data, and every reported metric recomputed from forecasts.csv alone."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lstmcast.config.load import experiment_from_dict
from lstmcast.data.workload import prepare_workload, refit_part
from lstmcast.errors import ConfigError
from lstmcast.evaluation.backtest import plan_folds
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.panels import long_panel, panel_experiment
from tests.helpers.runs import invoke


@given(st.integers(20, 400), st.integers(1, 12), st.integers(1, 6), st.integers(1, 20))
def test_folds_cover_the_end_once_each_against_brute_force(rows, horizon, folds, spacing):
    first_allowed = 10
    last = rows - horizon - 1
    expected_first = last - folds * spacing + 1
    if expected_first < first_allowed:
        with pytest.raises(ConfigError, match="use fewer folds"):
            plan_folds(rows, horizon=horizon, folds=folds, spacing=spacing, first_allowed=10)
        return
    planned = plan_folds(rows, horizon=horizon, folds=folds, spacing=spacing, first_allowed=10)
    origins = np.concatenate(planned)
    assert origins.tolist() == list(range(expected_first, last + 1))  # each origin once, in order
    assert all(len(fold) == spacing for fold in planned)
    cells = {(o, step) for o in origins for step in range(1, horizon + 1)}
    assert len(cells) == len(origins) * horizon  # every (origin, step) exactly once
    assert origins.max() + horizon == rows - 1  # the last target is the last row


def _refit_of(folder, frame: pd.DataFrame, origin: pd.Timestamp, *, panel: bool):
    """The refit part at `origin` of `frame` written to a file, as one series or a panel."""
    if panel:
        experiment = panel_experiment(folder, frame)
    else:
        frame.to_csv(folder / "series.csv", index=False)
        config = tiny_experiment(folder / "series.csv", folder / "run")
        experiment = experiment_from_dict(config, folder / "e.yaml")
    return refit_part(prepare_workload(experiment), origin)


@given(st.integers(120, 280), st.floats(-1e3, 1e3), st.booleans())
def test_a_refit_never_sees_a_value_after_its_origin(tmp_path_factory, end, shift, panel):
    """Change every value after a refit's origin, in every series: its table, scalers and
    windows are identical, and every window lies in the rows up to the origin."""
    frame = long_panel([300, 250, 200], freq="D") if panel else synthetic_frame(300)
    target = "y" if panel else "load"
    stamps = pd.to_datetime(frame["timestamp"])
    origin = pd.Timestamp(sorted(stamps.unique())[end - 1])
    changed = frame.copy()
    changed.loc[stamps > origin, target] += shift
    first = _refit_of(tmp_path_factory.mktemp("refit"), frame, origin, panel=panel)
    second = _refit_of(tmp_path_factory.mktemp("refit"), changed, origin, panel=panel)
    np.testing.assert_array_equal(first.table, second.table)
    for mine, theirs in zip(first.layout.scalers, second.layout.scalers, strict=True):
        np.testing.assert_array_equal(mine.center, theirs.center)
    window = first.experiment.windows.lookback + first.experiment.windows.horizon
    for split in ("train", "validation"):
        np.testing.assert_array_equal(first.starts[split], second.starts[split])
        assert (first.starts[split] + window <= len(first.table)).all()
    assert len(first.starts["test"]) == 0
    assert all(s.timestamps[-1] <= origin for s in first.panel.series.values())


def recompute(frame: pd.DataFrame, column: str) -> dict[str, float]:
    error = frame[column] - frame["y_true"]
    nonzero = frame["y_true"] != 0
    return {
        "mae": error.abs().mean(),
        "rmse": np.sqrt((error**2).mean()),
        "mape": 100 * (error.abs()[nonzero] / frame["y_true"].abs()[nonzero]).mean(),
        "smape": 100 * (2 * error.abs() / (frame["y_true"].abs() + frame[column].abs())).mean(),
        "mase": error.abs().mean() / frame["mase_scale"].iloc[0],
        "rmsse": np.sqrt((error**2).mean() / frame["rmsse_scale"].iloc[0]),
        "bias": error.mean(),
    }


def test_every_reported_metric_is_recomputed_from_the_csv(tmp_path, write_config):
    csv = tmp_path / "series.csv"
    synthetic_frame(300).to_csv(csv, index=False)
    config = write_config(tiny_experiment(csv, tmp_path / "run", backtest={"folds": 3}))
    assert invoke("train", config, "-q").exit_code == 0
    result = invoke("backtest", tmp_path / "run", "--json", "-q")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.stdout)
    frame = pd.read_csv(tmp_path / "run-backtest" / "forecasts.csv")
    assert list(frame.columns[:6]) == ["fold", "origin", "timestamp", "step", "y_true", "y_pred"]
    assert len(frame) == reported["windows"] * reported["horizon"]
    for method, column in [("lstm", "y_pred"), ("naive", "naive"), ("drift", "drift")]:
        for metric, value in recompute(frame, column).items():
            assert reported["overall"][method][metric] == pytest.approx(value, rel=1e-5, abs=1e-6)
    for fold in reported["folds"]:
        part = frame[frame["fold"] == fold["fold"]]
        assert fold["overall"]["lstm"]["mae"] == pytest.approx(recompute(part, "y_pred")["mae"])
    inside = (frame["y_true"] >= frame["lower_80"]) & (frame["y_true"] <= frame["upper_80"])
    assert reported["intervals"]["80"]["coverage"] == pytest.approx(100 * inside.mean())
    width = (frame["upper_80"] - frame["lower_80"]).mean()
    assert reported["intervals"]["80"]["width"] == pytest.approx(width, rel=1e-5)
    # origins lie in the test part, each forecast after its origin
    assert (pd.to_datetime(frame["timestamp"]) > pd.to_datetime(frame["origin"])).all()
    assert pd.Timestamp(reported["folds"][0]["first_origin"]) >= pd.Timestamp("2024-01-11")


def test_refit_backtest_from_a_config_trains_per_fold_group(tmp_path, write_config):
    csv = tmp_path / "series.csv"
    synthetic_frame(300).to_csv(csv, index=False)
    backtest = {"folds": 3, "spacing": 4, "refit_every": 2}
    config = write_config(tiny_experiment(csv, tmp_path / "run", backtest=backtest))
    result = invoke("backtest", config, "--json")
    assert result.exit_code == 0, result.output
    reported = json.loads(result.stdout)
    assert [fold["trained_rows"] for fold in reported["folds"]] == [[0, 287], [0, 287], [0, 295]]
    assert result.stderr.count("refit on rows") == 2
    assert reported["windows"] == 12 and (tmp_path / "run-backtest" / "metrics.json").is_file()
    assert not (tmp_path / "run").exists()  # a refit backtest writes no run folder


def test_too_many_folds_for_the_test_part_is_a_config_error(tmp_path, write_config):
    csv = tmp_path / "series.csv"
    synthetic_frame(300).to_csv(csv, index=False)
    config = write_config(
        tiny_experiment(csv, tmp_path / "run", backtest={"folds": 50, "spacing": 5})
    )
    assert invoke("train", config, "-q").exit_code == 0
    result = invoke("backtest", tmp_path / "run")
    assert result.exit_code == 2
    assert "backtest: 50 folds of 5 origins need origins from row" in result.output
