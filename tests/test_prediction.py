"""The one prediction seam against a brute-force reference: each origin's window sliced by
hand and predicted alone; nothing after an origin (but known-future columns) reaches it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmcast.runtime import import_tensorflow, seed_everything
from tests.helpers.models import experiment

import_tensorflow()

from lstmcast.models import build_model  # noqa: E402
from lstmcast.prediction import origin_positions, predict_scaled  # noqa: E402

LOOKBACK, HORIZON = 6, 3


def brute_force(model, table, origins, *, known: int) -> np.ndarray:
    rows = []
    for origin in origins:
        window = table[None, origin - LOOKBACK + 1 : origin + 1]
        inputs = window
        if known:
            future = table[None, origin + 1 : origin + 1 + HORIZON, -known:]
            inputs = {"window": window, "future": future}
        rows.append(model.predict_on_batch(inputs)[0])
    return np.asarray(rows, dtype=np.float64)


@pytest.mark.parametrize("known", [False, True])
@pytest.mark.parametrize("model_config", [{"units": [4]}, {"units": [4], "output": "seq2seq"}])
def test_predictions_at_origins_match_one_window_at_a_time(known, model_config):
    seed_everything(0)
    config = experiment(model_config, lookback=LOOKBACK, horizon=HORIZON, known=known)
    columns = 4 if known else 1
    model = build_model(config, num_features=columns)
    table = np.random.default_rng(0).normal(size=(60, columns)).astype("float32")
    origins = np.array([5, 6, 17, 40, 56 - 0])  # any subset, unordered gaps, the last possible
    predicted = predict_scaled(model, config, table, origins)
    expected = brute_force(model, table, origins, known=3 if known else 0)
    np.testing.assert_allclose(predicted, expected, rtol=1e-5, atol=1e-6)


def test_no_value_after_an_origin_reaches_its_forecast():
    """Perturb every observed value after each origin: its forecast does not move."""
    seed_everything(0)
    config = experiment({"units": [4]}, lookback=LOOKBACK, horizon=HORIZON, known=True)
    model = build_model(config, num_features=4)
    table = np.random.default_rng(1).normal(size=(50, 4)).astype("float32")
    for origin in (5, 20, 46):
        changed = table.copy()
        changed[origin + 1 :, 0] += 100.0  # the target's future (known columns stay)
        before = predict_scaled(model, config, table, np.array([origin]))
        after = predict_scaled(model, config, changed, np.array([origin]))
        np.testing.assert_array_equal(before, after)


def test_origins_outside_the_table_are_refused():
    config = experiment({"units": [4]}, lookback=LOOKBACK, horizon=HORIZON, known=True)
    model = build_model(config, num_features=4)
    table = np.zeros((30, 4), dtype="float32")
    with pytest.raises(ValueError, match="fewer than lookback"):
        predict_scaled(model, config, table, np.array([4]))
    with pytest.raises(ValueError, match="known rows after it"):
        predict_scaled(model, config, table, np.array([27]))


def test_origin_timestamps_map_to_rows():
    stamps = pd.date_range("2024-01-01", periods=10, freq="D")
    assert origin_positions(stamps, stamps[[2, 7]]).tolist() == [2, 7]
    with pytest.raises(ValueError, match="not a timestamp"):
        origin_positions(stamps, pd.DatetimeIndex(["2030-01-01"]))


SEAM_CONFIG = experiment({"units": [4]}, lookback=LOOKBACK, horizon=HORIZON)
SEAM_MODEL = build_model(SEAM_CONFIG, num_features=1)
SEAM_TABLE = np.random.default_rng(2).normal(size=(80, 1)).astype("float32")


@settings(max_examples=25)
@given(st.integers(LOOKBACK - 1, 79), st.floats(-50, 50).filter(lambda x: abs(x) > 1e-3))
def test_every_forecast_reads_nothing_after_its_origin(origin, shift):
    """Any origin, any change to the rows after it: the forecast at that origin is the same."""
    changed = SEAM_TABLE.copy()
    changed[origin + 1 :] += shift
    origins = np.array([origin])
    np.testing.assert_array_equal(
        predict_scaled(SEAM_MODEL, SEAM_CONFIG, SEAM_TABLE, origins),
        predict_scaled(SEAM_MODEL, SEAM_CONFIG, changed, origins),
    )


def test_predictions_in_blocks_of_batches_are_the_numbers_of_one_pass(monkeypatch):
    """predict_scaled goes through many origins a block of whole batches at a time (memory);
    with blocks of one batch, 700 origins in three blocks give exactly one pass's numbers."""
    import lstmcast.prediction as prediction

    seed_everything(0)
    config = experiment({"units": [4]}, lookback=LOOKBACK, horizon=HORIZON, known=True)
    model = build_model(config, num_features=4)
    table = np.random.default_rng(2).normal(size=(720, 4)).astype("float32")
    origins = np.arange(LOOKBACK - 1, LOOKBACK - 1 + 700)
    whole = predict_scaled(model, config, table, origins)
    monkeypatch.setattr(prediction, "BLOCK_BATCHES", 1)
    assert prediction.prediction_batch(config.training) < len(origins) / 2
    np.testing.assert_array_equal(predict_scaled(model, config, table, origins), whole)
