"""Local time as people record it: timestamps written with UTC offsets that change twice a year.

A file in local time writes `2024-03-31T01:00:00+01:00` and, an hour later,
`2024-03-31T03:00:00+02:00`. Read as instants those are one hour apart, which is right, but
without a zone lstmcast could only keep them in UTC, and the forecast's hours (and the daily
season, and the calendar features) would shift by an hour twice a year. `data.timezone` names
the zone: timestamps are parsed to it (each offset respected), the grid is checked in absolute
time (so the 23- and 25-hour days are right), and forecasts are written in it, with offsets.

Every written offset must be the zone's own at that instant; naive timestamps are refused for a
zone (never read as wall clock in some zone, which would shift a UTC feed silently).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.config.clock import zone_names
from lstmcast.errors import DataError

_OFFSET = r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}(?::?\d{2})?)\s*$"
"""The offset after a clock time (never the '-01' that ends a bare date)."""


def written_offsets(text: pd.Series) -> np.ndarray:
    """Seconds east of UTC as written at the end of each ISO 8601 timestamp; NaN where none."""
    found = text.astype("string").str.extract(_OFFSET)[0]
    utc = (found == "Z").fillna(False).to_numpy(dtype=bool)
    digits = found.str.replace(":", "", regex=False)
    sign = np.where((digits.str[0] == "-").fillna(False).to_numpy(dtype=bool), -1.0, 1.0)
    hours = pd.to_numeric(digits.str[1:3], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    minutes = pd.to_numeric(digits.str[3:5], errors="coerce").fillna(0).to_numpy(dtype=float)
    return np.where(utc, 0.0, sign * (hours * 3600 + minutes * 60))


def zone_offsets(stamps: pd.DatetimeIndex, zone: str) -> np.ndarray:
    """Seconds east of UTC of `zone` at each instant of the aware `stamps`."""
    local = stamps.tz_convert(zone)
    wall = local.tz_localize(None)
    instant = stamps.tz_convert("UTC").tz_localize(None)
    return ((wall - instant) / pd.Timedelta(seconds=1)).to_numpy(dtype=float)


def in_zone(
    stamps: pd.DatetimeIndex,
    *,
    text: pd.Series | None,
    mixed: bool,
    zone: str | None,
    source: Path,
    name: str,
) -> pd.DatetimeIndex:
    """Parsed timestamps in the configured zone, or as written when none is configured.

    `text`: the column as written (None when it arrived parsed, as from Parquet), `mixed`:
    whether its offsets differ between rows (pandas then parsed it to UTC).
    """
    if zone is None:
        if mixed:
            raise DataError(_changing_offsets(stamps, text, source, name))
        return stamps
    if stamps.tz is None:
        raise DataError(
            f"{source}: column '{name}' has no UTC offsets, but data.timezone is '{zone}'; "
            f"write each time with its offset (as 2024-03-31T03:00:00+02:00), or remove "
            "data.timezone to read the times as they are"
        )
    if text is not None:
        _check_offsets(stamps, text, zone, source, name)
    return stamps.tz_convert(zone)


def _check_offsets(
    stamps: pd.DatetimeIndex, text: pd.Series, zone: str, source: Path, name: str
) -> None:
    written = written_offsets(text)
    expected = zone_offsets(stamps, zone)
    wrong = ~np.isnan(written) & (written != expected)
    if wrong.any():
        row = int(np.argmax(wrong))
        raise DataError(
            f"{source}: column '{name}' line {row + 2} ({text.iloc[row]}) is written with "
            f"offset {_offset_text(written[row])}, but {zone} is at {_offset_text(expected[row])} "
            "then; fix the timestamps or data.timezone (lstmcast never shifts times silently)"
        )


def _changing_offsets(
    stamps: pd.DatetimeIndex, text: pd.Series | None, source: Path, name: str
) -> str:
    offsets = written_offsets(text) if text is not None else np.zeros(len(stamps))
    first = offsets[0]
    row = int(np.argmax(offsets != first))
    changed = (
        f"{source}: column '{name}' changes UTC offset from {_offset_text(first)} to "
        f"{_offset_text(offsets[row])} at line {row + 2}"
    )
    if row and stamps[row] <= stamps[row - 1]:  # not a zone's change: the time goes back
        return (
            f"{changed}, where it goes back in time ({text.iloc[row] if text is not None else ''}"
            f" is not after line {row + 1}); fix the timestamps"
        )
    zones = candidate_zones(stamps, offsets)
    example = zones[0] if zones else "Europe/Berlin"
    return (
        f"{changed} (a daylight-saving change?); set data.timezone to the zone the times are "
        f"in (e.g. {example}), so forecasts keep local time"
    )


def candidate_zones(stamps: pd.DatetimeIndex, offsets: np.ndarray) -> list[str]:
    """IANA zones whose offset equals the written one at every sampled row (the rows around
    each change of offset included), best-known first: what `init` proposes."""
    if stamps.tz is None or np.isnan(offsets).any():
        return []
    changes = np.flatnonzero(np.diff(offsets) != 0)
    rows = np.unique(
        np.concatenate([changes, changes + 1, np.linspace(0, len(stamps) - 1, 24).astype(int)])
    )
    sample, wanted = stamps[rows], offsets[rows]
    found = [
        zone
        for zone in sorted(zone_names())
        if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "posix/", "right/"))
        and np.array_equal(zone_offsets(sample, zone), wanted)
    ]  # fmt: skip
    return sorted(found, key=lambda zone: (zone not in WELL_KNOWN, zone))


WELL_KNOWN = frozenset(
    {
        "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Rome",
        "Europe/Helsinki", "Europe/Athens", "America/New_York", "America/Chicago",
        "America/Denver", "America/Los_Angeles", "America/Sao_Paulo", "Australia/Sydney",
        "Australia/Melbourne", "Australia/Adelaide", "Pacific/Auckland", "Asia/Jerusalem",
    }
)  # fmt: skip
"""Zones proposed first when several share every offset (Berlin before Amsterdam)."""


def _offset_text(seconds: float) -> str:
    if np.isnan(seconds):
        return "none"
    sign = "-" if seconds < 0 else "+"
    minutes = int(abs(seconds)) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
