"""split: the validation and test parts, as rows, shares of the rows or dates."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    BeforeValidator,
    Field,
    model_validator,
)

from lstmcast.config.sections.base import Strict


def _parse_split_size(value: object) -> float | int | datetime:
    """One clear error for a split size, instead of one per member of a union."""
    if isinstance(value, bool):
        raise ValueError("expected a fraction, a row count or a date, not true/false")
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):  # YAML reads 2019-01-01 as a date: that day's first instant
        return datetime(value.year, value.month, value.day)
    if isinstance(value, int):
        if value < 1:
            raise ValueError(f"a row count must be at least 1 (got {value})")
        return value
    if isinstance(value, float):
        if not 0 < value < 1:
            raise ValueError(
                f"a fraction must lie strictly between 0 and 1 (got {value}); "
                "write a whole number for a row count"
            )
        return value
    if isinstance(value, str):
        with contextlib.suppress(ValueError):  # not a timestamp: the error below says what is
            return datetime.fromisoformat(value)
    raise ValueError(
        f"expected a fraction (0.1), a row count (24) or a first timestamp (2019-01-01), "
        f"got {value!r}"
    )


SplitSize = Annotated[float | int | datetime, BeforeValidator(_parse_split_size)]
"""A split's size: a fraction of the rows (0.1), a number of rows (24) or its first timestamp."""


class SplitSection(Strict):
    validation: SplitSize = Field(
        0.1, description="Validation part: a fraction of rows, a row count or its first timestamp."
    )
    test: SplitSize = Field(
        0.1,
        description="Test part, at the end: a fraction of rows, a row count or its first "
        "timestamp.",
    )

    @model_validator(mode="after")
    def _parts_fit(self) -> SplitSection:
        fractions = isinstance(self.validation, float) and isinstance(self.test, float)
        if fractions and self.validation + self.test >= 1:
            raise ValueError(
                f"validation + test = {self.validation + self.test:g} leaves no training "
                "rows; make their sum less than 1 (e.g. 0.1 each)"
            )
        dates = isinstance(self.validation, datetime) and isinstance(self.test, datetime)
        if dates and self.validation >= self.test:
            raise ValueError(
                f"validation starts {self.validation} but test starts {self.test}; "
                "validation must come first"
            )
        return self
