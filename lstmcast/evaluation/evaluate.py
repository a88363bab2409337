"""A workload's test split: every series' test windows scored beside the baselines on the same
cells (evaluation/series.py), and the summary over them. With one series the summary is that
series' own scores, so one code path serves one series and many."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from lstmcast import artifacts
from lstmcast.data.prepare import PreparedData
from lstmcast.data.workload import Workload
from lstmcast.evaluation.intervals import ConformalIntervals, from_residuals
from lstmcast.evaluation.scoring import Pooled, mean_over_series, series_brief
from lstmcast.evaluation.series import (
    SeriesEvaluation,
    score_forecasts,
    validation_residuals,
    with_quantile_scores,
)
from lstmcast.prediction import predict_scaled

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Evaluation:
    """Every series' scores and their summary: means over series (the pooled figures a panel
    is judged by; one series' own), band coverage pooled over every cell."""

    model: str
    """The model's label in every table, CSV and JSON key: its cell family, lstm or gru."""
    model_label: str
    """The model as people read it: 'lstm (blended 0.45 with seasonal naive)'."""
    keyed: bool
    per_series: dict[str, SeriesEvaluation]
    skipped: dict[str, str]
    summary: dict[str, Any]
    """Across series: mean and median MASE, the share beating seasonal naive, the worst."""
    overall: dict[str, dict[str, float]]
    per_step: dict[str, dict[str, list[float]]]
    intervals: dict[str, dict[str, Any]]
    quantiles: dict[str, dict[str, float]]
    skill: float

    @classmethod
    def of(
        cls,
        per_series: dict[str, SeriesEvaluation],
        *,
        model_label: str,
        keyed: bool,
        skipped: dict[str, str],
    ) -> Evaluation:
        label = next(iter(per_series.values())).model
        windows = {sid: s.num_windows for sid, s in per_series.items()}
        pooled = Pooled.of(per_series, windows, label)
        return cls(
            model=label, model_label=model_label, keyed=keyed, per_series=per_series,
            skipped=skipped, summary=pooled.summary, overall=pooled.overall,
            per_step=pooled.per_step, intervals=pooled.intervals,
            quantiles=_pooled([s.quantiles for s in per_series.values()]), skill=pooled.skill,
        )  # fmt: skip

    @property
    def num_windows(self) -> int:
        return int(self.summary["test_windows"])

    def scores_only(self) -> Evaluation:
        """Without the test forecasts behind the scores (each series' forecast, the size of
        its test windows): what a run folder keeps, given back before it is written."""
        kept = {sid: replace(s, forecasts=None) for sid, s in self.per_series.items()}
        return replace(self, per_series=kept)

    def to_dict(self) -> dict[str, Any]:
        """metrics.json and --json: the summary beside the pooled scores; one series' own
        scores in full, many series' each in brief under per_series."""
        scores = list(self.per_series.values())
        common = {
            "model": self.model,
            "model_label": self.model_label,
            "target": scores[0].target,
            "split": "test",
            "horizon": scores[0].horizon,
            "season_length": scores[0].season_length,
            "num_windows": self.num_windows,
            "first_origin": min(s.first_origin for s in scores),
            "last_origin": max(s.last_origin for s in scores),
            "zero_actuals_skipped_by_mape": sum(s.zero_actuals_skipped_by_mape for s in scores),
            "overall": self.overall,
            "per_step": self.per_step,
            "skill": self.skill,
            "intervals": self.intervals,
            "quantiles": self.quantiles,
            **self.summary,
            "skipped": self.skipped,
        }
        if not self.keyed:
            return {**scores[0].to_dict(), **common, "model_label": self.model_label}
        return {**common, "per_series": {sid: _brief(s) for sid, s in self.per_series.items()}}


def _pooled(values: list[dict[str, Any]], weights: list[int] | None = None) -> dict[str, Any]:
    """mean_over_series of per-series scores that may be empty (no bands, no quantiles)."""
    return mean_over_series(values, weights) if values[0] else {}


def _brief(scores: SeriesEvaluation) -> dict[str, Any]:
    """One series' entry under a panel's per_series: its windows, scores, band coverage, MASE
    scale and the model's MAE per step (what its live error is compared with)."""
    brief = series_brief(scores.num_windows, scores.overall, scores.skill, scores.intervals)
    per_step_mae = scores.per_step[scores.model]["mae"]
    return {**brief, "mase_scale": scores.mase_scale, "per_step_mae": per_step_mae}


