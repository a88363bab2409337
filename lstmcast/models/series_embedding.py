"""A learned vector per series for a global model over many series: the window's series
column (the series' number, 1-based, constant within a window) becomes that series' vector at
every step. Registered, so `load_model(safe_mode=True)` restores it."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="lstmcast")
class SeriesEmbedding(keras.layers.Layer):
    """(batch, lookback, columns) -> the same window with column `column` replaced by the
    `size`-long vector of its series; number 0 (a series never seen) has a vector too, which
    training never updates and so stays at its initial values."""

    def __init__(self, column: int, count: int, size: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.column, self.count, self.size = column, count, size
        self.embedding = keras.layers.Embedding(count + 1, size, name="vectors")

    def build(self, input_shape: Any) -> None:
        self.embedding.build((None,))

    def call(self, window: Any) -> Any:
        number = ops.cast(ops.round(window[:, 0, self.column]), "int32")
        vector = ops.expand_dims(self.embedding(number), axis=1)
        vectors = ops.repeat(vector, ops.shape(window)[1], axis=1)
        rest = [window[:, :, : self.column], window[:, :, self.column + 1 :]]
        return ops.concatenate([*rest, ops.cast(vectors, window.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*input_shape[:2], input_shape[2] - 1 + self.size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "column": self.column, "count": self.count,
                "size": self.size}  # fmt: skip
