"""Per-window normalisation and the linear skip: their formulas and exact save/load round trips."""

from __future__ import annotations

import numpy as np
import pytest

from lstmcast.config.schema import Experiment
from lstmcast.runtime import import_tensorflow

import_tensorflow()


from lstmcast.models import build_model, load_model  # noqa: E402
from lstmcast.models.window_norm import WindowNormalization  # noqa: E402


def experiment(
    units=(8, 4), per_window="none", lookback=6, horizon=3, linear_skip=False
) -> Experiment:
    return Experiment.model_validate(
        {
            "data": {"path": "x.csv", "target": "y"},
            "windows": {"lookback": lookback, "horizon": horizon},
            "model": {"units": list(units), "linear_skip": linear_skip},
            "scaling": {"per_window": per_window},
        }
    )


@pytest.mark.parametrize("method", ["last", "mean", "standard"])
def test_window_normalisation_matches_numpy(method):
    rng = np.random.default_rng(0)
    window = rng.normal(size=(4, 6, 2)).astype("float32") * 5 + 20
    normalised, center, scale = (np.asarray(t) for t in WindowNormalization(method)(window))
    if method == "last":
        ref_center, ref_scale = window[:, -1:, :], np.ones((4, 1, 2))
    elif method == "mean":
        ref_center, ref_scale = window.mean(1, keepdims=True), np.ones((4, 1, 2))
    else:
        ref_center = window.mean(1, keepdims=True)
        ref_scale = np.sqrt(window.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(center, ref_center, rtol=1e-5)
    np.testing.assert_allclose(scale, ref_scale, rtol=1e-4)
    np.testing.assert_allclose(normalised, (window - ref_center) / ref_scale, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("method", ["last", "mean"])
def test_shift_normalised_model_follows_a_level_shift(method):
    """Add 100 to a whole window: the forecast moves by exactly 100."""
    model = build_model(experiment(per_window=method), num_features=1)
    window = np.random.default_rng(1).normal(size=(2, 6, 1)).astype("float32")
    shifted = model.predict(window + 100, verbose=0) - model.predict(window, verbose=0)
    np.testing.assert_allclose(shifted, 100, atol=1e-3)


@pytest.mark.parametrize(("per_window", "linear_skip"), [("none", False), ("standard", True)])
def test_save_load_predicts_bit_for_bit(tmp_path, per_window, linear_skip):
    model = build_model(experiment(per_window=per_window, linear_skip=linear_skip), num_features=2)
    window = np.random.default_rng(2).normal(size=(5, 6, 2)).astype("float32")
    before = model.predict(window, verbose=0)
    path = tmp_path / "model.keras"
    model.save(path)
    after = load_model(str(path)).predict(window, verbose=0)
    np.testing.assert_array_equal(before, after)


def test_linear_skip_is_a_linear_map_of_the_normalised_window_added_to_the_lstm_head():
    model = build_model(experiment(per_window="last", linear_skip=True), num_features=2)
    for layer in model.layers:  # silence the LSTM branch: what is left is the skip alone
        if layer.name == "forecast":
            layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    kernel, bias = model.get_layer("linear_skip").get_weights()
    window = np.random.default_rng(3).normal(size=(4, 6, 2)).astype("float32")
    normalised = window - window[:, -1:, :]
    expected = normalised.reshape(4, -1) @ kernel + bias + window[:, -1, :1]
    np.testing.assert_allclose(model.predict(window, verbose=0), expected, rtol=1e-5, atol=1e-5)
