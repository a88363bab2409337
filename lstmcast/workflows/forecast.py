"""`forecast`, one series or many: every series of the input forecast in one batch, the
`horizon` steps after its last row (or `--as-of`), with its timestamps, bands and quantiles.

A series the run never saw is forecast too (the model has no per-series parts unless
model.series_embedding), scaled by its own rows, and said so. A stale series is left out with a
warning; when every one is stale nothing is forecast (exit 8).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from lstmcast.artifacts import Run
from lstmcast.data.forecast_log import append_log, log_rows
from lstmcast.data.frequency import format_timestamps
from lstmcast.data.freshness import refuse_older_than_training, staleness
from lstmcast.data.panel import series_table
from lstmcast.data.scaling import Scaler, fit_scaler
from lstmcast.data.validate import Series
from lstmcast.data.workload import ForecastInput, load_forecast_input
from lstmcast.errors import ConfigError, DataError, StaleInputError
from lstmcast.evaluation.intervals import ConformalIntervals
from lstmcast.models.onnx import OnnxModel
from lstmcast.prediction import history_rows, predict_scaled, quantile_column
from lstmcast.text import count_of

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class Forecast:
    frame: pd.DataFrame
    """(series_id,) timestamp, step (1-based), the target's name, the bands and quantiles."""
    origins: dict[str, str]
    """Series -> its last observed timestamp; the forecast starts one step after it."""
    device: str
    notes: list[str]
    """What a person should know about the output (an empty timestamp column, new series)."""
    warnings: list[str]
    """What is wrong with it (stale series left out, bands too few windows could calibrate)."""
    target: str
    history: dict[str, pd.Series]
    """Each series' recent target rows (three seasons or four horizons, at least 48), by
    timestamp (by row for frequency none): what a picture of the forecast shows before it."""
    keyed: bool

    @property
    def origin(self) -> str:
        """The latest origin of any series (one series: its own)."""
        return max(self.origins.values())

    def origin_of_rows(self) -> list[str] | str:
        """Each row's origin, for the forecast log (one series: its one origin)."""
        if not self.keyed:
            return self.origin
        return [self.origins[sid] for sid in self.frame["series_id"]]


def forecast(
    run: Run,
    *,
    input_path: Path | None = None,
    series: list[str] | None = None,
    as_of: pd.Timestamp | None = None,
    max_staleness: str | None = None,
    engine: str = "auto",
    model: keras.Model | OnnxModel | None = None,
) -> Forecast:
    """Forecast every series of `input_path` (default: the training data), or those of
    `series`, from its rows at or before `as_of`; refuse input older than `max_staleness`
    (default: the run's forecast.max_staleness). `model`, when a caller has loaded it already
    (report), is not loaded again; `engine` as for forecast_predictor."""
    experiment, state = run.experiment, run.preprocessing
    keyed = experiment.data.is_panel
    if series and not keyed:
        raise ConfigError("--series: this run forecasts one series; drop --series")
    given = load_forecast_input(
        experiment.data, frequency=state["frequency"], horizon=experiment.windows.horizon,
        path=input_path, as_of=as_of,
    )  # fmt: skip
    wanted, notes = _chosen(given, series, run)
    allowed = max_staleness or experiment.forecast.max_staleness
    wanted, warnings = _fresh(given, wanted, allowed, as_of) if allowed else (wanted, [])
    if input_path is not None and as_of is None:
        for sid in wanted:
            trained = state["series"].get(sid, {}).get("last_timestamp")
            refuse_older_than_training(given.panel.series[sid], trained)
    scalers = [_scaler(given, sid, run) for sid in wanted]
    notes += _kind_notes(run, wanted)
    table, origins = _inputs(given, wanted, scalers, run)
    predictor, device = forecast_predictor(run, engine=engine, model=model)
    intervals = ConformalIntervals.of_run(run)
    warnings += intervals.warnings() if intervals is not None else []
    outputs = predict_scaled(predictor, experiment, table, origins)
    frame = _frame(given, wanted, scalers, outputs, run, intervals)
    if given.future[wanted[0]] is None:
        notes.append(
            "frequency none: each step is the next row, whose time the model cannot know, so "
            "the timestamp column is empty; step counts rows after the origin"
        )
    if keyed:
        notes.append(f"predicted on {device}")
    origins_by_series = {
        sid: format_timestamps(given.panel.series[sid].timestamps[-1:])[0] for sid in wanted
    }
    history = {sid: _recent(given.panel.series[sid], run) for sid in wanted}
    return Forecast(
        frame if keyed else frame.drop(columns="series_id"), origins_by_series, device, notes,
        warnings, experiment.data.target, history, keyed,
    )  # fmt: skip


