"""A panel experiment -> the stacked table, its windows and the per-series bookkeeping."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmcast.config.schema import Experiment, ResolvedExperiment
from lstmcast.data.checks import data_warnings
from lstmcast.data.frequency import format_timestamp
from lstmcast.data.panel import (
    Panel,
    PanelLayout,
    common_cut_offs,
    layout_panel,
    load_panel,
    panel_starts,
    panel_table,
    static_levels,
)
from lstmcast.data.prepare import PreparedData, season_length_of, with_lookback
from lstmcast.data.scaling import Scaler
from lstmcast.data.shards import FileShard, data_files, input_files
from lstmcast.data.split import SplitBounds
from lstmcast.data.validate import Series
from lstmcast.errors import ConfigError, DataError


@dataclass(frozen=True)
class PanelData:
    experiment: ResolvedExperiment
    panel: Panel
    layout: PanelLayout
    static: dict[str, list[str]]
    """Static column -> its levels in training (the one-hot order)."""
    table: np.ndarray
    starts: dict[str, np.ndarray]
    season_length: int
    cut_offs: tuple[pd.Timestamp, pd.Timestamp]
    series_count: int
    """The series kept in the whole panel (a worker's table may hold some of them only)."""
    files: tuple[Path, ...]
    """The files whose values this process read."""
    numbers: tuple[int, ...]
    """Each kept series' number in the whole panel (1 for its first kept series): what
    model.series_embedding looks up, the same in every part."""

    @functools.cached_property
    def fitting(self) -> PreparedData:
        """The view fit_model trains on (and the intervals and the ONNX check read): the
        stacked table (already scaled, per series, so the loss is reported in scaled units)
        and the windows of every series. Built once: it copies the target column."""
        rows, columns = self.table.shape
        stacked = Series(
            timestamps=pd.DatetimeIndex(np.zeros(rows, dtype="datetime64[ns]")),
            values=self.table[:, :1].astype(np.float64),
            columns=[self.experiment.data.target],
            frequency=self.panel.frequency,
            source=self.experiment.data.path,
        )
        identity = Scaler("none", np.zeros(columns), np.ones(columns))
        count = self.series_count if self.experiment.model.series_embedding else 0
        return PreparedData(
            self.experiment, stacked, SplitBounds(0, 0, rows), identity, self.table,
            self.starts, self.season_length, series_count=count,
        )  # fmt: skip

    @property
    def warnings(self) -> list[str]:
        """What to say before training: series with a constant target, intervals that the
        pooled validation windows cannot calibrate."""
        training = {
            sid: self.panel.series[sid].values[: bounds.validation_start, 0]
            for sid, bounds in zip(self.layout.ids, self.layout.bounds, strict=True)
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
            "panel": True,
            "frequency": self.panel.frequency,
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
                    self.numbers,
                    self.layout.ids,
                    self.layout.scalers,
                    self.layout.bounds,
                    strict=True,
                )
            },
            "static": self.static,
            "series_embedding": self.experiment.model.series_embedding,
            "skipped": self.layout.skipped,
            "validation_starts": stamp(self.cut_offs[0]),
            "test_starts": stamp(self.cut_offs[1]),
            "first_timestamp": stamp(first),
            "last_timestamp": stamp(last),
        }


def prepare_panel(experiment: Experiment) -> PanelData:
    """Validate every series, cut all at one calendar cut-off, scale each by its own training
    part, and index the windows of the series long enough for them. (A worker reading its
    own files of a folder takes its part of plan_panel instead.)"""
    _check_panel_model(experiment)
    files = input_files(experiment.data.path)
    panel = load_panel(experiment.data, files=files)
    return PanelPlan.of(experiment, panel, files).table_of(panel, files)


def plan_panel(experiment: Experiment) -> PanelPlan:
    """The plan of a panel kept as a folder of files, from every file's timestamps and static
    columns, without their values."""
    _check_panel_model(experiment)
    files = data_files(experiment.data.path)
    return PanelPlan.of(experiment, load_panel(experiment.data, files=files, values=False), files)


