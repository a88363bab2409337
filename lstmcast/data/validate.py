"""DataFrame -> Series: the one validated type every later step can trust.

A Series has strictly increasing timestamps on a regular grid of a known frequency, and finite
float values with the target in column 0. Every refusal names the file, the column and the first
offending line (the header is line 1).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

from lstmcast.config.clock import clock_text, days_text
from lstmcast.config.sections.data import DataSection, MissingPolicy
from lstmcast.data.frequency import format_timestamps, frequency_name, infer_frequency
from lstmcast.data.sessions import Sessions, detect_sessions
from lstmcast.data.timeline import BUSINESS_DAYS, ROWS, Timeline
from lstmcast.data.timezones import in_zone
from lstmcast.errors import DataError
from lstmcast.text import count_of, share


@dataclass(frozen=True)
class Series:
    timestamps: pd.DatetimeIndex
    values: np.ndarray
    """Shape (rows, columns), float64 as read, target first; float32 once narrowed; only the
    target (rows, 1), in float64, once narrowed for training (narrowed(features=False))."""
    columns: list[str]
    frequency: str
    source: Path
    exact_target: np.ndarray | None = field(default=None, repr=False)
    """The target column in float64, beside `values` narrowed to float32."""

    @property
    def target(self) -> str:
        return self.columns[0]

    @property
    def target_values(self) -> np.ndarray:
        """The target column as read (float64): what scoring and the target's scaler read."""
        return self.exact_target if self.exact_target is not None else self.values[:, 0]

    def narrowed(self, *, features: bool = True) -> Series:
        """The columns held as float32, the target kept in float64 beside them: once the
        model's table is scaled from the originals, scoring reads only the target, and only a
        refit rescales the other columns (from float32: a change in their 7th digit). Half
        the memory of every column but the target. features=False keeps the target alone,
        for a workload that is trained and scored and never rescaled."""
        if self.exact_target is not None or self.values.shape[1] == 1:
            return self
        if not features:
            return replace(self, values=self.values[:, :1].copy())
        return replace(
            self, values=self.values.astype(np.float32), exact_target=self.values[:, 0].copy()
        )

    def rows(self, first: int, end: int) -> Series:
        """Rows first..end-1, as a view."""
        exact = self.exact_target
        return replace(
            self, timestamps=self.timestamps[first:end], values=self.values[first:end],
            exact_target=None if exact is None else exact[first:end],
        )  # fmt: skip

    def training_values(self, end: int) -> np.ndarray:
        """Rows 0..end-1 in float64, target first: what a scaler is fitted on (a copy only
        when narrowed)."""
        if self.exact_target is None:
            return self.values[:end]
        return np.column_stack([self.exact_target[:end], self.values[:end, 1:]])

    def column(self, index: int) -> np.ndarray:
        """Column `index` as read (float32 for a narrowed series' other columns)."""
        return self.target_values if index == 0 else self.values[:, index]

    @property
    def num_rows(self) -> int:
        return len(self.timestamps)


@dataclass(frozen=True)
class Rules:
    """How a frame becomes a Series: what a step is, the zone, and what to do with gaps."""

    frequency: str | None = None
    """A clock step, 'B' or 'none'; None infers it from the timestamps."""
    missing: MissingPolicy = "error"
    holidays: Sequence[date] | None = None
    sessions: Sessions | None = None
    timezone: str | None = None
    max_filled: float = DataSection.model_fields["max_filled"].default
    """Largest share of rows data.missing may add to a grid."""
    feed: bool = False
    """Newer data for a trained run: its frequency is the run's, and advice is to fix the
    feed or retrain, since a run keeps the settings it was trained with."""

    @classmethod
    def of(cls, data: DataSection, *, frequency: str | None = None) -> Rules:
        """The rules of a data section; `frequency` (a trained run's) makes it a feed."""
        return cls(
            frequency=frequency or data.frequency,
            missing=data.missing,
            holidays=data.holidays,
            sessions=Sessions.of(data.sessions) if data.sessions is not None else None,
            timezone=data.timezone,
            max_filled=data.max_filled,
            feed=frequency is not None,
        )

    def timeline(self, frequency: str) -> Timeline:
        return Timeline.of(frequency, self.holidays, self.sessions)

    @property
    def frequency_origin(self) -> str:
        return "the trained run's frequency" if self.feed else "data.frequency"

    def fill_advice(self, count: int) -> str:
        """How to get `count` missing values filled, from where the user stands."""
        them = "it" if count == 1 else "them"
        if self.feed:
            return (
                f"fill {them} in the feed, or retrain with data.missing: interpolate (the run "
                f"was trained with data.missing: {self.missing}, and its forecasts keep that)"
            )
        return f"set data.missing: interpolate (or ffill) to fill {them}"


