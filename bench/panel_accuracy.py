"""Many series as a newcomer runs them: the last horizon of every series held back, the config
`lstmcast init` writes for the rest (nothing set by hand but the seed), `train`, then
`forecast --input` the same rows; beside it statsforecast's AutoETS, AutoTheta and seasonal
naive per series and NeuralForecast's NHITS as one global model (bench/panel_peers.py, in the
peers' environment), all on the same cells.

    python -m bench.panel_accuracy [--panels retail,tourism,livestock,prison]
                                   [--seeds 0,1] [--methods lstmcast,stats,nhits] [--label L]
                                   [--set KEY=VALUE ...]

MASE of each series on its own in-sample seasonal-naive MAE (the rows before the held-back
horizon), averaged over series; the share of series each method forecasts better than
seasonal naive; train + forecast (or fit + forecast) wall seconds on this machine. lstmcast and
NHITS are averaged over the seeds, per series, before the means. The tables go to stdout and
bench/results/panel-accuracy[-LABEL].md. `make bench-panels-accuracy` runs it in full.

Panels: retail (152 monthly series) and tourism (304 quarterly) from ../shared/data/panel;
livestock (54 monthly) and prison (64 quarterly) from bench/data/panels (provenance in
bench/data/README.md). Prison is held out of every choice of defaults made with this bench.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "panel"
DATA = REPO / "bench" / "data" / "panels"
RESULTS = REPO / "bench" / "results"
PEERS_PYTHON = REPO / ".venv-bench" / "bin" / "python"
STATS = ("auto_ets", "auto_theta", "seasonal_naive")


@dataclass(frozen=True)
class Panel:
    path: Path
    target: str
    horizon: int
    season: int
    freq: str


PANELS = {
    "retail": Panel(SHARED / "aus_retail_monthly.csv", "turnover", 12, 12, "MS"),
    "tourism": Panel(SHARED / "tourism_quarterly.csv", "trips", 8, 4, "QS"),
    "livestock": Panel(DATA / "aus_livestock_monthly.csv.gz", "count", 12, 12, "MS"),
    "prison": Panel(DATA / "prison_quarterly.csv.gz", "count", 8, 4, "QS"),
}
HELD_OUT = "prison"
"""Never looked at while choosing defaults: the check that they carry over."""


def split(panel: Panel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(training rows, the held-back last horizon of every series)."""
    frame = pd.read_csv(panel.path).sort_values(["series_id", "timestamp"], kind="stable")
    position = frame.groupby("series_id").cumcount(ascending=False)
    return frame[position >= panel.horizon], frame[position < panel.horizon]


def scales(train: pd.DataFrame, panel: Panel) -> pd.Series:
    """Each series' in-sample seasonal-naive MAE on its training rows."""
    m = panel.season

    def scale(values: pd.Series) -> float:
        y = values.to_numpy(dtype=float)
        return float(np.mean(np.abs(y[m:] - y[:-m]))) if len(y) > m else np.nan

    return train.groupby("series_id")[panel.target].apply(scale)


def run_lstmcast(
    folder: Path, panel: Panel, seed: int, sets: list[str], forecast_input: str = "train.csv"
) -> tuple[pd.DataFrame, float]:
    """(forecast per series and step, train + forecast wall seconds) with init's config (and
    `sets`, `--set KEY=VALUE` overrides for trying a change before it becomes init's) on
    train.csv, forecasting the series of `forecast_input`."""
    _lstmcast("init", "train.csv", "--target", panel.target, "--horizon", panel.horizon,
              "-o", "panel.yaml", "--overwrite", cwd=folder)  # fmt: skip
    started = time.perf_counter()
    run = f"runs/seed{seed}"
    overrides = [f"training.seed={seed}", f"output.run_dir={run}", *sets]
    _lstmcast("train", "panel.yaml", *(a for kv in overrides for a in ("--set", kv)),
              "--overwrite", "-q", cwd=folder)  # fmt: skip
    out = _lstmcast("forecast", run, "--input", forecast_input, "-q", cwd=folder)
    seconds = time.perf_counter() - started
    frame = pd.read_csv(io.StringIO(out))
    return frame.rename(columns={panel.target: "y_hat"})[["series_id", "step", "y_hat"]], seconds


def _lstmcast(*args: object, cwd: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "lstmcast", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"lstmcast {args[0]} failed: {done.stderr.strip()[-600:]}")
    return done.stdout


def run_peers(
    folder: Path, panel: Panel, methods: list[str], seed: int, csv: str = "train.csv"
) -> dict[str, dict]:
    """method -> {"forecast": frame (series_id, step, y_hat), "seconds": fit + forecast} on
    the series of `csv` in `folder`."""
    if not PEERS_PYTHON.exists():
        sys.exit("the peers' environment is missing: make bench-peers")
    spec = {"target": panel.target, "horizon": panel.horizon, "season": panel.season,
            "freq": panel.freq, "methods": methods, "seed": seed}  # fmt: skip
    done = subprocess.run(
        [str(PEERS_PYTHON), str(REPO / "bench" / "panel_peers.py"), str(folder / csv),
         json.dumps(spec)], capture_output=True, text=True,
    )  # fmt: skip
    if done.returncode != 0:
        sys.exit(f"peers failed: {done.stderr.strip()[-800:]}")
    found = {}
    for method, result in json.loads(done.stdout).items():
        frame = pd.DataFrame(result["forecast"]).rename(columns={"unique_id": "series_id"})
        frame["step"] = frame.sort_values("ds").groupby("series_id").cumcount() + 1
        found[method] = {"forecast": frame[["series_id", "step", "y_hat"]],
                         "seconds": result["seconds"]}  # fmt: skip
    return found


