"""Peak memory of one epoch of training windows: lstmcast's lazy view vs materialised copies.

Run from the repo root: `python bench/windows_memory.py` (or `make bench`). Each measurement runs
in a fresh process on the bundled vic_elec series (52,608 rows x 3 columns) and reports the
growth of peak RSS over the process's RSS after TensorFlow and the data are loaded, so the
import cost cancels out. The ratio column is materialised / lazy, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LOOKBACKS = (48, 144, 336)
HORIZON = 48
BATCH = 128


def measure(mode: str, lookback: int) -> dict[str, float]:
    """Runs inside the child process."""
    import numpy as np
    import pandas as pd

    sys.path.insert(0, str(REPO))
    from lstmcast.data.windows import window_dataset, window_starts
    from lstmcast.runtime import import_tensorflow

    tf = import_tensorflow()
    frame = pd.read_csv(REPO / "sample_data" / "vic_elec_halfhourly.csv")
    values = frame[["demand", "temperature", "holiday"]].to_numpy(np.float32)
    values = (values - values.mean(0)) / values.std(0)
    starts = window_starts(len(values), lookback, HORIZON)
    tf.constant(values)  # warm TensorFlow's allocator outside the measurement
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if mode == "lazy":
        dataset = window_dataset(
            values,
            starts,
            lookback=lookback,
            horizon=HORIZON,
            batch_size=BATCH,
            shuffle=True,
            seed=0,
        )
    else:  # what a hand-written pipeline usually does: every window copied up front
        inputs = np.stack([values[s : s + lookback] for s in starts])
        targets = np.stack([values[s + lookback : s + lookback + HORIZON, 0] for s in starts])
        dataset = (
            tf.data.Dataset.from_tensor_slices((inputs, targets))
            .shuffle(len(starts), seed=0)
            .batch(BATCH)
        )
    checksum = 0.0
    for batch_inputs, _ in dataset:
        checksum += float(tf.reduce_sum(batch_inputs[:, -1, 0]))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "peak_growth_mb": (peak - baseline) / 1024,
        "seconds": seconds,
        "windows": len(starts),
        "checksum": checksum,
    }


def run_child(mode: str, lookback: int) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(lookback)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "LOOKBACK"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], int(args.child[1]))))
        return
    print(f"one shuffled epoch over vic_elec (52,608 x 3), horizon {HORIZON}, batch {BATCH}")
    header = ("lookback", "windows", "lazy MB", "copied MB", "ratio", "lazy s", "copied s")
    print(" ".join(f"{name:>9}" for name in header))
    for lookback in LOOKBACKS:
        lazy, copied = run_child("lazy", lookback), run_child("copied", lookback)
        if abs(lazy["checksum"] - copied["checksum"]) > 1e-2 * max(1.0, abs(copied["checksum"])):
            raise SystemExit("the two pipelines produced different windows")
        ratio = copied["peak_growth_mb"] / max(lazy["peak_growth_mb"], 1.0)
        row = (
            lookback,
            int(lazy["windows"]),
            f"{lazy['peak_growth_mb']:.1f}",
            f"{copied['peak_growth_mb']:.1f}",
            f"{ratio:.1f}x",
            f"{lazy['seconds']:.2f}",
            f"{copied['seconds']:.2f}",
        )
        print(" ".join(f"{cell:>9}" for cell in row))


if __name__ == "__main__":
    main()
