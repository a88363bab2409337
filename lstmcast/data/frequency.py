"""Frequency inference and the season length a frequency implies."""

from __future__ import annotations

import pandas as pd
from pandas.tseries.frequencies import to_offset

_DAY = pd.Timedelta(days=1)


def infer_frequency(timestamps: pd.DatetimeIndex) -> str | None:
    """pandas' inference, then the most common step when rows are missing from the grid.

    The fallback only works for fixed steps (30min, h, D, W) and business days (a daily step
    and no weekend row: 'B', holidays being gaps); calendar steps such as months vary in
    length, so a monthly series with gaps needs data.frequency.
    """
    if len(timestamps) >= 3:
        inferred = _pandas_infer_freq(timestamps)
        if inferred is not None:
            return str(to_offset(inferred).freqstr)
    if len(timestamps) < 2:
        return None
    steps = pd.Series(timestamps[1:] - timestamps[:-1])
    modal = steps.mode().iloc[0]
    if (steps == modal).mean() < 0.5:
        return None
    if modal == _DAY and _weekdays_only(timestamps):
        return "B"  # trading or working days: weekends absent, holidays absent here and there
    if modal % pd.Timedelta(weeks=1) == pd.Timedelta(0):
        return f"{modal // pd.Timedelta(weeks=1)}W-{timestamps[0].day_name()[:3].upper()}"
    return str(to_offset(modal).freqstr)


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


def format_timestamps(timestamps: pd.DatetimeIndex) -> list[str]:
    """ISO 8601; dates alone when every timestamp is a naive midnight (daily data and coarser)."""
    if len(timestamps) == 0:
        return []
    if timestamps.tz is None and (timestamps == timestamps.normalize()).all():
        return [stamp.strftime("%Y-%m-%d") for stamp in timestamps]
    return [stamp.isoformat() for stamp in timestamps]
