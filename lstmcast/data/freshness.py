"""When a forecast is made: the origin a cron job anchors it at (`--as-of`), and whether the
feed it reads is still alive (`--max-staleness`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pandas as pd

from lstmcast.config.sections.output import parse_duration
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.validate import Series, parse_timestamps
from lstmcast.errors import ConfigError, DataError, StaleInputError
from lstmcast.text import duration


def parse_as_of(text: str) -> pd.Timestamp:
    """--as-of: an ISO 8601 time, with or without a zone."""
    try:
        return pd.Timestamp(text)
    except (ValueError, TypeError):
        raise ConfigError(
            f"--as-of: '{text}' is not a timestamp; write ISO 8601, e.g. 2024-05-01T13:00"
        ) from None


def in_zone_of(moment: pd.Timestamp, timestamps: pd.DatetimeIndex) -> pd.Timestamp:
    """`moment` comparable with `timestamps`: a naive one is read in their zone, an aware one
    converted to it (to local wall time when they are naive)."""
    if timestamps.tz is None:
        if moment.tz is None:
            return moment
        return moment.tz_convert(datetime.now().astimezone().tzinfo).tz_localize(None)
    return (
        moment.tz_localize(timestamps.tz) if moment.tz is None else moment.tz_convert(timestamps.tz)
    )


def rows_until(
    frame: pd.DataFrame,
    timestamp: str,
    as_of: pd.Timestamp,
    source: Path,
    *,
    timezone: str | None = None,
) -> int:
    """How many rows a forecast anchored at `as_of` may read: those at or before it (the rows
    are in time order, which validation checks on what is kept)."""
    stamps = parse_timestamps(frame[timestamp], source, timestamp, timezone=timezone)
    kept = int(stamps.searchsorted(in_zone_of(as_of, stamps), side="right"))
    if kept == 0:
        raise nothing_before(as_of, source, stamps.min())
    return kept


def nothing_before(as_of: pd.Timestamp, source: Path, first: pd.Timestamp) -> ConfigError:
    return ConfigError(
        f"--as-of {as_of.isoformat()}: {source} has no rows at or before it (its first is "
        f"{format_timestamps(pd.DatetimeIndex([first]))[0]})"
    )


def check_fresh(
    last: pd.Timestamp, *, max_staleness: str, as_of: pd.Timestamp | None, source: Path
) -> None:
    """Refuse input whose last row is older than `max_staleness` before `as_of` (or now)."""
    problem = staleness(last, max_staleness=max_staleness, as_of=as_of, source=source)
    if problem is not None:
        raise StaleInputError(f"{problem}; the feed may have stopped; nothing was forecast")


def staleness(
    last: pd.Timestamp, *, max_staleness: str, as_of: pd.Timestamp | None, source: Path
) -> str | None:
    """What is wrong when the last row is older than `max_staleness` before `as_of` (or
    now); None when it is fresh."""
    now = in_zone_of(as_of if as_of is not None else _now(), pd.DatetimeIndex([last]))
    age = (now - last).total_seconds()
    if age <= parse_duration(max_staleness):
        return None
    when = (
        f"--as-of {as_of.isoformat()}"
        if as_of is not None
        else f"now ({now.isoformat(timespec='minutes')})"
    )
    return (
        f"{source}: the last row is {last.isoformat()}, {duration(age)} before {when}, more "
        f"than the allowed {max_staleness}"
    )


def _now() -> pd.Timestamp:
    return pd.Timestamp(datetime.now().astimezone())  # aware, so it converts to any zone


def refuse_older_than_training(series: Series, trained_until: str | None) -> None:
    """An --input that ends before the training data did is the wrong file or a stale copy;
    forecasting from the past on purpose is what --as-of says."""
    if trained_until is None:
        return
    last = series.timestamps[-1]
    end = in_zone_of(pd.Timestamp(trained_until), series.timestamps[-1:])
    if last < end:
        raise DataError(
            f"{series.source} ends at {last.isoformat()}, before the data the run was trained "
            f"on did ({end.isoformat()}): an old copy of the feed? To forecast from that time "
            f"on purpose, add --as-of {last.isoformat()}"
        )
