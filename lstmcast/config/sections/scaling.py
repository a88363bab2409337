"""scaling: how each series is scaled on its training rows, and per window."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
)

from lstmcast.config.sections.base import Strict

ScalingMethod = Literal["standard", "minmax", "robust", "none"]


class ScalingSection(Strict):
    method: ScalingMethod = Field(
        "standard", description="Global per-column scaling, fitted on the training rows only."
    )
    per_window: Literal["none", "last", "mean", "standard"] = Field(
        "standard",
        description="Normalise each input window by its own statistics and map the forecast "
        "back: 'last' subtracts the window's last value, 'mean' its mean, 'standard' also "
        "divides by its standard deviation. Lets the network follow levels it never saw.",
    )
