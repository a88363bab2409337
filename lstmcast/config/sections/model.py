"""model: the network (cells, layers, direction, attention, output mode, quantiles,
seasonal anchor, per-series vector) and what keeps it on the cuDNN kernels."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveInt,
    model_validator,
)

from lstmcast.config.sections.base import Strict

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
        "the window (and the static columns); 0: none. A tenth of training windows read as an "
        "unseen series, so a series the run never saw is forecast with that learned vector.",
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
