"""Prediction throughput (issue 16, target 5): lstmcast's one way to predict against a bare
`model.predict` on the same windows, side by side in one process.

    python -m bench.prediction_throughput [ROUNDS]     (part of make bench)

Trains configs/vic_elec.yaml for one epoch once (bench/results/throughput-run), then predicts
the horizon after every origin of the series (some 52,000 windows of 144 x 3) ROUNDS times
each way, alternating: `prediction.predict_scaled` (what evaluate, backtest and report use:
windows gathered lazily by tf.data from the one table) and `model.predict` on the same windows
materialised in numpy first (the copy not timed), batch 256 both. Checks they agree.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "bench" / "results" / "throughput-run"


def train_once() -> None:
    if (RUN / "manifest.json").is_file():
        return
    command = [
        sys.executable, "-m", "lstmcast", "train", "configs/vic_elec.yaml", "-q", "--overwrite",
        "--set", f"output.run_dir={RUN}", "--set", "training.epochs=1",
        "--set", "output.onnx=never",
    ]  # fmt: skip
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)


def main(rounds: int) -> None:
    train_once()
    from lstmcast.runtime import import_tensorflow

    import_tensorflow()
    from lstmcast.artifacts import load_run
    from lstmcast.data.prepare import prepare_data
    from lstmcast.data.windows import window_arrays
    from lstmcast.prediction import PREDICT_BATCH, predict_scaled

    run = load_run(RUN)
    data = prepare_data(run.experiment, scaler=run.scaler)
    experiment, model = data.experiment, run.load_model()
    lookback, horizon = experiment.windows.lookback, experiment.windows.horizon
    origins = np.arange(lookback - 1, len(data.scaled) - horizon)
    windows = window_arrays(data.scaled, origins - lookback + 1, lookback=lookback, horizon=0)
    times: dict[str, list[float]] = {"lstmcast": [], "bare": []}
    outputs = {}
    for _ in range(rounds):
        started = time.perf_counter()
        outputs["lstmcast"] = predict_scaled(model, experiment, data.scaled, origins)
        times["lstmcast"].append(time.perf_counter() - started)
        started = time.perf_counter()
        outputs["bare"] = model.predict(windows, batch_size=PREDICT_BATCH, verbose=0)
        times["bare"].append(time.perf_counter() - started)
    difference = float(np.max(np.abs(outputs["lstmcast"] - outputs["bare"])))
    rate = {name: len(origins) / statistics.median(values) for name, values in times.items()}
    print(f"{len(origins):,} windows of {lookback} x {data.scaled.shape[1]}, horizon {horizon}, "
          f"batch {PREDICT_BATCH}, median of {rounds} alternating rounds\n")  # fmt: skip
    print("| way | windows/s | x bare model.predict |\n|---|---:|---:|")
    for name, label in (("lstmcast", "prediction.predict_scaled (tf.data)"),
                        ("bare", "model.predict on numpy windows")):  # fmt: skip
        print(f"| {label} | {rate[name]:,.0f} | {rate[name] / rate['bare']:.2f} |")
    print(f"\nlargest difference between the two: {difference:.1g}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
