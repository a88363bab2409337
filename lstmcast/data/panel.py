"""Many series, one model: a long or wide CSV -> validated series -> one scaled table whose
windows never cross a series boundary.

The table stacks the series one after another (each scaled with the statistics of its own
training part), and a window is a start index into it, as for one series: so memory grows
with the rows, not with windows x lookback, and batches mix series. Splits share one calendar
cut-off: the validation and test parts begin at the same timestamps in every series (taken
from the union of their timestamps), so no series' test is another's training. Series too
short for a window in every split are listed with the reason and left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import Tick

from lstmcast.config.sections.data import DataSection
from lstmcast.data.calendar import calendar_features
from lstmcast.data.freshness import in_zone_of, nothing_before
from lstmcast.data.read import column_names, read_csv
from lstmcast.data.scaling import Scaler, fit_scaler
from lstmcast.data.shards import input_files
from lstmcast.data.split import SplitBounds, split_bounds
from lstmcast.data.validate import (
    Rules,
    Series,
    numeric_column,
    parse_timestamps,
    validate_frame,
)
from lstmcast.data.windows import split_window_starts
from lstmcast.errors import ConfigError, DataError
from lstmcast.phases import phase


@dataclass(frozen=True)
class Panel:
    """Validated series by id (sorted), with their static attributes."""

    series: dict[str, Series]
    static: dict[str, dict[str, str]] = field(default_factory=dict)
    """id -> {column: level}."""

    @property
    def frequency(self) -> str:
        return next(iter(self.series.values())).frequency

    def narrowed(self, *, features: bool = True) -> Panel:
        """Every series narrowed (Series.narrowed): once the table is built."""
        narrowed = {sid: s.narrowed(features=features) for sid, s in self.series.items()}
        return replace(self, series=narrowed)


def load_panel(
    data: DataSection, *, path: Path | None = None, files: list[Path] | None = None,
    frequency: str | None = None, role: str = "data.path", as_of: pd.Timestamp | None = None,
    values: bool = True,
) -> Panel:  # fmt: skip
    """Read and validate every series (only its rows at or before `as_of`, when given);
    errors name the series and the file's line. A folder is read file by file (data/shards.py),
    or only `files` of it, each holding whole series. values=False reads the series' timestamps
    and static columns but not their values (zeros stand in): what every worker needs to agree
    on the splits and the series' numbers while reading the values of its own files only."""
    source = path or data.path
    files = files or input_files(source, role)
    if not values and data.layout == "long":
        data = data.model_copy(update={"features": []})
    one = len(files) == 1  # of several, a file may hold only series that begin after as_of
    parts = [
        _load_file(data, file, role, frequency, as_of, values=values, one=one) for file in files
    ]
    panel = parts[0] if one else _merged(parts, files)
    if not panel.series and as_of is not None:
        raise ConfigError(
            f"--as-of {as_of.isoformat()}: no file in {source} has rows at or before it"
        )
    _check_one_frequency(panel.series, source)
    return panel


def _load_file(
    data: DataSection, source: Path, role: str, frequency: str | None,
    as_of: pd.Timestamp | None, *, values: bool, one: bool = True,
) -> Panel:  # fmt: skip
    with phase("read"):
        frame = long_frame(data, source, role, values=values)
    with phase("validate"):
        return _validated_file(frame, data, source, frequency, as_of, values=values, one=one)


def _validated_file(
    frame: pd.DataFrame, data: DataSection, source: Path, frequency: str | None,
    as_of: pd.Timestamp | None, *, values: bool, one: bool,
) -> Panel:  # fmt: skip
    stamps = parse_timestamps(frame[data.timestamp], source, data.timestamp, timezone=data.timezone)
    if values or data.layout == "wide":
        numbers = {name: numeric_column(frame[name], source, name) for name in data.columns}
    else:
        numbers = {data.target: np.zeros(len(frame))}
    groups = frame.groupby("__series", sort=True).indices  # id -> its rows, in file order
    if as_of is not None:
        groups = _until(groups, stamps, as_of, source, required=one)
        if not groups:
            return Panel({})
    series = _validated(groups, stamps, numbers, data, source, frequency)
    static = {
        str(sid): {name: str(frame[name].iloc[rows[0]]) for name in data.static}
        for sid, rows in groups.items()
    }
    return Panel(series, static)


