"""Forecast input for a model that reads known-in-advance columns: the history, then the
`horizon` rows after it that carry only those columns (holidays, planned prices).

A CSV for forecasting ends with `horizon` rows whose target and features are empty; their
timestamps must be the calendar's next steps (data/timeline.py), or, with frequency none,
any later times, which the forecast then carries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.config.sections.data import DataSection
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.freshness import rows_until
from lstmcast.data.prepare import read_columns, timeline_of, validated
from lstmcast.data.timeline import ROWS
from lstmcast.data.validate import Rules, Series, validate_frame
from lstmcast.errors import DataError


def load_history_and_known_future(
    data: DataSection,
    *,
    horizon: int,
    frequency: str,
    path: Path | None,
    role: str,
    as_of: pd.Timestamp | None = None,
) -> tuple[Series, np.ndarray, pd.DatetimeIndex]:
    """The history up to the last row with an observed value (or up to `as_of`), the
    known-in-advance columns over the `horizon` rows after it, (horizon, known), raw, and
    those rows' timestamps."""
    source = path or data.path
    frame = read_columns(data, source, role)
    return history_and_future(
        frame, data, horizon=horizon, frequency=frequency, source=source, feed=path is not None,
        as_of=as_of,
    )  # fmt: skip


def history_and_future(
    frame: pd.DataFrame,
    data: DataSection,
    *,
    horizon: int,
    frequency: str,
    source: Path,
    feed: bool,
    as_of: pd.Timestamp | None = None,
    name: str | None = None,
) -> tuple[Series, np.ndarray, pd.DatetimeIndex]:
    """load_history_and_known_future on one series' rows of a frame read already (its index
    the rows' places in the file, for the lines errors name; `name` the series' id)."""
    frame = frame.reset_index(drop=True) if name is None else frame
    lines = np.asarray(frame.index) + 2
    if as_of is not None:
        stamps = frame[[data.timestamp]].reset_index(drop=True)
        end = rows_until(stamps, data.timestamp, as_of, source, timezone=data.timezone)
    else:
        observed = frame[data.columns[: data.observed_columns]].notna().any(axis=1).to_numpy()
        end = int(np.flatnonzero(observed)[-1]) + 1 if observed.any() else len(frame)
    where = Path(f"{source} [series {name}]") if name is not None else source
    series = validated(
        frame.iloc[:end].reset_index(drop=True), data, path=where if feed or name else None,
        frequency=frequency,
    )  # fmt: skip
    expected = timeline_of(data, frequency).future(series.timestamps[-1], horizon)
    line = int(lines[end]) if end < len(lines) else int(lines[-1]) + 1
    future = _future_rows(
        frame.reset_index(drop=True), end, series, data, expected=expected, horizon=horizon,
        line=line,
    )  # fmt: skip
    if expected is None:  # frequency none: the rows after the origin say when the steps are
        if future.timestamps[0] <= series.timestamps[-1]:
            raise DataError(
                f"{where}: line {line}: the rows after the last observed {data.target} "
                "must come after it in time"
            )
        return series, future.values, future.timestamps
    if not future.timestamps.equals(expected):
        stamps = format_timestamps(expected)
        raise DataError(
            f"{where}: the rows after the last observed {data.target} must be {stamps[0]} .. "
            f"{stamps[-1]}, one per step; they start at "
            f"{format_timestamps(future.timestamps[:1])[0]}"
        )
    return series, future.values, expected


def _future_rows(
    frame: pd.DataFrame,
    end: int,
    series: Series,
    data: DataSection,
    *,
    expected: pd.DatetimeIndex | None,
    horizon: int,
    line: int,
) -> Series:
    """The `horizon` rows after row `end` (file line `line`), every known column filled."""
    source, known = series.source, ", ".join(data.known)
    future = frame.iloc[end : end + horizon]
    if len(future) < horizon:
        stamps = format_timestamps(expected) if expected is not None else []
        rows = f"rows {stamps[0]} .. {stamps[-1]}" if stamps else f"{horizon} rows"
        raise DataError(
            f"{source}: the model reads {known} over the {horizon} steps after the last "
            f"observed {data.target} ({format_timestamps(series.timestamps[-1:])[0]}), but the "
            f"file has {len(future)} rows after it; add {rows} with {known} filled and "
            f"{data.target} empty"
        )
    empty = future[data.known].isna().any(axis=1).to_numpy()
    if empty.any():
        raise DataError(
            f"{source}: line {line + int(np.argmax(empty))}: {known} must be filled in every row "
            f"after the last observed {data.target}: they are the known future the model reads"
        )
    return validate_frame(
        future,
        source=source,
        timestamp=data.timestamp,
        columns=data.known,
        rules=Rules(frequency=ROWS, timezone=data.timezone),  # the caller checks their steps
    )
