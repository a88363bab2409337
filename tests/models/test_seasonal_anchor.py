"""model.anchor: seasonal_naive: a network whose correction is zero forecasts exactly the
seasonal-naive values of its window (brute force, step by step), with and without per-window
scaling, for point and quantile heads; the saved model reloads the same."""

from __future__ import annotations

import numpy as np
import pytest

from lstmcast.runtime import import_tensorflow
from tests.helpers.models import experiment, inputs

import_tensorflow()

from lstmcast.models import build_model, load_model  # noqa: E402


def _seasonal_naive(window: np.ndarray, season: int, horizon: int) -> np.ndarray:
    lookback = window.shape[1]
    return np.stack(
        [window[:, lookback - season + step % season, 0] for step in range(horizon)], axis=1
    )


@pytest.mark.parametrize("per_window", ["standard", "none"])
@pytest.mark.parametrize("quantiles", [None, [0.1, 0.5, 0.9]])
def test_a_silent_network_forecasts_seasonal_naive(per_window, quantiles, tmp_path):
    model = {"units": [4], "anchor": "seasonal_naive", "quantiles": quantiles}
    config = experiment(model, lookback=12, horizon=7)
    config = config.model_copy(
        update={"scaling": config.scaling.model_copy(update={"per_window": per_window})}
    )
    built = build_model(config, num_features=1, season_length=5)
    head = built.get_layer("forecast")
    head.set_weights([np.zeros_like(w) for w in head.get_weights()])
    batch = inputs(8, 12, 7, 0)
    output = np.asarray(built.predict(batch, verbose=0))
    expected = _seasonal_naive(batch, 5, 7)
    if quantiles:  # a zero head: the median on seasonal naive, the others either side of it
        assert output.shape == (8, 7, 3)
        np.testing.assert_allclose(output[:, :, 1], expected, rtol=1e-5, atol=1e-5)
        assert (output[:, :, 0] < output[:, :, 1]).all()
        assert (output[:, :, 1] < output[:, :, 2]).all()
    else:
        np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)
    built.save(tmp_path / "a.keras")
    reloaded = load_model(str(tmp_path / "a.keras")).predict(batch, verbose=0)
    np.testing.assert_allclose(reloaded, output, rtol=1e-6)


def test_a_window_shorter_than_a_season_is_refused():
    from lstmcast.errors import ConfigError

    config = experiment({"units": [4], "anchor": "seasonal_naive"}, lookback=4, horizon=2)
    with pytest.raises(ConfigError, match="model.anchor: the window must hold a whole season"):
        build_model(config, num_features=1, season_length=12)
