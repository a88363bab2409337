"""The experiment schema: every YAML key, its type, its default and what it means.

Strict everywhere (`extra="forbid"`), so a misspelt key is an error rather than a silently ignored
setting. Importing this module imports pydantic and pandas, never TensorFlow.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

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

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, raw: object) -> object:
        """YAML's true/false would pass as 1/0 where a number is expected (horizon: true is
        not a horizon of 1): refuse them for every numeric key, lists included."""
        if not isinstance(raw, dict):
            return raw
        for name, field in cls.model_fields.items():
            value = raw.get(name)
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, bool) for v in values) and _numbers_only(field.annotation):
                raise ValueError(f"{name}: expected a number, got {str(value).lower()}")
        return raw


def _numbers_only(annotation: object) -> bool:
    """Whether a field takes numbers (int, float, lists of them) and never a bool."""
    found: set[object] = set()
    pending = [annotation]
    while pending:
        current = pending.pop()
        args = get_args(current)
        if args:
            pending += list(args)
        else:
            found.add(current)
    return bool(found & {int, float}) and bool not in found


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


CalendarFeature = Literal["minute", "hour", "day_of_week", "day_of_month", "day_of_year", "month"]
MissingPolicy = Literal["error", "interpolate", "ffill"]
ScalingMethod = Literal["standard", "minmax", "robust", "none"]


class SessionsSection(Strict):
    """Business hours: the days and clock times rows are recorded in."""

    days: str = Field("Mon-Fri", description="Days with a session: 'Mon-Fri', or 'Mon,Wed,Sat'.")
    open: str = Field(description="Clock time of a session's first row, e.g. '07:00'.")
    close: str = Field(description="Clock time of a session's last row (included), e.g. '21:00'.")

    @model_validator(mode="before")
    @classmethod
    def _clock_times(cls, raw: object) -> object:
        """'07:00' as written; an unquoted 07:00 arrives from YAML as 420 (minutes)."""
        from lstmcast.config.clock import clock_text, clock_time, days_text, parse_days

        if not isinstance(raw, dict):
            return raw
        cleaned = dict(raw)
        for key in ("open", "close"):
            if key in cleaned:
                cleaned[key] = clock_text(clock_time(cleaned[key], key))
        if "days" in cleaned:
            cleaned["days"] = days_text(parse_days(cleaned["days"]))
        if "open" in cleaned and "close" in cleaned:
            opened = clock_time(cleaned["open"], "open")
            if clock_time(cleaned["close"], "close") <= opened:
                raise ValueError(
                    f"close ({cleaned['close']}) must come after open ({cleaned['open']}) on "
                    "the same day"
                )
        return cleaned


def _check_session_step(frequency: str | None) -> None:
    """Sessions step by a fixed clock step shorter than a day (or one inferred)."""
    if frequency is None:
        return
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    try:
        step = pd.Timedelta(to_offset(frequency))
    except (ValueError, TypeError):
        step = None
    if step is None or step >= pd.Timedelta(days=1):
        raise ValueError(
            f"sessions: business hours step by a clock step within the day, such as '5min' "
            f"or 'h' (data.frequency is '{frequency}'); set that frequency or remove sessions"
        )


class DataSection(Strict):
    path: Path = Field(
        description="CSV or Parquet file, relative to the config file; for many series also a "
        "folder of such files, each holding whole series (docs/panels.md)."
    )
    timestamp: str = Field("timestamp", description="Name of the time column.")
    target: str = Field(description="Column to forecast.")
    features: list[str] = Field(
        default_factory=list,
        description="Extra input columns. The target is always an input and is not listed here.",
    )
    known: list[str] = Field(
        default_factory=list,
        description="Columns known in advance for the forecast steps (holidays, planned "
        "prices): the model also reads their future values. `forecast` takes them from rows "
        "after the last observed target in its input.",
    )
    calendar: list[CalendarFeature] = Field(
        default_factory=list,
        description="Calendar features computed from the timestamps, each as a sine/cosine "
        "pair; known for every future timestamp, so forecast builds them itself.",
    )
    frequency: str | None = Field(
        None,
        description="What one step is: a pandas offset alias for a clock grid ('30min', 'h', "
        "'D', 'W-SAT', 'MS', 'QS'); 'B' for business days (absent weekdays are holidays, "
        "neither invented nor an error); 'none' to count each row as one step (sessions, "
        "business hours, irregular series; the forecast's timestamps are then unknown). "
        "Inferred from the timestamps when left out (a clock grid, or B for weekday-only "
        "daily data).",
    )
    holidays: list[date] | None = Field(
        None,
        description="frequency B or data.sessions: the days without business, past and "
        "future. Given, any other absent business day is missing rows (data.missing decides) "
        "and forecasts skip these days; left out, every absent business day is taken as a "
        "holiday and forecasts run on every business day.",
    )
    sessions: SessionsSection | None = Field(
        None,
        description="Business hours: rows are the steps of data.frequency (e.g. '5min') from "
        "open to close (both included) on the given days; nights, weekends and holidays are "
        "outside the series, and forecasts continue at the next open with real timestamps.",
    )
    timezone: str | None = Field(
        None,
        description="IANA zone of local timestamps written with UTC offsets that change with "
        "daylight saving (e.g. Europe/Berlin): each offset must be the zone's, the grid steps "
        "in absolute time, and forecasts are written in the zone with offsets. Naive "
        "timestamps are refused with a zone. Left out, timestamps are kept as written, and "
        "changing offsets are refused.",
    )
    missing: MissingPolicy = Field(
        "error",
        description="What to do with empty cells and rows missing from the time grid.",
    )
    max_filled: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Largest share of a clock grid's rows that data.missing: interpolate or "
        "ffill may add; above it validation refuses and suggests the calendar that fits (B, "
        "or none), instead of training on invented data.",
    )
    series_id: str | None = Field(
        None,
        description="Many series in one long CSV: the column naming each row's series. One "
        "global model is trained across all of them (docs/panels.md).",
    )
    layout: Literal["long", "wide"] = Field(
        "long",
        description="wide: every column but the timestamp is one series (data.target then only "
        "names the forecast column); long: one row per series and time step (with series_id).",
    )
    static: list[str] = Field(
        default_factory=list,
        description="With series_id: columns constant within a series (region, category), read "
        "by the model one-hot encoded; a level unseen in training reads as all zeros.",
    )
    season_length: PositiveInt | None = Field(
        None,
        description="Season length m for seasonal naive and MASE; inferred from the frequency "
        "(48 for 30min, 24 for h, 7 for D, 52 for W, 12 for MS, 4 for QS) when left out.",
    )

    @field_validator("features", "known", "calendar")
    @classmethod
    def _listed_once(cls, names: list[str]) -> list[str]:
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"listed twice: {repeated}; list each once")
        return names

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        from lstmcast.config.clock import check_zone_name

        return None if zone is None else check_zone_name(zone)

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, frequency: str | None) -> str | None:
        if frequency is None or frequency == "none":
            return frequency
        from pandas.tseries.frequencies import to_offset

        try:
            to_offset(frequency)
        except ValueError:
            raise ValueError(
                f"'{frequency}' is not a pandas frequency; use e.g. '30min', 'h', 'D', 'B', "
                "'W-SAT', 'MS' or 'QS', 'none' for one step per row, or leave it out to infer it"
            ) from None
        return frequency

    @model_validator(mode="after")
    def _target_not_a_feature(self) -> DataSection:
        for key in ("features", "known"):
            if self.target in getattr(self, key):
                raise ValueError(
                    f"{key}: the target '{self.target}' is listed; the target is always an "
                    f"input, so remove it from {key}"
                )
        both = sorted(set(self.features) & set(self.known))
        if both:
            raise ValueError(
                f"known: {both} also listed in features; a column is either observed only "
                "up to the origin (features) or known in advance (known), so list it once"
            )
        if self.holidays is not None and self.frequency != "B" and self.sessions is None:
            raise ValueError(
                "holidays: a holiday list belongs to business days or sessions; set "
                "frequency: B, or data.sessions, or remove holidays"
            )
        if self.sessions is not None:
            _check_session_step(self.frequency)
        if self.frequency == "none" and self.calendar:
            raise ValueError(
                "calendar: frequency none counts rows, so future timestamps (and their calendar "
                "features) are unknown; remove calendar, or put such values in data.known "
                "columns"
            )
        if self.timestamp == self.target or self.timestamp in self.features + self.known:
            raise ValueError(f"timestamp column '{self.timestamp}' cannot be a target or feature")
        return self

    @property
    def columns(self) -> list[str]:
        """CSV value columns in model order: target, features, then known-in-advance columns."""
        return [self.target, *self.features, *self.known]

    @property
    def is_panel(self) -> bool:
        """Many series, one global model."""
        return self.series_id is not None or self.layout == "wide"

    @model_validator(mode="after")
    def _panel_settings_fit(self) -> DataSection:
        if self.layout == "wide" and (self.series_id or self.features or self.static):
            raise ValueError(
                "layout: wide makes every column but the timestamp a series, so it takes no "
                "series_id, features or static; use the long layout for those"
            )
        if self.static and self.series_id is None:
            raise ValueError("static: static columns describe series; set data.series_id")
        if self.is_panel and self.known:
            raise ValueError(
                "known: many-series runs do not read known-in-advance columns yet; remove "
                "data.known (calendar features work)"
            )
        return self

    @property
    def observed_columns(self) -> int:
        """How many leading columns are only observed up to the origin (target + features)."""
        return 1 + len(self.features)


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
    method: ScalingMethod = Field(
        "standard", description="Global per-column scaling, fitted on the training rows only."
    )
    per_window: Literal["none", "last", "mean", "standard"] = Field(
        "standard",
        description="Normalise each input window by its own statistics and map the forecast "
        "back: 'last' subtracts the window's last value, 'mean' its mean, 'standard' also "
        "divides by its standard deviation. Lets the network follow levels it never saw.",
    )


Activation = Literal["tanh", "sigmoid", "relu", "elu", "softsign", "linear", "hard_sigmoid"]


class ModelSection(Strict):
    """A recurrent encoder over the input window and an output strategy for the horizon.

    The keys combine freely where the combination means something; the checks below turn the
    combinations that do not into config errors naming the key.
    """

    cell: Literal["lstm", "gru"] = Field("lstm", description="Recurrent cell of every layer.")
    units: list[PositiveInt] = Field(
        default_factory=lambda: [64],
        min_length=1,
        description="Units per recurrent layer, input side first; return_sequences is wired "
        "for you.",
    )
    bidirectional: bool = Field(
        False,
        description="Read each window forwards and backwards. Legitimate for forecasting: the "
        "whole window lies before the forecast origin.",
    )
    merge_mode: Literal["concat", "sum", "ave", "mul"] | None = Field(
        None,
        description="How a bidirectional layer joins its two directions (default concat, which "
        "doubles the width).",
    )
    residual: bool = Field(
        False, description="Add each layer's input to its output (needs equal widths)."
    )
    layer_norm: bool = Field(False, description="Layer normalisation after every layer.")
    activation: Activation = Field("tanh", description="Cell activation.")
    recurrent_activation: Activation = Field("sigmoid", description="Gate activation.")
    dropout: float = Field(0.0, ge=0, lt=1, description="Dropout on each layer's inputs.")
    recurrent_dropout: float = Field(
        0.0, ge=0, lt=1, description="Dropout on the recurrent state (leaves cuDNN on GPU)."
    )
    unit_forget_bias: bool = Field(
        True, description="LSTM: start the forget-gate bias at 1 (Keras's default)."
    )
    forget_bias: float | None = Field(
        None,
        description="LSTM: start the forget-gate bias at this value instead (e.g. 2.0 to "
        "remember longer from the start); replaces unit_forget_bias.",
    )
    kernel_l2: NonNegativeFloat = Field(0.0, description="L2 penalty on input weights.")
    recurrent_l2: NonNegativeFloat = Field(0.0, description="L2 penalty on recurrent weights.")
    attention: Literal["none", "additive", "dot", "multi_head"] = Field(
        "none",
        description="Attention over the encoder's steps: additive (Bahdanau), dot (Luong) or "
        "multi_head.",
    )
    attention_heads: PositiveInt | None = Field(
        None, description="Heads of multi_head attention (default 4); must divide the width."
    )
    output: Literal["direct", "seq2seq", "recursive"] = Field(
        "direct",
        description="direct: all horizon steps from one head; seq2seq: a decoder unrolls over "
        "the horizon from the encoder's states; recursive: a one-step model fed its own "
        "forecasts.",
    )
    series_embedding: NonNegativeInt = Field(
        0,
        description="Many-series runs: learn a vector of this size for each series, read beside "
        "the window (and the static columns); 0: none. Such a run forecasts only the series it "
        "was trained on; without it, any series.",
    )
    linear_skip: bool = Field(
        False,
        description="Add a linear map of the (normalised) input window to the forecast, beside "
        "the recurrent network: it then learns what a linear autoregression misses.",
    )
    input_noise: NonNegativeFloat = Field(
        0.0,
        description="Standard deviation of Gaussian noise added to the (normalised) input "
        "window during training only; a regulariser for small data.",
    )
    quantiles: list[float] | None = Field(
        None,
        description="Quantile output, e.g. [0.1, 0.5, 0.9]: the network emits these quantiles "
        "per step, trained with the pinball loss; they never cross, and the median (0.5, "
        "required) is the point forecast. forecast writes quantile_10, quantile_50, ... "
        "(direct and seq2seq outputs).",
    )
    anchor: Literal["none", "seasonal_naive"] = Field(
        "none",
        description="'seasonal_naive': the network predicts a correction to the last season "
        "of the window (the seasonal-naive forecast), so a network that learned nothing "
        "forecasts seasonal naive; needs lookback >= the season length (direct and seq2seq "
        "outputs).",
    )
    blend: Literal["auto", "seasonal_naive", "none"] = Field(
        "auto",
        description="'seasonal_naive': after training, the forecast becomes w * network + "
        "(1 - w) * seasonal naive (the window's last season repeated), with w in 0, 0.05, "
        "..., 1 chosen by the mean absolute error on the validation windows (ties keep the "
        "network), before the intervals are calibrated; train says the weight. 'auto' (the "
        "default): the same wherever the model can (direct and seq2seq outputs whose "
        "lookback holds a whole season); 'none': the network alone.",
    )
    ensemble: PositiveInt = Field(
        1,
        description="Train this many copies of the network at once, each from its own initial "
        "weights (drawn one after another from training.seed), and forecast their median per "
        "step: one model file; intervals are calibrated on the median. Costs about N times "
        "the training time (direct and seq2seq outputs).",
    )
    stateful: bool = Field(
        False,
        description="Carry the recurrent state from one window to the next, so the model "
        "remembers beyond the lookback: training reads training.batch_size parallel streams "
        "of consecutive, non-overlapping windows in order and resets the state every epoch "
        "(windows.stride, training.shuffle and min_steps_per_epoch do not apply); evaluate "
        "and forecast read the whole history before each origin.",
    )

    @model_validator(mode="before")
    @classmethod
    def _accept_legacy_type(cls, raw: object) -> object:
        """Schema-1 run folders saved `type: stacked`; that is the default encoder."""
        if isinstance(raw, dict) and raw.get("type") == "stacked":
            raw = {key: value for key, value in raw.items() if key != "type"}
        return raw

    @model_validator(mode="after")
    def _combinations(self) -> ModelSection:
        if self.merge_mode is not None and not self.bidirectional:
            raise ValueError(
                "merge_mode: only bidirectional layers merge directions; set "
                "bidirectional: true or remove merge_mode"
            )
        if self.residual and len(set(self.units)) > 1:
            raise ValueError(
                f"residual: residual connections add a layer's input to its output, so every "
                f"layer needs the same width (units are {self.units}); make them equal or set "
                "residual: false"
            )
        if self.attention_heads is not None and self.attention != "multi_head":
            raise ValueError(
                "attention_heads: heads belong to attention: multi_head; set it or remove "
                "attention_heads"
            )
        if self.attention == "multi_head" and self.encoder_width % self.heads:
            raise ValueError(
                f"attention_heads: {self.heads} heads do not divide the encoder width "
                f"{self.encoder_width}; choose a divisor of {self.encoder_width}"
            )
        # The defaults mean nothing for a GRU but must pass: a saved config carries them.
        if self.cell == "gru" and (self.forget_bias is not None or not self.unit_forget_bias):
            raise ValueError(
                "forget_bias: GRU cells have no forget gate; remove forget_bias / "
                "unit_forget_bias or use cell: lstm"
            )
        if self.quantiles is not None:
            self._check_quantiles(self.quantiles)
        if self.anchor != "none" and self.output == "recursive":
            raise ValueError(
                "anchor: a recursive model forecasts one step at a time; anchor direct or "
                "seq2seq outputs"
            )
        if self.blend == "seasonal_naive" and self.output == "recursive":
            raise ValueError(
                "blend: a recursive model forecasts one step at a time; blend direct or "
                "seq2seq outputs (or set blend: auto, which leaves recursive models alone)"
            )
        if self.ensemble > 1 and (self.stateful or self.output == "recursive"):
            raise ValueError(
                "ensemble: members are built for direct and seq2seq models; a stateful or "
                "recursive model is one network (set ensemble: 1)"
            )
        if self.stateful:
            if self.bidirectional:
                raise ValueError(
                    "stateful: a backward pass has no state to carry into the next window; "
                    "set bidirectional: false or stateful: false"
                )
            if self.output != "direct":
                raise ValueError(
                    f"stateful: needs output: direct (a {self.output} model restarts its "
                    "recurrence every window); set output: direct or stateful: false"
                )
        return self

    def _check_quantiles(self, quantiles: list[float]) -> None:
        if any(not 0 < q < 1 for q in quantiles) or sorted(set(quantiles)) != quantiles:
            raise ValueError(
                f"quantiles: give increasing quantiles strictly between 0 and 1 (got "
                f"{quantiles}), e.g. [0.1, 0.5, 0.9]"
            )
        if 0.5 not in quantiles:
            raise ValueError(
                f"quantiles: include 0.5, the median, which is the point forecast (got {quantiles})"
            )
        if self.output == "recursive" or self.stateful:
            what = "output: recursive" if self.output == "recursive" else "stateful"
            raise ValueError(
                f"quantiles: a {what} model feeds or carries one value per step; use output: "
                "direct or seq2seq, or remove quantiles"
            )

    @property
    def architecture(self) -> str:
        """One line for people: 'bidirectional(concat) 2x64 lstm, dot attention, seq2seq'."""
        widths = "x".join(str(units) for units in self.units)
        encoder = f"{len(self.units)}-layer {self.cell} ({widths})"
        extras = [
            f"bidirectional ({self.merge_mode or 'concat'})" if self.bidirectional else "",
            "residual" if self.residual else "",
            "layer norm" if self.layer_norm else "",
            f"{self.attention.replace('_', '-')} attention" if self.attention != "none" else "",
            "linear skip" if self.linear_skip else "",
            "stateful" if self.stateful else "",
            f"quantiles {self.quantiles}" if self.quantiles else "",
        ]
        described = [encoder, *[extra for extra in extras if extra], f"{self.output} output"]
        if self.anchor != "none":
            described.append(f"anchored on {self.anchor.replace('_', ' ')}")
        if self.ensemble > 1:
            described.append(f"median of {self.ensemble} members")
        return ", ".join(described)

    @property
    def heads(self) -> int:
        return self.attention_heads or 4

    @property
    def encoder_width(self) -> int:
        """Width of the last layer's output: doubled by a concatenating bidirectional layer."""
        doubled = self.bidirectional and (self.merge_mode or "concat") == "concat"
        return self.units[-1] * (2 if doubled else 1)

    def cudnn_blockers(self) -> list[str]:
        """Settings that keep Keras off the cuDNN LSTM/GRU kernel on a GPU (Keras's documented
        conditions: tanh activation, sigmoid gates, no recurrent dropout)."""
        blockers = []
        if self.activation != "tanh":
            blockers.append(f"model.activation: {self.activation} (cuDNN needs tanh)")
        if self.recurrent_activation != "sigmoid":
            blockers.append(
                f"model.recurrent_activation: {self.recurrent_activation} (cuDNN needs sigmoid)"
            )
        if self.recurrent_dropout > 0:
            blockers.append(f"model.recurrent_dropout: {self.recurrent_dropout:g} (cuDNN needs 0)")
        return blockers


