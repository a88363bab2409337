"""Windows as start indices over one array; batches are gathered lazily, never all at once.

A window starting at s reads inputs s .. s+lookback-1 and targets s+lookback .. s+lookback+horizon-1
(target = column 0). Memory therefore grows with the rows, not with rows x lookback: the
tf.data view below gathers one batch of windows at a time from the one numpy table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast.data.split import SPLITS, SplitBounds

if TYPE_CHECKING:
    import tensorflow as tf


def default_lookback(horizon: int, season_length: int) -> int:
    """Two horizons or two seasons, whichever is longer: every window shows the network at least
    two full cycles and more past than it must predict (rule chosen in bench/ACCURACY.md)."""
    return max(2 * horizon, 2 * season_length)


def window_starts(num_rows: int, lookback: int, horizon: int, stride: int = 1) -> np.ndarray:
    """Start index of every full window.

    num_rows=10, lookback=4, horizon=2, stride=2 gives three windows:
    inputs 0-3 -> targets 4-5, inputs 2-5 -> 6-7, inputs 4-7 -> 8-9.
    """
    return np.arange(0, max(num_rows - lookback - horizon + 1, 0), stride, dtype=np.int64)


def split_window_starts(
    bounds: SplitBounds,
    *,
    lookback: int,
    horizon: int,
    stride: int = 1,
    evaluation_stride: int = 1,
) -> dict[str, np.ndarray]:
    """Window starts per split.

    A window belongs to the split holding its first target step, and only if its whole horizon
    lies in that split, so no target is shared across splits. Its inputs may reach back into
    earlier splits: that is the past, not a leak. `stride` thins the training windows;
    `evaluation_stride` the validation and test windows (1: every origin), each from its split's
    first window.
    """
    everything = window_starts(bounds.num_rows, lookback, horizon, 1)
    first_target = everything + lookback
    starts = {}
    for split in SPLITS:
        first, end = bounds.rows(split)
        inside = (first_target >= first) & (first_target + horizon <= end)
        chosen = everything[inside]
        starts[split] = chosen[:: stride if split == "train" else evaluation_stride]
    return starts


def stateful_starts(end: int, *, lookback: int, horizon: int, streams: int) -> np.ndarray:
    """Window starts for stateful training, batch after batch: rows [0, end) cut into
    `streams` equal consecutive parts; batch j holds window j of every part, so row i of one
    batch continues row i of the previous one. Windows do not overlap and their targets end
    by `end`.

    end=20, lookback=4, horizon=1, streams=2: parts 0-9 and 10-19, starts [0, 10, 4, 14].
    """
    part = end // streams
    per_stream = max((part - horizon) // lookback, 0)
    offsets = np.arange(per_stream, dtype=np.int64)[:, None] * lookback
    return (offsets + np.arange(streams, dtype=np.int64) * part).ravel()


def window_dataset(
    values: np.ndarray,
    starts: np.ndarray,
    *,
    lookback: int,
    horizon: int,
    batch_size: int,
    shuffle: bool = False,
    seed: int | None = None,
    targets: bool = True,
    repeat: bool = False,
    known: int = 0,
) -> tf.data.Dataset:
    """Batches of (inputs (b, lookback, columns), targets (b, horizon)) gathered on the fly.

    With `known` > 0, the last `known` columns are also known in advance: the inputs become
    {"window": ..., "future": (b, horizon, known)}, those columns over the target steps.
    `repeat` cycles through the windows without end (a new shuffle each pass), for epochs
    measured in steps rather than passes.
    """
    from lstmcast.runtime import import_tensorflow

    tf = import_tensorflow()

    dataset = tf.data.Dataset.from_tensor_slices(starts.astype(np.int64))
    if shuffle:
        dataset = dataset.shuffle(len(starts), seed=seed, reshuffle_each_iteration=True)
    if repeat:
        dataset = dataset.repeat()
    gather = _numpy_gather(values, lookback=lookback, horizon=horizon, targets=targets, known=known)
    dataset = dataset.batch(batch_size).map(gather, num_parallel_calls=tf.data.AUTOTUNE)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _numpy_gather(
    values: np.ndarray, *, lookback: int, horizon: int, targets: bool, known: int
) -> Callable[[tf.Tensor], Any]:
    """A tf.data map from a batch of window starts to its (inputs, targets), gathered from
    `values` in numpy: TensorFlow never holds the table, whose copy as a constant cost twice
    its size (1.2 GB at 20M rows x 8), for the microseconds a batch the Python call costs."""
    from lstmcast.runtime import import_tensorflow

    tf = import_tensorflow()
    table = np.asarray(values, dtype=np.float32)
    columns = table.shape[1]
    input_offsets = np.arange(lookback)
    target_rows = np.arange(lookback, lookback + horizon)

    def gather(starts: np.ndarray) -> tuple[np.ndarray, ...]:
        arrays = [table[starts[:, None] + input_offsets]]
        if known:
            arrays.append(table[starts[:, None] + target_rows, -known:])
        if targets:
            arrays.append(table[starts[:, None] + target_rows, 0])
        return tuple(arrays)

    shapes = [(None, lookback, columns)]  # what gather returns, in its order
    if known:
        shapes.append((None, horizon, known))
    if targets:
        shapes.append((None, horizon))

    def mapped(batch_starts: tf.Tensor) -> Any:
        arrays = tf.numpy_function(gather, [batch_starts], [tf.float32] * len(shapes))
        for array, shape in zip(arrays, shapes, strict=True):
            array.set_shape(shape)
        inputs = {"window": arrays[0], "future": arrays[1]} if known else arrays[0]
        return (inputs, arrays[-1]) if targets else inputs

    return mapped


def window_arrays(
    values: np.ndarray, starts: np.ndarray, *, lookback: int, horizon: int, known: int = 0
) -> np.ndarray | dict[str, np.ndarray]:
    """The inputs window_dataset gathers, as float32 numpy arrays in one piece: (windows,
    lookback, columns), or {"window", "future"} with known columns. For a runtime other than
    TensorFlow, and for a few windows (a forecast) where a dataset is all overhead."""
    window = np.asarray(values[starts[:, None] + np.arange(lookback)], dtype=np.float32)
    if not known:
        return window
    future_rows = starts[:, None] + lookback + np.arange(horizon)
    return {"window": window, "future": np.asarray(values[future_rows, -known:], np.float32)}


def target_windows(
    target: np.ndarray, starts: np.ndarray, *, lookback: int, horizon: int
) -> np.ndarray:
    """Targets (windows, horizon) of the target column, for metrics; a small copy of the test
    part only."""
    return target[starts[:, None] + lookback + np.arange(horizon)]
