"""Business hours: steps of a clock grid inside daily sessions (a call centre open Monday to
Friday, 07:00 to 21:00), with nights, weekends and holidays outside the series.

A session is every `step` from `open` to `close`, both included (`close` is the clock time of
a session's last row): Mon-Fri 07:00-21:00 every 5min is 169 rows a day, and the step after a
Friday's 21:00 is Monday's 07:00. Times are wall clock in the timestamps' own zone, so a
session opens at 07:00 local on both sides of a daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstmcast.config.clock import clock_text, clock_time, days_text, parse_days
from lstmcast.config.sections.data import SessionsSection

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class Sessions:
    days: tuple[int, ...]
    """Weekdays with a session, Monday 0."""
    open: pd.Timedelta
    """Clock time of a session's first row, from midnight."""
    close: pd.Timedelta
    """Clock time of a session's last row (included)."""

    @classmethod
    def of(cls, section: SessionsSection) -> Sessions:
        """The sessions a checked data.sessions describes ('Mon-Fri', '07:00', '21:00')."""
        return cls(
            parse_days(section.days),
            clock_time(section.open, "open"),
            clock_time(section.close, "close"),
        )

    def describe(self) -> str:
        """'Mon-Fri 07:00-21:00'."""
        return f"{days_text(self.days)} {clock_text(self.open)}-{clock_text(self.close)}"

    def slots(self, step: pd.Timedelta) -> np.ndarray:
        """Each row's time from midnight within one session, as Timedeltas."""
        count = int((self.close - self.open) // step) + 1
        return np.array([self.open + index * step for index in range(count)])

    def grid(
        self, days: pd.DatetimeIndex, step: pd.Timedelta, tz: object = None
    ) -> pd.DatetimeIndex:
        """Every session row of the given (naive, midnight) `days`, in zone `tz`."""
        days = days[np.isin(days.day_of_week, self.days)]
        offsets = pd.to_timedelta(self.slots(step)).to_numpy()
        wall = (days.to_numpy()[:, None] + offsets[None, :]).ravel()
        return localized(pd.DatetimeIndex(wall), tz)

    def outside(self, timestamps: pd.DatetimeIndex, step: pd.Timedelta) -> np.ndarray:
        """Rows not on a session's steps (wrong weekday, before open, after close, between
        steps)."""
        wall = wall_clock(timestamps)
        since_midnight = wall - wall.normalize()
        after_open = since_midnight - self.open
        on_step = (after_open % step) == pd.Timedelta(0)
        inside = (since_midnight >= self.open) & (since_midnight <= self.close)
        return ~(np.isin(wall.day_of_week, self.days) & inside & on_step)

    def future(
        self, origin: pd.Timestamp, horizon: int, step: pd.Timedelta, holidays: Sequence
    ) -> pd.DatetimeIndex:
        """The `horizon` session rows after `origin`, skipping other days and `holidays`."""
        skipped = pd.DatetimeIndex(list(holidays))
        day = wall_clock(pd.DatetimeIndex([origin]))[0].normalize()
        found: list[pd.DatetimeIndex] = []
        count = 0
        while count < horizon:
            days = pd.date_range(day, periods=7 * max(horizon // len(self.slots(step)), 1) + 7)
            days = days[~days.isin(skipped)]
            rows = self.grid(days, step, origin.tz)
            rows = rows[rows > origin][: horizon - count]
            found.append(rows)
            count += len(rows)
            day = days[-1] + _DAY
        return found[0].append(found[1:]) if len(found) > 1 else found[0]


def wall_clock(timestamps: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The timestamps' local clock readings, without zone."""
    return timestamps.tz_localize(None) if timestamps.tz is not None else timestamps


def localized(wall: pd.DatetimeIndex, tz: object) -> pd.DatetimeIndex:
    """Wall-clock times placed in zone `tz`; those a daylight-saving change skips or repeats
    are dropped (business sessions do not open at 02:30)."""
    if tz is None:
        return wall
    placed = wall.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return placed[~placed.isna()]


def detect_sessions(timestamps: pd.DatetimeIndex, step: pd.Timedelta) -> Sessions | None:
    """Sessions the rows keep, if they stop and start at the same clock times on most days
    (at least four days, 80% of them alike) and leave part of each day out."""
    wall = wall_clock(timestamps)
    if len(wall) < 3 or step >= _DAY:
        return None
    since_midnight = pd.Series(wall - wall.normalize())
    per_day = since_midnight.groupby(wall.normalize())
    firsts, lasts = per_day.min(), per_day.max()
    if len(firsts) < 4:
        return None
    opened, closed = firsts.mode().iloc[0], lasts.mode().iloc[0]
    usual = ((firsts == opened) & (lasts == closed)).mean()
    whole_day = opened == pd.Timedelta(0) and closed + step >= _DAY
    if usual < 0.8 or whole_day or closed <= opened:
        return None
    days = tuple(sorted(set(np.unique(wall.day_of_week).tolist())))
    return Sessions(days, opened, closed)