class EarlyStopping(Strict):
    monitor: Literal["val_loss", "loss"] = Field(
        "val_loss", description="What must improve: the validation loss, or the training loss."
    )
    patience: NonNegativeInt = Field(
        10, description="Epochs without validation improvement before training stops."
    )
    min_delta: NonNegativeFloat = Field(0.0, description="Smallest change that counts.")
    restore_best_weights: bool = Field(True, description="Keep the best epoch's weights.")


class ConstantSchedule(Strict):
    type: Literal["constant"] = "constant"


class PlateauSchedule(Strict):
    type: Literal["plateau"]
    factor: float = Field(0.5, gt=0, lt=1, description="Multiply the rate by this on a plateau.")
    patience: NonNegativeInt = Field(
        3, description="Epochs without validation improvement before the rate drops."
    )
    min_learning_rate: NonNegativeFloat = Field(1e-6, description="The rate never goes lower.")


class CosineSchedule(Strict):
    type: Literal["cosine"]
    warmup_epochs: NonNegativeInt = Field(
        0, description="Epochs of linear warm-up from 0 to training.learning_rate."
    )
    final_fraction: float = Field(
        0.0, ge=0, le=1, description="The rate ends at this fraction of learning_rate."
    )


class StepSchedule(Strict):
    type: Literal["step"]
    every_epochs: PositiveInt = Field(10, description="Drop the rate every this many epochs.")
    factor: float = Field(0.5, gt=0, lt=1, description="Multiply the rate by this at each drop.")


