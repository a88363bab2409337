"""Every series of a panel forecast in one batch: one long frame series_id, timestamp, step,
<target>. The model has no per-series parts (static columns are inputs), so a series the run
never saw is forecast too, scaled by its own rows, and said so."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmcast.artifacts import Run
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.freshness import staleness
from lstmcast.data.panel import Panel, load_panel, series_table
from lstmcast.data.prepare import timeline_of
from lstmcast.data.scaling import Scaler, fit_scaler
from lstmcast.errors import DataError, StaleInputError
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.forecasting import forecast_predictor
from lstmcast.prediction import forecast_with_quantiles, quantile_column

if TYPE_CHECKING:
    import keras


def forecast_panel(
    run: Run,
    *,
    input_path: Path | None = None,
    series: list[str] | None = None,
    as_of: pd.Timestamp | None = None,
    max_staleness: str | None = None,
    model: keras.Model | None = None,
    panel: Panel | None = None,
    engine: str = "auto",
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """(the forecasts, notes, warnings) for `series` (default: every series in the input),
    each from its rows at or before `as_of`; series older than `max_staleness` are left out
    and warned about (all of them stale: exit 8). `model` and `panel` (the training data,
    already read), when a caller has them (report), spare reading them again; `engine` as
    for forecasting.forecast_predictor."""
    state, experiment = run.preprocessing, run.experiment
    role = "--input" if input_path is not None else "data.path"
    panel = panel or load_panel(
        experiment.data, path=input_path, frequency=state["frequency"], role=role, as_of=as_of
    )
    wanted, notes = _chosen(panel, series, state, experiment.windows.lookback)
    allowed = max_staleness or experiment.forecast.max_staleness
    wanted, warnings = _fresh(panel, wanted, allowed, as_of) if allowed else (wanted, [])
    scalers = [_scaler(panel, sid, state, experiment.scaling.method) for sid in wanted]
    unseen = [sid for sid in wanted if sid not in state["series"]]
    embedded = experiment.model.series_embedding > 0
    if unseen and embedded:
        raise DataError(
            f"{unseen[0]} (and {len(unseen) - 1} more) was not among the series this run "
            "learned a vector for (model.series_embedding); forecast only its series, or "
            "train without series_embedding to forecast new ones"
        )
    kind = "with a learned vector per series" if embedded else "without per-series parameters"
    notes.append(
        f"a global model over {len(state['series'])} series, {kind}"
        + (f" (static columns {', '.join(state['static'])})" if state["static"] else "")
    )
    if unseen:
        notes.append(
            f"{len(unseen)} series the run was not trained on (e.g. {unseen[0]}) are forecast "
            "with scaling fitted on their own rows"
        )
    table, origins = _inputs(panel, wanted, scalers, run)
    predictor, device = forecast_predictor(run, engine=engine, model=model)
    notes.append(f"predicted on {device}")
    columns = table.shape[1]
    identity = Scaler("none", np.zeros(columns), np.ones(columns))
    point, quantiles = forecast_with_quantiles(predictor, experiment, table, origins, identity)
    return _frame(panel, wanted, scalers, (point, quantiles), run), notes, warnings


def _fresh(
    panel: Panel, wanted: list[str], allowed: str, as_of: pd.Timestamp | None
) -> tuple[list[str], list[str]]:
    """The series whose last row is recent enough, and a warning naming the others."""
    problems = {
        sid: staleness(
            panel.series[sid].timestamps[-1],
            max_staleness=allowed,
            as_of=as_of,
            source=panel.series[sid].source,
        )
        for sid in wanted
    }
    stale = [sid for sid, problem in problems.items() if problem is not None]
    if stale and len(stale) == len(wanted):
        raise StaleInputError(
            f"every series is stale, e.g. {problems[stale[0]]}; the feed may have stopped; "
            "nothing was forecast"
        )
    warnings = (
        [f"{len(stale)} stale series left out of the forecast, e.g. {problems[stale[0]]}"]
        if stale else []
    )  # fmt: skip
    return [sid for sid in wanted if problems[sid] is None], warnings


def _chosen(
    panel: Panel, series: list[str] | None, state: dict, lookback: int
) -> tuple[list[str], list[str]]:
    if series is not None:
        missing = [sid for sid in series if sid not in panel.series]
        if missing:
            raise DataError(
                f"--series: {', '.join(missing[:5])} not in the input (it has "
                f"{len(panel.series)} series, e.g. {next(iter(panel.series))})"
            )
    chosen = series if series is not None else list(panel.series)
    short = [sid for sid in chosen if panel.series[sid].num_rows < lookback]
    if short and series is not None:
        raise DataError(f"--series: {short[0]} has fewer rows than the lookback ({lookback})")
    notes = (
        [f"{len(short)} series have fewer than {lookback} rows and are not forecast "
         f"(e.g. {short[0]})"]
        if short else []
    )  # fmt: skip
    return [sid for sid in chosen if sid not in short], notes


def _scaler(panel: Panel, sid: str, state: dict, method: str) -> Scaler:
    if sid in state["series"]:
        return Scaler.from_dict(state["series"][sid]["scaler"])
    return fit_scaler(panel.series[sid].values, method)  # type: ignore[arg-type]


def _inputs(
    panel: Panel, wanted: list[str], scalers: list[Scaler], run: Run
) -> tuple[np.ndarray, np.ndarray]:
    """Each series' last `lookback` rows (and `horizon` future rows for calendar features),
    stacked; the origins are each block's last observed row."""
    experiment, state = run.experiment, run.preprocessing
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    calendar = experiment.data.calendar
    timeline = timeline_of(experiment.data, run.preprocessing["frequency"])
    blocks, origins, offset = [], [], 0
    for sid, scaler in zip(wanted, scalers, strict=True):
        history = panel.series[sid]
        recent = history.values[-lookback:]
        stamps = history.timestamps[-lookback:]
        if calendar:  # future rows whose calendar columns the model reads
            recent = np.concatenate([recent, np.zeros((horizon, recent.shape[1]))])
            stamps = stamps.append(timeline.future(history.timestamps[-1], horizon))
        block = type(history)(stamps, recent, history.columns, history.frequency, history.source)
        attributes = panel.static.get(sid, {})
        number = state["series"][sid]["number"] if experiment.model.series_embedding else None
        blocks.append(
            series_table(block, scaler, attributes, experiment.data, state["static"], number=number)
        )
        origins.append(offset + lookback - 1)
        offset += len(recent)
    return np.concatenate(blocks).astype(np.float32), np.asarray(origins, dtype=np.int64)


