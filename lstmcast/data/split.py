"""Time-ordered train / validation / test boundaries as row indices. Pure, no I/O.

Rows [0, validation_start) train, [validation_start, test_start) validate,
[test_start, num_rows) test. Sizes are fractions of all rows, row counts, or first timestamps.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

import pandas as pd

from lstmcast.errors import ConfigError

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class SplitBounds:
    validation_start: int
    test_start: int
    num_rows: int

    def rows(self, split: str) -> tuple[int, int]:
        """[first, end) rows of one split."""
        edges = {
            "train": (0, self.validation_start),
            "validation": (self.validation_start, self.test_start),
            "test": (self.test_start, self.num_rows),
        }
        return edges[split]

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


def split_bounds(
    timestamps: pd.DatetimeIndex,
    *,
    validation: float | int | datetime,
    test: float | int | datetime,
) -> SplitBounds:
    """Boundaries for the config's split sizes; the test part is last, validation just before.

    With 100 rows, validation=0.2 and test=10: test is rows 90-99, validation rows 70-89.
    """
    num_rows = len(timestamps)
    test_start = _start(timestamps, test, end=num_rows, key="split.test")
    validation_start = _start(timestamps, validation, end=test_start, key="split.validation")
    if validation_start >= test_start:
        raise ConfigError(
            "split.validation: the validation part is empty because it starts at or after the "
            f"test part (row {validation_start} >= {test_start}); give it an earlier date or "
            "more rows"
        )
    if validation_start <= 0:
        raise ConfigError(
            f"split: validation and test take all {num_rows} rows, leaving none to train on; "
            "make them smaller"
        )
    return SplitBounds(validation_start, test_start, num_rows)


def _start(
    timestamps: pd.DatetimeIndex, size: float | int | datetime, *, end: int, key: str
) -> int:
    num_rows = len(timestamps)
    if isinstance(size, datetime):
        moment = pd.Timestamp(size)
        if timestamps.tz is not None and moment.tz is None:
            moment = moment.tz_localize(timestamps.tz)
        start = int(timestamps.searchsorted(moment, side="left"))
        if start >= num_rows:
            raise ConfigError(
                f"{key}: {size} is after the last timestamp ({timestamps[-1]}); "
                "pick a date inside the data"
            )
        return min(start, end)
    rows = int(round(size * num_rows)) if isinstance(size, float) else int(size)
    return end - max(rows, 1)