def validate_frame(
    frame: pd.DataFrame,
    *,
    source: Path,
    timestamp: str,
    columns: list[str],
    rules: Rules,
    consume: bool = False,
) -> Series:
    """Check and regularise one CSV's frame. With `consume`, the frame's columns are dropped
    from it as they are converted (a frame read only for this).

    A given clock frequency must agree with the one the timestamps show, when they show one.
    data/timeline.py says which rows a calendar expects; `rules.max_filled` is the largest
    share of them that data.missing may add.
    """
    if frame.empty:
        raise DataError(f"{source} has a header but no data rows")
    timestamps = parse_timestamps(frame[timestamp], source, timestamp, timezone=rules.timezone)
    _check_order(timestamps, source, timestamp)
    table = numeric_table(frame, columns, source, consume=consume)
    values = pd.DataFrame(table, index=timestamps, columns=columns, copy=False)
    timeline = rules.timeline(_frequency(timestamps, rules, source, timestamp))
    _check_on_calendar(timestamps, timeline, source, timestamp)
    expected = timeline.expected(timestamps)
    if expected is not None:
        values = _on_grid(values, expected, source, timestamp, timeline, rules)
    values = _fill_missing(values, source, rules, by_time=timeline.kind == "grid")
    return Series(
        timestamps=pd.DatetimeIndex(values.index),
        values=values.to_numpy(dtype=np.float64),
        columns=list(columns),
        frequency=timeline.frequency,
        source=source,
    )


def _frequency(timestamps: pd.DatetimeIndex, rules: Rules, source: Path, name: str) -> str:
    """The given frequency, checked against the timestamps for a clock grid, or the inferred."""
    given = rules.frequency
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
    if inferred is None or rules.timeline(given).kind != "grid":
        return given
    if inferred == BUSINESS_DAYS and to_offset(given) == to_offset("D"):
        return given  # weekdays on a calendar-day grid: the grid check says what is missing
    if not same_grid(inferred, given, timestamps[0]):
        raise DataError(
            f"{source}: timestamps step by '{inferred}' ({frequency_name(inferred)}) but "
            f"{rules.frequency_origin} is '{given}' ({frequency_name(given)}); use data with "
            "the same frequency"
        )
    return given


def same_grid(first: str, second: str, start: pd.Timestamp) -> bool:
    """Whether two aliases lay out the same steps from `start` ('QS-JAN' and 'QS-OCT' do)."""
    if to_offset(first) == to_offset(second):
        return True
    try:
        return pd.date_range(start, periods=8, freq=first).equals(
            pd.date_range(start, periods=8, freq=second)
        )
    except ValueError:
        return False


def _line(row: int) -> int:
    return row + 2  # 0-based data row -> file line, after the header


def parse_timestamps(
    column: pd.Series, source: Path, name: str, *, timezone: str | None = None
) -> pd.DatetimeIndex:
    """ISO 8601 text (or timestamps parsed already) as an index, in `timezone` when given
    (data/timezones.py: written offsets must be the zone's; changing offsets need a zone)."""
    text: pd.Series | None = None
    mixed = False
    if isinstance(column.dtype, pd.DatetimeTZDtype) or column.dtype.kind == "M":
        parsed = column  # parsed already: one series of a panel, or a Parquet timestamp
    else:
        text = column
        parsed, mixed = _iso8601(column)
        if parsed.isna().any():  # padded cells: parse again without the spaces (slower)
            text = column.astype("string").str.strip()
            parsed, mixed = _iso8601(text)
    _refuse_rows(
        parsed.isna().to_numpy(),
        source,
        lambda first, count: (
            f"column '{name}' has {count_of(count, 'empty or unparsable timestamp')} "
            f"(first: line {_line(first)}, value {column.iloc[first]!r}); "
            "use ISO 8601 such as 2024-01-31 or 2024-01-31T13:30:00"
        ),
    )
    stamps = pd.DatetimeIndex(parsed)
    return in_zone(stamps, text=text, mixed=mixed, zone=timezone, source=source, name=name)