def _merged(parts: list[Panel], files: list[Path]) -> Panel:
    """One panel of the files' series, sorted by id as one file's would be; a series in two
    files is refused (each file must hold whole series)."""
    where: dict[str, Path] = {}
    for part, file in zip(parts, files, strict=True):
        for sid in part.series:
            if sid in where:
                raise DataError(
                    f"series {sid} is in both {where[sid]} and {file}; each file of a folder "
                    "must hold whole series (partition the data by series)"
                )
            where[sid] = file
    series = {sid: s for part in parts for sid, s in part.series.items()}
    static = {sid: s for part in parts for sid, s in part.static.items()}
    return Panel(dict(sorted(series.items())), static)


def _validated(
    groups: dict[str, np.ndarray],
    stamps: pd.DatetimeIndex,
    values: dict[str, np.ndarray],
    data: DataSection,
    source: Path,
    frequency: str | None,
) -> dict[str, Series]:
    """Every series through validate_frame, except those the first one shows to be already
    regular: its fixed step throughout, no empty cell (checked for all series at once, in
    numpy), which validate_frame would pass through unchanged."""
    ids = list(groups)
    first = _validate_one(ids[0], groups[ids[0]], stamps, values, data, source, frequency)
    series = {str(ids[0]): first}
    regular = _regular(groups, stamps, values, first.frequency, data.sessions is None)
    for index, sid in enumerate(ids[1:], start=1):
        rows = groups[sid]
        series[str(sid)] = (
            Series(
                pd.DatetimeIndex(stamps[rows]),
                np.column_stack([values[name][rows] for name in data.columns]),
                list(data.columns), first.frequency, Path(f"{source} [series {sid}]"),
            )
            if regular[index]
            else _validate_one(sid, rows, stamps, values, data, source, frequency)
        )  # fmt: skip
    return series


def _validate_one(
    sid: str,
    rows: np.ndarray,
    stamps: pd.DatetimeIndex,
    values: dict[str, np.ndarray],
    data: DataSection,
    source: Path,
    frequency: str | None,
) -> Series:
    """One series' rows through the single-series validation (gaps, frequency, missing)."""
    _check_order(stamps[rows], rows, source, sid)
    part = pd.DataFrame({data.timestamp: stamps[rows]})
    for name in data.columns:
        part[name] = values[name][rows]
    return validate_frame(
        part,
        source=Path(f"{source} [series {sid}]"),
        timestamp=data.timestamp,
        columns=data.columns,
        rules=Rules.of(data, frequency=frequency),
    )


def _regular(
    groups: dict[str, np.ndarray],
    stamps: pd.DatetimeIndex,
    values: dict[str, np.ndarray],
    frequency: str,
    grid: bool = True,
) -> np.ndarray:
    """Per series: True when its rows step by exactly `frequency` (a fixed step; a daily one
    over at least a week, so that it cannot be read as business days) with no empty cell;
    none is, off a clock grid (sessions: rows outside them must be found). Temporaries are a
    few arrays of one number per row."""
    step = _fixed_step_ns(frequency)
    if step is None or not grid:
        return np.zeros(len(groups), dtype=bool)
    lengths = np.array([len(rows) for rows in groups.values()])
    bad = lengths < (7 if step == DAY_NS else 3)
    ends = np.cumsum(lengths)
    order = np.concatenate(list(groups.values()))
    ticks = stamps.asi8[order]  # in the index's own unit
    del order
    per_tick = pd.Timedelta(1, unit=stamps.unit).value
    off_grid = ticks[1:] != ticks[:-1] + step // per_tick
    off_grid[ends[:-1] - 1] = False  # from one series' last row to the next one's first
    bad[np.searchsorted(ends, np.flatnonzero(off_grid), side="right")] = True
    del ticks, off_grid
    empty = np.zeros(len(stamps), dtype=bool)
    for column in values.values():
        empty |= np.isnan(column)
    if empty.any():  # rows no series keeps (after --as-of) have no owner
        owner = np.full(len(stamps), -1, dtype=np.int32)
        for index, rows in enumerate(groups.values()):
            owner[rows] = index
        owners = owner[empty]
        bad[owners[owners >= 0]] = True
    return ~bad


DAY_NS = 86_400_000_000_000


def _fixed_step_ns(frequency: str) -> int | None:
    """The step of a fixed frequency in nanoseconds ('h', '30min', 'D'); None for calendar
    steps (months, business days, weeks anchored to a weekday) and for 'none'."""
    try:
        offset = to_offset(frequency)
    except ValueError:
        return None
    return int(offset.nanos) if isinstance(offset, Tick) else None


