"""Choosing the blend: the share training keeps is the one with the lowest validation MAE
among 0, 0.05, ..., 1 (brute force over the validation windows, built by hand), and a
network that learned nothing gives way to seasonal naive on the test split too."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lstmcast.config.load import experiment_from_dict
from lstmcast.data.prepare import prepare_data
from lstmcast.evaluation.series import score_forecasts
from lstmcast.prediction import forecast_at_origins
from lstmcast.training.blend import seasonal_naive_after
from lstmcast.training.fit import fit_model
from tests.helpers.data import synthetic_frame, tiny_experiment


def _prepared(write_csv, tmp_path, frame, **training):
    config = tiny_experiment(
        write_csv(frame),
        tmp_path / "run",
        windows={"lookback": 24, "horizon": 6},
        data={"season_length": 12},
        training=training,
    )
    return prepare_data(experiment_from_dict(config, tmp_path / "experiment.yaml"))


def _by_hand(data, model, share):
    """Validation forecasts for a share, from windows sliced by hand off the scaled table."""
    from lstmcast.models.seasonal import set_blend_share

    starts = data.starts["validation"]
    windows = np.stack([data.scaled[s : s + 24] for s in starts])
    set_blend_share(model, share)
    forecast = np.asarray(model.predict(windows, verbose=0), dtype=np.float64)
    actual = np.stack([data.scaled[s + 24 : s + 30, 0] for s in starts])
    naive = np.stack([data.scaled[s + 12 : s + 18, 0] for s in starts])  # the last 12, then 6
    return forecast, actual, naive


def test_the_share_kept_is_the_best_on_the_validation_windows(write_csv, tmp_path):
    data = _prepared(write_csv, tmp_path, synthetic_frame(400), epochs=2)
    result = fit_model(data)
    choice = result.blend
    network, actual, naive = _by_hand(data, result.model, 1.0)
    errors = {
        share / 20: np.mean(np.abs(share / 20 * network + (1 - share / 20) * naive - actual))
        for share in range(21)
    }
    best = min(errors.values())
    assert errors[choice.share] == np.float64(best) or np.isclose(errors[choice.share], best)
    assert np.isclose(choice.network_mae, errors[1.0], rtol=1e-5)
    assert np.isclose(choice.seasonal_naive_mae, errors[0.0], rtol=1e-5)
    assert choice.windows == len(data.starts["validation"])
    blended, _, _ = _by_hand(data, result.model, choice.share)
    np.testing.assert_allclose(
        blended, choice.share * network + (1 - choice.share) * naive, rtol=1e-5, atol=1e-5
    )


def test_the_gathered_seasonal_naive_is_what_the_blend_layer_forecasts(write_csv, tmp_path):
    """The model at share 0 is its blend layer's seasonal naive alone: the rows the blend's
    choice gathers must be exactly what that layer reads."""
    data = _prepared(write_csv, tmp_path, synthetic_frame(400), epochs=1)
    result = fit_model(data)
    model_at_zero, _, by_hand = _by_hand(data, result.model, 0.0)
    origins = data.starts["validation"] + 23
    gathered = seasonal_naive_after(data.scaled[:, 0], origins, horizon=6, season=12)
    np.testing.assert_allclose(model_at_zero, gathered, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(gathered, by_hand)


def test_a_network_that_learned_nothing_gives_way_to_seasonal_naive(write_csv, tmp_path):
    steps = np.arange(400)
    frame = pd.DataFrame(
        {
            "timestamp": pd.date_range("2024-01-01", periods=400, freq="h").strftime(
                "%Y-%m-%dT%H:%M:%S"
            ),
            "load": 50 + 0.5 * steps + 10 * np.sin(2 * np.pi * steps / 12) ** 3,
        }
    )
    data = _prepared(write_csv, tmp_path, frame, epochs=1, learning_rate=1e-6)
    result = fit_model(data)
    assert result.blend.share == 0.0, result.blend
    assert "0.00 x network + 1.00 x seasonal naive" in result.blend.describe()
    origins = data.starts["test"] + 23
    forecast = forecast_at_origins(result.model, data.experiment, data.scaled, origins, data.scaler)
    overall = score_forecasts(data, forecast, lookback=24, horizon=6).overall
    assert np.isclose(overall["lstm"]["mae"], overall["seasonal_naive"]["mae"], rtol=1e-4)


def test_the_blends_seasonal_naive_reads_the_rows_read_by_hand():
    """choose_blend gathers the blend layer's seasonal naive from the table (seasonal_naive_after)
    instead of a second pass of the model: the last season before each origin, repeated."""

    def last_season_values(target, origins, season, horizon):
        return seasonal_naive_after(target, origins, horizon=horizon, season=season)

    target = np.arange(100, dtype=np.float32) * 1.5
    origins = np.array([11, 30, 99])  # every window holds a season of 12 before its origin
    for season, horizon in [(3, 4), (12, 6), (1, 3), (5, 5)]:
        expected = [
            [target[origin - season + 1 + step % season] for step in range(horizon)]
            for origin in origins
        ]
        np.testing.assert_array_equal(
            last_season_values(target, origins, season, horizon), expected
        )
    assert last_season_values(target, np.array([9]), 3, 4).tolist() == [[10.5, 12.0, 13.5, 10.5]]
