"""data: the file, its columns (target, features, known-in-advance, static, series id),
its time (frequency, time zone, sessions, holidays, calendar features) and missing values."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import (
    Field,
    PositiveInt,
    field_validator,
    model_validator,
)

from lstmcast.config.sections.base import Strict

CalendarFeature = Literal["minute", "hour", "day_of_week", "day_of_month", "day_of_year", "month"]
MissingPolicy = Literal["error", "interpolate", "ffill"]


class SessionsSection(Strict):
    """Business hours: the days and clock times rows are recorded in."""

    days: str = Field("Mon-Fri", description="Days with a session: 'Mon-Fri', or 'Mon,Wed,Sat'.")
    open: str = Field(description="Clock time of a session's first row, e.g. '07:00'.")
    close: str = Field(description="Clock time of a session's last row (included), e.g. '21:00'.")

    @model_validator(mode="before")
    @classmethod
    def _clock_times(cls, raw: object) -> object:
        """'07:00' as written; an unquoted 07:00 arrives from YAML as 420 (minutes)."""
        from lstmcast.config.clock import clock_text, clock_time, days_text, parse_days

        if not isinstance(raw, dict):
            return raw
        cleaned = dict(raw)
        for key in ("open", "close"):
            if key in cleaned:
                cleaned[key] = clock_text(clock_time(cleaned[key], key))
        if "days" in cleaned:
            cleaned["days"] = days_text(parse_days(cleaned["days"]))
        if "open" in cleaned and "close" in cleaned:
            opened = clock_time(cleaned["open"], "open")
            if clock_time(cleaned["close"], "close") <= opened:
                raise ValueError(
                    f"close ({cleaned['close']}) must come after open ({cleaned['open']}) on "
                    "the same day"
                )
        return cleaned


def _check_session_step(frequency: str | None) -> None:
    """Sessions step by a fixed clock step shorter than a day (or one inferred)."""
    if frequency is None:
        return
    import pandas as pd
    from pandas.tseries.frequencies import to_offset

    try:
        step = pd.Timedelta(to_offset(frequency))
    except (ValueError, TypeError):
        step = None
    if step is None or step >= pd.Timedelta(days=1):
        raise ValueError(
            f"sessions: business hours step by a clock step within the day, such as '5min' "
            f"or 'h' (data.frequency is '{frequency}'); set that frequency or remove sessions"
        )


class DataSection(Strict):
    path: Path = Field(
        description="CSV or Parquet file, relative to the config file; for many series also a "
        "folder of such files, each holding whole series (docs/panels.md)."
    )
    timestamp: str = Field("timestamp", description="Name of the time column.")
    target: str = Field(description="Column to forecast.")
    features: list[str] = Field(
        default_factory=list,
        description="Extra input columns. The target is always an input and is not listed here.",
    )
    known: list[str] = Field(
        default_factory=list,
        description="Columns known in advance for the forecast steps (holidays, planned "
        "prices): the model also reads their future values. `forecast` takes them from rows "
        "after the last observed target in its input.",
    )
    calendar: list[CalendarFeature] = Field(
        default_factory=list,
        description="Calendar features computed from the timestamps, each as a sine/cosine "
        "pair; known for every future timestamp, so forecast builds them itself.",
    )
    frequency: str | None = Field(
        None,
        description="What one step is: a pandas offset alias for a clock grid ('30min', 'h', "
        "'D', 'W-SAT', 'MS', 'QS'); 'B' for business days (absent weekdays are holidays, "
        "neither invented nor an error); 'none' to count each row as one step (sessions, "
        "business hours, irregular series; the forecast's timestamps are then unknown). "
        "Inferred from the timestamps when left out (a clock grid, or B for weekday-only "
        "daily data).",
    )
    holidays: list[date] | None = Field(
        None,
        description="frequency B or data.sessions: the days without business, past and "
        "future. Given, any other absent business day is missing rows (data.missing decides) "
        "and forecasts skip these days; left out, every absent business day is taken as a "
        "holiday and forecasts run on every business day.",
    )
    sessions: SessionsSection | None = Field(
        None,
        description="Business hours: rows are the steps of data.frequency (e.g. '5min') from "
        "open to close (both included) on the given days; nights, weekends and holidays are "
        "outside the series, and forecasts continue at the next open with real timestamps.",
    )
    timezone: str | None = Field(
        None,
        description="IANA zone of local timestamps written with UTC offsets that change with "
        "daylight saving (e.g. Europe/Berlin): each offset must be the zone's, the grid steps "
        "in absolute time, and forecasts are written in the zone with offsets. Naive "
        "timestamps are refused with a zone. Left out, timestamps are kept as written, and "
        "changing offsets are refused.",
    )
    missing: MissingPolicy = Field(
        "error",
        description="What to do with empty cells and rows missing from the time grid.",
    )
    max_filled: float = Field(
        0.1,
        gt=0,
        le=1,
        description="Largest share of a clock grid's rows that data.missing: interpolate or "
        "ffill may add; above it validation refuses and suggests the calendar that fits (B, "
        "or none), instead of training on invented data.",
    )
    series_id: str | None = Field(
        None,
        description="Many series in one long CSV: the column naming each row's series. One "
        "global model is trained across all of them (docs/panels.md).",
    )
    layout: Literal["long", "wide"] = Field(
        "long",
        description="wide: every column but the timestamp is one series (data.target then only "
        "names the forecast column); long: one row per series and time step (with series_id).",
    )
    static: list[str] = Field(
        default_factory=list,
        description="With series_id: columns constant within a series (region, category), read "
        "by the model one-hot encoded; a level unseen in training reads as all zeros.",
    )
    season_length: PositiveInt | None = Field(
        None,
        description="Season length m for seasonal naive and MASE; inferred from the frequency "
        "(48 for 30min, 24 for h, 7 for D, 52 for W, 12 for MS, 4 for QS) when left out.",
    )

    @field_validator("features", "known", "calendar")
    @classmethod
    def _listed_once(cls, names: list[str]) -> list[str]:
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"listed twice: {repeated}; list each once")
        return names

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        from lstmcast.config.clock import check_zone_name

        return None if zone is None else check_zone_name(zone)

    @field_validator("frequency")
    @classmethod
    def _known_frequency(cls, frequency: str | None) -> str | None:
        if frequency is None or frequency == "none":
            return frequency
        from pandas.tseries.frequencies import to_offset

        try:
            to_offset(frequency)
        except ValueError:
            raise ValueError(
                f"'{frequency}' is not a pandas frequency; use e.g. '30min', 'h', 'D', 'B', "
                "'W-SAT', 'MS' or 'QS', 'none' for one step per row, or leave it out to infer it"
            ) from None
        return frequency

    @model_validator(mode="after")
    def _target_not_a_feature(self) -> DataSection:
        for key in ("features", "known"):
            if self.target in getattr(self, key):
                raise ValueError(
                    f"{key}: the target '{self.target}' is listed; the target is always an "
                    f"input, so remove it from {key}"
                )
        both = sorted(set(self.features) & set(self.known))
        if both:
            raise ValueError(
                f"known: {both} also listed in features; a column is either observed only "
                "up to the origin (features) or known in advance (known), so list it once"
            )
        if self.holidays is not None and self.frequency != "B" and self.sessions is None:
            raise ValueError(
                "holidays: a holiday list belongs to business days or sessions; set "
                "frequency: B, or data.sessions, or remove holidays"
            )
        if self.sessions is not None:
            _check_session_step(self.frequency)
        if self.frequency == "none" and self.calendar:
            raise ValueError(
                "calendar: frequency none counts rows, so future timestamps (and their calendar "
                "features) are unknown; remove calendar, or put such values in data.known "
                "columns"
            )
        if self.timestamp == self.target or self.timestamp in self.features + self.known:
            raise ValueError(f"timestamp column '{self.timestamp}' cannot be a target or feature")
        return self

    @property
    def columns(self) -> list[str]:
        """CSV value columns in model order: target, features, then known-in-advance columns."""
        return [self.target, *self.features, *self.known]

    @property
    def is_panel(self) -> bool:
        """Many series, one global model."""
        return self.series_id is not None or self.layout == "wide"

    @model_validator(mode="after")
    def _panel_settings_fit(self) -> DataSection:
        if self.layout == "wide" and (self.series_id or self.features or self.static):
            raise ValueError(
                "layout: wide makes every column but the timestamp a series, so it takes no "
                "series_id, features or static; use the long layout for those"
            )
        if self.static and self.series_id is None:
            raise ValueError("static: static columns describe series; set data.series_id")
        return self

    @property
    def observed_columns(self) -> int:
        """How many leading columns are only observed up to the origin (target + features)."""
        return 1 + len(self.features)
