"""intervals: conformal prediction bands and how many windows each level needs."""

from __future__ import annotations

from pydantic import (
    Field,
    field_validator,
)

from lstmcast.config.sections.base import Strict


class IntervalsSection(Strict):
    levels: list[int] = Field(
        default_factory=lambda: [80, 95],
        min_length=1,
        description="Central prediction intervals, in percent: forecast writes lower_L and "
        "upper_L for each. Split-conformal, calibrated per horizon step on the validation "
        "windows after training (one extra prediction pass).",
    )

    @field_validator("levels")
    @classmethod
    def _percentages(cls, levels: list[int]) -> list[int]:
        if any(isinstance(level, bool) or not 0 < level < 100 for level in levels):
            raise ValueError(f"each level is a percentage between 1 and 99 (got {levels})")
        if len(set(levels)) < len(levels):
            raise ValueError(f"listed twice: {levels}; list each level once")
        return sorted(levels)

    def unbounded(self, calibration_windows: int) -> list[int]:
        """Levels whose band `calibration_windows` windows cannot bound."""
        return [level for level in self.levels if calibration_windows < windows_needed(level)]


def windows_needed(level: int) -> int:
    """Calibration windows a split-conformal band at `level`% needs to be finite: n with
    ceil((n + 1) * level / 100) <= n, i.e. 4 for 80%, 19 for 95%, 99 for 99%."""
    return -(-100 // (100 - level)) - 1
