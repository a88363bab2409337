"""Calendar features from timestamps, as sine/cosine pairs: known for any future timestamp.

A cyclic encoding puts 23:00 next to 00:00 and December next to January, which a plain
0..23 or 1..12 column would put furthest apart. Each feature is a position in its cycle,
0 <= phase < 1, encoded as (sin 2*pi*phase, cos 2*pi*phase).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

_PHASES: dict[str, Callable[[pd.DatetimeIndex], np.ndarray]] = {
    "minute": lambda t: t.minute / 60,
    "hour": lambda t: (t.hour + t.minute / 60) / 24,
    "day_of_week": lambda t: t.day_of_week / 7,
    "day_of_month": lambda t: (t.day - 1) / t.days_in_month,
    "day_of_year": lambda t: (t.day_of_year - 1) / np.where(t.is_leap_year, 366, 365),
    "month": lambda t: (t.month - 1) / 12,
}


def calendar_columns(names: Sequence[str]) -> list[str]:
    """Column names of the encoded features, in the order calendar_features returns them."""
    return [f"{name}_{part}" for name in names for part in ("sin", "cos")]


def calendar_features(timestamps: pd.DatetimeIndex, names: Sequence[str]) -> np.ndarray:
    """(rows, 2 x len(names)) float32: sin and cos of each feature's phase, in local clock time
    of the timestamps as written (a UTC series gets UTC hours)."""
    columns = []
    for name in names:
        angle = 2 * np.pi * np.asarray(_PHASES[name](timestamps), dtype=np.float64)
        columns += [np.sin(angle), np.cos(angle)]
    if not columns:
        return np.zeros((len(timestamps), 0), dtype=np.float32)
    return np.stack(columns, axis=1).astype(np.float32)
