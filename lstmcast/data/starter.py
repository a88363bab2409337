"""What `lstmcast init` writes for a profiled CSV: the windows, the split and the interval
levels, each with the reason a person reads in the config's comments.

The lookback is left to the shipped rule, max(2 x horizon, 2 x season): measured through the
CLI on 13 real series it beat the autocorrelation lookback init used to write on 10 and lost
on none (bench/ACCURACY.md, method `lstmcast_init`). The validation part is sized so that the
split-conformal bands init asks for are finite: a band at L% needs ceil(100 / (100 - L)) - 1
validation windows (4 for 80%, 19 for 95%), pooled over every series of a panel.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, replace

from lstmcast.config.clock import clock_text, days_text
from lstmcast.config.sections.intervals import windows_needed
from lstmcast.data.frequency import frequency_name
from lstmcast.data.profile import Profile
from lstmcast.data.windows import default_lookback
from lstmcast.text import a_or_an, count_of

LEVELS = (80, 95)
"""The interval levels a run gets by default (IntervalsSection)."""
TEST_SHARE = 0.1
VALIDATION_SHARE = 0.1
PANEL_BATCH = 128
"""Windows a step for a panel with PANEL_BATCH_FROM training windows or more: the same
accuracy as 32 on the bench's panels in about 60 % of the time (bench/panel_accuracy.py)."""
PANEL_BATCH_FROM = 10_000


@dataclass(frozen=True)
class StarterPlan:
    horizon: int
    lookback: int
    """The rule's lookback, which the config leaves out (the rule resolves it at train)."""
    validation: float | int
    test: float | int
    levels: tuple[int, ...]
    """Interval levels the validation part can calibrate; () writes intervals: null."""
    split_reason: str
    levels_reason: str
    batch_size: int | None = None
    """Set for a large panel; None leaves training.batch_size at its default."""
    panel: bool = False
    """Many series: the panel's lookback written out, and a linear skip (panel_lookback)."""


def plan_starter(profile: Profile, *, horizon: int) -> StarterPlan:
    """Windows, split and levels for `profile`'s longest series at `horizon`."""
    rows = (profile.series_rows or profile.rows) + profile.missing_rows  # once filled
    series = profile.series_count
    if series == 1:
        return _split_plan(rows, 1, horizon, default_lookback(horizon, profile.season_length))
    lookback = panel_lookback(horizon, profile.season_length)
    plan = _panel_split(rows, series, horizon, lookback)
    return replace(plan or _split_plan(rows, series, horizon, lookback), panel=True)


def panel_lookback(horizon: int, season_length: int) -> int:
    """Many series: two seasons, or one horizon when that is longer. Shorter than one series'
    rule (two horizons) where the horizon is long against the season: on the quarterly
    tourism panel (horizon 8) lookback 8 scored 0.951 mean MASE, 12 0.991, 16 1.031; on the
    monthly panels 18 lost to 24 (bench/panel_accuracy.py, docs/panels.md)."""
    return max(horizon, 2 * season_length)


