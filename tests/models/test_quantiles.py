"""Quantile output: never crossing, the pinball loss against a numpy reference, the model
families that take it, and the commands that write and score it."""

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

from lstmcast.models import build_model, load_model  # noqa: E402
from lstmcast.models.quantiles import PinballLoss, QuantileSpread  # noqa: E402
from tests.helpers.runs import invoke  # noqa: E402

QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9]


def test_quantiles_never_cross_and_the_median_passes_through():
    raw = np.random.default_rng(0).normal(scale=5, size=(64, 6, 5)).astype("float32")
    spread = np.asarray(QuantileSpread(median_index=2)(raw))
    assert (np.diff(spread, axis=-1) >= 0).all()  # steps may round to 0 in float32, never below
    np.testing.assert_array_equal(spread[:, :, 2], raw[:, :, 2])


def test_pinball_loss_matches_numpy():
    rng = np.random.default_rng(1)
    actual = rng.normal(size=(8, 3)).astype("float32")
    predicted = rng.normal(size=(8, 3, 5)).astype("float32")
    error = actual[:, :, None] - predicted
    tau = np.array(QUANTILES, dtype="float32")
    expected = np.mean(np.maximum(tau * error, (tau - 1) * error))
    got = float(PinballLoss(QUANTILES)(actual, predicted))
    assert got == pytest.approx(float(expected), rel=1e-5)


@pytest.mark.parametrize(
    "model",
    [
        {"units": [4], "quantiles": QUANTILES},
        {"units": [4], "quantiles": QUANTILES, "linear_skip": True},
        {"units": [4], "quantiles": QUANTILES, "output": "seq2seq"},
    ],
)
@pytest.mark.parametrize("known", [False, True])
def test_quantile_models_emit_sorted_quantiles_and_reload(model, known, tmp_path):
    seed_everything(2)
    config = experiment(model, lookback=12, horizon=4, known=known)
    built = build_model(config, num_features=4 if known else 1)
    batch = inputs(16, 12, 4, 3 if known else 0)
    output = np.asarray(built.predict(batch, verbose=0))
    assert output.shape == (16, 4, 5)
    assert (np.diff(output, axis=-1) > 0).all()
    built.save(tmp_path / "q.keras")
    np.testing.assert_array_equal(
        load_model(str(tmp_path / "q.keras")).predict(batch, verbose=0), output
    )


@pytest.mark.parametrize(
    ("model", "training", "expected"),
    [
        ({"quantiles": [0.1, 0.9]}, {}, "model.quantiles: include 0.5"),
        ({"quantiles": [0.5, 0.1]}, {}, "model.quantiles: give increasing quantiles"),
        ({"quantiles": [0.1, 0.5], "output": "recursive"}, {}, "a output: recursive model"),
        ({"quantiles": [0.1, 0.5]}, {"loss": "mse"}, "training.loss: a quantile model trains"),
    ],
)
def test_quantile_settings_that_mean_nothing_are_refused(write_config, model, training, expected):
    from lstmcast.config import load_experiment
    from lstmcast.errors import ConfigError

    config = {
        "data": {"path": "x.csv", "target": "y"},
        "windows": {"horizon": 2},
        "model": model,
        "training": training,
    }
    with pytest.raises(ConfigError, match=expected):
        load_experiment(write_config(config))


def test_train_forecast_and_evaluate_a_quantile_model(write_csv, write_config, tmp_path):
    config = write_config(
        tiny_experiment(
            write_csv(synthetic_frame(240)),
            tmp_path / "run",
            model={"units": [4], "quantiles": [0.1, 0.5, 0.9]},
            training={"epochs": 3},
        )
    )
    trained = invoke("train", str(config), "--json", "-q")
    assert trained.exit_code == 0, trained.output
    evaluation = json.loads(trained.stdout)["evaluation"]
    assert set(evaluation["quantiles"]) == {"quantile_10", "quantile_50", "quantile_90"}
    assert 0 <= evaluation["quantiles"]["quantile_10"]["below_percent"] <= 100
    forecast = invoke("forecast", str(tmp_path / "run"), "-o", "-")
    frame = pd.read_csv(io.StringIO(forecast.stdout))
    assert list(frame.columns[-3:]) == ["quantile_10", "quantile_50", "quantile_90"]
    np.testing.assert_allclose(frame["quantile_50"], frame["load"], rtol=1e-6)  # the point
    assert (frame["quantile_10"] < frame["quantile_50"]).all()
    assert (frame["quantile_50"] < frame["quantile_90"]).all()
    exported = str(tmp_path / "test.csv")
    assert invoke("evaluate", str(tmp_path / "run"), "--forecasts", str(exported)).exit_code == 0
    assert "quantile_90" in pd.read_csv(exported).columns