def _frame(
    panel: Panel,
    wanted: list[str],
    scalers: list[Scaler],
    scaled: tuple[np.ndarray, np.ndarray | None],
    run: Run,
) -> pd.DataFrame:
    """series_id, timestamp, step, <target>, then the interval bounds (each series' band is
    the pooled calibration times its own scale) and quantiles, in each series' units; built
    column by column for all series at once."""
    experiment = run.experiment
    horizon, target = experiment.windows.horizon, experiment.data.target
    point, quantiles = scaled
    scale = np.array([s.scale[0] for s in scalers])[:, None]
    center = np.array([s.center[0] for s in scalers])[:, None]
    predicted = point * scale + center
    columns = {
        "series_id": np.repeat(np.array(wanted, dtype=object), horizon),
        "timestamp": _future_stamps(panel, wanted, run),
        "step": np.tile(np.arange(1, horizon + 1), len(wanted)),
        target: predicted.ravel(),
    }
    intervals = ConformalIntervals.of_run(run)
    if intervals is not None:  # every series' band at once: its radius is the pooled one x scale
        bands = intervals.scaled(scale).columns(predicted)
        columns.update({name: values.ravel() for name, values in bands.items()})
    for i, q in enumerate(experiment.model.quantiles or []):
        if quantiles is not None:
            columns[quantile_column(q)] = (quantiles[:, :, i] * scale + center).ravel()
    return pd.DataFrame(columns)


def _future_stamps(panel: Panel, wanted: list[str], run: Run) -> np.ndarray:
    """The `horizon` timestamps after each series' last row, as text, computed once per
    distinct last row (most series of a feed end together)."""
    horizon = run.experiment.windows.horizon
    timeline = timeline_of(run.experiment.data, run.preprocessing["frequency"])
    lasts = [panel.series[sid].timestamps[-1] for sid in wanted]
    text: dict[pd.Timestamp, np.ndarray] = {}
    for last in set(lasts):
        future = timeline.future(last, horizon)
        text[last] = (
            np.asarray(format_timestamps(future), dtype=object)
            if future is not None
            else np.full(horizon, "", dtype=object)
        )
    return np.concatenate([text[last] for last in lasts])
