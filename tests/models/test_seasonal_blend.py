"""model.blend: the model's forecast is share x network + (1 - share) x seasonal naive (brute
force, step by step) for point and quantile heads and ensembles, the share survives saving,
and the blend is built exactly where it applies."""

from __future__ import annotations

import numpy as np
import pydantic
import pytest

from lstmcast.data.prepare import blends_seasonal_naive, check_season_fits
from lstmcast.errors import ConfigError
from lstmcast.runtime import import_tensorflow
from tests.helpers.models import experiment, inputs

import_tensorflow()

from lstmcast.models import build_model, load_model  # noqa: E402
from lstmcast.models.seasonal import blend_layers, set_blend_share  # noqa: E402


def _seasonal_naive(window: np.ndarray, season: int, horizon: int) -> np.ndarray:
    lookback = window.shape[1]
    return np.stack(
        [window[:, lookback - season + step % season, 0] for step in range(horizon)], axis=1
    )


@pytest.mark.parametrize("quantiles", [None, [0.1, 0.5, 0.9]])
@pytest.mark.parametrize("ensemble", [1, 3])
def test_the_blend_mixes_the_network_with_seasonal_naive(quantiles, ensemble, tmp_path):
    config = experiment(
        {"units": [4], "quantiles": quantiles, "ensemble": ensemble}, lookback=12, horizon=7
    )
    built = build_model(config, num_features=1, season_length=5)
    assert len(blend_layers(built)) == 1  # an ensemble blends its members' median
    batch = inputs(8, 12, 7, 0)
    network = np.asarray(built.predict(batch, verbose=0))  # the share starts at 1
    naive = _seasonal_naive(batch, 5, 7)
    set_blend_share(built, 0.3)
    output = np.asarray(built.predict(batch, verbose=0))
    if quantiles:  # every quantile moves as the median moves: the spread stays the network's
        moved = 0.7 * (naive - network[:, :, 1])
        expected = network + moved[:, :, None]
    else:
        expected = 0.3 * network + 0.7 * naive
    np.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-5)
    built.save(tmp_path / "b.keras")
    reloaded = load_model(str(tmp_path / "b.keras"))
    np.testing.assert_allclose(reloaded.predict(batch, verbose=0), output, rtol=1e-6)
    assert [float(layer.share.numpy()) for layer in blend_layers(reloaded)] == [pytest.approx(0.3)]


def test_a_share_of_zero_is_seasonal_naive_whatever_the_network():
    built = build_model(experiment({"units": [4]}, lookback=12, horizon=7), num_features=1)
    set_blend_share(built, 0.0)
    batch = inputs(8, 12, 7, 0)
    np.testing.assert_allclose(
        built.predict(batch, verbose=0), _seasonal_naive(batch, 1, 7), rtol=1e-6
    )


@pytest.mark.parametrize(
    ("model", "lookback", "season", "blended"),
    [
        ({}, 12, 12, True),
        ({}, 11, 12, False),  # auto: the window holds no whole season
        ({"output": "recursive"}, 24, 12, False),  # auto leaves recursive models alone
        ({"output": "seq2seq"}, 24, 12, True),
        ({"blend": "none"}, 24, 12, False),
        ({"blend": "seasonal_naive"}, 24, 12, True),
    ],
)
def test_where_the_blend_is_built(model, lookback, season, blended):
    config = experiment({"units": [4], **model}, lookback=lookback, horizon=3)
    assert blends_seasonal_naive(config, season) is blended
    built = build_model(config, num_features=1, season_length=season)
    assert bool(blend_layers(built)) is blended


def test_an_explicit_blend_needs_a_whole_season_and_a_direct_or_seq2seq_model():
    config = experiment({"units": [4], "blend": "seasonal_naive"}, lookback=6, horizon=3)
    with pytest.raises(ConfigError, match="model.blend: the window must hold a whole season"):
        check_season_fits(config, 12)
    with pytest.raises(pydantic.ValidationError, match="blend: a recursive model"):
        experiment({"units": [4], "blend": "seasonal_naive", "output": "recursive"})
