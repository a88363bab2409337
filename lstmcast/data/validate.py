"""DataFrame -> Series: the one validated type every later step can trust.

A Series has strictly increasing timestamps on a regular grid of a known frequency, and finite
float values with the target in column 0. Every refusal names the file, the column and the first
offending line (the header is line 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstmcast.config.schema import DataSection, MissingPolicy
from lstmcast.data.frequency import infer_frequency
from lstmcast.data.timeline import BUSINESS_DAYS, ROWS, Timeline
from lstmcast.errors import DataError


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
    holidays: Sequence[date] | None = None,
    max_filled: float = DataSection.model_fields["max_filled"].default,
    consume: bool = False,
) -> Series:
    """Check and regularise one CSV's frame; `frequency=None` infers it. With `consume`, the
    frame's columns are dropped from it as they are converted (a frame read only for this).

    A given clock frequency must agree with the one the timestamps show, when they show one;
    `frequency_origin` names where it came from for the error message. `max_filled` is the
    largest share of rows that data.missing may add to a clock grid (data/timeline.py says
    which rows a calendar expects).
    """
    if frame.empty:
        raise DataError(f"{source} has a header but no data rows")
    timestamps = parse_timestamps(frame[timestamp], source, timestamp)
    _check_order(timestamps, source, timestamp)
    table = numeric_table(frame, columns, source, consume=consume)
    values = pd.DataFrame(table, index=timestamps, columns=columns, copy=False)
    timeline = Timeline.of(
        _frequency(timestamps, frequency, source, timestamp, frequency_origin), holidays
    )
    if timeline.kind == "business":
        _check_business_days(timestamps, timeline, source, timestamp)
    expected = timeline.expected(timestamps[0], timestamps[-1])
    if expected is not None:
        values = _on_grid(values, expected, source, timestamp, timeline, missing, max_filled)
    values = _fill_missing(values, source, missing, by_time=timeline.kind == "grid")
    return Series(
        timestamps=pd.DatetimeIndex(values.index),
        values=values.to_numpy(dtype=np.float64),
        columns=list(columns),
        frequency=timeline.frequency,
        source=source,
    )


def _frequency(
    timestamps: pd.DatetimeIndex, given: str | None, source: Path, name: str, origin: str
) -> str:
    """The given frequency, checked against the timestamps for a clock grid, or the inferred."""
    if given == ROWS:
        return given
    inferred = infer_frequency(timestamps)
    if given is None:
        if inferred is None:
            raise DataError(
                f"{source}: cannot infer the frequency of column '{name}'; set data.frequency "
                "(e.g. '30min', 'h', 'D', 'B', 'W-SAT', 'MS'), or 'none' to count each row as "
                "one step"
            )
        return inferred
    business = Timeline.of(given).kind == "business"
    if inferred == BUSINESS_DAYS and to_offset(given) == to_offset("D"):
        return given  # weekdays on a calendar-day grid: the grid check says what is missing
    if inferred is not None and not business and to_offset(inferred) != to_offset(given):
        raise DataError(
            f"{source}: timestamps step by '{inferred}' but {origin} is '{given}'; "
            "use data with the same frequency"
        )
    return given


def _line(row: int) -> int:
    return row + 2  # 0-based data row -> file line, after the header


def parse_timestamps(column: pd.Series, source: Path, name: str) -> pd.DatetimeIndex:
    if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype.kind == "M":
        parsed = column  # parsed already: one series of a panel, or a Parquet timestamp
    else:
        parsed = _iso8601(column)
        if parsed.isna().any():  # padded cells: parse again without the spaces (slower)
            parsed = _iso8601(column.astype("string").str.strip())
    _refuse_rows(
        parsed.isna().to_numpy(),
        source,
        lambda first, count: (
            f"column '{name}' has {count} empty or unparsable timestamps "
            f"(first: line {_line(first)}, value {column.iloc[first]!r}); "
            "use ISO 8601 such as 2024-01-31 or 2024-01-31T13:30:00"
        ),
    )
    return pd.DatetimeIndex(parsed)


def _iso8601(text: pd.Series) -> pd.Series:
    try:
        return pd.to_datetime(text, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):  # mixed offsets: one instant each, in UTC
        return pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")


def _refuse_rows(bad: np.ndarray, source: Path, describe: Callable[[int, int], str]) -> None:
    """A DataError about the first bad row (and how many there are), when there is one."""
    if bad.any():
        raise DataError(f"{source}: {describe(int(np.argmax(bad)), int(bad.sum()))}")


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


def numeric_table(
    frame: pd.DataFrame, columns: list[str], source: Path, *, consume: bool = False
) -> np.ndarray:
    """The value columns as one float64 (rows, columns) table, filled a column at a time;
    with `consume` each column leaves `frame` once copied, so the text or Arrow frame and the
    table are never both whole in memory (1.3 GB each at 20M rows x 8)."""
    table = np.empty((len(frame), len(columns)))
    for index, name in enumerate(columns):
        table[:, index] = numeric_column(frame[name], source, name)
        if consume and name not in columns[index + 1 :]:
            del frame[name]
    return table


def numeric_column(column: pd.Series, source: Path, name: str) -> np.ndarray:
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
    _refuse_rows(
        np.isinf(array),
        source,
        lambda first, count: (
            f"column '{name}' has {count} infinite values (first: line "
            f"{_line(first)}); replace them with numbers or empty cells"
        ),
    )
    _refuse_rows(
        np.abs(np.nan_to_num(array)) > LARGEST,
        source,
        lambda first, count: (
            f"column '{name}' has values beyond ±{LARGEST:.0e} (first: line "
            f"{_line(first)}, {array[first]:.3g}), whose squares overflow; rescale the column "
            "(e.g. to other units)"
        ),
    )
    return array


LARGEST = 1e150
"""Beyond this, the squares in scaling and RMSE overflow float64: refused, not NaN later."""


def _check_business_days(
    timestamps: pd.DatetimeIndex, timeline: Timeline, source: Path, name: str
) -> None:
    off = timeline.off_calendar(timestamps)
    if off is not None and off.any():
        row = int(np.argmax(off.to_numpy()))
        day = timestamps[row]
        what = "a listed holiday" if day.day_of_week < 5 else f"a {day.day_name()}"
        raise DataError(
            f"{source}: column '{name}' at line {_line(row)} ({day}) is {what}, not a business "
            "day; remove the row, or set data.frequency: D (calendar days) or none (one step "
            "per row)"
        )


def _on_grid(
    values: pd.DataFrame,
    grid: pd.DatetimeIndex,
    source: Path,
    name: str,
    timeline: Timeline,
    missing: MissingPolicy,
    max_filled: float,
) -> pd.DataFrame:
    index = pd.DatetimeIndex(values.index)
    if len(index) == len(grid) and index.equals(grid):
        return values  # every row on the grid, none missing: the usual case, without hashing
    off_grid = ~index.isin(grid)
    if off_grid.any():
        row = int(np.argmax(off_grid))
        raise DataError(
            f"{source}: column '{name}' at line {_line(row)} ({index[row]}) is off the "
            f"'{timeline.frequency}' grid that starts at {index[0]}; fix the timestamp or set "
            "data.frequency"
        )
    absent = grid.difference(index)
    if not len(absent):
        return values
    hint = suggest_calendar(index, timeline)
    if timeline.kind == "business":
        hint = (
            "add the rows, list those days in data.holidays if they are holidays, or set "
            "data.missing: interpolate or ffill"
        )
    if missing == "error":
        raise DataError(
            f"{source}: {len(absent)} timestamps are missing from the '{timeline.frequency}' "
            f"grid (first: {absent[0]}); "
            + (hint or "add the rows or set data.missing: interpolate or ffill")
        )
    if len(absent) > max_filled * len(grid):
        raise DataError(
            f"{source}: data.missing: {missing} would add {len(absent):,} rows "
            f"({len(absent) / len(grid):.0%} of the '{timeline.frequency}' grid) that the file "
            f"does not have, more than data.max_filled ({max_filled:g}); "
            + (hint or "check the data, or raise data.max_filled")
        )
    return values.reindex(grid)


def suggest_calendar(timestamps: pd.DatetimeIndex, timeline: Timeline) -> str | None:
    """When rows absent from a clock grid follow a calendar, the setting that fits it."""
    if timeline.kind != "grid":
        return None
    try:
        step: pd.Timedelta | None = pd.Timedelta(timeline.offset())
    except (ValueError, TypeError):  # months, quarters, years: no fixed length
        step = None
    weekdays_only = bool((timestamps.day_of_week < 5).all())
    if step == pd.Timedelta(days=1) and weekdays_only:
        return (
            "the rows are weekdays only: set data.frequency: B (business days; absent "
            "weekdays are holidays, not missing rows)"
        )
    if step is not None and step < pd.Timedelta(days=1):
        return (
            "the rows look like sessions (business hours, shifts): set data.frequency: none to "
            "count each row as one step"
        )
    return None


def _fill_missing(
    values: pd.DataFrame, source: Path, missing: MissingPolicy, *, by_time: bool
) -> pd.DataFrame:
    """Fill empty cells; between rows of a clock grid by time, otherwise by steps (rows)."""
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
        method = "time" if by_time else "linear"
        return values.interpolate(method=method, limit_direction="both")
    filled = values.ffill()
    if filled.isna().to_numpy().any():
        raise DataError(
            f"{source}: column '{name}' starts with empty cells that ffill cannot fill "
            f"(first at {first}); use data.missing: interpolate or drop those rows"
        )
    return filled
