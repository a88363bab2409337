"""What one step of a series is: a tick of a regular clock grid, a business day, a step inside
business hours, or a row.

Windows, splits, baselines and MASE count steps (rows of the validated series), so the only
places time itself matters are validation (which rows should exist), the timestamps after a
forecast origin, the season, and what people are told. Those questions are answered here, once:

- a clock grid ('30min', 'h', 'D', 'W-SAT', 'MS'): every tick between the first and last row
  should exist; absent ones are missing rows (data.missing decides);
- business days ('B'): Monday to Friday. Weekend rows are refused; an absent weekday is a
  holiday, a gap that is neither invented nor an error. With data.holidays listed, those days
  are the holidays, and any other absent weekday is a missing row;
- sessions (data.sessions, with a clock step such as '5min'): the steps from a session's open
  to its close on its days (data/sessions.py). Rows outside them are refused; an absent whole
  day is a holiday (or, with data.holidays listed, missing rows), an absent step inside a day a
  missing row. The future is laid out session by session;
- rows ('none'): each row is one step, whatever the time between rows. Nothing is missing;
  the future has no timestamps.

Timestamps may carry a zone (data.timezone): a clock grid then steps in absolute time (the
23- and 25-hour days of daylight saving are right), days and sessions in local wall time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset, CustomBusinessDay

from lstmcast.data.frequency import frequency_name, season_length_for
from lstmcast.data.sessions import Sessions, wall_clock

BUSINESS_DAYS = "B"
ROWS = "none"

Kind = Literal["grid", "business", "sessions", "rows"]


@dataclass(frozen=True)
class Timeline:
    frequency: str
    """A pandas alias, 'B' for business days or 'none' for one step per row; with sessions,
    the clock step inside them."""
    holidays: tuple[pd.Timestamp, ...] = ()
    """Business days and sessions: the days without one, when listed."""
    sessions: Sessions | None = None

    @classmethod
    def of(
        cls,
        frequency: str,
        holidays: Sequence[date] | None = None,
        sessions: Sessions | None = None,
    ) -> Timeline:
        days = tuple(sorted(pd.Timestamp(day) for day in holidays or ()))
        return cls(frequency, days, sessions if frequency != ROWS else None)

    @property
    def kind(self) -> Kind:
        if self.frequency == ROWS:
            return "rows"
        if self.sessions is not None:
            return "sessions"
        offset = to_offset(self.frequency)
        if offset.rule_code == BUSINESS_DAYS and offset.n == 1:
            return "business"
        return "grid"

    def offset(self) -> BaseOffset:
        """One step as a pandas offset (not for 'none')."""
        if self.kind == "business":
            return CustomBusinessDay(holidays=list(self.holidays))
        return to_offset(self.frequency)

    @property
    def step(self) -> pd.Timedelta:
        """Sessions: the fixed time between rows inside a session."""
        return pd.Timedelta(to_offset(self.frequency))

    def season_length(self) -> int:
        """Steps in the natural cycle: a session for business hours, else the frequency's."""
        if self.sessions is not None and self.kind == "sessions":
            return len(self.sessions.slots(self.step))
        return season_length_for(self.frequency)

    def expected(self, timestamps: pd.DatetimeIndex) -> pd.DatetimeIndex | None:
        """Every timestamp that should exist from the first row to the last, or None when the
        rows themselves say which exist (business days without a holiday list, 'none').
        Sessions without a holiday list: every step of the days that have rows."""
        if self.kind == "rows" or (self.kind == "business" and not self.holidays):
            return None
        first, last = timestamps[0], timestamps[-1]
        if self.kind != "sessions" or self.sessions is None:
            return pd.date_range(first, last, freq=self.offset())
        days = wall_clock(timestamps).normalize().unique()
        if self.holidays:
            days = pd.date_range(days[0], days[-1])
            days = days[~days.isin(pd.DatetimeIndex(self.holidays))]
        grid = self.sessions.grid(pd.DatetimeIndex(days), self.step, timestamps.tz)
        return grid[(grid >= first) & (grid <= last)]

    def off_calendar(self, timestamps: pd.DatetimeIndex) -> np.ndarray | None:
        """Business days and sessions: a mask of rows on no business day or session step
        (a weekend, a listed holiday, outside business hours)."""
        if self.kind not in ("business", "sessions"):
            return None
        wall = wall_clock(timestamps)
        holiday = wall.normalize().isin(pd.DatetimeIndex(self.holidays))
        if self.kind == "sessions" and self.sessions is not None:
            return np.asarray(self.sessions.outside(timestamps, self.step) | holiday)
        return np.asarray((wall.day_of_week >= 5) | holiday)

    def future(self, origin: pd.Timestamp, horizon: int) -> pd.DatetimeIndex | None:
        """The `horizon` timestamps after `origin` (time zone kept); None for 'none'.

        Business days skip weekends and the listed holidays: Friday 2024-03-29, with Monday
        2024-04-01 listed, is followed by 2024-04-02, 2024-04-03, ... Sessions continue at the
        next open: after Friday 21:00 comes Monday 07:00.
        """
        if self.kind == "rows":
            return None
        if self.kind == "sessions" and self.sessions is not None:
            return self.sessions.future(origin, horizon, self.step, self.holidays)
        return pd.date_range(start=origin, periods=horizon + 1, freq=self.offset())[1:]

    def describe(self) -> str:
        """For people: "every '30min'", 'business days (3 holidays listed)', ..."""
        if self.kind == "rows":
            return "one step per row (frequency none)"
        listed = (
            f"{len(self.holidays)} holidays listed" if self.holidays else "absent days are holidays"
        )
        if self.kind == "business":
            return f"business days ({listed.replace('days are', 'weekdays are')})"
        if self.kind == "sessions" and self.sessions is not None:
            return (
                f"every '{self.frequency}' in sessions {self.sessions.describe()} "
                f"({self.season_length()} steps a session; {listed})"
            )
        return f"every '{self.frequency}' ({frequency_name(self.frequency)})"

    def name(self) -> str:
        """A word for the grid in messages: 'monthly', 'business-day', '5-minute sessions'."""
        if self.kind == "sessions":
            return f"{frequency_name(self.frequency)} sessions"
        return frequency_name(self.frequency)
