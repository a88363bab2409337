"""The series of the accuracy benchmark and the rolling-origin task cut from each.

Every method, in every environment, gets its data from here, so all see the same values, the
same origins and the same validation rows. Imports numpy and pandas only (it also runs in the
peers' environment, which has no TensorFlow and an older pandas).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SeriesSpec:
    name: str
    path: str
    """CSV, relative to the repository root."""
    target: str
    frequency: str
    """pandas offset alias, as lstmcast and the peers are told."""
    season_length: int
    """m: seasonal naive's lag and the MASE scale's period."""
    horizon: int
    """H: steps per forecast."""
    test_windows: int
    """W: the last W*H points are the test part, one origin every H points."""
    validation: int
    """Rows at the end of the history the neural methods validate (early stopping) on."""
    timestamp: str = "timestamp"
    first_row: int = 0
    last_row: int | None = None
    """Rows first_row .. last_row-1 of the file are the series (None: to the end)."""
    note: str = ""
    held_out: bool = False
    """Never used to choose a default: the check that the defaults generalise."""


SUITE: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        "air_passengers",
        "sample_data/air_passengers.csv",
        "passengers",
        "MS",
        12,
        12,
        2,
        24,
        note="trend and growing yearly season; 144 months",
    ),
    SeriesSpec(
        "us_gdp",
        "bench/data/macro_quarterly.csv",
        "realgdp",
        "QS",
        4,
        8,
        3,
        16,
        note="smooth trend, seasonally adjusted; 203 quarters",
    ),
    SeriesSpec(
        "sunspots",
        "bench/data/sunspots_monthly.csv",
        "sunspots",
        "MS",
        12,
        12,
        12,
        120,
        note="noisy ~11-year cycle, no yearly season",
    ),
    SeriesSpec(
        "co2",
        "bench/data/co2_weekly.csv",
        "co2",
        "W-SAT",
        52,
        13,
        8,
        104,
        note="trend + yearly season; 59 missing weeks (1958-1964) interpolated",
    ),
    SeriesSpec(
        "seattle_temp",
        "bench/data/seattle_weather_daily.csv",
        "temp_max",
        "D",
        7,
        14,
        12,
        140,
        note="daily maximum temperature: yearly cycle, weather noise, no weekly season",
    ),
    SeriesSpec(
        "etth1_ot",
        "bench/data/ett/ETTh1.csv",
        "OT",
        "h",
        24,
        24,
        30,
        720,
        timestamp="date",
        last_row=14400,
        note="transformer oil temperature, the ETTh1 protocol's 20 months",
    ),
    SeriesSpec(
        "taylor",
        "sample_data/taylor_halfhourly.csv",
        "demand_mw",
        "30min",
        48,
        48,
        14,
        336,
        note="electricity demand, daily and weekly season; 12 weeks",
    ),
    SeriesSpec(
        "vic_elec",
        "sample_data/vic_elec_halfhourly.csv",
        "demand",
        "30min",
        48,
        48,
        28,
        1344,
        first_row=52608 - 18864,
        note="electricity demand, the last 393 days (a year of history + 4 test weeks)",
    ),
)
EXTRA: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        "lynx",
        "bench/data/pelt_lynx_annual.csv",
        "lynx",
        "YS",
        1,
        5,
        2,
        10,
        note="annual Canadian lynx trappings, 1845-1935: a ~10-year cycle, no calendar season",
    ),
    SeriesSpec(
        "aus_beer",
        "bench/data/aus_beer_quarterly.csv",
        "beer",
        "QS",
        4,
        8,
        3,
        16,
        note="Australian beer production, quarterly 1956-2010: strong season, trend that turns",
    ),
    SeriesSpec(
        "canadian_gas",
        "bench/data/canadian_gas_monthly.csv",
        "volume",
        "MS",
        12,
        12,
        4,
        24,
        note="Canadian gas production, monthly 1960-2005: trend and season that change",
        held_out=True,
    ),
    SeriesSpec(
        "pbs_safety_net_s",
        "bench/data/pbs_safety_net_s_monthly.csv",
        "scripts",
        "MS",
        12,
        12,
        2,
        24,
        note="Australian PBS scripts (general, safety net, sensory organs), monthly 1991-2008: "
        "low counts, a quarter of the months zero",
        held_out=True,
    ),
)
"""Kinds the suite lacks (an annual cycle, a quarterly season, breaks, intermittent counts),
added for issue 15; the held-out two never decide a default."""

BY_NAME = {spec.name: spec for spec in (*SUITE, *EXTRA)}


@dataclass(frozen=True)
class Task:
    """One series cut for rolling-origin evaluation."""

    spec: SeriesSpec
    timestamps: pd.DatetimeIndex
    values: np.ndarray
    """float64, missing values linearly interpolated."""

    @property
    def history_end(self) -> int:
        """Rows before the first forecast step: what the models are trained on."""
        return len(self.values) - self.spec.test_windows * self.spec.horizon

    @property
    def origins(self) -> np.ndarray:
        """Row index of the last observed point before each test forecast."""
        spec = self.spec
        return self.history_end - 1 + spec.horizon * np.arange(spec.test_windows)

    def actuals(self) -> np.ndarray:
        """(test_windows, horizon) values the forecasts are scored against."""
        return self.values[self.history_end :].reshape(self.spec.test_windows, self.spec.horizon)

    def frame(self) -> pd.DataFrame:
        """The series as the long frame Nixtla's libraries take: unique_id, ds, y."""
        return pd.DataFrame({"unique_id": self.spec.name, "ds": self.timestamps, "y": self.values})


def load_task(spec: SeriesSpec) -> Task:
    frame = pd.read_csv(REPO / spec.path, usecols=[spec.timestamp, spec.target])
    frame = frame.iloc[spec.first_row : spec.last_row]
    values = frame[spec.target].astype("float64").interpolate(limit_direction="both")
    timestamps = pd.DatetimeIndex(pd.to_datetime(frame[spec.timestamp], utc=True))
    return Task(spec, timestamps.tz_localize(None), values.to_numpy())


def write_task_csv(task: Task, path: Path) -> None:
    """The exact values every method sees, as a CSV lstmcast reads (timestamp, target)."""
    pd.DataFrame(
        {"timestamp": task.timestamps.strftime("%Y-%m-%dT%H:%M:%S"), task.spec.target: task.values}
    ).to_csv(path, index=False, float_format="%.10g")