class ExponentialSchedule(Strict):
    type: Literal["exponential"]
    rate: float = Field(0.95, gt=0, lt=1, description="Multiply the rate by this every epoch.")


Schedule = Annotated[
    ConstantSchedule | PlateauSchedule | CosineSchedule | StepSchedule | ExponentialSchedule,
    Field(discriminator="type"),
]


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
    weight_decay: NonNegativeFloat | None = Field(
        None, description="Decoupled weight decay (adamw default 0.004; others none)."
    )
    momentum: NonNegativeFloat = Field(0.0, lt=1, description="sgd and rmsprop momentum.")
    nesterov: bool = Field(False, description="sgd: Nesterov momentum.")
    clip_norm: PositiveFloat | None = Field(
        None, description="Clip each gradient to this L2 norm (the usual cure for exploding LSTMs)."
    )
    clip_value: PositiveFloat | None = Field(
        None, description="Clip each gradient element to [-value, value]."
    )
    schedule: Schedule = Field(
        default_factory=ConstantSchedule,
        description="Learning-rate schedule: constant, plateau, cosine (with warm-up), step or "
        "exponential; the rate of every epoch is logged in history.csv.",
    )
    loss: Literal["mse", "mae", "huber"] = "mae"
    huber_delta: PositiveFloat = Field(
        1.0, description="huber: where the loss turns from squared to absolute (scaled units)."
    )
    early_stopping: EarlyStopping | None = Field(
        default_factory=EarlyStopping, description="null trains for all epochs."
    )
    shuffle: bool = Field(True, description="Shuffle training windows each epoch (seeded).")
    seed: int = Field(42, description="Seeds weights, shuffling and dropout.")
    device: Literal["auto", "cpu", "gpu"] = Field(
        "auto",
        description="'auto' uses a GPU when TensorFlow sees one; 'gpu' fails (exit 6) when it "
        "sees none, instead of training for hours on the CPU. Applies to training only: "
        "evaluate and forecast use any device unless given --device.",
    )
    precision: Literal["float32", "mixed_float16", "mixed_bfloat16"] = Field(
        "float32",
        description="mixed_float16: compute in float16 on a GPU's tensor cores (compute "
        "capability 7.0+) with float32 weights, a float32 output layer and dynamic loss "
        "scaling; mixed_bfloat16 for hardware with bfloat16 units. The saved model is float32.",
    )
    jit_compile: bool = Field(
        False,
        description="Compile the training step with XLA. Keras turns it off for cuDNN layers "
        "(train says so); XLA runs are outside the bit-for-bit determinism guarantee.",
    )
    require_cudnn: bool = Field(
        False,
        description="Refuse a config whose recurrent layers would leave the cuDNN kernels "
        "(Keras otherwise falls back silently to a several times slower loop), and refuse to "
        "train without a GPU.",
    )
    distribution: Literal["none", "mirrored", "multi_worker"] = Field(
        "none",
        description="mirrored: one model over all local GPUs (tf.distribute.MirroredStrategy); "
        "multi_worker: over machines (MultiWorkerMirroredStrategy), each started with the same "
        "command and its role in TF_CONFIG. batch_size is the global batch, split across "
        "replicas.",
    )
    cpu_replicas: PositiveInt | None = Field(
        None,
        description="mirrored without a GPU: split the CPU into this many logical devices and "
        "mirror over them (to try a distributed config on one machine; not faster).",
    )

    @model_validator(mode="after")
    def _optimizer_options(self) -> TrainingSection:
        if self.nesterov and self.optimizer != "sgd":
            raise ValueError("nesterov: Nesterov momentum is an sgd option; set optimizer: sgd")
        if self.momentum and self.optimizer not in {"sgd", "rmsprop"}:
            raise ValueError(
                f"momentum: {self.optimizer} has no momentum setting (sgd and rmsprop do); "
                "remove momentum or change optimizer"
            )
        if self.nesterov and not self.momentum:
            raise ValueError("nesterov: needs momentum > 0 (e.g. momentum: 0.9)")
        return self

    @model_validator(mode="after")
    def _device_options(self) -> TrainingSection:
        if self.cpu_replicas is not None and self.distribution != "mirrored":
            raise ValueError(
                "cpu_replicas: splits the CPU for distribution: mirrored; set distribution: "
                "mirrored or remove cpu_replicas"
            )
        if self.require_cudnn and self.jit_compile:
            raise ValueError(
                "jit_compile: XLA cannot compile the cuDNN kernels (Keras turns XLA off for "
                "them), so it contradicts require_cudnn; remove one of the two"
            )
        if self.require_cudnn and self.device == "cpu":
            raise ValueError(
                "require_cudnn: the cuDNN kernels run on NVIDIA GPUs only, and device is 'cpu'; "
                "set device: gpu (or auto) or require_cudnn: false"
            )
        return self


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