def mase_per_series(forecast: pd.DataFrame, test: pd.DataFrame, scale: pd.Series,
                    panel: Panel, fallback: pd.DataFrame) -> tuple[pd.Series, int]:  # fmt: skip
    """(each series' MASE over its held-back horizon, how many series the method did not
    forecast and `fallback`, seasonal naive, stands in for, as a user would fill them)."""
    actual = test.assign(step=test.groupby("series_id").cumcount() + 1)
    joined = actual.merge(forecast, on=["series_id", "step"], how="left")
    missing = joined["y_hat"].isna()
    filled = joined.merge(fallback.rename(columns={"y_hat": "fallback"}), on=["series_id", "step"])
    joined["y_hat"] = joined["y_hat"].where(~missing, filled["fallback"])
    error = (joined[panel.target] - joined["y_hat"]).abs().groupby(joined["series_id"]).mean()
    return error / scale.reindex(error.index), int(joined.loc[missing, "series_id"].nunique())


def seasonal_naive(train: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    """The last season of each series' training rows, repeated over the horizon."""
    rows = []
    for sid, part in train.groupby("series_id"):
        last = part[panel.target].to_numpy(dtype=float)[-panel.season :]
        for step in range(1, panel.horizon + 1):
            rows.append((sid, step, last[(step - 1) % len(last)]))
    return pd.DataFrame(rows, columns=["series_id", "step", "y_hat"])


def measure(name: str, seeds: list[int], methods: set[str], sets: list[str]) -> dict:
    panel = PANELS[name]
    train, test = split(panel)
    scale = scales(train, panel)
    folder = Path(tempfile.mkdtemp(prefix=f"panel-{name}-"))
    train.to_csv(folder / "train.csv", index=False)
    mase, seconds, filled = {}, {}, {}
    fallback = seasonal_naive(train, panel)
    score = lambda forecast: mase_per_series(forecast, test, scale, panel, fallback)  # noqa: E731
    for seed in seeds:
        print(f"{name}: seed {seed} ...", file=sys.stderr, flush=True)
        if "lstmcast" in methods:
            forecast, wall = run_lstmcast(folder, panel, seed, sets)
            values, filled["lstmcast"] = score(forecast)
            mase.setdefault("lstmcast", []).append(values)
            seconds.setdefault("lstmcast", []).append(wall)
        peers = [*(STATS if "stats" in methods and seed == seeds[0] else ()),
                 *(["nhits"] if "nhits" in methods else [])]  # fmt: skip
        for method, result in run_peers(folder, panel, peers, seed).items():
            values, filled[method] = score(result["forecast"])
            mase.setdefault(method, []).append(values)
            seconds.setdefault(method, []).append(result["seconds"])
    per_series = pd.DataFrame({m: pd.concat(v, axis=1).mean(axis=1) for m, v in mase.items()})
    per_series = per_series[np.isfinite(scale.reindex(per_series.index)) & (scale > 0)]
    return {"panel": panel, "series": per_series, "seconds": seconds, "seeds": seeds,
            "filled": filled}  # fmt: skip


ORDER = ("lstmcast", "nhits", "auto_ets", "auto_theta", "seasonal_naive")


def table(name: str, found: dict) -> list[str]:
    per_series, seconds, panel = found["series"], found["seconds"], found["panel"]
    methods = [m for m in ORDER if m in per_series]
    naive = per_series.get("seasonal_naive")
    lines = [
        f"### {name}{' (held out of every choice of defaults)' if name == HELD_OUT else ''}: "
        f"{len(per_series)} series, horizon {panel.horizon}, season {panel.season}, seeds "
        f"{found['seeds']}",
        "",
        "| method | mean MASE | median MASE | beats seasonal naive | wall s (per seed) |",
        "|---|---:|---:|---:|---:|",
    ]
    for method in methods:
        values = per_series[method]
        beats = f"{(values < naive).mean():.0%}" if naive is not None else "-"
        wall = np.mean(seconds[method]) if method in seconds else float("nan")
        gaps = found["filled"].get(method, 0)
        named = f"{method} ({gaps} by seasonal naive)" if gaps else method
        lines.append(f"| {named} | {values.mean():.3f} | {values.median():.3f} | {beats} | "
                     f"{wall:.0f} |")  # fmt: skip
    if {"lstmcast", "auto_ets"} <= set(methods):
        ratio = per_series["lstmcast"].mean() / per_series["auto_ets"].mean()
        time_ratio = np.mean(seconds["lstmcast"]) / np.mean(seconds["auto_ets"])
        lines += ["", f"lstmcast / AutoETS: mean MASE x{ratio:.3f}, wall time x{time_ratio:.1f}"
                  + (f"; / NHITS: x{per_series['lstmcast'].mean() / per_series['nhits'].mean():.3f}"
                     if "nhits" in methods else "") + "."]  # fmt: skip
    return [*lines, ""]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panels", default=",".join(PANELS))
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--methods", default="lstmcast,stats,nhits")
    parser.add_argument("--label", default="")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        dest="sets",
        metavar="KEY=VALUE",
        help="override init's config (experiments; the default sets nothing)",
    )
    args = parser.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    methods = set(args.methods.split(","))
    started = time.perf_counter()
    lines = []
    for name in args.panels.split(","):
        lines += table(name, measure(name, seeds, methods, args.sets))
    suffix = f"-{args.label}" if args.label else ""
    text = (f"# Panel accuracy{suffix} (bench/panel_accuracy.py)\n\n`python -m "
            f"bench.panel_accuracy {' '.join(sys.argv[1:])}`, {time.perf_counter() - started:.0f}"
            " s in all on this machine.\n\n" + "\n".join(lines))  # fmt: skip
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"panel-accuracy{suffix}.md").write_text(text)


if __name__ == "__main__":
    main()
