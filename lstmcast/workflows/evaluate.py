"""`evaluate RUN|CONFIG` on the test split, one series or many: the run's model re-scored
with its saved scalers beside the baselines (evaluation/evaluate.py), its metrics.json
rewritten, and what the options ask besides: every test forecast, the attention weights and
their heat map, MASE per step drawn. Live scoring of logged forecasts is workflows/live.py."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmcast import artifacts, files
from lstmcast.artifacts import Run
from lstmcast.data import shards
from lstmcast.data.panel import PanelLayout
from lstmcast.data.workload import prepare_workload
from lstmcast.evaluation.attention import AttentionWeights, attention_weights, require_attention
from lstmcast.evaluation.evaluate import Evaluation, evaluate_workload
from lstmcast.evaluation.intervals import ConformalIntervals


@dataclass(frozen=True)
class EvaluateRequest:
    """What `evaluate` was asked, as typed: a run or its config, and the options."""

    run: Path
    overrides: list[str]
    attention: bool = False
    device: str | None = None
    wait: float = 0.0


def evaluate_test(request: EvaluateRequest) -> tuple[EvaluationReport, Path]:
    """(the report, the metrics file rewritten): the run opened under its exclusive lock (it
    rewrites the run's metrics.json), then evaluate_run."""
    from lstmcast.workflows.runs import opened_run

    target = opened_run(
        request.run, request.overrides, command="evaluate", device=request.device,
        exclusive=True, wait=request.wait,
    )  # fmt: skip
    with target as run:
        return evaluate_run(run, attention=request.attention), run.run_dir / artifacts.METRICS_FILE


def draw_steps(report: EvaluationReport, path: Path) -> None:
    from lstmcast.evaluation.figures import plot_error_by_step

    title = f"MASE per horizon step, {report.evaluation.num_windows} test windows"
    plot_error_by_step(report.evaluation.per_step, path, title=title)


def draw_attention(report: EvaluationReport, path: Path) -> None:
    from lstmcast.evaluation.attention import plot_attention

    if report.attention is None:
        raise ValueError("evaluate_run(attention=True) computes the attention weights")
    plot_attention(report.attention, path)


@dataclass(frozen=True)
class EvaluationReport:
    evaluation: Evaluation
    device: str
    warnings: list[str]
    timestamps: dict[str, pd.DatetimeIndex] = field(repr=False, compare=False)
    """Each series' timestamps, for the exported frames."""
    layout: PanelLayout | None = field(default=None, repr=False, compare=False)
    """Where each series sits in the table the attention weights were read from."""
    attention: AttentionWeights | None = field(default=None, repr=False, compare=False)

    def forecasts_frame(self) -> pd.DataFrame:
        """Every test window's forecasts, one row per window and step (with series_id first
        when the workload has many series)."""
        frames = [
            scores.forecasts.to_frame(self.timestamps[sid])
            for sid, scores in self.evaluation.per_series.items()
        ]
        if not self.evaluation.keyed:
            return frames[0]
        ids = list(self.evaluation.per_series)
        return pd.concat(
            [
                frame.assign(series_id=sid)[["series_id", *frame.columns]]
                for sid, frame in zip(ids, frames, strict=True)
            ],
            ignore_index=True,
        )

    def attention_frame(self) -> pd.DataFrame:
        """The attention weights of every test window (series_id first, for many series)."""
        if self.attention is None or self.layout is None:
            raise ValueError("evaluate_run(attention=True) computes the attention weights")
        ids = self.layout.ids
        stacked = self.timestamps[ids[0]].append([self.timestamps[sid] for sid in ids[1:]])
        frame = self.attention.to_frame(stacked)
        if not self.evaluation.keyed:
            return frame
        owners = np.asarray(ids, dtype=object)[self.layout.series_of(self.attention.origins)]
        repeats = len(frame) // len(owners)
        return frame.assign(series_id=np.repeat(owners, repeats))[["series_id", *frame.columns]]

    def to_dict(self) -> dict[str, Any]:
        return {**self.evaluation.to_dict(), "device": self.device, "warnings": self.warnings}


def evaluate_run(run: Run, *, attention: bool = False) -> EvaluationReport:
    """Re-score a saved run on its test split with its saved scalers; rewrite its metrics.json.
    With `attention`, also read the attention weights of every test window."""
    from lstmcast.runtime import select_device

    experiment = run.experiment
    if attention:
        require_attention(experiment.model, run.run_dir)
    workload = prepare_workload(experiment, state=run.preprocessing)
    warnings = []
    if shards.data_sha256(experiment.data.path) != run.manifest.get("data_sha256"):
        warnings.append(
            f"{experiment.data.path} has changed since training; the scores use the file as it "
            "is now"
        )
    device = select_device(experiment.training.device).describe()
    model = run.load_model()
    intervals = ConformalIntervals.of_run(run)
    warnings += intervals.warnings() if intervals is not None else []
    evaluation = evaluate_workload(model, [workload], intervals)
    files.write_json(run.run_dir / artifacts.METRICS_FILE, evaluation.to_dict())
    stamps = {sid: workload.panel.series[sid].timestamps for sid in workload.ids}
    weights = attention_weights(model, workload.fitting) if attention else None
    return EvaluationReport(
        evaluation, device, warnings, timestamps=stamps, layout=workload.layout, attention=weights
    )
