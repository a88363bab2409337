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


def test_training_reads_a_share_of_windows_as_an_unseen_series_and_forecasting_never_does():
    window = np.zeros((64, 2, 2), dtype=np.float32)
    window[:, :, 1] = 2.0  # every window is series 2
    everyone = SeriesEmbedding(column=1, count=3, size=2, unknown_share=1.0)
    unseen = np.asarray(everyone.embedding(np.array([0])))[0]
    dropped = np.asarray(everyone(window, training=True))[:, 0, 1:]
    np.testing.assert_array_equal(dropped, np.tile(unseen, (64, 1)))
    kept = np.asarray(everyone(window, training=False))[:, 0, 1:]
    assert not np.isclose(kept, unseen).all(axis=1).any()
    some = SeriesEmbedding(column=1, count=3, size=2, unknown_share=0.5)
    vectors = np.asarray(some(window, training=True))[:, 0, 1:]
    as_unseen = np.isclose(vectors, np.asarray(some.embedding(np.array([0])))[0]).all(axis=1)
    assert 10 < as_unseen.sum() < 54  # about half of 64
    assert SeriesEmbedding.from_config(some.get_config()).unknown_share == 0.5