def forecast_predictor(
    run: Run, *, engine: str = "auto", model: keras.Model | OnnxModel | None = None
) -> tuple[keras.Model | OnnxModel, str]:
    """(what predicts, where it runs, for people): `model` when given, else the run's ONNX
    export under ONNX Runtime when engine is auto or onnx and it can (TensorFlow is then
    never imported), else the run's Keras model, on the configured device. Asking for a GPU
    (--device gpu) asks for TensorFlow: ONNX Runtime runs on the CPU here."""
    from lstmcast.runtime import select_device

    wants_gpu = run.experiment.training.device == "gpu"
    if wants_gpu and engine == "onnx":
        raise ConfigError("--engine onnx runs on the CPU; drop --device gpu or use --engine keras")
    if model is None and not wants_gpu:
        model = run.onnx_model(engine)
    if isinstance(model, OnnxModel):
        return model, model.device
    device = select_device(run.experiment.training.device).describe()
    return model or run.load_model(), device


def _chosen(
    given: ForecastInput, series: list[str] | None, run: Run
) -> tuple[list[str], list[str]]:
    """The series to forecast (`series`, else all) with at least the rows the model reads; a
    series too short is refused when asked for by name (or the only one), else left out with
    a note."""
    panel, lookback = given.panel, run.experiment.windows.lookback
    if series is not None:
        missing = [sid for sid in series if sid not in panel.series]
        if missing:
            raise DataError(
                f"--series: {', '.join(missing[:5])} not in the input (it has "
                f"{count_of(len(panel.series), 'series')}, e.g. {next(iter(panel.series))})"
            )
    chosen = series if series is not None else list(panel.series)
    short = [sid for sid in chosen if panel.series[sid].num_rows < lookback]
    if short and (series is not None or len(chosen) == 1):
        one = panel.series[short[0]]
        raise DataError(
            f"{one.source} has {one.num_rows} rows but the model reads the last {lookback}; "
            f"give at least {lookback} rows"
        )
    notes = (
        [f"{count_of(len(short), 'series')} with fewer than {lookback} rows "
         f"{'is' if len(short) == 1 else 'are'} not forecast (e.g. {short[0]})"]
        if short else []
    )  # fmt: skip
    return [sid for sid in chosen if sid not in short], notes


def _fresh(
    given: ForecastInput, wanted: list[str], allowed: str, as_of: pd.Timestamp | None
) -> tuple[list[str], list[str]]:
    """The series whose last row is recent enough, and a warning naming the others; none at
    all is refused (exit 8)."""
    problems = {
        sid: staleness(
            given.panel.series[sid].timestamps[-1],
            max_staleness=allowed,
            as_of=as_of,
            source=given.panel.series[sid].source,
        )
        for sid in wanted
    }
    stale = [sid for sid, problem in problems.items() if problem is not None]
    if stale and len(stale) == len(wanted):
        every = "" if len(wanted) == 1 else "every series is stale, e.g. "
        raise StaleInputError(
            f"{every}{problems[stale[0]]}; the feed may have stopped; nothing was forecast"
        )
    warnings = (
        [f"{count_of(len(stale), 'stale series', 'stale series')} left out of the forecast, "
         f"e.g. {problems[stale[0]]}"]
        if stale else []
    )  # fmt: skip
    return [sid for sid in wanted if problems[sid] is None], warnings


