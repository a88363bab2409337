"""What a CSV looks like as a series, for `lstmcast init`: its time column and zone, frequency,
business hours and gaps, numeric columns, a likely target, its season; and the autocorrelation
lookback that `windows.lookback: auto` reads. Reads with pandas alone: no TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.data.frequency import frequency_name, infer_frequency
from lstmcast.data.read import read_csv_frame
from lstmcast.data.sessions import Sessions, detect_sessions
from lstmcast.data.timeline import Timeline
from lstmcast.data.timezones import candidate_zones, written_offsets
from lstmcast.errors import DataError

MAX_FILLED = 0.1
"""data.max_filled's default: a grid needing more invented rows than this share is no grid."""
TIME_NAMES = ("timestamp", "datetime", "date", "time", "ds", "period", "month", "day")
TARGET_HINTS = ("target", "y", "value", "load", "demand", "sales", "close", "price", "count")


@dataclass
class Profile:
    path: Path
    rows: int
    timestamp: str
    numeric: list[str]
    target: str
    frequency: str
    missing_rows: int
    season_length: int
    empty_cells: int
    notes: list[str] = field(default_factory=list)
    series_id: str | None = None
    static: list[str] = field(default_factory=list)
    series_count: int = 1
    series_rows: int = 0
    """Rows of the longest series (all rows for one series)."""
    timezone: str | None = None
    """An IANA zone that fits changing UTC offsets (daylight saving), when they change."""
    sessions: Sessions | None = None
    """Business hours the rows keep, when they stop and start at the same times each day."""


def profile_csv(path: Path, *, target: str | None = None) -> Profile:
    frame = read_csv_frame(path)
    timestamp, stamps, zone_note = _time_column(frame, path)
    numeric = [
        name
        for name in frame.columns
        if name != timestamp and pd.to_numeric(frame[name], errors="coerce").notna().mean() > 0.9
    ]
    if not numeric:
        raise DataError(f"{path}: no numeric column besides '{timestamp}' to forecast")
    target = _target(numeric, target, path)
    series_id, static = _panel_columns(frame, timestamp, numeric, stamps)
    rows = np.arange(len(frame))
    if series_id is not None:  # read the calendar off the longest series
        sizes = frame.groupby(series_id).size()
        rows = np.flatnonzero((frame[series_id] == sizes.idxmax()).to_numpy())
    order = rows[np.argsort(stamps[rows].to_numpy(), kind="stable")]
    stamps = pd.DatetimeIndex(stamps[order])
    values = pd.to_numeric(frame[target].iloc[order], errors="coerce").to_numpy(dtype=float)
    notes = [] if (order == rows).all() else ["rows are not in time order"]
    notes += [zone_note] if zone_note else []
    frequency, sessions, missing, season = _steps(stamps, notes)
    if series_id is not None:
        notes.append(
            f"{frame[series_id].nunique():,} series in column '{series_id}' (a timestamp repeats "
            f"once per series): one global model; the calendar read off the longest, "
            f"{frame[series_id].iloc[order[0]]}"
        )
    return Profile(
        path,
        len(frame),
        timestamp,
        numeric,
        target,
        frequency,
        missing,
        season,
        int(np.isnan(values).sum()),
        notes,
        series_id,
        static,
        series_count=int(frame[series_id].nunique()) if series_id is not None else 1,
        series_rows=len(order),
        timezone=_zone_of(stamps),
        sessions=sessions,
    )


def _steps(stamps: pd.DatetimeIndex, notes: list[str]) -> tuple[str, Sessions | None, int, int]:
    """(frequency, sessions, rows missing, season length) the timestamps show. A clock grid
    that would need more than MAX_FILLED invented rows is business hours when the rows keep
    the same sessions each day, else rows counted as steps."""
    frequency = infer_frequency(stamps) or "none"
    timeline = Timeline.of(frequency)
    missing = _missing_rows(stamps, timeline)
    if missing <= MAX_FILLED * (len(stamps) + missing):
        return frequency, None, missing, timeline.season_length()
    invented = (
        f"a {frequency_name(frequency)} grid would need {missing:,} invented rows "
        f"({missing / (len(stamps) + missing):.0%})"
    )
    sessions = detect_sessions(stamps, timeline.step) if timeline.kind == "grid" else None
    if sessions is not None:
        timeline = Timeline.of(frequency, sessions=sessions)
        notes.append(
            f"{invented}: the rows keep business hours, {sessions.describe()}, so the steps "
            "are those sessions (nights, weekends and absent days are outside the series)"
        )
        return frequency, sessions, _missing_rows(stamps, timeline), timeline.season_length()
    notes.append(
        f"{invented}: the rows look like sessions (business hours, shifts) without a daily "
        "pattern lstmcast could read, so each row is one step"
    )
    return "none", None, 0, _rows_per_day(stamps)


def _zone_of(stamps: pd.DatetimeIndex) -> str | None:
    zone = stamps.tz
    return str(zone) if zone is not None and "/" in str(zone) else None


def _panel_columns(
    frame: pd.DataFrame, timestamp: str, numeric: list[str], stamps: pd.DatetimeIndex
) -> tuple[str | None, list[str]]:
    """When timestamps repeat, the text column that tells the series apart (with the time, it
    makes every row unique), and the other text columns constant within a series."""
    if not stamps.has_duplicates:
        return None, []
    texts = [name for name in frame.columns if name != timestamp and name not in numeric]
    for name in sorted(texts, key=lambda n: -frame[n].nunique()):
        if not pd.DataFrame({"t": stamps, "s": frame[name].to_numpy()}).duplicated().any():
            constant = frame.groupby(name)[[t for t in texts if t != name]].nunique().max()
            return name, [t for t in texts if t != name and constant[t] == 1]
    return None, []


