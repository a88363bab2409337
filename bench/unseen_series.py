"""Series a global model never saw: a fifth of a shipped panel's series held out of training
entirely, then forecast at the same cut-off from their own history, beside the series it
trained on, seasonal naive and AutoETS on the same cells.

    python -m bench.unseen_series [--panel shipped|retail|tourism|livestock|prison]
                                  [--seeds 0,1] [--embedding 8]

The last horizon of every series is held back; init's config trains on the other four fifths
(once as written, once with `model.series_embedding`, whose unseen series read the vector
learned from ids dropped in training); `forecast --input` is given every series. MASE on each
series' in-sample seasonal-naive MAE (bench/panel_accuracy.py's protocol), averaged over the
held-out and over the trained series. The table goes to stdout and
bench/results/unseen-series-PANEL.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from bench.panel_accuracy import (
    PANELS,
    REPO,
    RESULTS,
    Panel,
    mase_per_series,
    run_lstmcast,
    run_peers,
    scales,
    seasonal_naive,
    split,
)

SHIPPED = Panel(REPO / "sample_data" / "tourism_quarterly_tas_wa.csv", "trips", 8, 4, "QS")
HELD_OUT_EVERY = 5
"""Every fifth series in id order is never trained on."""


def measure(panel: Panel, seeds: list[int], embedding: int) -> list[str]:
    train, test = split(panel)
    ids = sorted(train["series_id"].unique())
    unseen = set(ids[HELD_OUT_EVERY - 1 :: HELD_OUT_EVERY])
    scale = scales(train, panel)
    fallback = seasonal_naive(train, panel)
    folder = Path(tempfile.mkdtemp(prefix="unseen-series-"))
    train[~train["series_id"].isin(unseen)].to_csv(folder / "train.csv", index=False)
    train.to_csv(folder / "every.csv", index=False)
    found: dict[str, pd.Series] = {}
    seconds: dict[str, float] = {}
    variants = {"lstmcast (init)": [], f"lstmcast + series_embedding {embedding}":
                [f"model.series_embedding={embedding}"]}  # fmt: skip
    for name, sets in variants.items():
        runs = []
        for seed in seeds:
            forecast, wall = run_lstmcast(folder, panel, seed, sets, forecast_input="every.csv")
            runs.append(mase_per_series(forecast, test, scale, panel, fallback)[0])
            seconds[name] = seconds.get(name, 0.0) + wall / len(seeds)
        found[name] = pd.concat(runs, axis=1).mean(axis=1)
    peers = run_peers(folder, panel, ["auto_ets", "seasonal_naive"], seeds[0], csv="every.csv")
    for method, result in peers.items():
        found[method] = mase_per_series(result["forecast"], test, scale, panel, fallback)[0]
        seconds[method] = result["seconds"]
    return _table(found, seconds, unseen, (panel, len(ids)), seeds)


def _table(
    found: dict, seconds: dict, unseen: set, panel: tuple[Panel, int], seeds: list[int]
) -> list[str]:
    (spec, series) = panel
    lines = [
        f"{series} series of {spec.path.name}, {len(unseen)} (every {HELD_OUT_EVERY}th) never "
        f"trained on; horizon {spec.horizon}; lstmcast averaged over seeds {seeds}.",
        "",
        "| method | mean MASE, unseen series | mean MASE, trained series | wall s |",
        "|---|---:|---:|---:|",
    ]
    for method, values in found.items():
        held = values[values.index.isin(unseen)].mean()
        trained = values[~values.index.isin(unseen)].mean()
        lines.append(f"| {method} | {held:.3f} | {trained:.3f} | {seconds[method]:.0f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--panel", default="shipped", choices=["shipped", *PANELS])
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--embedding", type=int, default=8)
    args = parser.parse_args()
    started = time.perf_counter()
    panel = SHIPPED if args.panel == "shipped" else PANELS[args.panel]
    lines = measure(panel, [int(s) for s in args.seeds.split(",")], args.embedding)
    text = (f"# Unseen series (bench/unseen_series.py)\n\n`python -m bench.unseen_series "
            f"{' '.join(sys.argv[1:])}`, {time.perf_counter() - started:.0f} s on this "
            "machine.\n\n" + "\n".join(lines) + "\n")  # fmt: skip
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"unseen-series-{args.panel}.md").write_text(text)


if __name__ == "__main__":
    main()
