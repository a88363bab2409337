"""DataFrame -> Series: the one validated type every later step can trust.

A Series has strictly increasing timestamps on a regular grid of a known frequency, and finite
float values with the target in column 0. Every refusal names the file, the column and the first
offending line (the header is line 1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstmcast.data.frequency import infer_frequency
from lstmcast.errors import DataError

MissingPolicy = Literal["error", "interpolate", "ffill"]


@dataclass(frozen=True)
class Series:
    timestamps: pd.DatetimeIndex
    values: np.ndarray
    """Shape (rows, columns), float64, target first."""
    columns: list[str]
    frequency: str
    source: Path

    @property
    def target(self) -> str:
        return self.columns[0]

    @property
    def num_rows(self) -> int:
        return len(self.timestamps)


def validate_frame(
    frame: pd.DataFrame,
    *,
    source: Path,
    timestamp: str,
    columns: list[str],
    frequency: str | None,
    missing: MissingPolicy,
    frequency_origin: str = "data.frequency",
) -> Series:
    """Check and regularise one CSV's frame; `frequency=None` infers it.

    A given frequency must agree with the one the timestamps show, when they show one;
    `frequency_origin` names where it came from for the error message.
    """
    if frame.empty:
        raise DataError(f"{source} has a header but no data rows")
    timestamps = _parse_timestamps(frame[timestamp], source, timestamp)
    _check_order(timestamps, source, timestamp)
    values = pd.DataFrame(
        {name: _numeric(frame[name], source, name) for name in columns}, index=timestamps
    )
    inferred = infer_frequency(timestamps)
    if (
        frequency is not None
        and inferred is not None
        and to_offset(inferred) != to_offset(frequency)
    ):
        raise DataError(
            f"{source}: timestamps step by '{inferred}' but {frequency_origin} is '{frequency}'; "
            "use data with the same frequency"
        )
    frequency = frequency or inferred
    if frequency is None:
        raise DataError(
            f"{source}: cannot infer the frequency of column '{timestamp}'; "
            "set data.frequency (e.g. '30min', 'h', 'D', 'W-SAT', 'MS')"
        )
    values = _on_grid(values, source, timestamp, frequency, missing)
    values = _fill_missing(values, source, missing)
    return Series(
        timestamps=pd.DatetimeIndex(values.index),
        values=values.to_numpy(dtype=np.float64),
        columns=list(columns),
        frequency=frequency,
        source=source,
    )


def _line(row: int) -> int:
    return row + 2  # 0-based data row -> file line, after the header


def _parse_timestamps(column: pd.Series, source: Path, name: str) -> pd.DatetimeIndex:
    text = column.astype("string").str.strip()
    try:
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
    bad = parsed.isna().to_numpy()
    if bad.any():
        first = int(np.argmax(bad))
        raise DataError(
            f"{source}: column '{name}' has {int(bad.sum())} empty or unparsable timestamps "
            f"(first: line {_line(first)}, value {column.iloc[first]!r}); "
            "use ISO 8601 such as 2024-01-31 or 2024-01-31T13:30:00"
        )
    return pd.DatetimeIndex(parsed)


def _check_order(timestamps: pd.DatetimeIndex, source: Path, name: str) -> None:
    steps = np.diff(timestamps.asi8)
    if (steps == 0).any():
        row = int(np.argmax(steps == 0)) + 1
        raise DataError(
            f"{source}: column '{name}' repeats {timestamps[row]} on lines {_line(row - 1)} and "
            f"{_line(row)}; keep one row per timestamp"
        )
    if (steps < 0).any():
        row = int(np.argmax(steps < 0)) + 1
        raise DataError(
            f"{source}: column '{name}' is not in increasing order: line {_line(row)} "
            f"({timestamps[row]}) comes after line {_line(row - 1)} ({timestamps[row - 1]}); "
            f"sort the file by '{name}'"
        )


def _numeric(column: pd.Series, source: Path, name: str) -> np.ndarray:
    values = pd.to_numeric(column, errors="coerce")
    bad = (values.isna() & column.notna()).to_numpy()
    if bad.any():
        first = int(np.argmax(bad))
        cell = column.iloc[first]
        hint = (
            "remove the thousands separators"
            if isinstance(cell, str) and "," in cell
            else "fix or empty those cells"
        )
        raise DataError(
            f"{source}: column '{name}' has {int(bad.sum())} non-numeric cells "
            f"(first: line {_line(first)}, value {cell!r}); {hint}"
        )
    array = values.to_numpy(dtype=np.float64)
    infinite = np.isinf(array)
    if infinite.any():
        first = int(np.argmax(infinite))
        raise DataError(
            f"{source}: column '{name}' has {int(infinite.sum())} infinite values "
            f"(first: line {_line(first)}); replace them with numbers or empty cells"
        )
    return array


def _on_grid(
    values: pd.DataFrame, source: Path, name: str, frequency: str, missing: MissingPolicy
) -> pd.DataFrame:
    index = pd.DatetimeIndex(values.index)
    grid = pd.date_range(index[0], index[-1], freq=frequency)
    off_grid = ~index.isin(grid)
    if off_grid.any():
        row = int(np.argmax(off_grid))
        raise DataError(
            f"{source}: column '{name}' at line {_line(row)} ({index[row]}) is off the "
            f"'{frequency}' grid that starts at {index[0]}; fix the timestamp or set "
            "data.frequency"
        )
    absent = grid.difference(index)
    if len(absent) and missing == "error":
        raise DataError(
            f"{source}: {len(absent)} timestamps are missing from the '{frequency}' grid "
            f"(first: {absent[0]}); add the rows or set data.missing: interpolate or ffill"
        )
    return values.reindex(grid)


def _fill_missing(values: pd.DataFrame, source: Path, missing: MissingPolicy) -> pd.DataFrame:
    empty = values.isna()
    if not empty.to_numpy().any():
        return values
    name = str(empty.any().idxmax())
    first = values.index[int(np.argmax(empty[name].to_numpy()))]
    count = int(empty.to_numpy().sum())
    if missing == "error":
        raise DataError(
            f"{source}: column '{name}' has empty cells (first at {first}; {count} in all "
            "columns); set data.missing: interpolate or ffill, or fill them in the file"
        )
    if empty.all().any():
        column = str(empty.all().idxmax())
        raise DataError(f"{source}: column '{column}' has no values at all")
    if missing == "interpolate":
        return values.interpolate(method="time", limit_direction="both")
    filled = values.ffill()
    if filled.isna().to_numpy().any():
        raise DataError(
            f"{source}: column '{name}' starts with empty cells that ffill cannot fill "
            f"(first at {first}); use data.missing: interpolate or drop those rows"
        )
    return filled
