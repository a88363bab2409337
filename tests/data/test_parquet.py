"""Parquet input: the same series read from Parquet (timestamps as text or as Parquet
timestamps) and from CSV give exactly the same values and timestamps, for one series and a
panel; what is wrong with a Parquet file is said in one line, as for CSV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstmcast.config.sections.data import DataSection
from lstmcast.data.panel import load_panel
from lstmcast.data.prepare import load_series
from lstmcast.errors import ConfigError, DataError
from tests.helpers.data import synthetic_frame


def _both(frame: pd.DataFrame, tmp_path, *, typed: bool):
    csv, parquet = tmp_path / "s.csv", tmp_path / "s.parquet"
    frame.to_csv(csv, index=False)
    stored = frame.copy()
    if typed:  # a real Parquet timestamp column, as tools that write Parquet store it
        stored["timestamp"] = pd.to_datetime(stored["timestamp"])
    stored.to_parquet(parquet, index=False)
    return csv, parquet


@pytest.mark.parametrize("typed", [False, True], ids=["text timestamps", "timestamp type"])
def test_one_series_from_parquet_is_the_csv_series(tmp_path, typed):
    frame = synthetic_frame(300, features=3)
    frame.loc[17, "load"] = np.nan  # an empty cell travels the same way
    csv, parquet = _both(frame, tmp_path, typed=typed)
    section = {"target": "load", "features": ["x2", "x1"], "missing": "interpolate"}
    from_csv = load_series(DataSection(path=csv, **section))
    from_parquet = load_series(DataSection(path=parquet, **section))
    np.testing.assert_array_equal(from_parquet.values, from_csv.values)
    assert from_parquet.timestamps.equals(from_csv.timestamps)
    assert from_parquet.columns == from_csv.columns == ["load", "x2", "x1"]


def test_a_panel_from_parquet_is_the_csv_panel(tmp_path):
    parts = []
    for sid, rows in (("a", 40), ("b", 55)):
        part = synthetic_frame(rows, freq="D")
        parts.append(part.assign(id=sid, load=part["load"] + len(parts)))
    csv, parquet = _both(pd.concat(parts), tmp_path, typed=True)
    section = {"target": "load", "series_id": "id"}
    from_csv = load_panel(DataSection(path=csv, **section))
    from_parquet = load_panel(DataSection(path=parquet, **section))
    assert list(from_parquet.series) == list(from_csv.series) == ["a", "b"]
    for sid in from_csv.series:
        np.testing.assert_array_equal(from_parquet.series[sid].values, from_csv.series[sid].values)
        assert from_parquet.series[sid].timestamps.equals(from_csv.series[sid].timestamps)


def test_what_is_wrong_with_a_parquet_file_is_one_line(tmp_path):
    frame = synthetic_frame(50)
    _, parquet = _both(frame, tmp_path, typed=True)
    with pytest.raises(ConfigError, match=r"data.target: column 'laod' is not in .*did you mean"):
        load_series(DataSection(path=parquet, target="laod"))
    parquet.write_bytes(parquet.read_bytes()[:-40])
    with pytest.raises(DataError, match=r"s.parquet: cannot read the Parquet file: "):
        load_series(DataSection(path=parquet, target="load"))
    holed = frame.assign(timestamp=pd.to_datetime(frame["timestamp"]))
    holed.loc[3, "timestamp"] = pd.NaT
    holed.to_parquet(parquet, index=False)
    with pytest.raises(DataError, match=r"1 empty or unparsable timestamp \(first"):
        load_series(DataSection(path=parquet, target="load"))
    text = frame.assign(load=frame["load"].astype(str))
    text.loc[5, "load"] = "n/a"
    text.to_parquet(parquet, index=False)
    with pytest.raises(DataError, match=r"column 'load' has 1 non-numeric cell \(first"):
        load_series(DataSection(path=parquet, target="load"))