def _kind_notes(run: Run, wanted: list[str]) -> list[str]:
    """What kind of model forecasts many series, and which of them it never saw."""
    state, experiment = run.preprocessing, run.experiment
    if not experiment.data.is_panel:
        return []
    unseen = [sid for sid in wanted if sid not in state["series"]]
    embedded = experiment.model.series_embedding > 0
    if unseen and embedded and not state.get("unknown_vector"):
        raise DataError(
            f"{unseen[0]} (and {len(unseen) - 1} more) was not among the series this run "
            "learned a vector for (model.series_embedding), and it was trained before runs "
            "learned a vector for unseen series: train it again, or forecast only its series"
        )
    kind = "with a learned vector per series" if embedded else "without per-series parameters"
    notes = [
        f"a global model over {count_of(len(state['series']), 'series')}, {kind}"
        + (f" (static columns {', '.join(state['static'])})" if state["static"] else "")
    ]
    if unseen:
        one = len(unseen) == 1
        vector = ", the vector it learned for unseen series" if embedded else ""
        notes.append(
            f"{count_of(len(unseen), 'series')} the run was not trained on (e.g. {unseen[0]}) "
            f"{'is' if one else 'are'} forecast with scaling fitted on {'its' if one else 'their'}"
            f" own rows{vector} and the bands calibrated on all the series together"
        )
    return notes


def _scaler(given: ForecastInput, sid: str, run: Run) -> Scaler:
    entry = run.preprocessing["series"].get(sid)
    if entry is not None:
        return Scaler.from_dict(entry["scaler"])
    series = given.panel.series[sid]
    return fit_scaler(series.training_values(series.num_rows), run.experiment.scaling.method)


def _inputs(
    given: ForecastInput, wanted: list[str], scalers: list[Scaler], run: Run
) -> tuple[np.ndarray, np.ndarray]:
    """Each series' rows the model reads (its lookback, every row for a stateful model) and,
    when it reads known-in-advance or calendar columns, the `horizon` rows after them, stacked
    as the training table was; the origins are each block's last observed row."""
    experiment, state = run.experiment, run.preprocessing
    horizon, data = experiment.windows.horizon, experiment.data
    reads = history_rows(experiment)
    ahead = bool(data.known or data.calendar)
    blocks, origins, offset = [], [], 0
    for sid, scaler in zip(wanted, scalers, strict=True):
        history = given.panel.series[sid]
        recent = history.values[-reads if reads else None :]
        stamps = history.timestamps[-len(recent) :]
        if ahead:  # future rows whose known and calendar columns the model reads
            future = np.zeros((horizon, recent.shape[1]))
            if data.known:
                future[:, data.observed_columns :] = given.known[sid]
            recent = np.concatenate([recent, future])
            stamps = stamps.append(given.future[sid])
        block = Series(stamps, recent, history.columns, history.frequency, history.source)
        number = (
            state["series"].get(sid, {}).get("number", 0)
            if experiment.model.series_embedding
            else None
        )
        attributes = given.panel.static.get(sid, {})
        blocks.append(series_table(block, scaler, attributes, data, state["static"], number=number))
        origins.append(offset + len(recent) - (horizon if ahead else 0) - 1)
        offset += len(recent)
    table = blocks[0] if len(blocks) == 1 else np.concatenate(blocks)
    return table, np.asarray(origins, dtype=np.int64)


def _frame(
    given: ForecastInput,
    wanted: list[str],
    scalers: list[Scaler],
    outputs: np.ndarray,
    run: Run,
    intervals: ConformalIntervals | None,
) -> pd.DataFrame:
    """series_id, timestamp, step, <target>, the bands and quantiles, in each series' units;
    built column by column for every series at once."""
    experiment = run.experiment
    horizon, target = experiment.windows.horizon, experiment.data.target
    scale = np.array([s.scale[0] for s in scalers])[:, None]
    center = np.array([s.center[0] for s in scalers])[:, None]
    quantiles = experiment.model.quantiles
    values = outputs * (scale[:, :, None] if quantiles else scale) + (
        center[:, :, None] if quantiles else center
    )
    point = values[:, :, quantiles.index(0.5)] if quantiles else values
    columns = {
        "series_id": np.repeat(np.array(wanted, dtype=object), horizon),
        "timestamp": _future_stamps(given, wanted, horizon),
        "step": np.tile(np.arange(1, horizon + 1), len(wanted)),
        target: point.ravel(),
    }
    if intervals is not None:  # every series' band at once
        bands = intervals.for_scales(scale).columns(point)
        columns.update({name: column.ravel() for name, column in bands.items()})
    for index, quantile in enumerate(quantiles or []):
        columns[quantile_column(quantile)] = values[:, :, index].ravel()
    return pd.DataFrame(columns)


