"""Split-conformal prediction intervals: how far off the model was on windows it never trained
on, per horizon step, turned into a band around every later forecast.

For each step h, the calibration residuals |actual - forecast| of n windows are sorted and the
band's half-width at level L% is the k-th smallest, k = ceil((n + 1) * L / 100): the
finite-sample correction that makes the coverage at least L% when calibration and future
windows are exchangeable. With too few windows for a level (k > n) the band is infinite and
the run says so; nothing about the model's architecture is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmcast.artifacts import Run
from lstmcast.data.checks import unbounded_intervals


@dataclass(frozen=True)
class ConformalIntervals:
    levels: tuple[int, ...]
    radius: dict[int, np.ndarray]
    """level -> half-width per horizon step, in `units`."""
    calibration_windows: int
    source: str
    """Where the residuals came from: 'validation' (the split early stopping watched, which
    the weights never trained on)."""
    units: str = "target"
    """'target': the one series' own units; 'scaled': per-series scaled units (many series
    calibrated together), each series' band that times its own scale."""

    def bounds(self, point: np.ndarray) -> dict[int, tuple[np.ndarray, np.ndarray]]:
        """level -> (lower, upper), each shaped like `point` (windows, horizon) or (horizon,)."""
        return {level: self.band(level, point) for level in self.levels}

    def band(self, level: int, point: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(lower, upper) of one level: one at a time when there are millions of cells."""
        return point - self.radius[level], point + self.radius[level]

    def columns(self, point: np.ndarray) -> dict[str, np.ndarray]:
        """lower_80, upper_80, lower_95, ... for a table beside the point forecast."""
        named = {}
        for level, (lower, upper) in self.bounds(point).items():
            named[f"lower_{level}"], named[f"upper_{level}"] = lower, upper
        return named

    def for_scales(self, scale: float | np.ndarray) -> ConformalIntervals:
        """The bands in the units of series whose target scale is `scale` (a column of
        scales, (series, 1), gives every series' radius at once)."""
        if self.units == "target":
            return self
        radius = {level: values * scale for level, values in self.radius.items()}
        return ConformalIntervals(
            self.levels, radius, self.calibration_windows, self.source, "target"
        )

    @property
    def unbounded(self) -> list[int]:
        """Levels with too few calibration windows for a finite band."""
        return [level for level in self.levels if not np.isfinite(self.radius[level]).all()]

    def warnings(self) -> list[str]:
        """The warning for levels too few calibration windows left unbounded (data/checks.py:
        the same words validate and train give before training)."""
        message = unbounded_intervals(self.levels, self.calibration_windows)
        return [message] if message is not None else []

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": "split_conformal",
            "source": self.source,
            "units": self.units,
            "calibration_windows": self.calibration_windows,
            "radius": {
                str(level): [float(value) if np.isfinite(value) else None for value in radius]
                for level, radius in self.radius.items()
            },
        }

    @classmethod
    def of_run(cls, run: Run) -> ConformalIntervals | None:
        """The run's calibrated intervals, or None when it was trained without them."""
        state = run.intervals_state
        return cls.from_dict(state) if state is not None else None

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> ConformalIntervals:
        radius = {
            int(level): np.array([np.inf if v is None else v for v in values], dtype=np.float64)
            for level, values in state["radius"].items()
        }
        source = state["source"]
        units = state.get("units") or ("scaled" if "scaled units" in source else "target")
        return cls(tuple(radius), radius, int(state["calibration_windows"]), source, units)


def calibrate(
    actual: np.ndarray,
    predicted: np.ndarray,
    levels: list[int],
    *,
    source: str,
    units: str = "target",
) -> ConformalIntervals:
    """Half-widths per step from calibration windows (windows, horizon) of both arrays."""
    return from_residuals(np.abs(actual - predicted), levels, source=source, units=units)


def from_residuals(
    residuals: np.ndarray, levels: list[int], *, source: str, units: str = "target"
) -> ConformalIntervals:
    """Half-widths per step from |actual - forecast| (windows, horizon), sorted in place.

    n = 4 residuals 1, 2, 3, 4 at one step: 50% takes the ceil(5 * 0.5) = 3rd smallest, 3;
    80% the ceil(5 * 0.8) = 4th, 4; 95% would need the 5th: unbounded.
    """
    residuals.sort(axis=0)  # in place: one copy of (windows, horizon), not two
    count = len(residuals)
    radius = {}
    for level in sorted(levels):
        rank = -(-(count + 1) * level // 100)  # ceil in integers: no rounding at the edge
        radius[level] = (
            residuals[rank - 1] if rank <= count else np.full(residuals.shape[1], np.inf)
        )
    return ConformalIntervals(tuple(sorted(levels)), radius, count, source, units)
