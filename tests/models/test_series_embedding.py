"""The per-series vector replaces the series column: one vector per series number, the same at
every step, the other columns untouched."""

from __future__ import annotations

import numpy as np

from lstmcast.models.series_embedding import SeriesEmbedding


def test_the_series_column_becomes_its_vector_at_every_step():
    layer = SeriesEmbedding(column=2, count=3, size=4)
    window = np.zeros((3, 5, 4), dtype=np.float32)
    window[:, :, :2] = np.random.default_rng(0).normal(size=(3, 5, 2))
    window[:, :, 2] = np.array([1, 3, 1])[:, None]  # series numbers, constant in a window
    window[:, :, 3] = 7.0  # a trailing (calendar) column
    out = np.asarray(layer(window))
    assert out.shape == (3, 5, 3 + 4)
    np.testing.assert_array_equal(out[:, :, :2], window[:, :, :2])
    np.testing.assert_array_equal(out[:, :, 2], window[:, :, 3])
    vectors = out[:, :, 3:]
    assert (vectors == vectors[:, :1, :]).all()  # the same vector at every step
    np.testing.assert_array_equal(vectors[0], vectors[2])  # series 1 twice
    assert not np.array_equal(vectors[0, 0], vectors[1, 0])  # series 3 differs
    assert SeriesEmbedding.from_config(layer.get_config()).size == 4
