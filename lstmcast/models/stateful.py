"""Stateful inference: every origin's forecast comes after the model has read the whole
history before it, window after non-overlapping window, with its state carried along.

A stateful model was trained on consecutive windows, so its state at an origin summarises
everything before. To score every origin (stride 1) it reads the series in `lookback`
phases at once: phase p reads the windows starting at p, p + lookback, ...; the origin t is
the end of a window of phase (t + 1) mod lookback. Each phase is one row of the batch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from lstmcast.config.schema import ResolvedExperiment

if TYPE_CHECKING:
    import keras


def reset_states(model: keras.Model) -> None:
    """Zero the state of every stateful recurrent layer, nested models included."""
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.Model):
            reset_states(layer)
        elif isinstance(layer, keras.layers.RNN) and layer.stateful:
            layer.reset_state()


def replay_at_origins(
    model: keras.Model,
    experiment: ResolvedExperiment,
    table: np.ndarray,
    origins: np.ndarray,
    *,
    known: int,
) -> np.ndarray:
    """Forecasts (origins, horizon) of a stateful `model` from `table` (rows, columns), each
    after reading every window of its phase from the first row. With known columns, the
    table must also hold the `horizon` rows after the last origin. Called through
    prediction.predict_scaled, the one way lstmcast predicts."""
    from lstmcast.models import build_model
    from lstmcast.models.seasonal import blend_layers, season_of

    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    origin_phase = (origins + 1) % lookback
    phases = np.unique(origin_phase)
    inference = build_model(
        experiment,
        num_features=table.shape[1],
        batch_size=len(phases),
        season_length=season_of(model),
        blend=bool(blend_layers(model)),
    )
    inference.set_weights(model.get_weights())
    reset_states(inference)
    origin_chunk = (origins + 1 - origin_phase) // lookback - 1
    origin_row = np.searchsorted(phases, origin_phase)
    forecasts = np.empty((len(origins), horizon), dtype=np.float64)
    last_row = len(table) - 1
    for chunk in range(int(origin_chunk.max()) + 1):
        starts = phases + chunk * lookback
        rows = np.minimum(starts[:, None] + np.arange(lookback), last_row)
        inputs: np.ndarray | dict[str, np.ndarray] = table[rows]
        if known:
            future_rows = np.minimum(starts[:, None] + lookback + np.arange(horizon), last_row)
            inputs = {"window": inputs, "future": table[future_rows][:, :, -known:]}
        predicted = np.asarray(inference.predict_on_batch(inputs), dtype=np.float64)
        due = np.flatnonzero(origin_chunk == chunk)
        forecasts[due] = predicted[origin_row[due]]
    return forecasts