class OutputSection(Strict):
    run_dir: Path | None = Field(
        None,
        description="Run folder written by train, relative to the working directory; "
        "default runs/<config file name>.",
    )
    tensorboard: Path | None = Field(
        None,
        description="Also write TensorBoard logs (losses, learning rate, per epoch) to this "
        "folder, relative to the working directory; needs the tensorboard extra.",
    )
    onnx: Literal["auto", "always", "never"] = Field(
        "auto",
        description="Also write model.onnx, which forecast runs with ONNX Runtime without "
        "importing TensorFlow (a cron forecast in a fraction of a second), when its outputs "
        "agree with Keras's to 1e-5 on the validation windows. 'auto': when the onnx extra is "
        "installed; 'always': refuse to train without it; stateful models are never exported.",
    )


def parse_duration(text: str) -> float:
    """Seconds in a duration people write: '90min', '3h', '2 days', '1D', 'P1DT2H'."""
    import pandas as pd

    try:
        seconds = pd.Timedelta(text).total_seconds()
    except (ValueError, TypeError):
        raise ValueError(
            f"'{text}' is not a duration; write e.g. '90min', '3h', '2 days' or 'P1D'"
        ) from None
    if not seconds > 0:
        raise ValueError(f"'{text}' is not a positive duration")
    return seconds


