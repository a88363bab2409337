"""`lstmcast init`'s reading of a CSV: the ACF against brute force, and what it detects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstmcast.data.profile import acf, acf_lookback, profile_csv
from lstmcast.errors import DataError


def test_acf_matches_the_textbook_sum():
    x = np.random.default_rng(0).normal(size=200).cumsum()
    d = x - x.mean()
    brute = [sum(d[t] * d[t + k] for t in range(200 - k)) / sum(d * d) for k in range(30)]
    np.testing.assert_allclose(acf(x, 29), brute, rtol=1e-12)


def test_the_lookback_lands_on_a_seasonal_peak_and_says_why():
    steps = np.arange(24 * 60)
    x = 0.01 * steps + np.sin(2 * np.pi * steps / 24)
    x += 0.3 * np.random.default_rng(1).normal(size=x.size)
    lookback, reason = acf_lookback(x, 24)
    assert lookback % 24 == 0 and "seasonal peak" in reason


def test_detects_business_days_target_and_gaps(tmp_path):
    days = pd.bdate_range("2024-01-01", periods=300)
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "volume": 1.0, "close": 2.0})
    frame.to_csv(tmp_path / "prices.csv", index=False)
    profile = profile_csv(tmp_path / "prices.csv")
    assert (profile.timestamp, profile.frequency, profile.target) == ("date", "B", "close")
    assert profile.season_length == 5 and profile.numeric == ["volume", "close"]
    hourly = pd.DataFrame({"t": pd.date_range("2024-01-01", periods=100, freq="h"), "y": 1.0})
    hourly.drop(index=[10, 11]).to_csv(tmp_path / "gaps.csv", index=False)
    assert profile_csv(tmp_path / "gaps.csv").missing_rows == 2


def test_day_first_dates_are_refused_with_the_fix(tmp_path):
    (tmp_path / "d.csv").write_text("date,y\n31/01/2024,1\n01/02/2024,2\n")
    with pytest.raises(DataError, match="not ISO 8601"):
        profile_csv(tmp_path / "d.csv")


def test_lookback_auto_reads_only_the_training_rows(tmp_path, write_csv, write_config):
    """windows.lookback: auto is the ACF rule on the training part: whatever the validation
    and test rows hold, the lookback is the same (no later value decides it)."""
    from lstmcast.config.load import load_experiment
    from lstmcast.data.prepare import prepare_data
    from tests.helpers.data import synthetic_frame, tiny_experiment

    frame = synthetic_frame(480)
    lookbacks = []
    for later in (0.0, 1.0):
        changed = frame.copy()
        changed.loc[336:, "load"] += later * np.random.default_rng(3).normal(0, 50, 144)
        csv = write_csv(changed, name=f"s{later}.csv")
        config = tiny_experiment(csv, tmp_path / "runs" / "x", windows={"lookback": "auto"})
        config["split"] = {"validation": 72, "test": 72}
        data = prepare_data(load_experiment(write_config(config, name=f"c{later}.yaml")))
        assert data.bounds.validation_start == 336
        expected = acf_lookback(changed["load"].to_numpy()[:336], 24)[0]
        assert data.experiment.windows.lookback == expected
        lookbacks.append(expected)
    assert lookbacks[0] == lookbacks[1] == 24 * round(lookbacks[0] / 24)
