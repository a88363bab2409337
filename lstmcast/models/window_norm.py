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
    """(batch, lookback, columns) -> normalised window, center and scale (batch, 1, columns).

    Only the first `columns` columns (the observed series) are normalised; the rest (known-in-
    advance and calendar columns, whose own statistics mean nothing within one window) pass
    through unchanged. None normalises them all.
    """

    def __init__(self, method: str, columns: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if method not in {"last", "mean", "standard"}:
            raise ValueError(f"unknown per-window method {method!r}")
        self.method = method
        self.columns = columns

    def call(self, window: Any) -> tuple[Any, Any, Any]:
        if self.columns is not None and self.columns < window.shape[-1]:
            observed, rest = window[:, :, : self.columns], window[:, :, self.columns :]
            normalised, center, scale = self._normalise(observed)
            return ops.concatenate([normalised, rest], axis=-1), center, scale
        return self._normalise(window)

    def _normalise(self, window: Any) -> tuple[Any, Any, Any]:
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
        columns = input_shape[2] if self.columns is None else min(self.columns, input_shape[2])
        stats = (input_shape[0], 1, columns)
        return input_shape, stats, stats

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "method": self.method, "columns": self.columns}


@keras.saving.register_keras_serializable(package="lstmcast")
class TargetDenormalization(keras.layers.Layer):
    """[forecast (batch, horizon) or (batch, horizon, quantiles), center, scale] ->
    forecast * scale[target] + center[target]."""

    def call(self, inputs: list[Any]) -> Any:
        forecast, center, scale = inputs
        scale, center = scale[:, 0, :1], center[:, 0, :1]
        if len(forecast.shape) == 3:  # quantiles: the same shift and scale for each
            scale, center = scale[:, :, None], center[:, :, None]
        return forecast * scale + center

    def compute_output_shape(self, input_shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        return input_shapes[0]
