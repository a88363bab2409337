"""The workload: the series an experiment trains on, one or many, laid out as one table.

A series is a panel of one. This module is the one place that asks whether a config names one
series or many (`data.series_id` or `layout: wide`): it reads them into a Panel (one series
keyed by the target's name, or every series of the file or folder), cuts every series at one
calendar cut-off, scales each by its own training rows, and stacks their model inputs, so every
layer above sees N >= 1 series and one code path. What differs with N is said here once:

- `keyed`: outputs name each row's series (a many-series config) or not (one series);
- errors about a series too short for a window are the single series' own when there is one,
  a list of left-out series when there are many;
- a stateful model and `windows.lookback: auto` read one series.

With one series, every number is the one-series pipeline's: the same splits, scaler, table,
windows and fitting view (tested against it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmcast.config.schema import Experiment, ResolvedExperiment
from lstmcast.config.sections.data import DataSection
from lstmcast.data.checks import data_warnings
from lstmcast.data.frequency import format_timestamp
from lstmcast.data.freshness import rows_until
from lstmcast.data.known_future import history_and_future
from lstmcast.data.panel import (
    Panel,
    PanelLayout,
    common_cut_offs,
    layout_panel,
    load_panel,
    long_frame,
    panel_starts,
    panel_table,
    static_levels,
)
from lstmcast.data.prepare import (
    PreparedData,
    empty_split_message,
    read_columns,
    season_length_of,
    stateful_train_starts,
    timeline_of,
    validated,
    with_lookback,
)
from lstmcast.data.scaling import Scaler, fit_scaler
from lstmcast.data.shards import FileShard, data_files, input_files
from lstmcast.data.split import SplitBounds
from lstmcast.data.validate import Series
from lstmcast.errors import ConfigError, DataError
from lstmcast.phases import phase


def load_series_of(
    data: DataSection,
    *,
    path: Path | None = None,
    files: list[Path] | None = None,
    frequency: str | None = None,
    role: str = "data.path",
    as_of: pd.Timestamp | None = None,
    values: bool = True,
) -> Panel:
    """Every series the data section names, validated: its one series keyed by the target's
    name, or every series of a long or wide file or a folder of files (data/panel.py).
    `frequency` is a trained run's, for newer data; `as_of` keeps the rows at or before it."""
    if data.is_panel:
        return load_panel(
            data, path=path, files=files, frequency=frequency, role=role, as_of=as_of,
            values=values,
        )  # fmt: skip
    source = path or data.path
    with phase("read"):
        frame = read_columns(data, source, role)
    if as_of is not None:
        frame = frame.iloc[
            : rows_until(frame, data.timestamp, as_of, source, timezone=data.timezone)
        ]
    with phase("validate"):
        series = validated(frame, data, path=path, frequency=frequency, consume=True)
    return Panel({data.target: series})


