"""A learned vector per series for a global model over many series: the window's series
column (the series' number, 1-based, constant within a window) becomes that series' vector at
every step. Number 0 is a series the model never saw: during training a share of windows read
as number 0 (the series' id dropped at random), so its vector learns what any series looks
like before its own is known, and a new store or meter forecasts without retraining.
Registered, so `load_model(safe_mode=True)` restores it."""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

UNKNOWN_SHARE = 0.1
"""Training windows that read as an unseen series (number 0), drawn afresh every batch."""


@keras.saving.register_keras_serializable(package="lstmcast")
class SeriesEmbedding(keras.layers.Layer):
    """(batch, lookback, columns) -> the same window with column `column` replaced by the
    `size`-long vector of its series; number 0 (a series never seen) has a vector too, learned
    from the `unknown_share` of training windows whose number is dropped to 0 (a model saved
    before this, unknown_share 0, never updated it)."""

    def __init__(
        self, column: int, count: int, size: int, unknown_share: float = 0.0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.column, self.count, self.size = column, count, size
        self.unknown_share = unknown_share
        self.embedding = keras.layers.Embedding(count + 1, size, name="vectors")
        self.seeds = keras.random.SeedGenerator()

    def build(self, input_shape: Any) -> None:
        self.embedding.build((None,))

    def call(self, window: Any, training: bool = False) -> Any:
        number = ops.cast(ops.round(window[:, 0, self.column]), "int32")
        if training and self.unknown_share > 0:
            draw = keras.random.uniform(ops.shape(number), seed=self.seeds)
            number = ops.where(draw < self.unknown_share, ops.zeros_like(number), number)
        vector = ops.expand_dims(self.embedding(number), axis=1)
        vectors = ops.repeat(vector, ops.shape(window)[1], axis=1)
        rest = [window[:, :, : self.column], window[:, :, self.column + 1 :]]
        return ops.concatenate([*rest, ops.cast(vectors, window.dtype)], axis=-1)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*input_shape[:2], input_shape[2] - 1 + self.size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "column": self.column, "count": self.count,
                "size": self.size, "unknown_share": self.unknown_share}  # fmt: skip
