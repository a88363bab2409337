"""Business days and one-step-per-row series through the commands: validate, train, evaluate,
forecast; holidays are gaps, never invented rows, and the forecast says what its steps are."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from tests.helpers.data import tiny_experiment
from tests.helpers.runs import invoke


def business_frame(days: int, holidays: list[str]) -> pd.DataFrame:
    stamps = pd.bdate_range("2024-01-01", periods=days + len(holidays))
    stamps = stamps[~stamps.isin(pd.DatetimeIndex(holidays))][:days]
    steps = np.arange(days, dtype=float)
    load = 100 + 0.1 * steps + 5 * np.sin(2 * np.pi * steps / 5)
    return pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%d"), "load": load})


def test_trading_days_train_evaluate_and_forecast_the_next_business_days(
    write_csv, write_config, tmp_path
):
    frame = business_frame(200, ["2024-01-15", "2024-02-19", "2024-05-27"])
    assert frame["timestamp"].iloc[-1] == "2024-10-09"  # a Wednesday
    config = write_config(
        tiny_experiment(
            write_csv(frame),
            tmp_path / "run",
            data={"frequency": "B", "holidays": ["2024-01-15", "2024-10-14"]},
            windows={"lookback": 10, "horizon": 3},
        )
    )
    validated = invoke("validate", config)  # 02-19 and 05-27 absent but not listed
    assert validated.exit_code == 3
    assert "2 rows missing from the business-day grid (2024-02-19, 2024-05-27); add " in (
        validated.output
    )
    assert "list those days in data.holidays if they are holidays" in validated.output
    tiny = ["--set", "data.missing=interpolate", "--set", "data.max_filled=0.05"]
    trained = invoke("train", config, *tiny, "--json", "-q")
    assert trained.exit_code == 0, trained.output
    assert json.loads(trained.stdout)["evaluation"]["season_length"] == 5
    assert invoke("evaluate", tmp_path / "run", "-q").exit_code == 0
    forecast = invoke("forecast", tmp_path / "run", "-o", "-")
    assert forecast.exit_code == 0, forecast.output
    future = pd.read_csv(io.StringIO(forecast.stdout))
    # Thursday 10th, Friday 11th, then Monday 14th is a listed holiday: Tuesday 15th
    assert future["timestamp"].tolist() == ["2024-10-10", "2024-10-11", "2024-10-15"]


def test_inferred_business_days_forecast_monday_to_friday(write_csv, write_config, tmp_path):
    frame = business_frame(149, ["2024-01-15"])
    config = write_config(
        tiny_experiment(write_csv(frame), tmp_path / "run", windows={"lookback": 10, "horizon": 2})
    )
    assert invoke("train", config, "-q").exit_code == 0
    forecast = invoke("forecast", tmp_path / "run", "-o", "-")
    future = pd.read_csv(io.StringIO(forecast.stdout))
    last = pd.Timestamp(frame["timestamp"].iloc[-1])
    assert last.day_name() == "Friday"
    assert future["timestamp"].tolist() == [
        (last + pd.Timedelta(days=3)).strftime("%Y-%m-%d"),
        (last + pd.Timedelta(days=4)).strftime("%Y-%m-%d"),
    ]


def sessions(days: int) -> pd.DataFrame:
    """Business hours: 10 rows a day, 08:00 to 17:00, nights and weekends absent."""
    dates = pd.bdate_range("2024-01-01", periods=days)
    stamps = pd.DatetimeIndex([d + pd.Timedelta(hours=h) for d in dates for h in range(8, 18)])
    steps = np.arange(len(stamps), dtype=float)
    return pd.DataFrame(
        {
            "timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%S"),
            "load": 50 + 10 * np.sin(2 * np.pi * steps / 10),
            "promo": (steps % 7 == 0).astype(float),
        }
    )


def test_business_hours_as_rows_forecast_steps_without_timestamps(
    write_csv, write_config, tmp_path
):
    config = write_config(
        tiny_experiment(
            write_csv(sessions(20)),
            tmp_path / "run",
            data={"frequency": "none", "season_length": 10},
            windows={"lookback": 20, "horizon": 10},
        )
    )
    validated = invoke("validate", config)
    assert "one step per row (frequency none), season length 10" in validated.output
    assert invoke("train", config, "-q").exit_code == 0
    forecast = invoke("forecast", tmp_path / "run", "-o", "-")
    assert forecast.exit_code == 0, forecast.output
    future = pd.read_csv(io.StringIO(forecast.stdout))
    assert future["step"].tolist() == list(range(1, 11))
    assert future["timestamp"].isna().all()
    assert "the timestamp column is empty" in forecast.stderr


def test_rows_with_known_future_take_the_timestamps_of_the_given_rows(
    write_csv, write_config, tmp_path
):
    frame = sessions(20)
    config = write_config(
        tiny_experiment(
            write_csv(frame),
            tmp_path / "run",
            data={"frequency": "none", "season_length": 10, "known": ["promo"]},
            windows={"lookback": 20, "horizon": 3},
        )
    )
    assert invoke("train", config, "-q").exit_code == 0
    future = pd.DataFrame(
        {
            "timestamp": ["2024-01-29T08:00:00", "2024-01-29T09:00:00", "2024-01-29T10:30:00"],
            "load": [None] * 3,
            "promo": [1.0, 0.0, 0.0],
        }
    )
    latest = write_csv(pd.concat([frame, future]), "latest.csv")
    forecast = invoke("forecast", tmp_path / "run", "--input", latest, "-o", "-")
    assert forecast.exit_code == 0, forecast.output
    got = pd.read_csv(io.StringIO(forecast.stdout))
    assert got["timestamp"].tolist() == future["timestamp"].tolist()
