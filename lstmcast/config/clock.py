"""Days, clock times and time zones as people write them in a config: 'Mon-Fri', '07:00',
'Europe/Berlin'. Pure parsing, for the schema's checks and the data layer's calendars."""

from __future__ import annotations

import difflib
import functools
import zoneinfo
from collections.abc import Sequence

import pandas as pd

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def parse_days(text: str) -> tuple[int, ...]:
    """'Mon-Fri' -> (0, 1, 2, 3, 4); 'Mon,Wed' -> (0, 2); 'Fri-Mon' wraps the weekend."""
    days: set[int] = set()
    for part in str(text).replace(" ", "").split(","):
        first, _, last = part.partition("-")
        start = _day(first, text)
        end = _day(last, text) if last else start
        span = (end - start) % 7
        days.update((start + offset) % 7 for offset in range(span + 1))
    return tuple(sorted(days))


def _day(name: str, text: str) -> int:
    for index, day in enumerate(DAY_NAMES):
        if name.lower().startswith(day.lower()) and len(name) >= 3:
            return index
    raise ValueError(f"'{text}' is not days such as Mon-Fri or Mon,Wed,Fri")


def days_text(days: Sequence[int]) -> str:
    """(0, 1, 2, 3, 4) -> 'Mon-Fri'; (0, 2) -> 'Mon,Wed'."""
    days = sorted(days)
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ",".join(DAY_NAMES[day] for day in days)


def clock_time(value: object, key: str) -> pd.Timedelta:
    """'07:00' or '7:30' as a time from midnight. YAML 1.1 reads an unquoted 07:30 as the
    number 450 (base 60), which is minutes from midnight, so a number is read that way."""
    if isinstance(value, int) and not isinstance(value, bool):
        minutes = value
    else:
        hours, _, rest = str(value).strip().partition(":")
        if not (hours.isdigit() and rest[:2].isdigit() and len(rest) in (2, 5)):
            raise ValueError(f"{key}: '{value}' is not a clock time such as '07:00'")
        minutes = int(hours) * 60 + int(rest[:2])
    if not 0 <= minutes < 24 * 60:
        raise ValueError(f"{key}: '{value}' is not a time of day between 00:00 and 23:59")
    return pd.Timedelta(minutes=minutes)


def clock_text(offset: pd.Timedelta) -> str:
    """A time from midnight as people write it: '07:00'."""
    minutes = int(offset.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def check_zone_name(name: str) -> str:
    """An IANA zone name this machine knows, or a ValueError with the nearest names."""
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        close = difflib.get_close_matches(name, sorted(zone_names()), n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else " such as Europe/Berlin or UTC"
        raise ValueError(f"'{name}' is not an IANA time zone{hint}") from None
    return name


@functools.cache
def zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
