"""Training overhead (issue 16, target 2): `lstmcast train` against a hand-written Keras script
on the identical model and windows, alternating runs.

    python -m bench.training_overhead [ROUNDS]        (part of make bench)

Model: one LSTM(64) over the window, a Dense(48) head, MAE, Adam 1e-3, batch 32, shuffled;
windows: lookback 96, horizon 48, every training window of the bundled Victoria series
(scaled by lstmcast's own preparation, so both read the same numbers). lstmcast trains with
per-window scaling and the blend off, so its network is this one. Each way runs EPOCHS epochs
in its own process, scoring the validation windows after each as lstmcast does (batches of
256, as lstmcast predicts); windows/s is
training windows over the whole `fit` (lstmcast's own figure; the script times `model.fit` the
same way). Target: lstmcast at least as fast (ratio >= 1.0).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EPOCHS = 2
SETTINGS = {
    "windows.lookback": 96, "windows.horizon": 48, "windows.stride": 1, "model.units": "[64]",
    "scaling.per_window": "none", "model.blend": "none", "training.batch_size": 32,
    "training.learning_rate": 0.001, "training.loss": "mae", "training.epochs": EPOCHS,
    "training.early_stopping": "null", "training.min_steps_per_epoch": 1,
    "output.onnx": "never", "output.run_dir": str(REPO / "bench" / "results" / "overhead-run"),
}  # fmt: skip
OVERRIDES = [arg for key, value in SETTINGS.items() for arg in ("--set", f"{key}={value}")]

BY_HAND = """
import json, sys, time
import numpy as np
from lstmcast.runtime import import_tensorflow, seed_everything
import_tensorflow()
import keras
from pathlib import Path
from lstmcast.config.load import load_experiment
from lstmcast.data.prepare import prepare_data
experiment = load_experiment(Path("configs/vic_elec.yaml"), overrides=sys.argv[1:])
data = prepare_data(experiment)
lookback, horizon = 96, 48
def windows(starts):
    x = data.scaled[starts[:, None] + np.arange(lookback)].astype("float32")
    return x, data.scaled[starts[:, None] + lookback + np.arange(horizon), 0].astype("float32")
x, y = windows(data.starts["train"])
seed_everything(7)
model = keras.Sequential([keras.Input((lookback, x.shape[2])), keras.layers.LSTM(64),
                          keras.layers.Dense(horizon)])
model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mae")
started = time.perf_counter()
model.fit(x, y, batch_size=32, epochs=EPOCHS, shuffle=True, verbose=0,
          validation_data=windows(data.starts["validation"]), validation_batch_size=256)
print(json.dumps({"windows_per_second": len(x) * EPOCHS / (time.perf_counter() - started),
                  "windows": len(x)}))
""".replace("EPOCHS", str(EPOCHS))


def by_lstmcast() -> float:
    command = [
        sys.executable, "-m", "lstmcast", "train", "configs/vic_elec.yaml", "--json", "-q",
        "--overwrite", *OVERRIDES,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return float(json.loads(done.stdout)["samples_per_second"])


def by_hand() -> tuple[float, int]:
    command = [sys.executable, "-c", BY_HAND, *[f"{k}={v}" for k, v in SETTINGS.items()]]
    done = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result["windows_per_second"], result["windows"]


def main(rounds: int) -> None:
    rates: dict[str, list[float]] = {"lstmcast train": [], "hand-written Keras": []}
    windows = 0
    for _ in range(rounds):
        rates["lstmcast train"].append(by_lstmcast())
        rate, windows = by_hand()
        rates["hand-written Keras"].append(rate)
    bare = statistics.median(rates["hand-written Keras"])
    print(f"{windows:,} training windows of 96 x 3, horizon 48, LSTM(64), batch 32, {EPOCHS} "
          f"epochs, {rounds} alternating runs each (median)\n")  # fmt: skip
    print("| way | windows/s | runs | x hand-written |\n|---|---:|---|---:|")
    for name, values in rates.items():
        runs = ", ".join(f"{value:,.0f}" for value in values)
        median = statistics.median(values)
        print(f"| {name} | {median:,.0f} | {runs} | {median / bare:.2f} |")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
