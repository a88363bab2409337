"""backtest: rolling-origin folds, trained once or refitted."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    NonNegativeInt,
    PositiveInt,
    model_validator,
)

from lstmcast.config.sections.base import Strict


class BacktestSection(Strict):
    folds: PositiveInt = Field(5, description="Rolling-origin folds over the end of the series.")
    spacing: PositiveInt | None = Field(
        None,
        description="Rows between the first origins of consecutive folds; every origin in "
        "between is forecast. Default: the horizon when refitting; when training once, the "
        "folds share the test part evenly.",
    )
    horizon: PositiveInt | None = Field(
        None, description="Steps scored per origin, at most windows.horizon (default: all)."
    )
    refit_every: NonNegativeInt | None = Field(
        None,
        description="Train a new model every this many folds, on the rows before the fold's "
        "first origin (time-series cross-validation); 0 trains once and moves the origin. "
        "Default: 0 for a run folder, 1 for a config.",
    )
    window: Literal["expanding", "sliding"] = Field(
        "expanding",
        description="Refits train on every row before the fold (expanding) or on the last "
        "train_rows of them (sliding).",
    )
    train_rows: PositiveInt | None = Field(
        None, description="sliding: rows each refit trains and validates on."
    )

    @model_validator(mode="after")
    def _sliding_needs_rows(self) -> BacktestSection:
        if self.train_rows is not None and self.window != "sliding":
            raise ValueError("train_rows: applies to window: sliding; set it or remove train_rows")
        if self.window == "sliding" and self.train_rows is None:
            raise ValueError("train_rows: window: sliding needs the number of rows to train on")
        return self
