"""Memory at scale: once a workload's table is scaled, each series keeps its target in float64
(what scoring reads) and its other columns in float32. The table itself is the one the float64
originals give; only a refit, which rescales the originals, sees the float32 rounding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.config.load import experiment_from_dict
from lstmcast.data.panel import panel_table
from lstmcast.data.scaling import fit_scaler
from lstmcast.data.validate import Series
from lstmcast.data.workload import load_series_of, prepare_workload, refit_part
from tests.helpers.data import synthetic_frame, tiny_experiment


def series(rows: int = 50, columns: int = 3) -> Series:
    values = np.random.default_rng(0).normal(size=(rows, columns)) * 1e3 + 1e5 / 3
    stamps = pd.date_range("2026-01-01", periods=rows, freq="h")
    names = ["y", *[f"x{i}" for i in range(1, columns)]]
    return Series(stamps, values, names, "h", Path("s.csv"))


def test_a_narrowed_series_keeps_its_target_exactly_and_its_other_columns_in_float32():
    whole = series()
    narrow = whole.narrowed()
    assert narrow.values.dtype == np.float32 and narrow.target_values.dtype == np.float64
    np.testing.assert_array_equal(narrow.target_values, whole.values[:, 0])
    np.testing.assert_array_equal(narrow.column(2), whole.values[:, 2].astype(np.float32))
    part = narrow.rows(10, 30)
    np.testing.assert_array_equal(part.target_values, whole.values[10:30, 0])
    assert list(part.timestamps) == list(whole.timestamps[10:30])
    training = part.training_values(15)
    assert training.dtype == np.float64 and training.shape == (15, 3)
    np.testing.assert_array_equal(training[:, 0], whole.values[10:25, 0])
    np.testing.assert_allclose(training[:, 1:], whole.values[10:25, 1:], rtol=1e-7)
    assert narrow.narrowed() is narrow
    one_column = series(columns=1)
    assert one_column.narrowed() is one_column  # a target alone has nothing to narrow


def features_experiment(tmp_path: Path):
    frame = synthetic_frame(rows=300, features=3)
    frame.to_csv(tmp_path / "load.csv", index=False)
    features = [c for c in frame.columns if c not in ("timestamp", "load")]
    config = tiny_experiment(tmp_path / "load.csv", tmp_path / "run", data={"features": features})
    return experiment_from_dict(config, tmp_path / "load.yaml")


def test_a_workload_holds_float32_features_and_the_table_float64_originals_give(tmp_path):
    experiment = features_experiment(tmp_path)
    workload = prepare_workload(experiment)
    held = workload.panel.series[workload.ids[0]]
    assert held.values.dtype == np.float32 and held.target_values.dtype == np.float64
    originals = load_series_of(experiment.data)  # float64, as read
    (read,) = originals.series.values()
    np.testing.assert_array_equal(held.target_values, read.values[:, 0])
    again = panel_table(originals, workload.layout, experiment.data, workload.static)
    np.testing.assert_array_equal(workload.table, again)


def test_a_training_workload_lets_the_feature_originals_go_and_keeps_the_same_table(tmp_path):
    """What train prepares (features=False): the target alone, exact, beside the very table
    a workload keeping its originals has, and the same windows."""
    experiment = features_experiment(tmp_path)
    kept, training = prepare_workload(experiment), prepare_workload(experiment, features=False)
    held = training.panel.series[training.ids[0]]
    assert held.values.shape == (held.num_rows, 1) and held.values.dtype == np.float64
    (read,) = load_series_of(experiment.data).series.values()
    np.testing.assert_array_equal(held.target_values, read.values[:, 0])
    np.testing.assert_array_equal(training.table, kept.table)
    for split, starts in kept.starts.items():
        np.testing.assert_array_equal(training.starts[split], starts)


def test_validation_fills_a_column_major_table_of_the_values_as_read(tmp_path):
    """Filling a row-major table a column at a time commits all of it with the first column;
    column-major, each column touches only its own pages."""
    experiment = features_experiment(tmp_path)
    (read,) = load_series_of(experiment.data).series.values()
    assert read.values.flags.f_contiguous
    frame = pd.read_csv(tmp_path / "load.csv")
    np.testing.assert_array_equal(read.values, frame[read.columns].to_numpy(np.float64))


def test_a_refit_rescales_float32_features_and_the_exact_target(tmp_path):
    experiment = features_experiment(tmp_path)
    workload = prepare_workload(experiment)
    origin = workload.panel.series[workload.ids[0]].timestamps[239]
    refit = refit_part(workload, origin)
    (read,) = load_series_of(experiment.data).series.values()
    end = refit.layout.bounds[0].validation_start
    exact = fit_scaler(read.values[:end], experiment.scaling.method)
    scaler = refit.layout.scalers[0]
    assert scaler.center[0] == exact.center[0] and scaler.scale[0] == exact.scale[0]
    np.testing.assert_allclose(scaler.center, exact.center, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(scaler.scale, exact.scale, rtol=1e-6)
