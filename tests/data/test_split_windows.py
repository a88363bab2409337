"""Splits, windows and scaling against brute-force references, and the no-future-leak property."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lstmcast.data.scaling import fit_scaler
from lstmcast.data.split import SplitBounds, split_bounds
from lstmcast.data.windows import (
    default_lookback,
    split_window_starts,
    target_windows,
    window_dataset,
    window_starts,
)
from lstmcast.errors import ConfigError


@given(st.integers(1, 300), st.integers(1, 30), st.integers(1, 10), st.integers(1, 5))
def test_window_starts_match_brute_force(num_rows, lookback, horizon, stride):
    expected = [s for s in range(0, num_rows, stride) if s + lookback + horizon <= num_rows]
    assert window_starts(num_rows, lookback, horizon, stride).tolist() == expected


def brute_force_split_windows(bounds, lookback, horizon, stride, evaluation_stride=1):
    """Every start, checked window by window: a split owns the window whose targets it holds."""
    owners = {"train": [], "validation": [], "test": []}
    edges = {
        "train": (0, bounds.validation_start),
        "validation": (bounds.validation_start, bounds.test_start),
        "test": (bounds.test_start, bounds.num_rows),
    }
    for start in range(bounds.num_rows):
        targets = range(start + lookback, start + lookback + horizon)
        if targets[-1] >= bounds.num_rows:
            break
        for split, (first, end) in edges.items():
            if all(first <= row < end for row in targets):
                owners[split].append(start)
    owners["train"] = owners["train"][::stride]
    for split in ("validation", "test"):
        owners[split] = owners[split][::evaluation_stride]
    return owners


@settings(max_examples=200)
@given(
    st.integers(10, 200),
    st.floats(0.05, 0.45),
    st.floats(0.05, 0.45),
    st.integers(1, 20),
    st.integers(1, 8),
    st.integers(1, 4),
    st.integers(1, 5),
)
def test_split_windows_match_brute_force(
    num_rows, val_frac, test_frac, lookback, horizon, stride, evaluation_stride
):
    timestamps = pd.date_range("2024-01-01", periods=num_rows, freq="h")
    assume(round(val_frac * num_rows) + round(test_frac * num_rows) < num_rows - 1)
    bounds = split_bounds(timestamps, validation=val_frac, test=test_frac)
    got = split_window_starts(
        bounds,
        lookback=lookback,
        horizon=horizon,
        stride=stride,
        evaluation_stride=evaluation_stride,
    )
    expected = brute_force_split_windows(bounds, lookback, horizon, stride, evaluation_stride)
    assert {k: v.tolist() for k, v in got.items()} == expected


@settings(max_examples=40)
@given(
    st.integers(30, 150),
    st.integers(1, 12),
    st.integers(1, 6),
    st.integers(1, 3),
    st.integers(1, 3),
)
def test_no_input_reaches_a_window_first_target_step(
    num_rows, lookback, horizon, stride, evaluation_stride
):
    """Values are their own row numbers, so any leak shows as an input >= the first target row."""
    values = np.arange(num_rows, dtype=np.float32)[:, None].repeat(2, axis=1)
    bounds = SplitBounds(num_rows - 2 * (num_rows // 4), num_rows - num_rows // 4, num_rows)
    starts = split_window_starts(
        bounds,
        lookback=lookback,
        horizon=horizon,
        stride=stride,
        evaluation_stride=evaluation_stride,
    )
    for split, split_starts in starts.items():
        if len(split_starts) == 0:
            continue
        batches = window_dataset(
            values, split_starts, lookback=lookback, horizon=horizon, batch_size=7
        )
        seen = 0
        for inputs, targets in batches.as_numpy_iterator():
            first_target = targets[:, 0]
            assert (inputs.max(axis=(1, 2)) < first_target).all()
            assert (inputs[:, -1, 0] == first_target - 1).all()  # the input ends just before
            seen += len(inputs)
        assert seen == len(split_starts)
        first, end = bounds.rows(split)
        assert (split_starts + lookback >= first).all()
        assert (split_starts + lookback + horizon <= end).all()


def test_dataset_windows_equal_numpy_reference():
    values = np.arange(60, dtype=np.float32).reshape(30, 2)
    starts = np.array([0, 3, 7, 20])
    inputs, targets = next(
        window_dataset(values, starts, lookback=5, horizon=3, batch_size=10).as_numpy_iterator()
    )
    for row, start in enumerate(starts):
        np.testing.assert_array_equal(inputs[row], values[start : start + 5])
        np.testing.assert_array_equal(targets[row], values[start + 5 : start + 8, 0])
    found = target_windows(values[:, 0], starts, lookback=5, horizon=3)
    np.testing.assert_array_equal(found, targets)


def test_shuffled_dataset_is_seeded_and_complete():
    values = np.arange(100, dtype=np.float32)[:, None]
    starts = np.arange(50)

    def order(seed):
        batches = window_dataset(
            values, starts, lookback=4, horizon=1, batch_size=8, shuffle=True, seed=seed
        )
        return np.concatenate([x[:, 0, 0] for x, _ in batches.as_numpy_iterator()])

    assert np.array_equal(order(3), order(3))
    assert sorted(order(3).tolist()) == starts.tolist()
    assert not np.array_equal(order(3), starts)


def test_repeated_dataset_reshuffles_each_pass_and_keeps_every_window():
    values = np.arange(40, dtype=np.float32)[:, None]
    starts = np.arange(10)
    batches = window_dataset(
        values, starts, lookback=2, horizon=1, batch_size=5, shuffle=True, seed=1, repeat=True
    )
    seen = np.concatenate([x[:, 0, 0] for x, _ in batches.take(6).as_numpy_iterator()])
    passes = seen.reshape(3, 10)
    for one_pass in passes:  # every window once per pass
        assert sorted(one_pass.tolist()) == starts.tolist()
    assert not np.array_equal(passes[0], passes[1])


@pytest.mark.parametrize(
    ("horizon", "season_length", "expected"),
    [(12, 12, 24), (8, 4, 16), (13, 52, 104), (14, 7, 28), (48, 48, 96), (336, 24, 672)],
)
def test_default_lookback_is_two_horizons_or_two_seasons(horizon, season_length, expected):
    assert default_lookback(horizon, season_length) == expected


@pytest.mark.parametrize(
    ("validation", "test", "expected"),
    [
        (0.2, 0.1, (70, 90)),
        (20, 10, (70, 90)),
        (datetime(2024, 1, 3, 22), datetime(2024, 1, 4, 18), (70, 90)),
        (0.2, datetime(2024, 1, 4, 18), (70, 90)),
    ],
)
def test_split_bounds_fractions_counts_dates(validation, test, expected):
    timestamps = pd.date_range("2024-01-01", periods=100, freq="h")
    bounds = split_bounds(timestamps, validation=validation, test=test)
    assert (bounds.validation_start, bounds.test_start) == expected


def test_split_date_outside_the_data():
    timestamps = pd.date_range("2024-01-01", periods=100, freq="h")
    with pytest.raises(
        ConfigError, match="split.test: 2030-01-01 00:00:00 is after the last timestamp"
    ):
        split_bounds(timestamps, validation=0.1, test=datetime(2030, 1, 1))


def test_split_date_with_utc_timestamps():
    timestamps = pd.date_range("2024-01-01", periods=100, freq="h", tz="UTC")
    bounds = split_bounds(timestamps, validation=0.2, test=datetime(2024, 1, 4, 18))
    assert bounds.test_start == 90


@pytest.mark.parametrize("method", ["standard", "minmax", "robust", "none"])
def test_scaler_uses_training_rows_only(method):
    rng = np.random.default_rng(0)
    values = rng.normal(size=(100, 3))
    train_end = 70
    scaler = fit_scaler(values[:train_end], method)
    reference = {
        "standard": (values[:train_end].mean(0), values[:train_end].std(0)),
        "minmax": (values[:train_end].min(0), np.ptp(values[:train_end], 0)),
        "robust": (
            np.median(values[:train_end], 0),
            np.subtract(*np.percentile(values[:train_end], [75, 25], 0)),
        ),
        "none": (np.zeros(3), np.ones(3)),
    }[method]
    np.testing.assert_allclose(scaler.center, reference[0])
    np.testing.assert_allclose(scaler.scale, reference[1])
    scaled = scaler.transform(values)
    np.testing.assert_allclose(scaler.inverse_target(scaled[:, 0]), values[:, 0])
    restored = type(scaler).from_dict(scaler.to_dict())
    np.testing.assert_array_equal(restored.transform(values), scaled)


def test_constant_column_keeps_unit_scale():
    values = np.column_stack([np.arange(10.0), np.full(10, 5.0)])
    scaler = fit_scaler(values, "standard")
    assert scaler.scale[1] == 1.0
    assert np.isfinite(scaler.transform(values)).all()


@pytest.mark.parametrize("method", ["standard", "minmax", "robust", "none"])
def test_float32_transform_is_the_float64_one_rounded(method):
    """The model's table is built a column at a time (no float64 copy of the whole table): the
    numbers must be exactly the plain transform's, cast."""
    values = np.random.default_rng(3).normal(size=(500, 4)) * [1e3, 1, 1e-3, 50] + 7
    scaler = fit_scaler(values[:300], method)
    expected = scaler.transform(values).astype(np.float32)
    np.testing.assert_array_equal(scaler.transform_float32(values), expected)
    wider = scaler.transform_float32(values, width=6)
    assert wider.shape == (500, 6)
    np.testing.assert_array_equal(wider[:, :4], expected)


