"""The panel benchmark's protocol, against brute force: the held-back horizon of each series,
its MASE scale, seasonal naive and the scores (bench/panel_accuracy.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from bench.panel_accuracy import Panel, mase_per_series, scales, seasonal_naive, split


def toy_panel(tmp_path) -> Panel:
    """Two series of different lengths, written out of order."""
    rng = np.random.default_rng(0)
    rows = []
    for sid, length in (("b", 14), ("a", 20)):
        stamps = pd.date_range("2020-01-01", periods=length, freq="QS")
        values = rng.normal(size=length)
        rows += [(sid, str(t.date()), float(v)) for t, v in zip(stamps, values, strict=True)]
    frame = pd.DataFrame(rows, columns=["series_id", "timestamp", "y"]).sample(
        frac=1, random_state=0
    )
    frame.to_csv(tmp_path / "panel.csv", index=False)
    return Panel(tmp_path / "panel.csv", "y", horizon=3, season=4, freq="QS")


def test_each_series_holds_back_its_own_last_horizon_and_the_scale_reads_only_the_rest(tmp_path):
    panel = toy_panel(tmp_path)
    train, test = split(panel)
    whole = pd.read_csv(panel.path)
    for sid, rows in whole.groupby("series_id"):
        rows = rows.sort_values("timestamp")
        assert test[test.series_id == sid]["y"].tolist() == rows["y"].tolist()[-3:]
        kept = rows["y"].to_numpy()[:-3]
        assert train[train.series_id == sid]["y"].tolist() == kept.tolist()
        brute = sum(abs(kept[t] - kept[t - 4]) for t in range(4, len(kept))) / (len(kept) - 4)
        assert np.isclose(scales(train, panel)[sid], brute)


def test_seasonal_naive_repeats_the_last_season_and_fills_what_a_method_left_out(tmp_path):
    panel = toy_panel(tmp_path)
    train, test = split(panel)
    naive = seasonal_naive(train, panel)
    for sid, rows in train.groupby("series_id"):
        last = rows["y"].tolist()[-4:]
        assert naive[naive.series_id == sid]["y_hat"].tolist() == [last[h % 4] for h in range(3)]
    only_a = naive[naive.series_id == "a"].assign(y_hat=lambda f: f["y_hat"] + 1.0)
    mase, filled = mase_per_series(only_a, test, scales(train, panel), panel, naive)
    assert filled == 1  # series b, forecast by seasonal naive
    actual = test[test.series_id == "a"]["y"].to_numpy()
    error = np.mean(np.abs(actual - (naive[naive.series_id == "a"]["y_hat"].to_numpy() + 1.0)))
    assert np.isclose(mase["a"], error / scales(train, panel)["a"])