def _split_plan(rows: int, series: int, horizon: int, lookback: int) -> StarterPlan:
    """Validation and test as shares of the rows when they give the bands enough windows, else
    the fewest validation rows that do, else no bands."""
    test: float | int = TEST_SHARE if TEST_SHARE * rows >= horizon else horizon
    test_rows = round(test * rows) if isinstance(test, float) else test
    fraction_windows = series * max(round(VALIDATION_SHARE * rows) - horizon + 1, 0)
    for levels in (LEVELS, LEVELS[:1]):
        needed = windows_needed(max(levels))
        if fraction_windows >= needed:
            return StarterPlan(
                horizon, lookback, VALIDATION_SHARE, test, levels,
                f"{VALIDATION_SHARE:g} of the rows: {_windows(fraction_windows, series)}, "
                f"enough to calibrate {_levels(levels)} bands (they need {needed})",
                _levels_reason(levels),
            )  # fmt: skip
        per_series = -(-needed // series)
        validation_rows = per_series + horizon - 1
        train_rows = rows - test_rows - validation_rows
        if train_rows >= max(lookback + 2 * horizon, rows // 2):
            return StarterPlan(
                horizon, lookback, validation_rows, test, levels,
                f"{count_of(validation_rows, 'row')}, not the usual {VALIDATION_SHARE:g}: "
                f"{_windows(series * per_series, series)}, the fewest that calibrate "
                f"{_levels(levels)} bands; {count_of(train_rows, 'row')} still train",
                _levels_reason(levels),
            )  # fmt: skip
    return StarterPlan(
        horizon, lookback, VALIDATION_SHARE, test, (),
        f"{VALIDATION_SHARE:g} of the rows: {_windows(fraction_windows, series)}",
        f"no intervals: {count_of(rows, 'row')} cannot spare the {windows_needed(LEVELS[0])} "
        f"validation windows {a_or_an(f'{LEVELS[0]}% band')} needs and still train",
    )  # fmt: skip


def _panel_split(rows: int, series: int, horizon: int, lookback: int) -> StarterPlan | None:
    """Many series: a horizon of test rows and the fewest validation rows that give every
    series a window and the pool enough windows for both bands, so the most recent rows of
    each series train (a share of each series would keep years out of training); None when
    the longest series cannot spare them."""
    needed = windows_needed(max(LEVELS))
    per_series = max(-(-needed // series), 1)
    validation = per_series + horizon - 1
    train_rows = rows - horizon - validation
    if train_rows < lookback + horizon:
        return None
    windows = series * (train_rows - lookback - horizon + 1)  # as if all were the longest
    return StarterPlan(
        horizon, lookback, validation, horizon, LEVELS,
        f"{count_of(validation, 'row')} and a test part of one horizon, not shares of the "
        f"rows: {_windows(series * per_series, series)}, enough to choose and to calibrate "
        f"{_levels(LEVELS)} bands (they need {needed}), and every series trains on all but "
        f"its last {count_of(validation + horizon, 'row')}",
        "", PANEL_BATCH if windows >= PANEL_BATCH_FROM else None,
    )  # fmt: skip


def _windows(count: int, series: int) -> str:
    pooled = f" over {count_of(series, 'series')}" if series > 1 else ""
    return f"{count_of(count, 'validation window')}{pooled}"


def _levels(levels: tuple[int, ...]) -> str:
    return " and ".join(f"{level}%" for level in levels)


def _levels_reason(levels: tuple[int, ...]) -> str:
    if levels == LEVELS:
        return ""
    return (
        f"{_levels(levels)} only: {a_or_an(f'{LEVELS[-1]}% band')} needs "
        f"{windows_needed(LEVELS[-1])} "
        "validation windows, more than this series can spare"
    )


def starter_yaml(profile: Profile, plan: StarterPlan, *, data_path: str, today: str) -> str:
    """The config's YAML text, every choice commented with where it came from."""
    lines = [
        "# yaml-language-server: $schema=lstmcast.schema.json",
        f"# Starter config from `lstmcast init {profile.path.name}` ({today}).",
        "# (Editor completion: lstmcast schema > lstmcast.schema.json.)",
        "# Check it with `lstmcast validate <this file>`, then `lstmcast train <this file>`.",
        "",
        *_data_lines(profile, data_path),
        "",
        "windows:",
        f"  horizon: {plan.horizon}    # steps to forecast"
        + (" (one season here)" if plan.horizon == profile.season_length else "")
        + ": set what you need",
        *_lookback_lines(plan),
        "",
        "split:    # time-ordered: train, then validation, then test (the last rows)",
        *_wrapped(f"validation: {plan.split_reason}"),
        f"  validation: {plan.validation}",
        f"  test: {plan.test}",
        "",
        *_interval_lines(plan),
        *_model_lines(plan),
        "training:",
        "  seed: 0",
        *_batch_lines(plan),
        "",
    ]
    return "\n".join(lines)


def _lookback_lines(plan: StarterPlan) -> list[str]:
    if not plan.panel:
        return _wrapped(
            "lookback left out: max(2 x horizon, 2 x season), the rule the accuracy benchmark "
            f"chose, {plan.lookback} here ('auto' reads it off the autocorrelation instead)"
        )
    return [
        f"  lookback: {plan.lookback}    # many series: max(horizon, 2 x season), shorter than "
        "one series' rule",
        "                  # where the horizon is long (bench/panel_accuracy.py)",
    ]


def _model_lines(plan: StarterPlan) -> list[str]:
    if not plan.panel:
        return []
    return [
        "model:",
        "  linear_skip: true    # a linear map of the window beside the LSTM: the network",
        "                       # learns what it misses (bench/panel_accuracy.py)",
        "",
    ]


def _batch_lines(plan: StarterPlan) -> list[str]:
    if plan.batch_size is None:
        return []
    return [
        f"  batch_size: {plan.batch_size}    # a panel of {PANEL_BATCH_FROM:,}+ training windows: "
        "as accurate as 32",
        "                     # a step, in about 60 % of the time (bench/panel_accuracy.py)",
    ]


def _data_lines(profile: Profile, data_path: str) -> list[str]:
    features = [name for name in profile.numeric if name != profile.target]
    lines = [
        "data:",
        f"  path: {data_path}    # relative to this file",
        f"  timestamp: {profile.timestamp}",
        f"  target: {profile.target}"
        + ("" if len(profile.numeric) == 1 else "    # --target chooses another"),
    ]
    if profile.series_id is not None:
        lines.append(f"  series_id: {profile.series_id}    # many series, one global model")
        if profile.static:
            lines.append(f"  static: [{', '.join(profile.static)}]    # constant within a series")
    if features:
        lines.append(
            f"  # features: [{', '.join(features)}]    # other numeric columns the model could read"
        )
    lines += [line for note in profile.notes for line in _wrapped(note)]
    lines.append(f"  frequency: {profile.frequency}    # {_frequency_note(profile)}")
    if profile.sessions is not None:
        sessions = profile.sessions
        lines += [
            "  # business hours: open and close are the times of a session's first and last rows;",
            "  # an absent weekday is a holiday (list them in holidays: to make others missing)",
            f"  sessions: {{days: {days_text(sessions.days)}, open: '{clock_text(sessions.open)}',"
            f" close: '{clock_text(sessions.close)}'}}",
        ]
    if profile.timezone is not None:
        lines.append(f"  timezone: {profile.timezone}    # offsets change with daylight saving")
    if profile.missing_rows or profile.empty_cells:
        lines.append(f"  missing: interpolate    # {_gaps(profile)}")
    if profile.frequency == "none" and profile.season_length > 1:
        lines.append(f"  season_length: {profile.season_length}    # rows in a usual day")
    else:
        lines.append(f"  # season_length: {profile.season_length}    # from the calendar")
    return lines


def _frequency_note(profile: Profile) -> str:
    if profile.frequency == "B":
        return "business days: weekdays only; an absent weekday is a holiday"
    if profile.frequency == "none":
        return "each row counts as one step"
    grid = "steps inside the sessions below" if profile.sessions else "one row every step"
    return f"{frequency_name(profile.frequency)}: {grid} (inferred)"


def _gaps(profile: Profile) -> str:
    total = profile.series_rows or profile.rows
    parts = []
    if profile.missing_rows:
        share = profile.missing_rows / max(total + profile.missing_rows, 1)
        parts.append(f"{count_of(profile.missing_rows, 'row')} missing from the grid ({share:.1%})")
    if profile.empty_cells:
        parts.append(f"{count_of(profile.empty_cells, f'empty {profile.target} cell')}")
    return ", ".join(parts)


def _interval_lines(plan: StarterPlan) -> list[str]:
    if not plan.levels:
        return [*_wrapped(plan.levels_reason, indent=""), "intervals: null", ""]
    if plan.levels == LEVELS:
        return []
    return [
        *_wrapped(plan.levels_reason, indent=""),
        "intervals:",
        f"  levels: [{', '.join(str(level) for level in plan.levels)}]",
        "",
    ]


def _wrapped(text: str, indent: str = "  ") -> list[str]:
    return [f"{indent}# {line}" for line in textwrap.wrap(text, 90, break_on_hyphens=False)]
