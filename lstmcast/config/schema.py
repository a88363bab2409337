"""The experiment schema: every YAML key, its type, its default and what it means.

Strict everywhere (`extra="forbid"`), so a misspelt key is an error rather than a silently ignored
setting. Importing this module imports pydantic and pandas, never TensorFlow.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    field_validator,
    model_validator,
)

SCHEMA_VERSION = 1


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(
        f"expected a fraction (0.1), a row count (24) or a first timestamp (2019-01-01), "
        f"got {value!r}"
    )


SplitSize = Annotated[float | int | datetime, BeforeValidator(_parse_split_size)]
"""A split's size: a fraction of the rows (0.1), a number of rows (24) or its first timestamp."""


class DataSection(Strict):
    path: Path = Field(description="CSV file, relative to the config file.")
    timestamp: str = Field("timestamp", description="Name of the time column.")
    target: str = Field(description="Column to forecast.")
    features: list[str] = Field(
        default_factory=list,
        description="Extra input columns. The target is always an input and is not listed here.",
    )
    frequency: str | None = Field(
        None,
        description="pandas offset alias ('30min', 'h', 'D', 'W-SAT', 'MS', 'QS'); "
        "inferred from the timestamps when left out.",
    )
    missing: Literal["error", "interpolate", "ffill"] = Field(
        "error",
        description="What to do with empty cells and rows missing from the time grid.",
    )
    season_length: PositiveInt | None = Field(
        None,
        description="Season length m for seasonal naive and MASE; inferred from the frequency "
        "(48 for 30min, 24 for h, 7 for D, 52 for W, 12 for MS, 4 for QS) when left out.",
    )

    @field_validator("features")
    @classmethod
    def _unique_features(cls, features: list[str]) -> list[str]:
        repeated = sorted({name for name in features if features.count(name) > 1})
        if repeated:
            raise ValueError(f"columns listed twice: {repeated}; list each column once")
        return features

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, frequency: str | None) -> str | None:
        if frequency is None:
            return None
        from pandas.tseries.frequencies import to_offset

        try:
            to_offset(frequency)
        except ValueError:
            raise ValueError(
                f"'{frequency}' is not a pandas frequency; use e.g. '30min', 'h', 'D', 'W-SAT', "
                "'MS' or 'QS', or leave it out to infer it"
            ) from None
        return frequency

    @model_validator(mode="after")
    def _target_not_a_feature(self) -> DataSection:
        if self.target in self.features:
            raise ValueError(
                f"target '{self.target}' is also listed in data.features; the target is always "
                "an input, so remove it from features"
            )
        if self.timestamp == self.target or self.timestamp in self.features:
            raise ValueError(f"timestamp column '{self.timestamp}' cannot be a target or feature")
        return self

    @property
    def columns(self) -> list[str]:
        """Value columns in model order: target first, then the features."""
        return [self.target, *self.features]


class WindowSection(Strict):
    lookback: PositiveInt | None = Field(
        None,
        description="Input steps per window; left out, max(2 x horizon, 2 x season length), "
        "the rule the accuracy benchmark chose (bench/ACCURACY.md).",
    )
    horizon: PositiveInt = Field(description="Steps forecast at once.")
    stride: PositiveInt = Field(1, description="Steps between consecutive training windows.")


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


class ScalingSection(Strict):
    method: Literal["standard", "minmax", "robust", "none"] = Field(
        "standard", description="Global per-column scaling, fitted on the training rows only."
    )
    per_window: Literal["none", "last", "mean", "standard"] = Field(
        "standard",
        description="Normalise each input window by its own statistics and map the forecast "
        "back: 'last' subtracts the window's last value, 'mean' its mean, 'standard' also "
        "divides by its standard deviation. Lets the network follow levels it never saw.",
    )


class StackedLSTM(Strict):
    type: Literal["stacked"] = "stacked"
    units: list[PositiveInt] = Field(
        default_factory=lambda: [64],
        min_length=1,
        description="Units per LSTM layer, input side first.",
    )
    dropout: float = Field(0.0, ge=0, lt=1, description="Dropout on each layer's inputs.")
    recurrent_dropout: float = Field(
        0.0, ge=0, lt=1, description="Dropout on the recurrent state (disables cuDNN on GPU)."
    )
    linear_skip: bool = Field(
        False,
        description="Add a linear map of the (normalised) input window to the forecast, beside "
        "the LSTM: the network then learns what a linear autoregression misses.",
    )


ModelSection = StackedLSTM


class EarlyStopping(Strict):
    patience: NonNegativeInt = Field(
        10, description="Epochs without validation improvement before training stops."
    )
    min_delta: NonNegativeFloat = Field(0.0, description="Smallest change that counts.")
    restore_best_weights: bool = Field(True, description="Keep the best epoch's weights.")


class TrainingSection(Strict):
    epochs: PositiveInt = Field(100, description="Most epochs to train.")
    batch_size: PositiveInt = Field(32, description="Windows per gradient step.")
    min_steps_per_epoch: PositiveInt = Field(
        50,
        description="An epoch is one pass over the training windows but at least this many "
        "gradient steps (cycling through the windows again), so a short series gets as many "
        "updates between early-stopping checks as a long one.",
    )
    optimizer: Literal["adam", "adamw", "rmsprop", "sgd"] = "adam"
    learning_rate: PositiveFloat = 1e-3
    loss: Literal["mse", "mae", "huber"] = "mae"
    early_stopping: EarlyStopping | None = Field(
        default_factory=EarlyStopping, description="null trains for all epochs."
    )
    shuffle: bool = Field(True, description="Shuffle training windows each epoch (seeded).")
    seed: int = Field(42, description="Seeds weights, shuffling and dropout.")
    device: Literal["auto", "cpu", "gpu"] = Field(
        "auto", description="'auto' uses a GPU when TensorFlow sees one."
    )


class OutputSection(Strict):
    run_dir: Path | None = Field(
        None,
        description="Run folder written by train, relative to the working directory; "
        "default runs/<config file name>.",
    )


class Experiment(Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    data: DataSection
    windows: WindowSection
    split: SplitSection = Field(default_factory=SplitSection)
    scaling: ScalingSection = Field(default_factory=ScalingSection)
    model: ModelSection = Field(default_factory=StackedLSTM)
    training: TrainingSection = Field(default_factory=TrainingSection)
    output: OutputSection = Field(default_factory=OutputSection)

    @property
    def run_dir(self) -> Path:
        if self.output.run_dir is None:
            raise ValueError("run_dir is resolved by config.load; build Experiments through it")
        return self.output.run_dir