@pytest.mark.parametrize("method", ["standard", "minmax", "robust"])
def test_what_the_validation_and_test_rows_hold_never_reaches_the_scaler(
    method, write_csv, write_config, tmp_path
):
    """Through prepare_data, as train runs it: the validation and test rows multiplied by 1000
    leave the scaler, and every training row's scaled value, exactly as they were."""
    from lstmcast.config.load import load_experiment
    from lstmcast.data.prepare import prepare_data
    from tests.helpers.data import synthetic_frame, tiny_experiment

    frame = synthetic_frame(240, features=2)
    prepared = []
    for factor in (1.0, 1000.0):
        changed = frame.copy()
        changed.loc[168:, ["load", "x1"]] *= factor  # rows 168.. are validation and test
        csv = write_csv(changed, name=f"s{factor:g}.csv")
        config = tiny_experiment(csv, tmp_path / "runs" / "x", data={"features": ["x1"]},
                                 scaling={"method": method})  # fmt: skip
        config["split"] = {"validation": 36, "test": 36}
        prepared.append(prepare_data(load_experiment(write_config(config, name=f"{factor}.yaml"))))
    calm, wild = prepared
    assert calm.bounds.validation_start == wild.bounds.validation_start == 168
    assert not np.array_equal(calm.scaled[168:], wild.scaled[168:])  # the change got in...
    np.testing.assert_array_equal(calm.scaler.center, wild.scaler.center)  # ...not here
    np.testing.assert_array_equal(calm.scaler.scale, wild.scaler.scale)
    np.testing.assert_array_equal(calm.scaled[:168], wild.scaled[:168])
