"""Frequency inference, the season length a frequency implies, and how people call it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset

_DAY = pd.Timedelta(days=1)
SAMPLED_STEPS = 512
"""Pairs of consecutive steps read when pandas cannot name the whole index (gaps): enough for
a majority to show, cheap at any length."""


def infer_frequency(timestamps: pd.DatetimeIndex) -> str | None:
    """pandas' name for the grid, read from the majority of steps when rows are absent.

    pandas names a complete index at once ('MS', 'QS-JAN', 'W-SUN', 'B', 'h'). With rows
    absent it names none, so each pair of consecutive steps is named alone (pandas again, on
    three rows) and the name most pairs agree on wins, if more than half do: a monthly series
    without 1955-08 is still 'MS' with one missing row, not a '744h' grid. Daily steps over
    weekdays only are business days ('B'; absent weekdays are holidays).
    """
    if len(timestamps) >= 3:
        inferred = _pandas_infer_freq(timestamps)
        if inferred is not None:
            return _named(inferred, timestamps)
    if len(timestamps) < 3:
        return _one_step(timestamps)
    votes = Counter(_pair_names(timestamps))
    if _weekdays_only(timestamps) and votes["D"] + votes["B"] > 0:
        votes["B"] += votes.pop("D", 0)
    name, count = votes.most_common(1)[0]
    pairs = min(len(timestamps) - 2, SAMPLED_STEPS)
    if name is not None and count * 2 > pairs:
        return name
    return _modal_fixed_step(timestamps)


def _modal_fixed_step(timestamps: pd.DatetimeIndex) -> str | None:
    """The step at least half of the consecutive steps take, when few rows leave too few
    pairs to vote (a clock step only: months and years vary in length)."""
    steps = pd.Series(timestamps[1:] - timestamps[:-1])
    modal = steps.mode().iloc[0]
    if (steps == modal).mean() < 0.5 or modal >= pd.Timedelta(days=28):
        return None
    if modal == _DAY and _weekdays_only(timestamps):
        return "B"
    if modal % pd.Timedelta(weeks=1) == pd.Timedelta(0):
        weeks = modal // pd.Timedelta(weeks=1)
        return f"{weeks if weeks > 1 else ''}W-{timestamps[0].day_name()[:3].upper()}"
    return str(to_offset(modal).freqstr)


def _named(inferred: object, timestamps: pd.DatetimeIndex) -> str:
    """pandas' result as an alias; a complete daily index of weekdays only is business days."""
    name = str(to_offset(inferred).freqstr)  # type: ignore[arg-type]
    return "B" if name == "D" and _weekdays_only(timestamps) else name


def _pair_names(timestamps: pd.DatetimeIndex) -> list[str | None]:
    """pandas' name for each sampled run of three consecutive rows (None where the two steps
    differ, as around a gap)."""
    firsts = np.unique(np.linspace(0, len(timestamps) - 3, SAMPLED_STEPS).astype(int))
    names = []
    for first in firsts:
        inferred = _pandas_infer_freq(timestamps[first : first + 3])
        names.append(None if inferred is None else str(to_offset(inferred).freqstr))
    return names


def _one_step(timestamps: pd.DatetimeIndex) -> str | None:
    """Two rows: their one fixed step, if any."""
    if len(timestamps) < 2:
        return None
    return str(to_offset(timestamps[1] - timestamps[0]).freqstr)


def _weekdays_only(timestamps: pd.DatetimeIndex) -> bool:
    """Monday to Friday only, over a span long enough to have held a weekend."""
    spans_a_weekend = timestamps[-1] - timestamps[0] >= pd.Timedelta(days=7)
    return spans_a_weekend and bool((timestamps.day_of_week < 5).all())


def _pandas_infer_freq(timestamps: pd.DatetimeIndex) -> object:
    """pd.infer_freq, opting into pandas 3.1+'s offset result where that option exists."""
    option = "future.infer_freq_returns_offset"
    try:
        pd.get_option(option)
    except (KeyError, pd.errors.OptionError):
        return pd.infer_freq(timestamps)
    with pd.option_context(option, True):
        return pd.infer_freq(timestamps)


