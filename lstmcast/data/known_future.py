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

from lstmcast.config.schema import DataSection
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
    if as_of is not None:
        end = rows_until(frame, data.timestamp, as_of, source, timezone=data.timezone)
    else:
        observed = frame[data.columns[: data.observed_columns]].notna().any(axis=1).to_numpy()
        end = int(np.flatnonzero(observed)[-1]) + 1 if observed.any() else len(frame)
    series = validated(frame.iloc[:end], data, path=path, frequency=frequency)
    expected = timeline_of(data, frequency).future(series.timestamps[-1], horizon)
    future = _future_rows(frame, end, series, data, expected=expected, horizon=horizon)
    if expected is None:  # frequency none: the rows after the origin say when the steps are
        if future.timestamps[0] <= series.timestamps[-1]:
            raise DataError(
                f"{source}: line {end + 2}: the rows after the last observed {data.target} "
                "must come after it in time"
            )
        return series, future.values, future.timestamps
    if not future.timestamps.equals(expected):
        stamps = format_timestamps(expected)
        raise DataError(
            f"{source}: the rows after the last observed {data.target} must be {stamps[0]} .. "
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
) -> Series:
    """The `horizon` rows after row `end`, every known column filled."""
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
        line = end + int(np.argmax(empty)) + 2
        raise DataError(
            f"{source}: line {line}: {known} must be filled in every row after the last "
            f"observed {data.target}: they are the known future the model reads"
        )
    return validate_frame(
        future,
        source=source,
        timestamp=data.timestamp,
        columns=data.known,
        rules=Rules(frequency=ROWS, timezone=data.timezone),  # the caller checks their steps
    )