class ForecastSection(Strict):
    max_staleness: str | None = Field(
        None,
        description="Refuse to forecast (exit 8) when the input's last timestamp is older "
        "than this before --as-of or now ('3h', '2 days'): a cron job never forecasts from a "
        "feed that stopped. Naive timestamps are compared with the machine's local clock. "
        "--max-staleness replaces it.",
    )

    @field_validator("max_staleness")
    @classmethod
    def _duration(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)
        return text


class GateSection(Strict):
    enabled: bool = Field(
        False,
        description="Quality gate for `train` (also `train --gate`): exit 9 unless the new "
        "model's test MASE beats seasonal naive's, and is not worse than the production run's "
        "(gate.against) by more than gate.margin.",
    )
    margin: NonNegativeFloat = Field(
        0.05,
        description="How much worse than the production run a new run may be, as a share of "
        "its test MASE (0.05: 5%); both are scored on the new run's test split.",
    )
    against: Path | None = Field(
        None,
        description="The production run to compare with, e.g. runs/energy/current (a name "
        "`lstmcast promote` keeps); skipped with a note while it does not exist yet.",
    )


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


class Experiment(Strict):
    schema_version: Literal[1] = SCHEMA_VERSION
    data: DataSection
    windows: WindowSection
    split: SplitSection = Field(default_factory=SplitSection)
    scaling: ScalingSection = Field(default_factory=ScalingSection)
    model: ModelSection = Field(default_factory=ModelSection)
    training: TrainingSection = Field(default_factory=TrainingSection)
    intervals: IntervalsSection | None = Field(
        default_factory=IntervalsSection, description="null: point forecasts only."
    )
    backtest: BacktestSection = Field(default_factory=BacktestSection)
    output: OutputSection = Field(default_factory=OutputSection)
    forecast: ForecastSection = Field(default_factory=ForecastSection)
    gate: GateSection = Field(default_factory=GateSection)
    tune: TuneSection = Field(default_factory=TuneSection)

    @model_validator(mode="after")
    def _quantiles_train_on_pinball(self) -> Experiment:
        if self.model.quantiles and self.training.loss != "mae":
            raise ValueError(
                f"training.loss: a quantile model trains on the pinball loss of its quantiles "
                f"(the median's is half the MAE); remove loss: {self.training.loss} or "
                "model.quantiles"
            )
        return self

    @model_validator(mode="after")
    def _backtest_horizon_fits(self) -> Experiment:
        if self.backtest.horizon is not None and self.backtest.horizon > self.windows.horizon:
            raise ValueError(
                f"backtest.horizon: {self.backtest.horizon} steps, but the model forecasts "
                f"windows.horizon = {self.windows.horizon}; make it at most that"
            )
        return self

    @model_validator(mode="after")
    def _recursion_has_its_inputs(self) -> Experiment:
        if self.model.series_embedding and not self.data.is_panel:
            raise ValueError(
                "model.series_embedding: a per-series vector needs many series; set "
                "data.series_id or data.layout: wide, or remove it"
            )
        if self.model.output == "recursive" and (self.data.static or self.model.series_embedding):
            raise ValueError(
                "model.output: recursive feeds each forecast back as the next input row, "
                "which is not built for data.static or model.series_embedding yet; use output: "
                "direct or seq2seq"
            )
        if self.model.output == "recursive" and self.data.features:
            raise ValueError(
                f"model.output: recursive feeds each forecast back as the next input, but "
                f"data.features {self.data.features} have no future values to feed with it; "
                "move them to data.known if they are known in advance, or use output: direct "
                "or seq2seq"
            )
        return self

    @model_validator(mode="after")
    def _stateful_reads_in_order(self) -> Experiment:
        if not self.model.stateful:
            return self
        if self.scaling.per_window != "none":
            raise ValueError(
                "scaling.per_window: a stateful model carries its state from window to window, "
                "which per-window normalisation would rescale each time; set per_window: none"
            )
        return self

    @model_validator(mode="after")
    def _cudnn_as_required(self) -> Experiment:
        blockers = self.model.cudnn_blockers()
        if self.training.require_cudnn and blockers:
            raise ValueError(
                f"training.require_cudnn: {'; '.join(blockers)} would leave the cuDNN kernels; "
                "change that setting or set require_cudnn: false"
            )
        return self

    @model_validator(mode="after")
    def _replicas_share_nothing_stateful(self) -> Experiment:
        if self.model.stateful and self.training.distribution != "none":
            raise ValueError(
                "training.distribution: a stateful model keeps one state per batch row, which "
                "replicas cannot split; set distribution: none or model.stateful: false"
            )
        return self

    @property
    def run_dir(self) -> Path:
        if self.output.run_dir is None:
            raise ValueError("run_dir is resolved by config.load; build Experiments through it")
        return self.output.run_dir


class ResolvedWindows(WindowSection):
    lookback: PositiveInt = Field(description="Input steps per window.")


class ResolvedOutput(OutputSection):
    run_dir: Path = Field(description="Run folder written by train.")


class ResolvedExperiment(Experiment):
    """An experiment with every default that depends on the data or the file system filled
    in (the lookback, the run folder): what training, evaluation and forecasting take, and
    what a run folder saves, so no code after data preparation meets a None."""

    windows: ResolvedWindows
    output: ResolvedOutput

    @classmethod
    def of(cls, experiment: Experiment, *, lookback: int) -> ResolvedExperiment:
        raw = experiment.model_dump()
        raw["windows"]["lookback"] = lookback
        return cls.model_validate(raw)
