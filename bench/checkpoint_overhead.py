"""Cost of the per-epoch checkpoint that makes training resumable, measured side by side.

    .venv/bin/python -m bench.checkpoint_overhead configs/air_passengers.yaml 30

Fits the config's model (early stopping off, the given number of epochs, CPU, same seed)
alternately without and with a checkpoint folder, twice each, and prints the time per epoch
and the ratio with/without.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from lstmcast.config import load_experiment
from lstmcast.data.prepare import prepare_data
from lstmcast.runtime import seed_everything, select_device


def main() -> None:
    config, epochs = Path(sys.argv[1]), int(sys.argv[2])
    overrides = ["training.early_stopping=null", f"training.epochs={epochs}"]
    data = prepare_data(load_experiment(config, overrides))
    select_device("cpu")
    from lstmcast.training.fit import fit_model

    per_epoch: dict[str, list[float]] = {"without": [], "with": []}
    for label in ("without", "with", "without", "with"):
        seed_everything(data.experiment.training.seed)
        folder = Path(tempfile.mkdtemp()) if label == "with" else None
        result = fit_model(data, checkpoint=folder)
        per_epoch[label].append(result.seconds / result.epochs_run)
        print(f"{label} checkpoint: {1000 * per_epoch[label][-1]:.0f} ms/epoch", flush=True)
    ratio = sum(per_epoch["with"]) / sum(per_epoch["without"])
    print(f"ratio with/without: {ratio:.3f}")


if __name__ == "__main__":
    main()