@dataclass(frozen=True)
class Workload:
    experiment: ResolvedExperiment
    panel: Panel
    layout: PanelLayout
    static: dict[str, list[str]]
    """Static column -> its levels in training (the one-hot order)."""
    table: np.ndarray
    """The model's inputs, every series' block stacked: scaled observed columns, static
    one-hot, the series' number (model.series_embedding), known-in-advance columns, calendar."""
    starts: dict[str, np.ndarray]
    """Window starts per split, in table rows; no window crosses a series."""
    season_length: int
    cut_offs: tuple[pd.Timestamp, pd.Timestamp]
    series_count: int
    """The series kept in the whole workload (a worker's part may hold some of them only)."""
    files: tuple[Path, ...]
    """The files whose values this process read."""
    numbers: tuple[int, ...]
    """Each kept series' number in the whole workload (1 for the first), what
    model.series_embedding looks up, the same in every part."""
    vectors: int = 0
    """Rows of model.series_embedding's table past the unknown one: series_count, or the
    trained run's when continuing it (WorkloadPlan.numbers)."""

    @property
    def keyed(self) -> bool:
        """Whether outputs name each row's series: a config of many series (even if only one
        is long enough), never a one-series config."""
        return self.experiment.data.is_panel

    @property
    def ids(self) -> list[str]:
        return self.layout.ids

    @functools.cached_property
    def fitting(self) -> PreparedData:
        """What fit_model trains on (and the blend, the intervals and the ONNX check read): the
        stacked table and the windows of every series. A one-series config keeps its series,
        scaler and splits, so its losses and bands read in the target's units; many series
        (or any part of them) are stacked in their per-series scaled units. Built once: it
        copies the target column."""
        count = self.vectors if self.experiment.model.series_embedding else 0
        if not self.keyed:
            return PreparedData(
                self.experiment, self.panel.series[self.ids[0]], self.layout.bounds[0],
                self.layout.scalers[0], self.table, self.starts, self.season_length,
                series_count=count,
            )  # fmt: skip
        rows, columns = self.table.shape
        stacked = Series(
            timestamps=pd.DatetimeIndex(np.zeros(rows, dtype="datetime64[ns]")),
            values=self.table[:, :1].astype(np.float64),
            columns=[self.experiment.data.target],
            frequency=self.panel.frequency,
            source=self.experiment.data.path,
        )
        identity = Scaler("none", np.zeros(columns), np.ones(columns))
        return PreparedData(
            self.experiment, stacked, SplitBounds(0, 0, rows), identity, self.table,
            self.starts, self.season_length, series_count=count,
        )  # fmt: skip

    @property
    def warnings(self) -> list[str]:
        """What to say before training: series with a constant target, intervals that the
        pooled validation windows cannot calibrate."""
        training = {
            sid: self.panel.series[sid].target_values[: bounds.validation_start]
            for sid, bounds in zip(self.ids, self.layout.bounds, strict=True)
        }
        return data_warnings(self.experiment, training, len(self.starts["validation"]))

    @property
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and the last timestamp of any series."""
        series = self.panel.series.values()
        return min(s.timestamps[0] for s in series), max(s.timestamps[-1] for s in series)

    def state(self) -> dict[str, Any]:
        """What forecasting needs, as JSON (the run folder's preprocessing.json)."""
        first, last = self.span
        frequency = self.panel.frequency

        def stamp(moment: pd.Timestamp) -> str:
            return format_timestamp(moment, frequency)

        return {
            "panel": self.keyed,
            "frequency": frequency,
            "season_length": self.season_length,
            "columns": self.experiment.data.columns,
            "series": {
                sid: {
                    "number": number,
                    "scaler": scaler.to_dict(),
                    "split": bounds.to_dict(),
                    "last_timestamp": stamp(self.panel.series[sid].timestamps[-1]),
                }
                for number, sid, scaler, bounds in zip(
                    self.numbers, self.ids, self.layout.scalers, self.layout.bounds, strict=True
                )
            },
            "static": self.static,
            "series_embedding": self.experiment.model.series_embedding,
            "unknown_vector": bool(self.experiment.model.series_embedding),  # see SeriesEmbedding
            "skipped": self.layout.skipped,
            "validation_starts": stamp(self.cut_offs[0]),
            "test_starts": stamp(self.cut_offs[1]),
            "first_timestamp": stamp(first),
            "last_timestamp": stamp(last),
        }


def prepare_workload(
    experiment: Experiment, *, state: dict[str, Any] | None = None, features: bool = True
) -> Workload:
    """Validate every series, cut all at one calendar cut-off, scale each by its own training
    part (or by a trained run's scalers, from its `state`), and index the windows of the series
    long enough for them. (A worker reading its own files of a folder takes its part of
    plan_workload instead.) features=False lets the feature columns' originals go once the
    table is scaled: what train does, which never rescales them."""
    _check_model(experiment)
    files = input_files(experiment.data.path) if experiment.data.is_panel else []
    series = load_series_of(experiment.data, files=files or None)
    plan = WorkloadPlan.of(experiment, series, files, state=state)
    return plan.table_of(series, files, features=features)


def plan_workload(experiment: Experiment) -> WorkloadPlan:
    """The plan of a panel kept as a folder of files, from every file's timestamps and static
    columns, without their values."""
    _check_model(experiment)
    files = data_files(experiment.data.path)
    index = load_series_of(experiment.data, files=files, values=False)
    return WorkloadPlan.of(experiment, index, files)


@dataclass(frozen=True)
class WorkloadPlan:
    """What every part of a workload shares: the resolved experiment, the cut-offs, which
    series are kept and in what order (their numbers), the static levels. Made from every
    series' timestamps and static columns, so that workers reading different files agree on
    it without talking to each other, and a process can take the panel a part at a time."""

    experiment: ResolvedExperiment
    index: Panel
    """Every series; its values are zeros when the plan was read without them."""
    everyone: PanelLayout
    static: dict[str, list[str]]
    season_length: int
    cut_offs: tuple[pd.Timestamp, pd.Timestamp]
    files: list[Path]
    scalers: dict[str, Scaler] | None = None
    """A trained run's scalers by series, used instead of fitting new ones."""
    trained_numbers: dict[str, int] | None = None
    """A trained run's series numbers (its rows of model.series_embedding's table)."""

    @property
    def numbers(self) -> dict[str, int]:
        """Each series' number: 1, 2, ... in id order, or a trained run's, where a series it
        never saw is 0 (its learned "unknown" vector) and the others keep their rows."""
        if self.trained_numbers is not None:
            return {sid: self.trained_numbers.get(sid, 0) for sid in self.everyone.ids}
        return {sid: index for index, sid in enumerate(self.everyone.ids, start=1)}

    @property
    def vectors(self) -> int:
        """Rows of the series table: the series, or a trained run's count of them."""
        if self.trained_numbers is not None:
            return max(self.trained_numbers.values(), default=0)
        return len(self.everyone.ids)

    @classmethod
    def of(
        cls,
        experiment: Experiment,
        index: Panel,
        files: list[Path],
        *,
        state: dict[str, Any] | None = None,
    ) -> WorkloadPlan:
        season_length = season_length_of(experiment.data, index.frequency)
        resolved = with_lookback(
            experiment, season_length, training=_lone_training(index, experiment)
        )
        split = resolved.split
        cut_offs = common_cut_offs(index, validation=split.validation, test=split.test)
        scalers = trained_scalers(state) if state is not None else None
        everyone = _layout(resolved, index, cut_offs, scalers)
        _check_some_series(resolved, index, everyone)
        static = (
            state["static"]  # a trained run's one-hot columns; a new level reads as zeros
            if state is not None and "static" in state
            else static_levels(index, everyone.ids, resolved.data.static)
        )
        numbers = (
            {sid: entry["number"] for sid, entry in state["series"].items()}
            if state is not None and experiment.model.series_embedding
            else None
        )
        return cls(
            resolved, index, everyone, static, season_length, cut_offs, files, scalers, numbers
        )

    def part(self, shard: FileShard, *, features: bool = True) -> Workload:
        """The series of one worker's files, read with their values."""
        own = shard.own(self.files)
        panel = load_series_of(self.experiment.data, files=own, frequency=self.index.frequency)
        return self.table_of(panel, own, features=features)

    def whole_from(self, own: Workload, shard: FileShard) -> Iterator[Workload]:
        """The whole workload as the chief scores it: its own part, already in memory, then each
        other worker's part, read when reached; so it never holds more than two parts."""
        yield own
        for worker in range(shard.workers):
            if worker != shard.worker:
                yield self.part(FileShard(worker, shard.workers), features=False)

    def table_of(self, panel: Panel, files: list[Path], *, features: bool = True) -> Workload:
        """`panel`'s series laid out as in the whole workload: the table and its windows (and,
        unless features=False, the feature columns' originals, narrowed)."""
        experiment, windows = self.experiment, self.experiment.windows
        layout = (
            self.everyone
            if panel is self.index
            else _layout(experiment, panel, self.cut_offs, self.scalers)
        )
        if not layout.ids:
            raise DataError(
                f"{experiment.data.path}: the files {', '.join(f.name for f in files)} hold no "
                "series long enough for a window in every split; spread the long series over "
                "the files"
            )
        number = self.numbers
        numbers = [number[sid] for sid in layout.ids]
        embedded = experiment.model.series_embedding > 0
        with phase("window"):
            starts = panel_starts(
                layout, lookback=windows.lookback, horizon=windows.horizon, stride=windows.stride,
                evaluation_stride=windows.evaluation_stride,
            )  # fmt: skip
        with phase("scale"):
            table = panel_table(
                panel, layout, experiment.data, self.static,
                numbers=numbers if embedded else None,
            )  # fmt: skip
        if experiment.model.stateful:
            starts["train"] = stateful_train_starts(experiment, layout.bounds[0].validation_start)
        panel = panel.narrowed(features=features)  # the table holds the scaled originals now
        return Workload(
            experiment, panel, layout, self.static, table, starts, self.season_length,
            self.cut_offs, series_count=len(self.everyone.ids), files=tuple(files),
            numbers=tuple(numbers), vectors=self.vectors,
        )  # fmt: skip


def trained_scalers(state: dict[str, Any]) -> dict[str, Scaler]:
    """The scaler of each series a run was trained on, from its preprocessing state."""
    return {sid: Scaler.from_dict(entry["scaler"]) for sid, entry in state["series"].items()}


def merged_state(states: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole workload's preprocessing.json from its parts' (Workload.state): the series and
    the skipped ones of every part, in id order, and the span of them all."""
    if len(states) == 1:
        return states[0]
    merged = dict(states[0])
    for key in ("series", "skipped"):
        merged[key] = dict(sorted(item for state in states for item in state[key].items()))
    frequency = merged["frequency"]
    first = min(pd.Timestamp(s["first_timestamp"]) for s in states)
    last = max(pd.Timestamp(s["last_timestamp"]) for s in states)
    merged["first_timestamp"] = format_timestamp(first, frequency)
    merged["last_timestamp"] = format_timestamp(last, frequency)
    return merged


def _lone_training(index: Panel, experiment: Experiment) -> np.ndarray | None:
    """The training target of a one-series config (what `lookback: auto` reads)."""
    if experiment.data.is_panel or len(index.series) != 1:
        return None
    series = next(iter(index.series.values()))
    from lstmcast.data.split import split_bounds

    bounds = split_bounds(
        series.timestamps, validation=experiment.split.validation, test=experiment.split.test
    )
    return series.target_values[: bounds.validation_start]


def _layout(
    experiment: ResolvedExperiment,
    panel: Panel,
    cut_offs: tuple,
    scalers: dict[str, Scaler] | None = None,
) -> PanelLayout:
    windows = experiment.windows
    return layout_panel(
        panel, cut_offs=cut_offs, lookback=windows.lookback, horizon=windows.horizon,
        method=experiment.scaling.method, scalers=scalers,
    )  # fmt: skip


def _check_model(experiment: Experiment) -> None:
    if experiment.model.stateful and experiment.data.is_panel:
        raise ConfigError(
            "model.stateful: a stateful model carries one series' state from window to "
            "window; it is not built for many series (remove data.series_id or stateful)"
        )


def _check_some_series(experiment: ResolvedExperiment, index: Panel, layout: PanelLayout) -> None:
    """Refuse a workload without a series long enough: a one-series config with the reason
    its split gives, a many-series one with the first left-out series."""
    if layout.ids:
        return
    windows = experiment.windows
    if not experiment.data.is_panel:
        series = next(iter(index.series.values()))
        _refuse_short_series(experiment, series, layout)
    example = next(iter(layout.skipped.items()))
    raise DataError(
        f"{experiment.data.path}: none of the {len(layout.skipped)} series is long enough "
        f"for lookback {windows.lookback} + horizon {windows.horizon} in every split (e.g. "
        f"{example[0]}: {example[1]}); shorten the lookback or the splits"
    )


def _refuse_short_series(
    experiment: ResolvedExperiment, series: Series, layout: PanelLayout
) -> None:
    """The one series' own words: too few rows in all, or which split holds no window."""
    from lstmcast.data.split import split_bounds
    from lstmcast.data.windows import split_window_starts

    windows = experiment.windows
    lookback, horizon = windows.lookback, windows.horizon
    if series.num_rows < lookback + horizon + 2:
        raise DataError(
            f"{series.source}: {series.num_rows} rows are too few for lookback {lookback} + "
            f"horizon {horizon} and three splits; use more data or a shorter windows.lookback"
        )
    bounds = split_bounds(
        series.timestamps, validation=experiment.split.validation, test=experiment.split.test
    )
    starts = split_window_starts(bounds, lookback=lookback, horizon=horizon)
    for split, found in starts.items():
        if len(found) == 0:
            raise ConfigError(empty_split_message(split, bounds, lookback, horizon))


@dataclass(frozen=True)
class ForecastInput:
    """What a forecast reads, for every series of its input: the history up to the origin,
    the known-in-advance values over the horizon after it, and the horizon's timestamps."""

    panel: Panel
    known: dict[str, np.ndarray]
    """Series -> (horizon, known columns), raw; empty without data.known."""
    future: dict[str, pd.DatetimeIndex | None]
    """Series -> the forecast's timestamps (None for frequency none)."""


def load_forecast_input(
    data: DataSection,
    *,
    frequency: str,
    horizon: int,
    path: Path | None = None,
    as_of: pd.Timestamp | None = None,
) -> ForecastInput:
    """Every series of `path` (default: the training data) up to `as_of` (or, with known
    columns, its last observed row), with what the horizon after it holds. With data.known the
    rows after each series' last observed value carry those columns (data/known_future.py)."""
    role = "--input" if path is not None else "data.path"
    if not data.known:
        panel = load_series_of(data, path=path, frequency=frequency, role=role, as_of=as_of)
        timeline = timeline_of(data, frequency)
        future = {
            sid: timeline.future(s.timestamps[-1], horizon) for sid, s in panel.series.items()
        }
        return ForecastInput(panel, {}, future)
    source = path or data.path
    series, known, future, static = {}, {}, {}, {}
    for sid, frame, attributes in _series_frames(data, source, role):
        series[sid], known[sid], future[sid] = history_and_future(
            frame, data, horizon=horizon, frequency=frequency, source=source,
            feed=path is not None, as_of=as_of, name=sid if data.is_panel else None,
        )  # fmt: skip
        static[sid] = attributes
    return ForecastInput(Panel(dict(sorted(series.items())), static), known, future)


def _series_frames(
    data: DataSection, source: Path, role: str
) -> Iterator[tuple[str, pd.DataFrame, dict[str, str]]]:
    """(id, its rows as read, its static attributes) of every series in `source`."""
    if not data.is_panel:
        yield data.target, read_columns(data, source, role), {}
        return
    for file in input_files(source, role):
        frame = long_frame(data, file, role)
        for sid, rows in frame.groupby("__series", sort=True).indices.items():
            part = frame.iloc[rows]
            attributes = {name: str(part[name].iloc[0]) for name in data.static}
            yield str(sid), part, attributes


def refit_part(workload: Workload, origin: pd.Timestamp) -> Workload:
    """What one backtest refit trains on: every series' rows up to `origin` (all of them, or
    the last backtest.train_rows for a sliding window), the last of them validating (as many
    rows as the full run's validation part), no test part, each series scaled by its own new
    training rows. Nothing after `origin` is in it.

    100 rows, validation part of 10, origin at row 59: trains on 0-49, validates on 50-59.
    """
    experiment = workload.experiment
    section, windows = experiment.backtest, experiment.windows
    kept: dict[str, Series] = {}
    bounds, scalers, skipped = [], [], {}
    for sid, full in zip(workload.ids, workload.layout.bounds, strict=True):
        series = workload.panel.series[sid]
        end = int(series.timestamps.searchsorted(origin, side="right"))
        first = max(end - section.train_rows, 0) if section.window == "sliding" else 0
        part = _refit_bounds(full, first, end)
        if part.validation_start < windows.lookback + windows.horizon:
            why = _refit_too_short(first, end, part.validation_start, windows)
            if not workload.keyed:
                raise ConfigError(f"backtest: {why}")
            skipped[sid] = why
            continue
        kept[sid] = series.rows(first, end)
        bounds.append(part)
        training = kept[sid].training_values(part.validation_start)
        scalers.append(fit_scaler(training, experiment.scaling.method))  # type: ignore[arg-type]
    sizes = [kept[sid].num_rows for sid in kept]
    layout = PanelLayout(list(kept), np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64),
                         bounds, scalers, skipped)  # fmt: skip
    panel = Panel(kept, workload.panel.static)
    return _laid_out(workload, panel, layout)


def _refit_bounds(full: SplitBounds, first: int, end: int) -> SplitBounds:
    validation_rows = full.test_start - full.validation_start
    rows = end - first
    return SplitBounds(rows - validation_rows, rows, rows)


def _refit_too_short(first: int, end: int, train_rows: int, windows: Any) -> str:
    return (
        f"a refit on rows {first}..{end - 1} keeps {train_rows} rows to train on, fewer than "
        f"lookback + horizon = {windows.lookback + windows.horizon}; use fewer folds, a smaller "
        "spacing, or a longer backtest.train_rows"
    )


def _laid_out(workload: Workload, panel: Panel, layout: PanelLayout) -> Workload:
    """`panel` laid out as `layout` says, with the workload's settings: its table and windows."""
    experiment, windows = workload.experiment, workload.experiment.windows
    position = dict(zip(workload.ids, workload.numbers, strict=True))
    numbers = [position[sid] for sid in layout.ids]
    embedded = experiment.model.series_embedding > 0
    table = panel_table(
        panel, layout, experiment.data, workload.static, numbers=numbers if embedded else None
    )
    starts = panel_starts(
        layout, lookback=windows.lookback, horizon=windows.horizon, stride=windows.stride,
        evaluation_stride=windows.evaluation_stride,
    )  # fmt: skip
    if experiment.model.stateful:
        starts["train"] = stateful_train_starts(experiment, layout.bounds[0].validation_start)
    return replace(
        workload, panel=panel, layout=layout, table=table, starts=starts, numbers=tuple(numbers)
    )
