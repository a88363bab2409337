"""CSV problems are DataErrors (exit 3) naming the file, the column and the first bad line."""

from __future__ import annotations

import numpy as np
import pytest

from lstmcast.config.sections.data import DataSection
from lstmcast.data.prepare import load_series
from lstmcast.errors import ConfigError, DataError, ExitCode

HEADER = "timestamp,load,temp\n"


def rows(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


GOOD_ROWS = [f"2024-01-01T{hour:02d}:00:00,{10 + hour},{hour}" for hour in range(6)]


def series_from(write_csv, text: str, **data):
    section = DataSection(path=write_csv(text), target="load", features=["temp"], **data)
    return load_series(section)


def data_error(write_csv, text: str, **data) -> str:
    with pytest.raises(DataError) as caught:
        series_from(write_csv, text, **data)
    assert caught.value.exit_code == ExitCode.DATA
    return str(caught.value)


def test_good_csv_becomes_a_series(write_csv):
    series = series_from(write_csv, rows(*GOOD_ROWS))
    assert series.frequency == "h"
    assert series.columns == ["load", "temp"]
    assert series.values[:, 0].tolist() == [10, 11, 12, 13, 14, 15]


def test_unsorted_timestamps(write_csv):
    lines = [GOOD_ROWS[0], GOOD_ROWS[2], GOOD_ROWS[1], *GOOD_ROWS[3:]]
    message = data_error(write_csv, rows(*lines))
    assert "series.csv: column 'timestamp' is not in increasing order: line 4" in message
    assert "sort the file by 'timestamp'" in message


def test_duplicated_timestamps(write_csv):
    message = data_error(write_csv, rows(*GOOD_ROWS[:3], GOOD_ROWS[2], *GOOD_ROWS[3:]))
    assert "repeats 2024-01-01 02:00:00 on lines 4 and 5" in message


def test_unparsable_timestamp(write_csv):
    message = data_error(write_csv, rows(*GOOD_ROWS[:3], "yesterday,1,2", *GOOD_ROWS[3:]))
    assert "1 empty or unparsable timestamp (first: line 5, value 'yesterday')" in message


def test_non_numeric_cell_with_thousands_separator(write_csv):
    text = rows(*GOOD_ROWS[:4], '2024-01-01T04:00:00,"1,204",4', GOOD_ROWS[5])
    message = data_error(write_csv, text)
    assert "column 'load' has 1 non-numeric cell (first: line 6, value '1,204')" in message
    assert "thousands separators" in message


def test_infinity(write_csv):
    message = data_error(
        write_csv, rows(*GOOD_ROWS[:2], "2024-01-01T02:00:00,inf,2", *GOOD_ROWS[3:])
    )
    assert "column 'load' has 1 infinite value (first: line 4)" in message


def test_missing_cells_policies(write_csv):
    text = rows(*GOOD_ROWS[:2], "2024-01-01T02:00:00,,2", *GOOD_ROWS[3:])
    message = data_error(write_csv, text)
    assert "column 'load' has empty cells (first at 2024-01-01T02:00:00; 1 empty cell" in message
    assert "set data.missing: interpolate (or ffill) to fill it" in message
    assert series_from(write_csv, text, missing="interpolate").values[2, 0] == 12
    assert series_from(write_csv, text, missing="ffill").values[2, 0] == 11


def test_rows_missing_from_the_grid(write_csv):
    text = rows(*GOOD_ROWS[:2], *GOOD_ROWS[3:])
    message = data_error(write_csv, text, frequency="h")
    assert "1 row missing from the hourly grid (2024-01-01T02:00:00); set data.missing" in message
    # one row of six is more than the default share data.missing may add (data.max_filled)
    filled = series_from(write_csv, text, frequency="h", missing="interpolate", max_filled=0.2)
    assert filled.num_rows == 6 and filled.values[2, 0] == 12


def test_gap_is_found_without_a_configured_frequency(write_csv):
    text = rows(*GOOD_ROWS[:2], *GOOD_ROWS[3:])
    assert "missing from the hourly grid" in data_error(write_csv, text)


def test_configured_frequency_must_match_the_data(write_csv):
    message = data_error(write_csv, rows(*GOOD_ROWS), frequency="D")
    assert "timestamps step by 'h' (hourly) but data.frequency is 'D' (daily)" in message


def test_off_grid_timestamp(write_csv):
    lines = [*GOOD_ROWS[:3], "2024-01-01T03:30:00,1,2", *GOOD_ROWS[4:]]
    message = data_error(write_csv, rows(*lines), frequency="h")
    assert "line 5 (2024-01-01T03:30:00) is off the hourly grid ('h')" in message


def test_missing_column_is_a_config_error_with_near_miss(write_csv):
    section = DataSection(path=write_csv(rows(*GOOD_ROWS)), target="laod")
    with pytest.raises(
        ConfigError, match="data.target: column 'laod' is not in .*did you mean 'load'"
    ):
        load_series(section)


def test_semicolon_file_gets_a_delimiter_hint(write_csv):
    path = write_csv("timestamp;load\n2024-01-01;1\n")
    with pytest.raises(ConfigError, match="does not look comma-separated"):
        load_series(DataSection(path=path, target="load"))


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="data.path: .*nope.csv does not exist"):
        load_series(DataSection(path=tmp_path / "nope.csv", target="load"))


def test_header_only(write_csv):
    assert "has a header but no data rows" in data_error(write_csv, HEADER)


def test_utc_timestamps_keep_their_zone(write_csv):
    text = "timestamp,load\n" + "".join(f"2024-01-01T{h:02d}:30:00Z,{h}\n" for h in range(5))
    series = load_series(DataSection(path=write_csv(text), target="load"))
    assert str(series.timestamps.tz) == "UTC"
    assert np.array_equal(series.values[:, 0], np.arange(5))


@pytest.mark.parametrize(
    ("row", "fields"), [("2024-01-01T02:00:00,12,3,234.5", 4), ("2024-01-01T02:00:00,12", 2)]
)
def test_a_row_with_more_or_fewer_fields_than_the_header_is_refused(write_csv, row, fields):
    text = "timestamp,load,temp\n2024-01-01T00:00:00,10,1\n2024-01-01T01:00:00,11,2\n" + row + "\n"
    message = data_error(write_csv, text)
    assert f"line 4 has {fields} fields but the header has 3" in message