@dataclass(frozen=True)
class PanelPlan:
    """What every part of a panel shares: the resolved experiment, the cut-offs, which series
    are kept and in what order (their numbers), the static levels. Made from every series'
    timestamps and static columns, so that workers reading different files agree on it without
    talking to each other, and a process can take the panel a part at a time."""

    experiment: ResolvedExperiment
    index: Panel
    """Every series; its values are zeros when the plan was read without them."""
    everyone: PanelLayout
    static: dict[str, list[str]]
    season_length: int
    cut_offs: tuple[pd.Timestamp, pd.Timestamp]
    files: list[Path]

    @classmethod
    def of(cls, experiment: Experiment, index: Panel, files: list[Path]) -> PanelPlan:
        season_length = season_length_of(experiment.data, index.frequency)
        resolved = with_lookback(experiment, season_length)
        split = resolved.split
        cut_offs = common_cut_offs(index, validation=split.validation, test=split.test)
        everyone = _layout(resolved, index, cut_offs)
        _check_some_series(resolved, everyone)
        static = static_levels(index, everyone.ids, resolved.data.static)
        return cls(resolved, index, everyone, static, season_length, cut_offs, files)

    def part(self, shard: FileShard) -> PanelData:
        """The series of one worker's files, read with their values."""
        own = shard.own(self.files)
        data = self.experiment.data
        return self.table_of(load_panel(data, files=own, frequency=self.index.frequency), own)

    def whole_from(self, own: PanelData, shard: FileShard) -> Iterator[PanelData]:
        """The whole panel as the chief scores it: its own part, already in memory, then each
        other worker's part, read when reached; so it never holds more than two parts."""
        yield own
        for worker in range(shard.workers):
            if worker != shard.worker:
                yield self.part(FileShard(worker, shard.workers))

    def table_of(self, panel: Panel, files: list[Path]) -> PanelData:
        """`panel`'s series laid out as in the whole panel: the table and its windows."""
        experiment, windows = self.experiment, self.experiment.windows
        layout = self.everyone if panel is self.index else _layout(experiment, panel, self.cut_offs)
        if not layout.ids:
            raise DataError(
                f"{experiment.data.path}: the files {', '.join(f.name for f in files)} hold no "
                "series long enough for a window in every split; spread the long series over "
                "the files"
            )
        number = {sid: index for index, sid in enumerate(self.everyone.ids, start=1)}
        numbers = [number[sid] for sid in layout.ids]
        embedded = experiment.model.series_embedding > 0
        calendar = experiment.data.calendar
        table = panel_table(
            panel, layout, calendar, self.static, numbers=numbers if embedded else None
        )
        starts = panel_starts(
            layout,
            lookback=windows.lookback,
            horizon=windows.horizon,
            stride=windows.stride,
            evaluation_stride=windows.evaluation_stride,
        )
        return PanelData(
            experiment, panel, layout, self.static, table, starts, self.season_length,
            self.cut_offs, series_count=len(self.everyone.ids), files=tuple(files),
            numbers=tuple(numbers),
        )  # fmt: skip


def merged_state(states: list[dict[str, Any]]) -> dict[str, Any]:
    """The whole panel's preprocessing.json from its parts' (PanelData.state): the series and
    the skipped ones of every part, in id order, and the span of them all."""
    if len(states) == 1:
        return states[0]
    merged = dict(states[0])
    for key in ("series", "skipped"):
        merged[key] = dict(sorted(item for state in states for item in state[key].items()))
    frequency = merged["frequency"]
    first = min(pd.Timestamp(s["first_timestamp"]) for s in states)
    merged["first_timestamp"] = format_timestamp(first, frequency)
    merged["last_timestamp"] = format_timestamp(
        max(pd.Timestamp(s["last_timestamp"]) for s in states), frequency
    )
    return merged


def _layout(experiment: ResolvedExperiment, panel: Panel, cut_offs: tuple) -> PanelLayout:
    windows = experiment.windows
    return layout_panel(
        panel, cut_offs=cut_offs, lookback=windows.lookback, horizon=windows.horizon,
        method=experiment.scaling.method,
    )  # fmt: skip


def _check_panel_model(experiment: Experiment) -> None:
    if experiment.model.stateful:
        raise ConfigError("model.stateful: a stateful model reads one series; not for panels")


def _check_some_series(experiment: ResolvedExperiment, layout: PanelLayout) -> None:
    if not layout.ids:
        windows = experiment.windows
        example = next(iter(layout.skipped.items()))
        raise DataError(
            f"{experiment.data.path}: none of the {len(layout.skipped)} series is long enough "
            f"for lookback {windows.lookback} + horizon {windows.horizon} in every split (e.g. "
            f"{example[0]}: {example[1]}); shorten the lookback or the splits"
        )
