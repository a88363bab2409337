"""What only many series have, through the real program: forecasts of a subset and in shards
(two processes give one's rows), per-series scaling of the bands, --as-of and staleness per
series, long and wide layouts, new series, a learned vector per series, known-in-advance
columns shared and per series. Every command on a panel beside one series:
test_every_command.py."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.configs import PANELS, quick_settings
from tests.helpers.data import CONFIGS
from tests.helpers.panels import long_panel, tiny_panel_config
from tests.helpers.program import ENV, lstmcast


@pytest.mark.slow
@pytest.mark.parametrize("name", PANELS)
def test_shipped_panel_config_end_to_end(name, tmp_path):
    config = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    run_dir = tmp_path / "runs" / name
    settings = quick_settings(config, str(run_dir))
    trained = lstmcast("train", CONFIGS / f"{name}.yaml", *settings, "--json", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    summary = json.loads(trained.stdout)
    series = summary["series"]
    assert series > 1 and summary["evaluation"]["series"] == series
    assert list(summary["phases"]) == [  # the same phases as one series'
        "read", "validate", "window", "scale", "tensorflow", "fit", "calibrate", "evaluate",
        "write",
    ]  # fmt: skip

    evaluated = lstmcast("evaluate", run_dir, "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    scores = json.loads(evaluated.stdout)
    assert len(scores["per_series"]) == series
    assert 0 <= scores["beats_seasonal_naive"] <= 1 and len(scores["worst"]) == 5
    assert set(scores["mean_mase"]) == {"lstm", "naive", "seasonal_naive", "drift"}

    forecast = lstmcast("forecast", run_dir, cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr
    assert "a global model over" in forecast.stderr and "without per-series" in forecast.stderr
    frame = pd.read_csv(io.StringIO(forecast.stdout))
    target, horizon = config["data"]["target"], config["windows"]["horizon"]
    bands = ["lower_80", "upper_80", "lower_95", "upper_95"]
    assert list(frame.columns) == ["series_id", "timestamp", "step", target, *bands]
    assert len(frame) == series * horizon and frame[target].notna().all()
    assert (frame.lower_95 <= frame.lower_80).all() and (frame.lower_80 <= frame[target]).all()
    radius = json.loads((run_dir / "intervals.json").read_text())["radius"]["80"]
    scalers = json.loads((run_dir / "preprocessing.json").read_text())["series"]
    for sid, rows in frame.groupby("series_id"):  # one pooled band, in each series' units
        scale = scalers[sid]["scaler"]["scale"][0]
        half = (rows.upper_80 - rows[target]).to_numpy()
        np.testing.assert_allclose(half, np.array(radius) * scale, rtol=1e-5)
    ordered = frame.sort_values(["series_id", "step"], kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(frame, ordered)  # series by id, steps in order
    assert "predicted on CPU (ONNX Runtime" in forecast.stderr  # the run's model.onnx...
    keras = lstmcast("forecast", run_dir, "--engine", "keras", cwd=tmp_path)
    assert keras.returncode == 0 and "ONNX" not in keras.stderr, keras.stderr
    by_keras = pd.read_csv(io.StringIO(keras.stdout))  # ...forecasts what Keras forecasts
    numbers = [target, *bands]
    np.testing.assert_allclose(frame[numbers], by_keras[numbers], rtol=1e-5, atol=1e-4)

    two = sorted(frame["series_id"].unique())[:2]
    subset = lstmcast("forecast", run_dir, "--series", two[0], "--series", two[1], cwd=tmp_path)
    assert subset.returncode == 0, subset.stderr
    chosen = pd.read_csv(io.StringIO(subset.stdout))
    pd.testing.assert_frame_equal(
        chosen, frame[frame.series_id.isin(two)].reset_index(drop=True), rtol=1e-6
    )
    shards = _sharded_forecast(run_dir, sorted(frame["series_id"].unique()), tmp_path)
    pd.testing.assert_frame_equal(shards, frame, rtol=1e-6)  # two processes = one
    unknown = lstmcast("forecast", run_dir, "--series", "no such series", cwd=tmp_path)
    assert unknown.returncode == 3 and "--series: no such series not in the input" in unknown.stderr

    _check_backtest(run_dir, config, tmp_path)
    _check_as_of_and_staleness(run_dir, config, frame, tmp_path)


def _check_backtest(run_dir, config: dict, tmp_path) -> None:
    """The panel backtest's file has a series_id column, its scores recompute from the file,
    and a backtest forecast is exactly what `forecast` makes from the rows up to its origin
    (nothing after the origin reached it)."""
    done = lstmcast("backtest", run_dir, "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    rows = pd.read_csv(tmp_path / "runs" / f"{run_dir.name}-backtest" / "forecasts.csv")
    assert list(rows.columns[:5]) == ["series_id", "fold", "origin", "timestamp", "step"]
    assert (
        rows.series_id.nunique() == summary["series"]
        and len(rows) == summary["windows"] * (summary["horizon"])
    )
    sid = rows.series_id.iloc[-1]
    mine = rows[rows.series_id == sid]
    mase = (mine.y_true - mine.y_pred).abs().mean() / mine.mase_scale.iloc[0]
    assert mase == pytest.approx(summary["per_series"][sid]["overall"]["lstm"]["mase"], rel=1e-5)

    data = config["data"]
    source = pd.read_csv(CONFIGS / data["path"])
    origin = mine.origin.iloc[-1]
    key = source[data["series_id"]] == sid
    source[key & (pd.to_datetime(source[data["timestamp"]]) <= origin)].to_csv(
        tmp_path / "until_origin.csv", index=False
    )
    alone = lstmcast(
        "forecast", run_dir, "--input", "until_origin.csv", "--as-of", origin, cwd=tmp_path
    )
    assert alone.returncode == 0, alone.stderr
    expected = mine[mine.origin == origin].y_pred.to_numpy()
    got = pd.read_csv(io.StringIO(alone.stdout))[data["target"]].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def _check_as_of_and_staleness(run_dir, config: dict, frame: pd.DataFrame, tmp_path) -> None:
    """--as-of cuts every series; a stale series is left out with a warning; a panel whose
    every series is stale exits 8 and writes nothing."""
    data = config["data"]
    source = pd.read_csv(CONFIGS / data["path"])
    stamps = np.sort(pd.to_datetime(source[data["timestamp"]]).unique())
    earlier = lstmcast("forecast", run_dir, "--as-of", str(stamps[-3])[:10], cwd=tmp_path)
    assert earlier.returncode == 0, earlier.stderr
    first_steps = pd.read_csv(io.StringIO(earlier.stdout)).query("step == 1")
    assert set(pd.to_datetime(first_steps.timestamp)) == {pd.Timestamp(stamps[-2])}

    stopped = sorted(frame.series_id.unique())[0]
    key = source[data["series_id"]] == stopped
    last = source[key].index[-4:]
    source.drop(index=last).to_csv(tmp_path / "one_stopped.csv", index=False)
    end = str(stamps[-1])[:10]
    args = ("--input", "one_stopped.csv", "--as-of", end, "--max-staleness", "100 days")
    partial = lstmcast("forecast", run_dir, *args, cwd=tmp_path)
    assert partial.returncode == 0, partial.stderr
    assert "1 stale series left out of the forecast" in partial.stderr
    kept = pd.read_csv(io.StringIO(partial.stdout))
    assert (
        stopped not in set(kept.series_id)
        and kept.series_id.nunique() == len(frame.series_id.unique()) - 1
    )
    late = str(pd.Timestamp(stamps[-1]) + pd.Timedelta(days=400))[:10]
    dead = lstmcast(
        "forecast", run_dir, "--as-of", late, "--max-staleness", "30d", "-o", "x.csv", cwd=tmp_path
    )
    assert dead.returncode == 8 and "every series is stale" in dead.stderr
    assert not (tmp_path / "x.csv").exists()


def _sharded_forecast(run_dir, ids: list[str], tmp_path) -> pd.DataFrame:
    """Process-level sharding as docs/panels.md describes it: two forecast processes at once,
    each given half of the series in a --series-file, their outputs concatenated."""
    halves = [ids[: len(ids) // 2], ids[len(ids) // 2 :]]
    jobs = []
    for index, half in enumerate(halves):
        (tmp_path / f"shard{index}.txt").write_text("".join(f"{sid}\n" for sid in half))
        command = [
            sys.executable, "-m", "lstmcast", "forecast", str(run_dir), "--series-file",
            str(tmp_path / f"shard{index}.txt"), "-o", str(tmp_path / f"shard{index}.csv"), "-q",
        ]  # fmt: skip
        jobs.append(
            subprocess.Popen(command, cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True)
        )
    said = [job.communicate(timeout=300)[1] for job in jobs]
    assert [job.returncode for job in jobs] == [0, 0], said
    shards = [pd.read_csv(tmp_path / f"shard{index}.csv") for index in range(2)]
    return pd.concat(shards, ignore_index=True)


@pytest.mark.slow
def test_long_and_wide_layouts_give_the_same_forecasts_and_new_series_are_forecast(tmp_path):
    frame = long_panel([40, 40, 40])
    frame.to_csv(tmp_path / "long.csv", index=False)
    wide = frame.pivot(index="timestamp", columns="series_id", values="y").reset_index()
    wide.to_csv(tmp_path / "wide.csv", index=False)
    long_config = tiny_panel_config(tmp_path, "long.csv", series_id="series_id")
    wide_config = tiny_panel_config(tmp_path, "wide.csv", layout="wide")
    outputs = []
    for config in (long_config, wide_config):
        assert lstmcast("train", config, "-q", cwd=tmp_path).returncode == 0
        run = f"runs/{config.removesuffix('.yaml')}"
        forecast = lstmcast("forecast", run, cwd=tmp_path)
        assert forecast.returncode == 0, forecast.stderr
        outputs.append(pd.read_csv(io.StringIO(forecast.stdout)))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])

    newer = pd.concat([frame, long_panel([40, 40, 40, 40]).query("series_id == 's3'")])
    newer.to_csv(tmp_path / "newer.csv", index=False)
    forecast = lstmcast("forecast", "runs/long", "-i", "newer.csv", cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr
    assert "1 series the run was not trained on (e.g. s3)" in forecast.stderr
    rows = pd.read_csv(io.StringIO(forecast.stdout))
    assert rows["series_id"].unique().tolist() == ["s0", "s1", "s2", "s3"]
    np.testing.assert_allclose(rows[rows.series_id != "s3"]["y"], outputs[0]["y"], rtol=1e-6)


@pytest.mark.slow
def test_a_learned_vector_per_series_trains_reloads_and_forecasts_new_series(tmp_path):
    """A new series reads the vector learned for unseen series (ids dropped in training)."""
    frame = long_panel([40, 40, 40])
    frame.to_csv(tmp_path / "long.csv", index=False)
    config = tiny_panel_config(tmp_path, "long.csv", series_id="series_id")
    trained = lstmcast("train", config, "--set", "model.series_embedding=3", "-q", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    described = lstmcast("info", "runs/long", "--json", cwd=tmp_path)
    assert json.loads(described.stdout)["panel"]["per_series_parameters"] is True
    forecast = lstmcast("forecast", "runs/long", cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr
    assert "with a learned vector per series" in forecast.stderr
    assert pd.read_csv(io.StringIO(forecast.stdout))["series_id"].nunique() == 3
    newer = pd.concat([frame, long_panel([40, 40, 40, 40]).query("series_id == 's3'")])
    newer.to_csv(tmp_path / "newer.csv", index=False)
    newcomer = lstmcast("forecast", "runs/long", "-i", "newer.csv", cwd=tmp_path)
    assert newcomer.returncode == 0, newcomer.stderr
    assert (
        "1 series the run was not trained on (e.g. s3) is forecast with scaling fitted on "
        "its own rows, the vector it learned for unseen series"
        in newcomer.stderr.replace("\n", " ")
    )
    rows = pd.read_csv(io.StringIO(newcomer.stdout))
    assert rows["series_id"].unique().tolist() == ["s0", "s1", "s2", "s3"]


def test_lookback_auto_is_refused_for_a_panel(tmp_path):
    """auto reads one series' autocorrelation: a panel says so in one line, before any work."""
    refused = lstmcast(
        "validate", CONFIGS / "tourism_panel.yaml", "--set", "windows.lookback=auto", "--json",
        cwd=tmp_path,
    )  # fmt: skip
    expected = "windows.lookback: auto reads one series' autocorrelation"
    assert refused.returncode == 2 and expected in refused.stderr, refused.stderr
    assert json.loads(refused.stdout)["error"]["key"] == "windows.lookback"