def season_length_for(frequency: str) -> int:
    """Steps in the frequency's natural cycle: a day for sub-daily data, else a week/year.

    30min -> 48, h -> 24, D -> 7, B -> 5, W -> 52, MS -> 12, QS -> 4, YS -> 1.
    """
    if frequency == "none":  # rows have no cycle lstmcast could know; set data.season_length
        return 1
    offset = to_offset(frequency)
    code = offset.rule_code.split("-")[0]
    n = max(offset.n, 1)
    if code in {"B", "C"}:
        return max(5 // n, 1)
    if code == "W":
        return max(52 // n, 1)
    if code in {"M", "MS", "ME", "BM", "BMS", "BME", "SM", "SMS"}:
        return max(12 // n, 1)
    if code.startswith("Q") or code.startswith("BQ"):
        return max(4 // n, 1)
    if code.startswith("Y") or code.startswith("A") or code.startswith("BY"):
        return 1
    step = pd.Timedelta(offset)
    if step < _DAY and _DAY % step == pd.Timedelta(0):
        return int(_DAY // step)
    if step % _DAY == pd.Timedelta(0) and step <= pd.Timedelta(days=7):
        return max(7 // int(step // _DAY), 1)
    return 1


def format_timestamps(timestamps: pd.DatetimeIndex, frequency: str | None = None) -> list[str]:
    """ISO 8601 at the data's resolution: dates alone for daily data and coarser (a
    `frequency` of a day or more, or else every timestamp a naive midnight), times otherwise."""
    if len(timestamps) == 0:
        return []
    midnights = timestamps.tz is None and (timestamps == timestamps.normalize()).all()
    if midnights and (frequency is None or days_or_more(frequency)):
        return [stamp.strftime("%Y-%m-%d") for stamp in timestamps]
    return [stamp.isoformat() for stamp in timestamps]


def format_timestamp(timestamp: pd.Timestamp | str, frequency: str | None = None) -> str:
    """One timestamp as format_timestamps writes it (text is parsed first)."""
    return format_timestamps(pd.DatetimeIndex([pd.Timestamp(timestamp)]), frequency)[0]


def days_or_more(frequency: str) -> bool:
    """Whether a step is a day or longer (D, B, W, MS, QS, YS), so times of day say nothing."""
    if frequency == "none":
        return False
    try:
        return (
            _fixed_step(to_offset(frequency)) is None or pd.Timedelta(to_offset(frequency)) >= _DAY
        )
    except ValueError:
        return False


_NAMES = {"MS": "monthly", "ME": "monthly", "D": "daily", "B": "business-day", "h": "hourly"}
_PERIODS = {"Q": "quarterly", "Y": "yearly", "A": "yearly", "W": "weekly"}


def frequency_name(frequency: str) -> str:
    """How people call a frequency: 'MS' monthly, 'QS-JAN' quarterly, 'W-SUN' weekly, 'B'
    business-day, '30min' half-hourly, '5min' 5-minute; anything else its alias."""
    if frequency == "none":
        return "row"
    try:
        offset = to_offset(frequency)
    except ValueError:
        return f"'{frequency}'"
    code = offset.rule_code.split("-")[0]
    unit = _NAMES.get(code) or _PERIODS.get(code[:1] if code[:1] in "QYAW" else "")
    if unit is not None and offset.n == 1:
        return unit
    step = _fixed_step(offset)
    if step == pd.Timedelta(minutes=30):
        return "half-hourly"
    if step is not None and step < _DAY:
        minutes = int(step.total_seconds() // 60)
        if minutes and step.total_seconds() % 60 == 0:
            return f"{minutes}-minute" if minutes % 60 else f"{minutes // 60}-hour"
    return f"'{frequency}'"


def _fixed_step(offset: object) -> pd.Timedelta | None:
    try:
        return pd.Timedelta(offset)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        return None
