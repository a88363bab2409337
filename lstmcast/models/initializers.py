"""Initialisers Keras does not ship, registered so saved models reload in safe mode."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lstmcast")
class ForgetGateBias(keras.initializers.Initializer):
    """An LSTM bias with the forget gate starting at `value` and the other gates at 0.

    Keras lays the bias out as [input, forget, cell, output] gates of `units` each; a forget
    bias above 1 makes a fresh network keep its memory longer (Jozefowicz et al., 2015).
    """

    def __init__(self, value: float) -> None:
        self.value = float(value)

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        units = shape[0] // 4
        zeros, forget = ops.zeros((units,), dtype=dtype), ops.full((units,), self.value, dtype)
        return ops.concatenate([zeros, forget, zeros, zeros])

    def get_config(self) -> dict[str, Any]:
        return {"value": self.value}
