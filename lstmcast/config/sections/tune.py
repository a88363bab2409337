"""tune: the search space, objective and budget of `lstmcast tune`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    Field,
    PositiveInt,
    field_validator,
    model_validator,
)

from lstmcast.config.sections.base import Strict
from lstmcast.config.sections.output import parse_duration


class SearchDimension(Strict):
    """One key's range in a search: `choices` (any values the key takes), or `low`..`high`
    (integers when both are, else floats), on a log scale with `log`, in steps of `step`."""

    choices: list[Any] | None = Field(None, min_length=1)
    low: int | float | None = None
    high: int | float | None = None
    log: bool = False
    step: int | float | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> SearchDimension:
        ranged = self.low is not None or self.high is not None
        if (self.choices is not None) == ranged:
            raise ValueError("give either choices: [...] or low: and high:")
        if ranged and (self.low is None or self.high is None or not self.low < self.high):
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.log and (self.step is not None or (self.low is not None and self.low <= 0)):
            raise ValueError("log: needs low > 0 and no step")
        return self

    @property
    def kind(self) -> Literal["categorical", "int", "float"]:
        if self.choices is not None:
            return "categorical"
        given = (self.low, self.high, *([self.step] if self.step is not None else []))
        return "int" if all(isinstance(value, int) for value in given) else "float"


class TuneSection(Strict):
    trials: PositiveInt | None = Field(
        20,
        description="Finished trials the study needs (counted over every worker sharing it); "
        "null: until tune.timeout.",
    )
    timeout: str | None = Field(
        None, description="Stop starting trials after this long ('30min', '2h'), per worker."
    )
    objective: Literal["validation_loss", "backtest_mase"] = Field(
        "validation_loss",
        description="What a trial minimises: the best epoch's validation loss (one fit), or "
        "the MASE of a refitting backtest over tune.folds folds before the test split "
        "(time-series cross-validation, one fit per fold).",
    )
    folds: PositiveInt = Field(3, description="backtest_mase: folds, each refit once.")
    pruning: bool = Field(
        True,
        description="validation_loss: stop a trial whose validation loss after an epoch is "
        "worse than the median of earlier trials at that epoch (Optuna's MedianPruner).",
    )
    storage: str | None = Field(
        None,
        description="Optuna storage URL shared by every worker of the study; default: a "
        "SQLite file beside the config (CONFIG.tune.db).",
    )
    study: str | None = Field(None, description="Study name; default: the config's file name.")
    space: dict[str, SearchDimension] = Field(
        default_factory=dict,
        description="Config key -> its range, e.g. model.dropout: {low: 0.0, high: 0.3}.",
    )

    @field_validator("timeout")
    @classmethod
    def _duration(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)
        return text
