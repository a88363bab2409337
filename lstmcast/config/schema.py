"""The experiment schema: every YAML key, its type, its default and what it means.

Strict everywhere (`extra="forbid"`), so a misspelt key is an error rather than a silently ignored
setting. Importing this module imports pydantic and pandas, never TensorFlow.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    PositiveInt,
    model_validator,
)

from lstmcast.config.sections.backtest import BacktestSection
from lstmcast.config.sections.base import Strict
from lstmcast.config.sections.data import (
    DataSection,
)
from lstmcast.config.sections.gate import GateSection
from lstmcast.config.sections.intervals import IntervalsSection
from lstmcast.config.sections.model import ModelSection
from lstmcast.config.sections.output import ForecastSection, OutputSection
from lstmcast.config.sections.scaling import ScalingSection
from lstmcast.config.sections.split import SplitSection
from lstmcast.config.sections.training import (
    TrainingSection,
)
from lstmcast.config.sections.tune import TuneSection
from lstmcast.config.sections.windows import WindowSection

SCHEMA_VERSION = 1


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
