"""What one step of a series is: a tick of a regular clock grid, a business day, or a row.

Windows, splits, baselines and MASE count steps (rows of the validated series), so the only
places time itself matters are validation (which rows should exist), the timestamps after a
forecast origin, and what people are told. Those three questions are answered here, once:

- a clock grid ('30min', 'h', 'D', 'W-SAT', 'MS'): every tick between the first and last row
  should exist; absent ones are missing rows (data.missing decides);
- business days ('B'): Monday to Friday. Weekend rows are refused; an absent weekday is a
  holiday, a gap that is neither invented nor an error. With data.holidays listed, those days
  are the holidays, and any other absent weekday is a missing row;
- rows ('none'): each row is one step, whatever the time between rows (sessions, business
  hours, irregular events). Nothing is missing; the future has no timestamps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import BaseOffset, CustomBusinessDay

BUSINESS_DAYS = "B"
ROWS = "none"

Kind = Literal["grid", "business", "rows"]


@dataclass(frozen=True)
class Timeline:
    frequency: str
    """A pandas alias, 'B' for business days or 'none' for one step per row."""
    holidays: tuple[pd.Timestamp, ...] = ()
    """Business days only: the weekdays that are not trading/working days, when listed."""

    @classmethod
    def of(cls, frequency: str, holidays: Sequence[date] | None = None) -> Timeline:
        days = tuple(sorted(pd.Timestamp(day) for day in holidays or ()))
        return cls(frequency, days)

    @property
    def kind(self) -> Kind:
        if self.frequency == ROWS:
            return "rows"
        if (
            to_offset(self.frequency).rule_code == BUSINESS_DAYS
            and to_offset(self.frequency).n == 1
        ):
            return "business"
        return "grid"

    def offset(self) -> BaseOffset:
        """One step as a pandas offset (not for 'none')."""
        if self.kind == "business":
            return CustomBusinessDay(holidays=list(self.holidays))
        return to_offset(self.frequency)

    def expected(self, first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex | None:
        """Every timestamp that should exist from `first` to `last`, or None when the rows
        themselves say which exist (business days without a holiday list, 'none')."""
        if self.kind == "rows" or (self.kind == "business" and not self.holidays):
            return None
        return pd.date_range(first, last, freq=self.offset())

    def off_calendar(self, timestamps: pd.DatetimeIndex) -> pd.Series | None:
        """Business days: a mask of rows that fall on a weekend or a listed holiday."""
        if self.kind != "business":
            return None
        weekend = timestamps.day_of_week >= 5
        holiday = timestamps.normalize().tz_localize(None).isin(pd.DatetimeIndex(self.holidays))
        return pd.Series(weekend | holiday)

    def future(self, origin: pd.Timestamp, horizon: int) -> pd.DatetimeIndex | None:
        """The `horizon` timestamps after `origin` (time zone kept); None for 'none'.

        Business days skip weekends and the listed holidays: Friday 2024-03-29, with Monday
        2024-04-01 listed, is followed by 2024-04-02, 2024-04-03, ...
        """
        if self.kind == "rows":
            return None
        return pd.date_range(start=origin, periods=horizon + 1, freq=self.offset())[1:]

    def describe(self) -> str:
        """For people: "every '30min'", 'business days (3 holidays listed)', ..."""
        if self.kind == "rows":
            return "one step per row (frequency none)"
        if self.kind == "business":
            listed = (
                f"{len(self.holidays)} holidays listed"
                if self.holidays
                else "absent weekdays are holidays"
            )
            return f"business days ({listed})"
        return f"every '{self.frequency}'"
