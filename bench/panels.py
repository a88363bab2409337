"""Many series: one global model against the loop of one model per series people write by hand.

    python -m bench.panels speed [SERIES ...]     (make bench-panels)
    python -m bench.panels accuracy                (make bench-panels-accuracy)

speed: synthetic hourly panels of SERIES x 2,000 points (default 1,000 and 10,000): the wall
time of validate, of one training epoch, of forecasting every series, and each command's peak
RSS, measured as real `lstmcast` subprocesses; beside them, the per-series loop (the same
model, one run per series) timed on a sample of 3 series and extrapolated to all of them, as
the table says.

accuracy: the two real panels of ../shared/data/panel (152 monthly retail series, 304
quarterly tourism series) at one calendar cut-off: the global model's MASE per series against
seasonal naive, AutoETS (statsforecast, run in its own environment given by ETS_PYTHON) and
one lstmcast model per series on a sample of series, all on the same test cells and MASE scale.
Tables go to stdout and bench/results/panels-*.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
SHARED = REPO.parent / "shared" / "data" / "panel"
POINTS = 2_000
LOOP_SAMPLE = 3


def measured(*args: object, cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MB, stdout) of one lstmcast subprocess; the peak comes from
    /usr/bin/time -v (Debian package `time`), NaN without it."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    command = [*timer, sys.executable, "-m", "lstmcast", *map(str, args)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"lstmcast {' '.join(map(str, args))} failed: {done.stderr.strip()[-400:]}")
    peak = next(
        (int(line.split(":")[1]) / 1024 for line in done.stderr.splitlines()
         if "Maximum resident set size" in line),
        float("nan"),
    )  # fmt: skip
    return wall, peak, done.stdout


def synthetic_panel(folder: Path, series: int) -> Path:
    """Hourly series with a daily cycle, levels spread over two decades, 5% noise."""
    rng = np.random.default_rng(series)
    steps = np.arange(POINTS)
    level = rng.uniform(10, 1000, size=series)
    cycle = 1 + 0.3 * np.sin(2 * np.pi * (steps[None, :] + rng.integers(0, 24, (series, 1))) / 24)
    values = level[:, None] * (cycle + 0.05 * rng.standard_normal((series, POINTS)))
    stamps = pd.date_range("2020-01-01", periods=POINTS, freq="h").strftime("%Y-%m-%dT%H:%M:%S")
    path = folder / f"panel{series}.csv"
    with path.open("w") as stream:
        stream.write("timestamp,series_id,y\n")
        for index in range(series):
            block = pd.DataFrame({"t": stamps, "id": f"m{index:05d}", "y": values[index].round(3)})
            block.to_csv(stream, header=False, index=False)
    return path


SPEED_CONFIG = {
    "windows": {"lookback": 48, "horizon": 24, "stride": 4},
    "split": {"validation": 168, "test": 168},
    "model": {"units": [32]},
    "training": {"epochs": 1, "batch_size": 256, "early_stopping": None, "seed": 1},
}


def speed(counts: list[int]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        for series in counts:
            rows.append(_speed_row(folder, series))
    header = (
        "| series x points | validate s | train s (1 epoch) | windows/s | forecast all s | "
        "peak RSS MB (validate / train / forecast) | per-series loop: train s, forecast s "
        f"(extrapolated from {LOOP_SAMPLE}) | loop / global train | loop / global forecast |"
    )
    lines = [header, "|---|---:|---:|---:|---:|---|---:|---:|---:|", *rows]
    _write("panels-speed.md", "Panel speed (bench/panels.py speed)", lines)


def _speed_row(folder: Path, series: int) -> str:
    csv = synthetic_panel(folder, series)
    config = {"data": {"path": csv.name, "target": "y", "series_id": "series_id"},
              **SPEED_CONFIG, "output": {"run_dir": f"runs/p{series}"}}  # fmt: skip
    (folder / f"p{series}.yaml").write_text(yaml.safe_dump(config))
    validate_s, validate_mb, _ = measured("validate", f"p{series}.yaml", "-q", cwd=folder)
    train_s, train_mb, out = measured("train", f"p{series}.yaml", "--json", "-q", cwd=folder)
    summary = json.loads(out)
    forecast_s, forecast_mb, _ = measured(
        "forecast", f"runs/p{series}", "-o", "f.csv", "-q", cwd=folder
    )
    loop_train, loop_forecast = _loop(folder, csv, series)
    return (
        f"| {series:,} x {POINTS:,} | {validate_s:.1f} | {train_s:.1f} "
        f"(fit {summary['seconds']:.1f}) | {summary['samples_per_second']:,.0f} | "
        f"{forecast_s:.1f} | {validate_mb:,.0f} / {train_mb:,.0f} / {forecast_mb:,.0f} | "
        f"{loop_train:,.0f}, {loop_forecast:,.0f} | {loop_train / train_s:.0f}x | "
        f"{loop_forecast / forecast_s:.0f}x |"
    )


def _loop(folder: Path, csv: Path, series: int) -> tuple[float, float]:
    """One run per series, as a hand-written loop would do: mean wall time of LOOP_SAMPLE
    series, times the number of series."""
    frame = pd.read_csv(csv, nrows=LOOP_SAMPLE * POINTS)
    train_times, forecast_times = [], []
    for sid, part in frame.groupby("series_id"):
        part[["timestamp", "y"]].to_csv(folder / f"{sid}.csv", index=False)
        config = {"data": {"path": f"{sid}.csv", "target": "y"}, **SPEED_CONFIG,
                  "output": {"run_dir": f"runs/{sid}"}}  # fmt: skip
        (folder / f"{sid}.yaml").write_text(yaml.safe_dump(config))
        train_times.append(measured("train", f"{sid}.yaml", "-q", "--overwrite", cwd=folder)[0])
        forecast_times.append(measured("forecast", f"runs/{sid}", "-o", "x.csv", cwd=folder)[0])
    return float(np.mean(train_times)) * series, float(np.mean(forecast_times)) * series


PANELS = {
    "aus_retail_monthly": {
        "target": "turnover", "static": ["state", "industry"], "lookback": 36, "horizon": 12,
        "validation": 12, "test": 12, "season": 12,
    },
    "tourism_quarterly": {
        "target": "trips", "static": ["state", "purpose"], "lookback": 12, "horizon": 8,
        "validation": 8, "test": 8, "season": 4,
    },
}  # fmt: skip
ACCURACY_MODEL = {
    "model": {"units": [64]},
    "training": {"epochs": 60, "batch_size": 64, "learning_rate": 0.002, "loss": "mae",
                 "early_stopping": {"patience": 8}},
    "scaling": {"method": "standard", "per_window": "mean"},
}  # fmt: skip
SEEDS = (7, 8)
EMBEDDING = 8
PER_SERIES_SAMPLE = 12


def accuracy() -> None:
    lines = []
    for name, spec in PANELS.items():
        lines += _accuracy_panel(name, spec)
    _write("panels-accuracy.md", "Panel accuracy (bench/panels.py accuracy)", lines)


def _accuracy_panel(name: str, spec: dict) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    frame = pd.read_csv(SHARED / f"{name}.csv")
    frame.to_csv(folder / "panel.csv", index=False)
    per_series, seconds = {}, {}
    for variant, embedding in (("global", 0), ("global_embedding", EMBEDDING)):
        for seed in SEEDS:
            config = _panel_config(spec, "panel.csv", seed, series_id="series_id")
            config["model"] = {**config["model"], "series_embedding": embedding}
            (folder / f"{variant}{seed}.yaml").write_text(yaml.safe_dump(config))
            wall, _, out = measured("train", f"{variant}{seed}.yaml", "--json", "-q", cwd=folder)
            seconds.setdefault(variant, []).append(wall)
            evaluation = json.loads(out)["evaluation"]
            for sid, scores in evaluation["per_series"].items():
                per_series.setdefault((variant, sid), []).append(scores["overall"])
    mase = pd.DataFrame(
        {
            variant: {
                sid: np.mean([r["lstm"]["mase"] for r in rs])
                for (name, sid), rs in per_series.items()
                if name == variant
            }
            for variant in seconds
        }
    )
    first = {sid: rs[0] for (name, sid), rs in per_series.items() if name == "global"}
    mase["seasonal_naive"] = pd.Series(
        {sid: r["seasonal_naive"]["mase"] for sid, r in first.items()}
    )
    mase["naive"] = pd.Series({sid: r["naive"]["mase"] for sid, r in first.items()})
    ets, ets_seconds = _auto_ets(folder, frame, spec)
    if ets is not None:
        mase["auto_ets"] = ets
    sample, local, local_seconds = _per_series(folder, frame, spec, list(mase.index))
    return _accuracy_table(name, spec, mase, sample, local, seconds, ets_seconds, local_seconds)


def _panel_config(spec: dict, csv: str, seed: int, **data: object) -> dict:
    config = {
        "data": {"path": csv, "target": spec["target"], **data},
        "windows": {"lookback": spec["lookback"], "horizon": spec["horizon"]},
        "split": {"validation": spec["validation"], "test": spec["test"]},
        **ACCURACY_MODEL,
    }
    config["training"] = {**config["training"], "seed": seed}
    if "series_id" in data:
        config["data"]["static"] = spec["static"]
    return config


def _per_series(
    folder: Path, frame: pd.DataFrame, spec: dict, ids: list[str]
) -> tuple[list[str], dict[str, float], float]:
    """One lstmcast model per series on a deterministic sample, same settings and cut-off."""
    rng = np.random.default_rng(0)
    sample = sorted(rng.choice(ids, size=min(PER_SERIES_SAMPLE, len(ids)), replace=False))
    local, started = {}, time.perf_counter()
    for index, sid in enumerate(sample):
        part = frame[frame.series_id == sid][["timestamp", spec["target"]]]
        part.to_csv(folder / f"one{index}.csv", index=False)
        values = []
        for seed in SEEDS:
            config = _panel_config(spec, f"one{index}.csv", seed)
            config["output"] = {"run_dir": f"runs/one{index}-{seed}"}
            (folder / f"one{index}.yaml").write_text(yaml.safe_dump(config))
            _, _, out = measured("train", f"one{index}.yaml", "--json", "-q", cwd=folder)
            values.append(json.loads(out)["evaluation"]["overall"]["lstm"]["mase"])
        local[sid] = float(np.mean(values))
    return sample, local, (time.perf_counter() - started) / len(SEEDS)


ETS_SCRIPT = """
import json, sys
import numpy as np, pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS
frame, spec = pd.read_csv(sys.argv[1]), json.loads(sys.argv[2])
frame["ds"] = pd.to_datetime(frame["timestamp"])
cut = sorted(frame["ds"].unique())[-spec["test"]]
train = frame[frame.ds < cut].rename(columns={"series_id": "unique_id", spec["target"]: "y"})
model = StatsForecast(models=[AutoETS(season_length=spec["season"])], freq=spec["freq"], n_jobs=1)
forecast = model.forecast(df=train[["unique_id", "ds", "y"]], h=spec["horizon"])
print(forecast.reset_index().to_json(orient="records", date_format="iso"))
"""


def _auto_ets(folder: Path, frame: pd.DataFrame, spec: dict) -> tuple[pd.Series | None, float]:
    """AutoETS's MASE per series at the same cut-off, on lstmcast's MASE scale (the
    seasonal-naive MAE of each series' training part)."""
    python = os.environ.get("ETS_PYTHON")
    if not python:
        return None, float("nan")
    freq = {12: "MS", 4: "QS"}[spec["season"]]
    started = time.perf_counter()
    done = subprocess.run(
        [python, "-c", ETS_SCRIPT, str(folder / "panel.csv"), json.dumps({**spec, "freq": freq})],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    forecast = pd.DataFrame(json.loads(done.stdout))
    column = next(c for c in forecast.columns if c not in {"unique_id", "ds", "index"})
    stamps = sorted(pd.to_datetime(frame["timestamp"]).unique())
    test_cut, validation_cut = stamps[-spec["test"]], stamps[-spec["test"] - spec["validation"]]
    mase = {}
    for sid, part in frame.groupby("series_id"):
        when = pd.to_datetime(part["timestamp"])
        y = part[spec["target"]].to_numpy()
        train = y[(when < validation_cut).to_numpy()]
        if len(train) <= spec["season"]:  # too short: lstmcast leaves it out too
            continue
        scale = np.mean(np.abs(train[spec["season"] :] - train[: -spec["season"]]))
        actual = y[(when >= test_cut).to_numpy()][: spec["horizon"]]
        predicted = forecast[forecast.unique_id == sid][column].to_numpy()[: len(actual)]
        mase[sid] = float(np.mean(np.abs(actual - predicted)) / scale) if scale > 0 else np.nan
    return pd.Series(mase), seconds


def _accuracy_table(name, spec, mase, sample, local, seconds, ets_seconds, local_seconds):
    order = ("global", "global_embedding", "auto_ets", "seasonal_naive", "naive")
    methods = [m for m in order if m in mase]
    beats = (mase["global"] < mase["seasonal_naive"]).mean()
    lines = [
        f"### {name}: {len(mase)} series, horizon {spec['horizon']}, test = the last "
        f"{spec['test']} steps of every series, seeds {list(SEEDS)} (global MASE averaged)",
        "",
        "| method | mean MASE | median MASE | wall s |",
        "|---|---:|---:|---:|",
    ]
    walls = {**{name: np.mean(values) for name, values in seconds.items()}, "auto_ets": ets_seconds}
    for method in methods:
        wall = walls.get(method)
        shown = f"{wall:.0f}" if wall is not None and wall == wall else "-"
        lines.append(
            f"| {method} | {mase[method].mean():.3f} | {mase[method].median():.3f} | {shown} |"
        )
    on_sample = mase.loc[sample, "global"]
    lines += [
        "",
        f"Global model beats seasonal naive on {beats:.0%} of the series. One lstmcast model "
        f"per series, on a sample of {len(sample)} series (same settings, same cut-off): mean "
        f"MASE {np.mean(list(local.values())):.3f} against the global model's "
        f"{on_sample.mean():.3f} on the same series; {local_seconds:.0f}s for the sample "
        f"(about {local_seconds / len(sample) * len(mase):.0f}s for all {len(mase)}, "
        "extrapolated).",
        "",
    ]
    return lines


def _write(name: str, title: str, lines: list[str]) -> None:
    text = f"# {title}\n\n" + "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(text)


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "speed"
    if what == "speed":
        speed([int(n) for n in sys.argv[2:]] or [1_000, 10_000])
    else:
        accuracy()