def _iso8601(text: pd.Series) -> tuple[pd.Series, bool]:
    """Parsed timestamps, and whether their UTC offsets differ (then parsed to UTC)."""
    try:
        return pd.to_datetime(text, errors="coerce", format="ISO8601"), False
    except (ValueError, TypeError):  # mixed offsets: one instant each, in UTC
        return pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601"), True


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
    table are never both whole in memory (1.3 GB each at 20M rows x 8). Column-major, so that
    filling a column touches only its own pages: a row-major table is committed whole by its
    first column."""
    table = np.empty((len(frame), len(columns)), order="F")
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
            f"{source}: column '{name}' has {count_of(int(bad.sum()), 'non-numeric cell')} "
            f"(first: line {_line(first)}, value {cell!r}); {hint}"
        )
    array = values.to_numpy(dtype=np.float64)
    _refuse_rows(
        np.isinf(array),
        source,
        lambda first, count: (
            f"column '{name}' has {count_of(count, 'infinite value')} (first: line "
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


def _check_on_calendar(
    timestamps: pd.DatetimeIndex, timeline: Timeline, source: Path, name: str
) -> None:
    """Business days and sessions: a row on no business day or session step is refused."""
    off = timeline.off_calendar(timestamps)
    if off is None or not off.any():
        return
    row = int(np.argmax(off))
    when = format_timestamps(timestamps[row : row + 1])[0]
    day = timestamps[row]
    listed = (
        day.tz_localize(None).normalize() in set(timeline.holidays)
        if day.tz
        else (day.normalize() in set(timeline.holidays))
    )
    if timeline.kind == "sessions" and timeline.sessions is not None:
        what = (
            "a listed holiday"
            if listed
            else (
                f"outside the sessions {timeline.sessions.describe()} every '{timeline.frequency}'"
            )
        )
        raise DataError(
            f"{source}: column '{name}' at line {_line(row)} ({when}) is {what}; remove the "
            "row or change data.sessions (open and close are the times of a session's first "
            "and last rows)"
        )
    what = "a listed holiday" if listed else f"a {day.day_name()}"
    raise DataError(
        f"{source}: column '{name}' at line {_line(row)} ({when}) is {what}, not a business "
        "day; remove the row, or set data.frequency: D (calendar days) or none (one step "
        "per row)"
    )


def _on_grid(
    values: pd.DataFrame,
    grid: pd.DatetimeIndex,
    source: Path,
    name: str,
    timeline: Timeline,
    rules: Rules,
) -> pd.DataFrame:
    index = pd.DatetimeIndex(values.index)
    if len(index) == len(grid) and index.equals(grid):
        return values  # every row on the grid, none missing: the usual case, without hashing
    off_grid = ~index.isin(grid)
    if off_grid.any():
        row = int(np.argmax(off_grid))
        when, start = format_timestamps(index[[row, 0]])
        raise DataError(
            f"{source}: column '{name}' at line {_line(row)} ({when}) is off the "
            f"{timeline.name()} grid ('{timeline.frequency}') that starts at {start}; fix the "
            "timestamp or set data.frequency"
        )
    absent = grid.difference(index)
    if not len(absent):
        return values
    missing = (
        f"{count_of(len(absent), 'row')} missing from the {timeline.name()} grid "
        f"({_listed(absent)})"
    )
    too_many = len(absent) > rules.max_filled * len(grid)
    share_absent = len(absent) / len(grid)
    hint = suggest_calendar(index, timeline, share_absent) if too_many else None
    if timeline.kind == "business":
        hint = (
            "add the rows, list those days in data.holidays if they are holidays, or "
            + rules.fill_advice(len(absent))
        )
    if rules.missing == "error":
        raise DataError(f"{source}: {missing}; {hint or rules.fill_advice(len(absent))}")
    if too_many:
        raise DataError(
            f"{source}: {missing}: data.missing: {rules.missing} would invent "
            f"{share(len(absent) / len(grid))} of the grid, more than data.max_filled "
            f"({rules.max_filled:g}); " + (hint or "check the data, or raise data.max_filled")
        )
    return values.reindex(grid)


def _listed(stamps: pd.DatetimeIndex, most: int = 3) -> str:
    """'1955-08-01', or '1955-08-01, 1957-02-01, 1957-03-01 and 4 more'."""
    shown = ", ".join(format_timestamps(stamps[:most]))
    return shown if len(stamps) <= most else f"{shown} and {len(stamps) - most:,} more"


def suggest_calendar(
    timestamps: pd.DatetimeIndex, timeline: Timeline, absent: float = 1.0
) -> str | None:
    """When many rows absent from a calendar (`absent`: their share of it) follow another
    calendar, the setting that fits it."""
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
        sessions = detect_sessions(timestamps, step)
        if sessions is not None:
            return (
                f"the rows look like business hours: set data.sessions: {{days: "
                f"{days_text(sessions.days)}, open: '{clock_text(sessions.open)}', close: "
                f"'{clock_text(sessions.close)}'}} (or data.frequency: none to count each "
                "row as one step)"
            )
        if absent > 0.5:
            return (
                "the rows look like sessions (business hours, shifts): set data.sessions, or "
                "data.frequency: none to count each row as one step"
            )
    return None


def _fill_missing(
    values: pd.DataFrame, source: Path, rules: Rules, *, by_time: bool
) -> pd.DataFrame:
    """Fill empty cells; between rows of a clock grid by time, otherwise by steps (rows)."""
    empty = values.isna()
    if not empty.to_numpy().any():
        return values
    name = str(empty.any().idxmax())
    first = format_timestamps(values.index[[int(np.argmax(empty[name].to_numpy()))]])[0]
    count = int(empty.to_numpy().sum())
    if rules.missing == "error":
        raise DataError(
            f"{source}: column '{name}' has empty cells (first at {first}; "
            f"{count_of(count, 'empty cell')} in all columns); {rules.fill_advice(count)}"
        )
    if empty.all().any():
        column = str(empty.all().idxmax())
        raise DataError(f"{source}: column '{column}' has no values at all")
    if rules.missing == "interpolate":
        method = "time" if by_time else "linear"
        return values.interpolate(method=method, limit_direction="both")
    filled = values.ffill()
    if filled.isna().to_numpy().any():
        raise DataError(
            f"{source}: column '{name}' starts with empty cells that ffill cannot fill "
            f"(first at {first}); use data.missing: interpolate or drop those rows"
        )
    return filled