def evaluate_workload(
    model: keras.Model, parts: Iterable[Workload], intervals: ConformalIntervals | None = None
) -> Evaluation:
    """Every series of the workload (or of its parts, read one at a time) scored on its test
    windows (windows.evaluation_stride apart), beside the baselines, in its own units."""
    from lstmcast.models.seasonal import blend_share  # Keras: only where a model is

    per_series: dict[str, SeriesEvaluation] = {}
    skipped: dict[str, str] = {}
    for part in parts:
        per_series.update(_score_part(model, part, intervals))
        skipped.update(part.layout.skipped)
    keyed = part.keyed
    label = artifacts.model_label(part.experiment.model.cell, blend_share(model))
    named = {sid: replace(scores, model_label=label) for sid, scores in per_series.items()}
    ordered = dict(sorted(named.items())) if keyed else named
    return Evaluation.of(
        ordered, model_label=label, keyed=keyed, skipped=dict(sorted(skipped.items()))
    )


def _score_part(
    model: keras.Model, part: Workload, intervals: ConformalIntervals | None
) -> dict[str, SeriesEvaluation]:
    """Each series of one part: one prediction pass over every test origin of the part, then
    each series' windows in its own units (its rows of the prediction, turned into them in
    place), its band the calibrated one in its scale."""
    experiment, layout = part.experiment, part.layout
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    origins = part.starts["test"] + lookback - 1
    scaled = predict_scaled(model, experiment, part.table, origins)
    edges = np.searchsorted(layout.series_of(origins), np.arange(len(layout.ids) + 1))
    quantiles = experiment.model.quantiles
    scores = {}
    for index, sid in enumerate(layout.ids):
        mine = slice(edges[index], edges[index + 1])  # starts run series by series
        scaler = layout.scalers[index]
        outputs = scaler.inverse_target(scaled[mine], out=True)
        point = outputs[:, :, quantiles.index(0.5)] if quantiles else outputs
        bands = intervals.for_scales(float(scaler.scale[0])) if intervals else None
        view = _series_view(part, index, part.starts["test"][mine])
        evaluation = score_forecasts(
            view, point, lookback=lookback, horizon=horizon, intervals=bands
        )
        if quantiles:
            evaluation = with_quantile_scores(evaluation, outputs, quantiles)
        scores[sid] = evaluation
    return scores


def _series_view(part: Workload, index: int, test_starts: np.ndarray) -> PreparedData:
    """One series of a part as its own prepared data: its rows, splits, scaler and test
    windows (starts within its own rows)."""
    offset, end = part.layout.offsets[index], part.layout.offsets[index + 1]
    sid = part.layout.ids[index]
    return PreparedData(
        part.experiment, part.panel.series[sid], part.layout.bounds[index],
        part.layout.scalers[index], part.table[offset:end], {"test": test_starts - offset},
        part.season_length,
    )  # fmt: skip


def calibrate_workload(model: keras.Model, parts: Iterable[Workload]) -> ConformalIntervals | None:
    """Split-conformal half-widths from the validation windows (the weights never trained on
    them) of every series of every part, pooled in the units of the fitting view (one series:
    its own units; many: their per-series scaled units, a series having too few windows for a
    band of its own); None when intervals are off."""
    return calibrate_fitting(model, [part.fitting for part in parts])


def calibrate_fitting(
    model: keras.Model, views: Iterable[PreparedData]
) -> ConformalIntervals | None:
    """The bands from the validation windows of fitting views (a workload's parts, or one
    backtest refit's), pooled in their units."""
    found, levels, stacked = [], None, False
    for data in views:
        if data.experiment.intervals is None:
            return None
        found.append(validation_residuals(model, data))
        levels, stacked = data.experiment.intervals.levels, data.experiment.data.is_panel
    residuals = found[0] if len(found) == 1 else np.concatenate(found)
    del found
    if stacked:
        source = "validation windows of every series, pooled in per-series scaled units"
        return from_residuals(residuals, levels, source=source, units="scaled")
    return from_residuals(residuals, levels, source="validation")