@pytest.mark.slow
def test_known_in_advance_columns_for_a_panel(tmp_path):
    """A holiday every series shares (Easter's quarter) and a campaign per series: the panel
    trains on them, forecasts from each series' future rows (and refuses a series without
    them, naming it), and refits a backtest with them."""
    frame = pd.read_csv(CONFIGS.parent / "sample_data" / "tourism_quarterly_tas_wa.csv")
    stamps = pd.to_datetime(frame["timestamp"])
    frame["easter"] = [int(_easter_month(t.year) in range(t.month, t.month + 3)) for t in stamps]
    codes = frame["series_id"].astype("category").cat.codes
    frame["campaign"] = ((codes + stamps.dt.year + stamps.dt.quarter) % 5 == 0).astype(int)
    cut = stamps.max() - pd.DateOffset(years=2)
    frame[stamps <= cut].to_csv(tmp_path / "train.csv", index=False)
    future = frame.assign(trips=frame["trips"].where(stamps <= cut))
    future[stamps <= cut + pd.DateOffset(years=2)].to_csv(tmp_path / "input.csv", index=False)
    config = yaml.safe_load((CONFIGS / "tourism_panel.yaml").read_text())
    config["data"] |= {"path": "train.csv", "known": ["easter", "campaign"]}
    config["training"] |= {"epochs": 1}
    config["model"] = {"units": [4]}
    config["output"] = {"run_dir": "runs/known"}
    (tmp_path / "known.yaml").write_text(yaml.safe_dump(config))

    trained = lstmcast("train", "known.yaml", "-q", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    done = lstmcast("forecast", "runs/known", "--input", "input.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    forecast = pd.read_csv(io.StringIO(done.stdout))
    horizon = config["windows"]["horizon"]
    assert len(forecast) == 40 * horizon and forecast["trips"].notna().all()
    first = pd.to_datetime(forecast.query("step == 1")["timestamp"]).unique()
    assert list(first) == [cut + pd.DateOffset(months=3)]

    one = future["series_id"].iloc[0]
    future[~((future.series_id == one) & future.trips.isna())].to_csv(
        tmp_path / "short.csv", index=False
    )
    refused = lstmcast("forecast", "runs/known", "--input", "short.csv", cwd=tmp_path)
    assert refused.returncode == 3 and f"[series {one}]" in refused.stderr, refused.stderr

    refits = ["--set", "backtest.refit_every=1", "--set", "backtest.folds=2", "--set",
              "backtest.spacing=2"]  # fmt: skip
    backtested = lstmcast("backtest", "known.yaml", *refits, "--json", cwd=tmp_path)
    assert backtested.returncode == 0, backtested.stderr
    assert json.loads(backtested.stdout)["series"] == 40


def _easter_month(year: int) -> int:
    """Easter Sunday's month (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741
    m = (a + 11 * h + 22 * l) // 451
    return (h + l - 7 * m + 114) // 31
