"""A panel experiment -> the stacked table, its windows and the per-series bookkeeping."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstmcast.config.schema import Experiment, ResolvedExperiment
from lstmcast.data.frequency import season_length_for
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
from lstmcast.data.prepare import PreparedData, with_lookback
from lstmcast.data.scaling import Scaler
from lstmcast.data.shards import data_files, worker_files
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
    series_count: int = 0
    """The series kept in the whole panel (a worker's table may hold some of them only)."""
    files: tuple[Path, ...] = ()
    """The files whose values this process read."""

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
    def span(self) -> tuple[pd.Timestamp, pd.Timestamp]:
        """The first and the last timestamp of any series."""
        series = self.panel.series.values()
        return min(s.timestamps[0] for s in series), max(s.timestamps[-1] for s in series)

    def state(self) -> dict[str, Any]:
        """What forecasting needs, as JSON (the run folder's preprocessing.json)."""
        first, last = self.span
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
                    "last_timestamp": str(self.panel.series[sid].timestamps[-1]),
                }
                for number, (sid, scaler, bounds) in enumerate(
                    zip(self.layout.ids, self.layout.scalers, self.layout.bounds, strict=True),
                    start=1,
                )
            },
            "static": self.static,
            "series_embedding": self.experiment.model.series_embedding,
            "skipped": self.layout.skipped,
            "validation_starts": str(self.cut_offs[0]),
            "test_starts": str(self.cut_offs[1]),
            "first_timestamp": str(first),
            "last_timestamp": str(last),
        }


@dataclass(frozen=True)
class FileShard:
    """This worker's place in a multi-worker run that reads a folder of files: it reads the
    values of every `workers`-th file from its rank only."""

    worker: int
    workers: int


def prepare_panel(experiment: Experiment, *, shard: FileShard | None = None) -> PanelData:
    """Validate every series, cut all at one calendar cut-off, scale each by its own training
    part, and index the windows of the series long enough for them.

    With a `shard`, the table holds this worker's files' series only, laid out as in the whole
    panel: every worker reads every file's timestamps and static columns (not its values), so
    all agree on the cut-offs, which series are left out, their numbers and the static levels,
    without talking to each other."""
    if experiment.model.stateful:
        raise ConfigError("model.stateful: a stateful model reads one series; not for panels")
    index, panel, files = _read(experiment, shard)
    season_length = experiment.data.season_length or season_length_for(index.frequency)
    experiment = with_lookback(experiment, season_length)
    windows = experiment.windows
    cut_offs = common_cut_offs(
        index, validation=experiment.split.validation, test=experiment.split.test
    )
    layout_of = functools.partial(
        layout_panel, cut_offs=cut_offs, lookback=windows.lookback, horizon=windows.horizon,
        method=experiment.scaling.method,
    )  # fmt: skip
    everyone = layout_of(index)
    _check_some_series(experiment, everyone)
    layout = everyone if panel is index else layout_of(panel)
    if not layout.ids:
        raise DataError(
            f"{experiment.data.path}: worker {shard.worker if shard else 0}'s files hold no "
            "series long enough for a window in every split; spread the long series over the "
            "files"
        )
    static = static_levels(index, everyone.ids, experiment.data.static)
    numbers = _numbers(everyone, layout) if experiment.model.series_embedding > 0 else None
    table = panel_table(panel, layout, experiment.data.calendar, static, numbers=numbers)
    starts = panel_starts(
        layout,
        lookback=windows.lookback,
        horizon=windows.horizon,
        stride=windows.stride,
        evaluation_stride=windows.evaluation_stride,
    )
    return PanelData(
        experiment, panel, layout, static, table, starts, season_length, cut_offs,
        series_count=len(everyone.ids), files=tuple(files),
    )  # fmt: skip


def _read(experiment: Experiment, shard: FileShard | None) -> tuple[Panel, Panel, list[Path]]:
    """(every series, at least their timestamps; the series whose values this process reads;
    the files those come from)."""
    data = experiment.data
    if shard is None:
        panel = load_panel(data)
        return panel, panel, data_files(data.path) if data.path.is_dir() else [data.path]
    files = data_files(data.path)
    own = worker_files(files, worker=shard.worker, workers=shard.workers)
    index = load_panel(data, files=files, values=False)
    return index, load_panel(data, files=own, frequency=index.frequency), own


def _check_some_series(experiment: ResolvedExperiment, layout: PanelLayout) -> None:
    if not layout.ids:
        windows = experiment.windows
        example = next(iter(layout.skipped.items()))
        raise DataError(
            f"{experiment.data.path}: none of the {len(layout.skipped)} series is long enough "
            f"for lookback {windows.lookback} + horizon {windows.horizon} in every split (e.g. "
            f"{example[0]}: {example[1]}); shorten the lookback or the splits"
        )


def _numbers(everyone: PanelLayout, layout: PanelLayout) -> list[int]:
    """Each of `layout`'s series' number in the whole panel (1 for its first kept series):
    what model.series_embedding looks up, the same on every worker."""
    number = {sid: index for index, sid in enumerate(everyone.ids, start=1)}
    return [number[sid] for sid in layout.ids]
