"""Step time of one config under each training placement, measured side by side on this machine.

    make bench-placement            # configs/taylor.yaml, 4 epochs each
    .venv/bin/python -m bench.placement CONFIG EPOCHS

Runs `lstmcast train` (the real CLI, a fresh process each, so logical devices and TF_CONFIG
are set per run) for: one device; XLA; mixed_float16; mirrored over 2 logical CPU devices;
two worker processes on loopback ports. Early stopping is off so every run does the same
epochs; `seconds` is training time as `train --json` reports it (after start-up). Prints ms
per optimizer step and the ratio to one device. On a GPU machine, run it with
CUDA_VISIBLE_DEVICES set to compare GPU placements.
"""

from __future__ import annotations

import json
import math
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

PLACEMENTS: dict[str, list[str]] = {
    "one device": [],
    "XLA (jit_compile)": ["training.jit_compile=true"],
    "mixed_float16": ["training.precision=mixed_float16"],
    "mirrored, 2 logical CPUs": ["training.distribution=mirrored", "training.cpu_replicas=2"],
}
MULTI_WORKER = "multi_worker, 2 processes"


def train_command(config: Path, epochs: int, run: str, settings: list[str]) -> list[str]:
    fixed = [f"training.epochs={epochs}", "training.early_stopping=null", f"output.run_dir={run}"]
    sets = [part for setting in fixed + settings for part in ("--set", setting)]
    return [sys.executable, "-m", "lstmcast", "train", str(config), "--json", "-q", *sets]


def one_process(config: Path, epochs: int, run: str, settings: list[str], cwd: Path) -> dict:
    done = subprocess.run(
        train_command(config, epochs, run, settings), capture_output=True, text=True, cwd=cwd
    )
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout)


def two_workers(config: Path, epochs: int, run: str, cwd: Path) -> list[dict]:
    """`lstmcast train` as two worker processes on loopback ports: each one's --json."""
    ports = []
    for _ in range(2):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            ports.append(sock.getsockname()[1])
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    command = train_command(config, epochs, run, ["training.distribution=multi_worker"])
    workers = [
        subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
            env={**os.environ, "TF_CONFIG": json.dumps({"cluster": cluster, "task": task})},
        )
        for task in ({"type": "worker", "index": 0}, {"type": "worker", "index": 1})
    ]
    outputs = [worker.communicate() for worker in workers]
    for worker, (_, stderr) in zip(workers, outputs, strict=True):
        if worker.returncode:
            raise SystemExit(stderr)
    return [json.loads(stdout) for stdout, _ in outputs]


def main() -> None:
    config = Path(sys.argv[1] if len(sys.argv) > 1 else "configs/taylor.yaml").resolve()
    epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")  # the CPU comparison unless asked
    rows = []
    with tempfile.TemporaryDirectory() as scratch:
        cwd = Path(scratch)
        for index, (label, settings) in enumerate([*PLACEMENTS.items(), (MULTI_WORKER, [])]):
            run = f"runs/{index}"
            if label == MULTI_WORKER:
                summary = two_workers(config, epochs, run, cwd)[0]
            else:
                summary = one_process(config, epochs, run, settings, cwd)
            steps = summary["epochs_run"] * steps_per_epoch(summary, config)
            rows.append((label, summary, 1000 * summary["seconds"] / steps))
            print(f"{label}: {rows[-1][2]:.1f} ms/step", file=sys.stderr, flush=True)
    base = rows[0][2]
    print(f"{config.name}, {epochs} epochs, device: {rows[0][1]['device']}")
    print(f"| placement | replicas | ms/step | ratio to one device | test MASE after {epochs} |")
    print("|---|---:|---:|---:|---:|")
    for label, summary, per_step in rows:
        mase = summary["evaluation"]["overall"][summary["evaluation"]["model"]]["mase"]
        replicas = summary["replicas"]
        print(f"| {label} | {replicas} | {per_step:.1f} | {per_step / base:.2f} | {mase:.4f} |")
    print(
        "MASE after a few epochs only shows each run trained; placements differ by rounding, "
        "which a short, unstable run can amplify (tests/cli/test_distributed.py checks "
        "agreement on a small model)."
    )


def steps_per_epoch(summary: dict, config: Path) -> int:
    """Optimizer steps per epoch: a pass over the windows, but at least min_steps_per_epoch."""
    from lstmcast.config import load_experiment

    training = load_experiment(config, []).training
    passes = math.ceil(summary["train_windows"] / training.batch_size)
    return max(passes, training.min_steps_per_epoch)


if __name__ == "__main__":
    main()
