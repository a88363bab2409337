"""Per-window normalisation as two layers, so the saved model maps forecasts back by itself.

Each input window is shifted (and for 'standard' scaled) by its own statistics; the network
sees a window that starts near zero whatever the level, and the head's output is mapped back
with the target column's statistics. Registered, so `load_model(safe_mode=True)` restores them.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

_EPSILON = 1e-5


@keras.saving.register_keras_serializable(package="lstmcast")
class WindowNormalization(keras.layers.Layer):
    """(batch, lookback, columns) -> normalised window, center and scale (batch, 1, columns)."""

    def __init__(self, method: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if method not in {"last", "mean", "standard"}:
            raise ValueError(f"unknown per-window method {method!r}")
        self.method = method

    def call(self, window: Any) -> tuple[Any, Any, Any]:
        if self.method == "last":
            center = window[:, -1:, :]
        else:
            center = ops.mean(window, axis=1, keepdims=True)
        if self.method == "standard":
            scale = ops.sqrt(ops.var(window, axis=1, keepdims=True) + _EPSILON)
        else:
            scale = ops.ones_like(center)
        return (window - center) / scale, center, scale

    def compute_output_shape(self, input_shape: tuple[int, ...]) -> tuple[Any, Any, Any]:
        stats = (input_shape[0], 1, input_shape[2])
        return input_shape, stats, stats

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "method": self.method}


@keras.saving.register_keras_serializable(package="lstmcast")
class TargetDenormalization(keras.layers.Layer):
    """[forecast (batch, horizon), center, scale] -> forecast * scale[target] + center[target]."""

    def call(self, inputs: list[Any]) -> Any:
        forecast, center, scale = inputs
        return forecast * scale[:, 0, :1] + center[:, 0, :1]

    def compute_output_shape(self, input_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        return input_shapes[0]
