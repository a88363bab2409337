"""Many series in one table, against brute force: no window crosses a series, each series is
scaled by its own training rows, one calendar cut-off, long and wide agree, errors name the
series and the line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstmcast.config.load import load_experiment
from lstmcast.data.workload import prepare_workload
from lstmcast.errors import DataError
from tests.helpers.panels import long_panel
from tests.helpers.panels import panel_experiment as experiment


@settings(max_examples=25)
@given(lengths=st.lists(st.integers(8, 40), min_size=1, max_size=6))
def test_windows_never_cross_a_series_and_splits_share_one_cut_off(tmp_path_factory, lengths):
    tmp_path = tmp_path_factory.mktemp("panel")
    frame = long_panel([*lengths, 40])  # one series long enough that the panel is not empty
    data = prepare_workload(experiment(tmp_path, frame))
    layout, lookback, horizon = data.layout, 6, 3
    for split, starts in data.starts.items():
        for start in starts:  # every row a window reads or predicts belongs to one series
            owners = layout.series_of(np.arange(start, start + lookback + horizon))
            assert len(set(owners)) == 1
            series = layout.ids[owners[0]]
            bounds = layout.bounds[owners[0]]
            first_target = start - layout.offsets[owners[0]] + lookback
            lo, hi = bounds.rows(split)
            assert lo <= first_target and first_target + horizon <= hi, (series, split)
    cut_validation, cut_test = data.cut_offs
    union = sorted(set(frame["timestamp"]))
    assert str(cut_test.date()) == union[-6] and str(cut_validation.date()) == union[-12]
    for sid, bounds in zip(layout.ids, layout.bounds, strict=True):
        stamps = pd.to_datetime(frame.loc[frame.series_id == sid, "timestamp"])
        assert bounds.validation_start == int((stamps < cut_validation).sum())
        assert bounds.test_start == int((stamps < cut_test).sum())


def test_each_series_is_scaled_by_its_own_training_rows_and_round_trips(tmp_path):
    frame = long_panel([30, 36, 24])
    data = prepare_workload(experiment(tmp_path, frame))
    for index, sid in enumerate(data.layout.ids):
        raw = frame.loc[frame.series_id == sid, "y"].to_numpy()
        train = raw[: data.layout.bounds[index].validation_start]
        scaler = data.layout.scalers[index]
        assert scaler.center[0] == pytest.approx(train.mean())
        assert scaler.scale[0] == pytest.approx(train.std())
        first, end = data.layout.offsets[index], data.layout.offsets[index + 1]
        back = scaler.inverse_target(data.table[first:end, 0].astype(np.float64))
        np.testing.assert_allclose(back, raw, rtol=1e-5)


def test_static_columns_are_one_hot_and_constant_within_a_series(tmp_path):
    data = prepare_workload(experiment(tmp_path, long_panel([30, 30, 30]), static=["kind"]))
    assert data.static == {"kind": ["even", "odd"]}
    assert data.table.shape[1] == 1 + 2
    for index in range(3):
        block = data.table[data.layout.offsets[index] : data.layout.offsets[index + 1], 1:]
        expected = [0.0, 1.0] if index % 2 else [1.0, 0.0]
        assert (block == expected).all()


def test_short_series_are_listed_and_left_out(tmp_path):
    data = prepare_workload(experiment(tmp_path, long_panel([40, 10, 40])))
    assert data.layout.ids == ["s0", "s2"]
    assert "s1" in data.layout.skipped and "training rows" in data.layout.skipped["s1"]


def test_wide_and_long_layouts_give_the_same_table(tmp_path):
    frame = long_panel([30, 30, 30])
    long = prepare_workload(experiment(tmp_path, frame))
    wide_frame = frame.pivot(index="timestamp", columns="series_id", values="y").reset_index()
    wide_frame.to_csv(tmp_path / "wide.csv", index=False)
    import yaml

    config = {
        "data": {"path": "wide.csv", "target": "y", "layout": "wide"},
        "windows": {"lookback": 6, "horizon": 3},
        "split": {"validation": 6, "test": 6},
    }
    (tmp_path / "wide.yaml").write_text(yaml.safe_dump(config))
    wide = prepare_workload(load_experiment(tmp_path / "wide.yaml"))
    assert wide.layout.ids == long.layout.ids
    np.testing.assert_array_equal(wide.table, long.table)
    for split in long.starts:
        np.testing.assert_array_equal(wide.starts[split], long.starts[split])


def test_errors_name_the_series_and_the_line(tmp_path):
    frame = long_panel([20, 20])
    frame.loc[[25, 26], "timestamp"] = frame.loc[[26, 25], "timestamp"].to_numpy()
    with pytest.raises(DataError, match=r"series s1 goes back in time at .* on line 28"):
        prepare_workload(experiment(tmp_path, frame))
    frame = long_panel([20, 20])
    frame["y"] = frame["y"].astype(object)
    frame.loc[30, "y"] = "n/a!"
    with pytest.raises(DataError, match=r"1 non-numeric cell \(first: line 32"):
        prepare_workload(experiment(tmp_path, frame))


def test_a_wide_file_holds_series_of_different_lengths(tmp_path):
    frame = long_panel([30, 24, 18])  # all end together, start at different months
    wide_frame = frame.pivot(index="timestamp", columns="series_id", values="y").reset_index()
    wide_frame.loc[20, "s0"] = np.nan  # inside s0: a missing value, not an end
    wide_frame.to_csv(tmp_path / "wide.csv", index=False)
    import yaml

    config = {
        "data": {"path": "wide.csv", "target": "y", "layout": "wide", "missing": "interpolate"},
        "windows": {"lookback": 3, "horizon": 2},
        "split": {"validation": 3, "test": 3},
    }
    (tmp_path / "wide.yaml").write_text(yaml.safe_dump(config))
    data = prepare_workload(load_experiment(tmp_path / "wide.yaml"))
    assert [data.panel.series[sid].num_rows for sid in data.layout.ids] == [30, 24, 18]


@pytest.mark.parametrize("zone", [None, "Europe/Berlin"])
def test_the_fast_path_for_regular_series_gives_what_validation_gives(tmp_path, monkeypatch, zone):
    """Regular series skip validate_frame; each must come out exactly as validate_frame makes
    it, beside series that need it (a gap filled, an empty cell, a short one)."""
    from lstmcast.data import panel as panel_module

    end = pd.Timestamp("2024-03-31 04:00", tz="UTC")  # just after Berlin's change to summer
    parts = []
    for index, rows in enumerate([30, 30, 30, 30, 2]):
        stamps = pd.date_range(end=end, periods=rows, freq="h")
        stamps = stamps.tz_convert(zone) if zone else stamps.tz_localize(None)
        parts.append(pd.DataFrame({
            "timestamp": [stamp.isoformat() for stamp in stamps], "series_id": f"s{index}",
            "y": 100.0 * (index + 1) + np.sin(np.arange(rows)),
        }))  # fmt: skip
    frame = pd.concat(parts, ignore_index=True)
    frame = frame.drop(index=frame.index[(frame.series_id == "s1")][10])  # a gap
    frame.loc[frame.index[(frame.series_id == "s2")][5], "y"] = np.nan  # an empty cell
    zoned = {"timezone": zone} if zone else {}  # offsets change at 02:00: a zone says which
    data = experiment(tmp_path, frame, missing="interpolate", **zoned).data
    found = []
    regular = panel_module._regular
    monkeypatch.setattr(panel_module, "_regular", lambda *a: found.append(regular(*a)) or found[0])
    fast = panel_module.load_panel(data)
    assert found[0].tolist() == [True, False, False, True, False]  # s0 and s3 are regular
    monkeypatch.setattr(panel_module, "_regular", lambda groups, *_: np.zeros(len(groups), bool))
    slow = panel_module.load_panel(data)
    assert list(fast.series) == list(slow.series)
    for sid, expected in slow.series.items():
        got = fast.series[sid]
        pd.testing.assert_index_equal(got.timestamps, expected.timestamps, exact=True)
        np.testing.assert_array_equal(got.values, expected.values)
        assert (got.columns, got.frequency, got.source) == (
            expected.columns,
            expected.frequency,
            expected.source,
        )


def test_as_of_keeps_each_series_rows_up_to_it_and_ignores_cells_after_it(tmp_path):
    from lstmcast.data.panel import load_panel

    frame = long_panel([30, 30, 20])
    frame.loc[frame.index[-1], "y"] = np.nan  # after the cut: never read
    data = experiment(tmp_path, frame).data
    cut = pd.Timestamp("2020-06-15")
    panel = load_panel(data, as_of=cut)
    full = load_panel(data.model_copy(update={"missing": "interpolate"}))
    for sid, series in panel.series.items():
        assert series.timestamps[-1] == pd.Timestamp("2020-06-01")
        kept = full.series[sid].timestamps <= cut
        np.testing.assert_array_equal(series.values, full.series[sid].values[kept])