def _future_stamps(given: ForecastInput, wanted: list[str], horizon: int) -> np.ndarray:
    """Each series' `horizon` timestamps as text, formatted once per distinct future (most
    series of a feed end together)."""
    text: dict[tuple, np.ndarray] = {}
    parts = []
    for sid in wanted:
        future = given.future[sid]
        key = tuple(future) if future is not None else ()
        if key not in text:
            text[key] = (
                np.asarray(format_timestamps(future), dtype=object)
                if future is not None
                else np.full(horizon, "", dtype=object)
            )
        parts.append(text[key])
    return np.concatenate(parts)


def _recent(series: Series, run: Run) -> pd.Series:
    """The target's recent rows, for the picture of a forecast."""
    season = run.preprocessing.get("season_length", 1)
    keep = max(3 * season, 4 * run.experiment.windows.horizon, 48)
    index = series.timestamps[-keep:] if series.frequency != "none" else None
    return pd.Series(series.target_values[-keep:], index=index, name=series.target)


def log_forecast(result: Forecast, path: Path, *, run_id: str, tell: Callable[[str], None]) -> None:
    """Append what was issued to the forecast log (data/forecast_log.py), for live scoring."""
    rows = log_rows(
        result.frame, target=result.target, run_id=run_id, origin=result.origin_of_rows()
    )
    append_log(path, rows, tell=tell)


def draw_forecast(result: Forecast, path: Path) -> None:
    """The forecast after its recent history, with its bands, as a PNG (a few series of many)."""
    from lstmcast.evaluation.figures import plot_forecasts

    steps = len(result.frame) // len(result.origins)
    title = f"the next {count_of(steps, 'step')} after {result.origin}"
    plot_forecasts(result.history, result.frame, path, target=result.target, title=title)


ENGINES = ("auto", "keras", "onnx")


@dataclass(frozen=True)
class ForecastRequest:
    """What `forecast` was asked, as typed: a run or its config, and the options."""

    run: Path
    overrides: list[str]
    input_path: Path | None = None
    series: list[str] | None = None
    series_file: Path | None = None
    as_of: str | None = None
    max_staleness: str | None = None
    engine: str = "auto"
    device: str | None = None
    wait: float = 0.0


def issue_forecast(request: ForecastRequest) -> tuple[Forecast, str]:
    """(the forecast, the run's id): the options checked, the run opened under its shared
    lock, every wanted series forecast."""
    from lstmcast.config.sections.output import parse_duration
    from lstmcast.data.freshness import parse_as_of
    from lstmcast.workflows.runs import opened_run

    if request.max_staleness is not None:
        _checked("--max-staleness", parse_duration, request.max_staleness)
    if request.engine not in ENGINES:
        raise ConfigError(f"--engine: '{request.engine}' is not one of {', '.join(ENGINES)}")
    anchor = parse_as_of(request.as_of) if request.as_of is not None else None
    wanted = _series_wanted(request.series, request.series_file)
    target = opened_run(
        request.run, request.overrides, command="forecast", device=request.device,
        wait=request.wait,
    )  # fmt: skip
    with target as run:
        result = forecast(
            run, input_path=request.input_path, series=wanted, as_of=anchor,
            max_staleness=request.max_staleness, engine=request.engine,
        )  # fmt: skip
        return result, run.run_id


def _series_wanted(series: list[str] | None, series_file: Path | None) -> list[str] | None:
    """--series (repeatable; an id may hold commas) and --series-file (one id per line)."""
    wanted = list(series or [])
    if series_file is not None:
        try:
            text = series_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise ConfigError(f"--series-file: cannot read {series_file} ({err})") from None
        wanted += [line.strip() for line in text.splitlines() if line.strip()]
    return wanted or None


def _checked(option: str, parse: Callable[[str], object], text: str) -> None:
    """Parse an option's value, its error naming the option."""
    try:
        parse(text)
    except ValueError as err:
        raise ConfigError(f"{option}: {err}") from None