def _time_column(frame: pd.DataFrame, path: Path) -> tuple[str, pd.DatetimeIndex, str | None]:
    """The first column, by name hints then position, that parses as ISO 8601 times; in an
    IANA zone when its UTC offsets change (daylight saving), with the note saying so."""
    names = sorted(
        frame.columns,
        key=lambda n: (str(n).lower() not in TIME_NAMES, list(frame.columns).index(n)),
    )
    for name in names:
        text = frame[name].astype("string").str.strip()
        if pd.to_numeric(text, errors="coerce").notna().mean() > 0.5:
            continue  # numbers are values, not times
        parsed = pd.to_datetime(text, errors="coerce", format="ISO8601", utc=True)
        if parsed.notna().mean() > 0.99:
            stamps, note = _local(text, pd.DatetimeIndex(parsed))
            return str(name), stamps, note
        dayfirst = pd.to_datetime(text, errors="coerce", dayfirst=True, format="mixed")
        if dayfirst.notna().mean() > 0.99:
            raise DataError(
                f"{path}: column '{name}' holds dates that are not ISO 8601 (first: "
                f"{text.iloc[0]!r}); day-first and month-first dates are ambiguous, so convert "
                "them to 2024-01-31 or 2024-01-31T13:30:00 first"
            )
    raise DataError(f"{path}: no column of ISO 8601 timestamps (such as 2024-01-31T13:30)")


def _local(text: pd.Series, utc: pd.DatetimeIndex) -> tuple[pd.DatetimeIndex, str | None]:
    """The times as written: naive, one fixed offset, or (offsets changing) in the zone that
    fits them all, with a note naming it and the others that fit."""
    try:
        local = pd.to_datetime(text, errors="coerce", format="ISO8601")
    except (ValueError, TypeError):  # offsets change: daylight saving in some zone
        offsets = written_offsets(text)
        zones = candidate_zones(utc, offsets)
        if not zones:
            return utc, "UTC offsets change but fit no time zone lstmcast knows: kept in UTC"
        others = f" (also fits {', '.join(zones[1:4])}{'...' if len(zones) > 4 else ''})"
        return utc.tz_convert(zones[0]), (
            f"UTC offsets change (daylight saving): time zone {zones[0]}"
            f"{others if len(zones) > 1 else ''}; set yours"
        )
    return pd.DatetimeIndex(local if local.notna().all() else utc), None


def _target(numeric: list[str], given: str | None, path: Path) -> str:
    if given is not None:
        if given not in numeric:
            raise DataError(
                f"--target: '{given}' is not a numeric column of {path} ({', '.join(numeric)})"
            )
        return given
    for hint in TARGET_HINTS:
        for name in numeric:
            if str(name).lower() == hint or str(name).lower().startswith(hint + "_"):
                return str(name)
    return numeric[0]


def _rows_per_day(stamps: pd.DatetimeIndex) -> int:
    """The usual number of rows in a day with rows (a season of session data), or 1."""
    counts = pd.Series(1, index=stamps).groupby(stamps.normalize()).size()
    return max(int(counts.median()), 1) if len(counts) > 1 else 1


def _missing_rows(stamps: pd.DatetimeIndex, timeline: Timeline) -> int:
    expected = timeline.expected(stamps) if len(stamps) else None
    return 0 if expected is None else max(len(expected.difference(stamps)), 0)


def acf(values: np.ndarray, max_lag: int) -> np.ndarray:
    """Sample autocorrelation at lags 0..max_lag (the usual biased estimator), NaNs dropped."""
    x = values[~np.isnan(values)]
    x = x - x.mean()
    denominator = float(x @ x)
    if denominator == 0:
        return np.zeros(max_lag + 1)
    return np.array([float(x[: len(x) - k] @ x[k:]) / denominator for k in range(max_lag + 1)])


def acf_lookback(values: np.ndarray, season_length: int) -> tuple[int, str]:
    """The last significant peak of the ACF of the differenced series (differencing removes a
    trend, which would make every lag look significant), capped; at least one season."""
    finite = values[~np.isnan(values)]
    cap = int(min(max(len(finite) // 5, 2), max(7 * season_length, 24), 1000))
    if len(finite) < 10:
        return max(min(season_length, cap), 1), "too few rows to read the autocorrelation"
    correlation = acf(np.diff(finite), cap + 1)
    bound = 1.96 / np.sqrt(len(finite))
    peaks = [
        lag
        for lag in range(2, cap + 1)
        if correlation[lag] > bound
        and correlation[lag] >= correlation[lag - 1]
        and correlation[lag] >= correlation[lag + 1]
    ]
    seasonal = [
        lag
        for lag in peaks
        if season_length > 1 and min(lag % season_length, -lag % season_length) <= 1
    ]
    if not peaks:
        chosen = max(min(2 * season_length, cap), 2)
        return chosen, f"no significant autocorrelation up to lag {cap}: two seasons"
    last = (seasonal or peaks)[-1]
    kind = "seasonal peak" if seasonal else "peak"
    whole_seasons = round(last / season_length) * season_length if seasonal else last
    chosen = max(whole_seasons, min(season_length, cap))
    return chosen, (
        f"the autocorrelation of the differenced series has its last significant {kind} at "
        f"lag {last} ({correlation[last]:.2f} > {bound:.2f}, the 95% bound; lags up to {cap} "
        "looked at)"
    )
