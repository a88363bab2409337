"""Quantile output: several quantiles per horizon step, trained with the pinball loss.

The head's raw outputs are turned into quantiles that cannot cross: the one at the median's
position is the median itself, each quantile above adds a positive step (softplus) to the one
below it, each quantile below subtracts one. The median stays the point forecast.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lstmcast")
class QuantileSpread(keras.layers.Layer):
    """(batch, horizon, quantiles) raw -> the same shape, sorted along the last axis."""

    def __init__(self, median_index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.median_index = median_index

    def call(self, raw: Any) -> Any:
        k = self.median_index
        median = raw[:, :, k : k + 1]
        above = median + ops.cumsum(ops.softplus(raw[:, :, k + 1 :]), axis=-1)
        below_steps = ops.flip(ops.softplus(raw[:, :, :k]), axis=-1)  # nearest first
        below = ops.flip(median - ops.cumsum(below_steps, axis=-1), axis=-1)
        return ops.concatenate([below, median, above], axis=-1)

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, ...]:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "median_index": self.median_index}


@keras.saving.register_keras_serializable(package="lstmcast")
class PinballLoss(keras.losses.Loss):
    """Mean quantile loss of (batch, horizon) targets against (batch, horizon, quantiles)."""

    def __init__(self, quantiles: list[float], name: str = "pinball", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.quantiles = list(quantiles)

    def call(self, y_true: Any, y_pred: Any) -> Any:
        error = ops.expand_dims(ops.cast(y_true, y_pred.dtype), -1) - y_pred
        tau = ops.convert_to_tensor(self.quantiles, dtype=y_pred.dtype)
        return ops.mean(ops.maximum(tau * error, (tau - 1.0) * error), axis=-1)

    def get_config(self) -> dict[str, Any]:
        return {"quantiles": self.quantiles, "name": self.name}
