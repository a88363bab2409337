"""Stacked LSTM with a direct multi-output head: all `horizon` steps from the last state."""

from __future__ import annotations

import keras

from lstmcast.config.schema import StackedLSTM
from lstmcast.models.window_norm import TargetDenormalization, WindowNormalization


def build_stacked(
    config: StackedLSTM, *, lookback: int, num_features: int, horizon: int, per_window: str
) -> keras.Model:
    """Every layer but the last returns sequences, so the stack needs no manual wiring."""
    window = keras.Input(shape=(lookback, num_features), name="window")
    hidden = window
    if per_window != "none":
        hidden, center, scale = WindowNormalization(per_window, name="window_norm")(hidden)
    normalised = hidden
    last = len(config.units) - 1
    for depth, units in enumerate(config.units):
        hidden = keras.layers.LSTM(
            units,
            return_sequences=depth < last,
            dropout=config.dropout,
            recurrent_dropout=config.recurrent_dropout,
            name=f"lstm_{depth + 1}",
        )(hidden)
    forecast = keras.layers.Dense(horizon, name="forecast")(hidden)
    if config.linear_skip:
        flat = keras.layers.Flatten(name="skip_flatten")(normalised)
        skip = keras.layers.Dense(horizon, name="linear_skip")(flat)
        forecast = keras.layers.Add(name="forecast_plus_skip")([forecast, skip])
    if per_window != "none":
        forecast = TargetDenormalization(name="window_denorm")([forecast, center, scale])
    return keras.Model(window, forecast, name="stacked_lstm")