def _until(
    groups: dict[str, np.ndarray], stamps: pd.DatetimeIndex, as_of: pd.Timestamp, source: Path,
    *, required: bool = True,
) -> dict[str, np.ndarray]:  # fmt: skip
    """Each series' rows at or before `as_of` (the series with none are dropped), keeping the
    row numbers so errors still name the file's lines; none at all is an error if `required`."""
    early = np.asarray(stamps <= in_zone_of(as_of, stamps))
    kept = {sid: rows[early[rows]] for sid, rows in groups.items()}
    kept = {sid: rows for sid, rows in kept.items() if len(rows)}
    if not kept and required:
        raise nothing_before(as_of, source, stamps.min())
    return kept


def long_frame(data: DataSection, source: Path, role: str, *, values: bool = True) -> pd.DataFrame:
    """The CSV as long rows with a `__series` column (a wide file melted, one column a series);
    values=False: a long file's timestamps, series ids and static columns only."""
    if data.layout == "wide":
        names = [name for name in column_names(source, role) if name != data.timestamp]
        frame = read_csv(source, timestamp=data.timestamp, columns=names, role=role)
        long = frame.melt(id_vars=[data.timestamp], var_name="__series", value_name=data.target)
        return _trimmed(long, data.target).reset_index(drop=True)
    columns = [*(data.columns if values else []), data.series_id, *data.static]
    keys = {data.series_id: "data.series_id", **{name: "data.static" for name in data.static}}
    frame = read_csv(source, timestamp=data.timestamp, columns=columns, role=role, keys=keys)
    return frame.rename(columns={data.series_id: "__series"}).astype({"__series": str})


def _trimmed(long: pd.DataFrame, target: str) -> pd.DataFrame:
    """A wide file's series start and end at different rows: the empty cells before a
    series' first value and after its last are not part of it (those inside it are missing
    values, for data.missing)."""
    present = long[target].notna()
    groups = present.groupby(long["__series"])
    started = groups.cummax()
    not_ended = present[::-1].groupby(long["__series"][::-1]).cummax()[::-1]
    return long[started & not_ended]


def _check_order(stamps: pd.DatetimeIndex, rows: np.ndarray, source: Path, sid: str) -> None:
    steps = np.diff(stamps.asi8)
    bad = np.flatnonzero(steps <= 0)
    if len(bad):
        row = bad[0] + 1
        what = "repeats" if steps[bad[0]] == 0 else "goes back in time at"
        raise DataError(
            f"{source}: series {sid} {what} {stamps[row]} on line {rows[row] + 2} (its previous "
            f"row is line {rows[row - 1] + 2}); sort the file by series, then time, one row per "
            "timestamp"
        )


def _check_one_frequency(series: dict[str, Series], source: Path) -> None:
    frequencies = {s.frequency for s in series.values()}
    if len(frequencies) > 1:
        examples = {f: next(i for i, s in series.items() if s.frequency == f) for f in frequencies}
        listed = ", ".join(f"'{f}' (e.g. {sid})" for f, sid in sorted(examples.items()))
        raise DataError(
            f"{source}: the series step by different frequencies: {listed}; one model needs "
            "one step: set data.frequency or split the file"
        )


@dataclass(frozen=True)
class PanelLayout:
    """Where each kept series lives in the stacked table, and how it was scaled."""

    ids: list[str]
    offsets: np.ndarray
    """Row of each series' first value in the table; series i is rows offsets[i]..offsets[i+1]."""
    bounds: list[SplitBounds]
    scalers: list[Scaler]
    skipped: dict[str, str]
    """id -> why the series was left out."""

    def series_of(self, rows: np.ndarray) -> np.ndarray:
        """Index of the series each table row belongs to."""
        return np.searchsorted(self.offsets, rows, side="right") - 1


