"""Every architecture family on one sample series, side by side in one run.

    make bench-architectures        # or: .venv/bin/python -m bench.architectures

Trains each configs/ family file on the Taylor half-hourly demand series (lookback 96,
horizon 48, the last two weeks as test, seed 7) through the real CLI, one after another, and
prints parameters, epochs, training time and test MASE beside seasonal naive. The output
strategies are also compared on equal inputs (the same calendar features for direct, seq2seq
and recursive). Results: bench/results/architectures.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
LSTMCAST = Path(sys.executable).with_name("lstmcast")

# (row name, config, overrides): the family files as shipped, plus the same-inputs variants.
RUNS = [
    ("stacked LSTM", "gru.yaml", ["model.cell=lstm"]),
    ("GRU", "gru.yaml", []),
    ("bidirectional LSTM (concat)", "bidirectional.yaml", []),
    ("residual 4x32 + layer norm", "residual.yaml", []),
    ("direct + calendar", "seq2seq.yaml", ["model.output=direct"]),
    ("seq2seq + calendar", "seq2seq.yaml", []),
    ("recursive + calendar", "recursive.yaml", []),
    ("seq2seq + additive attention", "attention.yaml", []),
    ("seq2seq + dot attention", "attention.yaml", ["model.attention=dot"]),
    ("seq2seq + multi-head attention", "attention.yaml", ["model.attention=multi_head"]),
    ("stateful LSTM (lookback 48)", "stateful.yaml", []),
]


def train(name: str, config: str, overrides: list[str]) -> dict:
    run_dir = RESULTS / "runs" / name.replace(" ", "_").replace("/", "_")
    command = [str(LSTMCAST), "train", str(REPO / "configs" / config), "--json", "--overwrite"]
    for override in [*overrides, f"output.run_dir={run_dir}"]:
        command += ["--set", override]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{name}: lstmcast train failed ({done.returncode}): {done.stderr}")
    summary = json.loads(done.stdout)
    overall = summary["evaluation"]["overall"]
    return {
        "name": name,
        "config": f"configs/{config}" + "".join(f" --set {o}" for o in overrides),
        "architecture": summary["architecture"],
        "parameters": summary["num_params"],
        "epochs": summary["epochs_run"],
        "train_seconds": round(summary["seconds"], 1),
        "process_seconds": round(time.perf_counter() - started, 1),
        "mase": overall[summary["evaluation"]["model"]]["mase"],
        "seasonal_naive_mase": overall["seasonal_naive"]["mase"],
        "test_windows": summary["evaluation"]["num_windows"],
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| architecture | parameters | epochs | train s | test MASE | seasonal naive MASE |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['name']} | {row['parameters']:,} | {row['epochs']} | "
            f"{row['train_seconds']:.1f} | {row['mase']:.3f} | {row['seasonal_naive_mase']:.3f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", nargs="*", help="row names to rerun, keeping the saved results of the others"
    )
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = RESULTS / "architectures.json"
    kept = {row["name"]: row for row in json.loads(saved.read_text())} if args.only else {}
    rows = []
    for name, config, overrides in RUNS:
        if args.only and name not in args.only:
            if name in kept:
                rows.append(kept[name])
        else:
            print(f"training {name} ...", file=sys.stderr, flush=True)
            rows.append(train(name, config, overrides))
        saved.write_text(json.dumps(rows, indent=2) + "\n")
        (RESULTS / "architectures.md").write_text(table(rows) + "\n")
    print(table(rows))


if __name__ == "__main__":
    main()
