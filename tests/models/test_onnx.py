"""The ONNX export forecasts what Keras forecasts: every architecture family, with and
without known-future inputs, exported as training exports it and run under ONNX Runtime,
agrees with the Keras model to 1e-5 on random windows gathered in numpy."""

from __future__ import annotations

import numpy as np
import pytest

from lstmcast.data.windows import window_arrays
from lstmcast.runtime import import_tensorflow
from tests.helpers.models import FAMILIES, experiment, inputs

import_tensorflow()

from lstmcast.models import build_model  # noqa: E402
from lstmcast.models.onnx import OnnxModel  # noqa: E402
from lstmcast.models.seasonal import set_blend_share  # noqa: E402
from lstmcast.training.export import _quietly  # noqa: E402

EXTRA = {
    "quantiles": {"units": [8], "quantiles": [0.1, 0.5, 0.9]},
    "ensemble of 3": {"units": [8], "ensemble": 3},
    "anchored, linear skip": {"units": [8], "anchor": "seasonal_naive", "linear_skip": True},
}
EXPORTED = {name: model for name, model in FAMILIES.items() if name != "stateful"} | EXTRA


@pytest.mark.parametrize("known", [False, True], ids=["observed only", "known future"])
@pytest.mark.parametrize("family", EXPORTED)
def test_the_export_agrees_with_keras(family, known, tmp_path):
    config = experiment(EXPORTED[family], horizon=4, known=known)
    model = build_model(config, num_features=4 if known else 1, season_length=6)
    set_blend_share(model, 0.6)  # a blend that is not the identity
    x = inputs(7, 12, 4, 3 if known else 0)
    expected = np.asarray(model.predict(x, verbose=0))
    _quietly(lambda: model.export(str(tmp_path / "m.onnx"), format="onnx", verbose=False))
    got = OnnxModel(tmp_path / "m.onnx").predict(x)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("known", [0, 2])
def test_numpy_windows_are_the_tf_data_windows(known):
    from lstmcast.data.windows import window_dataset

    table = np.random.default_rng(1).normal(size=(40, 3))
    starts = np.array([0, 5, 17, 26])
    arrays = window_arrays(table, starts, lookback=8, horizon=6, known=known)
    batch = next(iter(window_dataset(table, starts, lookback=8, horizon=6, batch_size=8,
                                     targets=False, known=known)))  # fmt: skip
    if known:
        for name in ("window", "future"):
            np.testing.assert_array_equal(arrays[name], batch[name].numpy())
        np.testing.assert_array_equal(arrays["future"][1], table[13:19, -known:].astype(np.float32))
    else:
        np.testing.assert_array_equal(arrays, batch.numpy())
        np.testing.assert_array_equal(arrays[2], table[17:25].astype(np.float32))
