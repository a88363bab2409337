"""windows: lookback, horizon, stride; the windows a model reads and predicts."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    PositiveInt,
    field_validator,
)

from lstmcast.config.sections.base import Strict


class WindowSection(Strict):
    lookback: PositiveInt | Literal["auto"] | None = Field(
        None,
        description="Input steps per window; left out, max(2 x horizon, 2 x season length), "
        "the rule the accuracy benchmark chose (bench/ACCURACY.md); 'auto': the last "
        "significant seasonal peak of the autocorrelation of the differenced training part "
        "(whole seasons, at most 7), stated by train.",
    )
    horizon: PositiveInt = Field(description="Steps forecast at once.")
    stride: PositiveInt = Field(1, description="Steps between consecutive training windows.")
    evaluation_stride: PositiveInt = Field(
        1,
        description="Steps between the origins scored in the validation and test parts (early "
        "stopping, the blend, interval calibration, test metrics); 1 scores every origin. Thins "
        "them on a series of millions of rows, where scoring every origin dwarfs training.",
    )

    @field_validator("lookback", mode="before")
    @classmethod
    def _steps_or_auto(cls, value: Any) -> Any:
        """One message for a bad lookback, not one per member of the union."""
        if value is None or value == "auto":
            return value
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError("Input should be a whole number of steps or 'auto'")
        if value <= 0:
            raise ValueError("Input should be greater than 0")
        return value
