"""A cron forecast's wall time, Keras against the run's ONNX export, split into its stages.

    python -m bench.forecast_latency [ROUNDS]        (make bench-forecast-latency)

Trains the shipped air passengers config once (into bench/results/latency-run), then runs
ROUNDS times, alternating so machine noise falls on all alike:
- `lstmcast forecast RUN --engine keras|onnx` as a subprocess, end to end;
- the same stages in a fresh process each, timed one by one: import (lstmcast's forecast
  path), open (the run folder, its checksums), load (TensorFlow + Keras model, or ONNX
  Runtime session), read (input CSV, validated), predict (the rest of the forecast);
- `python -c "import typer"`, the floor any Typer CLI pays.
Medians; the ONNX and Keras forecasts are compared number by number on the way.
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
RUN = REPO / "bench" / "results" / "latency-run"
ENGINES = ("keras", "onnx")
STAGES = ("import", "open", "load", "read", "predict")

STAGED = """
import json, sys, time
clock = time.perf_counter(); times = {}
def lap(name):
    global clock
    now = time.perf_counter(); times[name] = now - clock; clock = now
from pathlib import Path
from lstmcast.artifacts import load_run
from lstmcast.data.prepare import read_columns, validated
from lstmcast.workflows.forecast import forecast as forecast_run
from lstmcast.workflows.forecast import forecast_predictor
lap("import")
run = load_run(Path(sys.argv[1])); lap("open")
model, device = forecast_predictor(run, engine=sys.argv[2]); lap("load")
data = run.experiment.data
frequency = run.preprocessing["frequency"]
validated(read_columns(data, data.path, "data.path"), data, path=None, frequency=frequency)
lap("read")
forecast_run(run, model=model); lap("predict")
print(json.dumps(times))
"""


def train_once() -> None:
    if (RUN / "model.onnx").is_file():
        return
    command = [
        sys.executable, "-m", "lstmcast", "train", "configs/air_passengers.yaml", "-q",
        "--overwrite", "--set", f"output.run_dir={RUN}",
    ]  # fmt: skip
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)
    if not (RUN / "model.onnx").is_file():
        sys.exit("no model.onnx: install the onnx extra (pip install -e '.[onnx]')")


def forecast(engine: str) -> tuple[float, pd.DataFrame]:
    command = [sys.executable, "-m", "lstmcast", "forecast", str(RUN), "--engine", engine, "-q"]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, pd.read_csv(io.StringIO(done.stdout))


def staged(engine: str) -> dict[str, float]:
    command = [sys.executable, "-c", STAGED, str(RUN), engine]
    done = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(rounds: int) -> None:
    train_once()
    walls: dict[str, list[float]] = {name: [] for name in (*ENGINES, "typer")}
    stages = {engine: {stage: [] for stage in STAGES} for engine in ENGINES}
    largest = 0.0
    for _ in range(rounds):
        frames = {}
        for engine in ENGINES:
            walls[engine].append(forecast(engine)[0])
            frames[engine] = forecast(engine)[1]
            for stage, seconds in staged(engine).items():
                stages[engine][stage].append(seconds)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import typer"], check=True)
        walls["typer"].append(time.perf_counter() - started)
        numbers = frames["keras"].columns[2:]
        difference = (frames["onnx"][numbers] - frames["keras"][numbers]).abs().to_numpy().max()
        largest = max(largest, float(difference))
    report(walls, stages, rounds, largest)


def report(walls: dict, stages: dict, rounds: int, largest: float) -> None:
    floor = statistics.median(walls["typer"])
    keras = statistics.median(walls["keras"])
    print(f"`lstmcast forecast` on the air passengers run, median of {rounds} alternating runs\n")
    print("| engine | wall s | x keras | x import typer | " + " | ".join(STAGES) + " |")
    print("|---|---:|---:|---:|" + "---:|" * len(STAGES))
    for engine in ENGINES:
        wall = statistics.median(walls[engine])
        split = " | ".join(f"{statistics.median(stages[engine][s]):.3f}" for s in STAGES)
        print(f"| {engine} | {wall:.3f} | {wall / keras:.2f} | {wall / floor:.1f} | {split} |")
    print(f'| `python -c "import typer"` | {floor:.3f} | {floor / keras:.2f} | 1.0 |' + " |" * 5)
    print(f"\nlargest difference between the two forecasts' numbers: {largest:.2g}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