def common_cut_offs(
    panel: Panel, *, validation: object, test: object
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The timestamps where validation and test begin, for every series alike: the config's
    split sizes applied to the union of the series' timestamps."""
    first, *others = (series.timestamps for series in panel.series.values())
    union = first.append(others).unique().sort_values()
    bounds = split_bounds(union, validation=validation, test=test)  # type: ignore[arg-type]
    return union[bounds.validation_start], union[bounds.test_start]


def layout_panel(
    panel: Panel,
    *,
    cut_offs: tuple,
    lookback: int,
    horizon: int,
    method: str,
    scalers: dict[str, Scaler] | None = None,
) -> PanelLayout:
    """Per-series bounds at the common cut-offs and scalers of each training part (or the
    given ones, a trained run's, for the series it has); series that cannot give a window in
    every split are skipped with the reason."""
    scalers_given = scalers
    ids, offsets, bounds, scalers, skipped = [], [0], [], [], {}
    for sid, series in panel.series.items():
        validation_start = int(series.timestamps.searchsorted(cut_offs[0]))
        test_start = int(series.timestamps.searchsorted(cut_offs[1]))
        part = SplitBounds(validation_start, test_start, series.num_rows)
        reason = _too_short(part, lookback=lookback, horizon=horizon)
        if reason:
            skipped[sid] = reason
            continue
        ids.append(sid)
        bounds.append(part)
        given = (scalers_given or {}).get(sid)
        fitted = given or fit_scaler(series.training_values(validation_start), method)  # type: ignore[arg-type]
        scalers.append(fitted)
        offsets.append(offsets[-1] + series.num_rows)
    return PanelLayout(ids, np.asarray(offsets, dtype=np.int64), bounds, scalers, skipped)


def _too_short(bounds: SplitBounds, *, lookback: int, horizon: int) -> str | None:
    train = bounds.validation_start
    validation = bounds.test_start - bounds.validation_start
    test = bounds.num_rows - bounds.test_start
    if train < lookback + horizon:
        return f"{train} training rows, fewer than lookback + horizon = {lookback + horizon}"
    if validation < horizon or test < horizon:
        return f"{validation} validation and {test} test rows; each needs the horizon ({horizon})"
    return None


def panel_table(
    panel: Panel,
    layout: PanelLayout,
    data: DataSection,
    static: dict,
    *,
    numbers: list[int] | None = None,
) -> np.ndarray:
    """The stacked model input table: each series' block (series_table), one after another
    (`static`: column -> levels, the one-hot order; `numbers`: each series' number, with
    model.series_embedding). One series' block is the table itself, not a copy of it."""
    blocks = [
        series_table(
            panel.series[sid],
            scaler,
            panel.static.get(sid, {}),
            data,
            static,
            number=numbers[index] if numbers is not None else None,
        )  # fmt: skip
        for index, (sid, scaler) in enumerate(zip(layout.ids, layout.scalers, strict=True))
    ]
    return blocks[0] if len(blocks) == 1 else np.concatenate(blocks)


def series_table(
    series: Series,
    scaler: Scaler,
    attributes: dict[str, str],
    data: DataSection,
    static: dict,
    *,
    number: int | None = None,
) -> np.ndarray:
    """One series' block of the table, float32, in the order the model reads it: scaled
    observed columns (target, features), static one-hot, the series' number (with
    model.series_embedding), then the trailing columns the model also reads over the horizon:
    scaled known-in-advance columns and calendar features. Filled a column at a time, without
    a float64 copy of the whole block."""
    observed = data.observed_columns
    one_hot = static_one_hot(attributes, static)
    extra = len(one_hot) + (number is not None)
    calendar = calendar_features(series.timestamps, data.calendar) if data.calendar else None
    width = series.values.shape[1] + extra + (calendar.shape[1] if calendar is not None else 0)
    block = np.empty((series.num_rows, width), dtype=np.float32)
    for column in range(series.values.shape[1]):  # known columns go after the one-hot
        place = column if column < observed else column + extra
        original = series.column(column)
        block[:, place] = (original - scaler.center[column]) / scaler.scale[column]
    block[:, observed : observed + len(one_hot)] = one_hot
    if number is not None:
        block[:, observed + len(one_hot)] = number
    if calendar is not None:
        block[:, width - calendar.shape[1] :] = calendar
    return block


def static_levels(panel: Panel, ids: list[str], columns: list[str]) -> dict[str, list[str]]:
    return {name: sorted({panel.static[sid][name] for sid in ids}) for name in columns}


def static_one_hot(attributes: dict[str, str], levels: dict[str, list[str]]) -> np.ndarray:
    """One block per static column, 1 at the series' level; an unseen level is all zeros."""
    parts = [
        np.array([attributes.get(name) == level for level in known], dtype=np.float32)
        for name, known in levels.items()
    ]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)


def panel_starts(
    layout: PanelLayout, *, lookback: int, horizon: int, stride: int, evaluation_stride: int = 1
) -> dict:
    """Window starts per split in table rows: each series' own starts, shifted by its offset,
    so no window reads or predicts across a boundary."""
    per_series = [
        split_window_starts(
            bounds,
            lookback=lookback,
            horizon=horizon,
            stride=stride,
            evaluation_stride=evaluation_stride,
        )
        for bounds in layout.bounds
    ]
    return {
        split: np.concatenate(
            [
                starts[split] + offset
                for starts, offset in zip(per_series, layout.offsets, strict=False)
            ]
        ).astype(np.int64)
        for split in ("train", "validation", "test")
    }
