"""model.ensemble: the saved model's forecast is the median of its members' forecasts
(brute force, member by member), it reloads as one file, each member trains on its own loss,
and an ensemble run goes through train, evaluate and forecast."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from lstmcast.runtime import import_tensorflow, seed_everything
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.models import experiment, inputs

import_tensorflow()

import keras  # noqa: E402

from lstmcast.models import build_model, load_model  # noqa: E402
from lstmcast.models.ensemble import MembersLoss, members_model  # noqa: E402
from tests.helpers.runs import invoke  # noqa: E402


@pytest.mark.parametrize(
    ("model", "known"),
    [
        ({"units": [4], "ensemble": 3}, False),
        ({"units": [4], "ensemble": 4, "output": "seq2seq"}, True),
        ({"units": [4], "ensemble": 3, "quantiles": [0.1, 0.5, 0.9]}, False),
    ],
)
def test_the_forecast_is_the_median_of_the_members_and_reloads(model, known, tmp_path):
    seed_everything(3)
    built = build_model(
        experiment(model, lookback=12, horizon=4, known=known), num_features=4 if known else 1
    )
    batch = inputs(16, 12, 4, 3 if known else 0)
    members = [layer for layer in built.layers if layer.name.startswith("member_")]
    assert len(members) == model["ensemble"]
    each = np.stack([np.asarray(member.predict(batch, verbose=0)) for member in members])
    assert not np.allclose(each[0], each[1])  # different initial weights
    output = np.asarray(built.predict(batch, verbose=0))
    np.testing.assert_allclose(output, np.median(each, axis=0), rtol=1e-5, atol=1e-6)
    stacked = np.asarray(members_model(built).predict(batch, verbose=0))
    np.testing.assert_allclose(np.moveaxis(stacked, -1, 0), each, rtol=1e-5, atol=1e-6)
    built.save(tmp_path / "e.keras")
    reloaded = load_model(str(tmp_path / "e.keras")).predict(batch, verbose=0)
    np.testing.assert_array_equal(reloaded, output)


def test_each_member_is_scored_by_the_loss_on_its_own():
    rng = np.random.default_rng(0)
    y_true = rng.normal(size=(8, 4)).astype("float32")
    y_pred = rng.normal(size=(8, 4, 3)).astype("float32")
    combined = float(MembersLoss(keras.losses.MeanAbsoluteError(), 3)(y_true, y_pred))
    alone = [np.abs(y_true - y_pred[..., i]).mean() for i in range(3)]
    assert combined == pytest.approx(np.mean(alone), rel=1e-6)


@pytest.mark.slow
def test_an_ensemble_run_trains_evaluates_and_forecasts(write_csv, write_config, tmp_path):
    config = write_config(
        tiny_experiment(
            write_csv(synthetic_frame(240)),
            tmp_path / "run",
            model={"units": [4], "ensemble": 3},
            training={"epochs": 3},
        )
    )
    trained = invoke("train", str(config), "--json", "-q")
    assert trained.exit_code == 0, trained.output
    summary = json.loads(trained.stdout)
    assert "median of 3 members" in summary["architecture"]
    evaluated = invoke("evaluate", str(tmp_path / "run"), "--json", "-q")
    assert json.loads(evaluated.stdout)["overall"] == summary["evaluation"]["overall"]
    forecast = invoke("forecast", str(tmp_path / "run"), "-o", "-")
    frame = pd.read_csv(io.StringIO(forecast.stdout))
    assert len(frame) == 2 and {"lower_80", "upper_95"} <= set(frame.columns)
