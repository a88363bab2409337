"""lstmcast as a user runs it: a config with only what the series dictates, then the real CLI.

The config names the data, the horizon and the split; everything else is lstmcast's shipped
default (optionally changed with `--set KEY=VALUE`, to measure a candidate default). `train`
fits on the history, `evaluate --forecasts` exports every test window, and the windows at the
suite's origins are kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from bench.accuracy.suite import Task, write_task_csv


def experiment_config(
    task: Task, *, csv: Path, run_dir: Path, seed: int, test_rows: int | None = None
) -> dict[str, Any]:
    spec = task.spec
    return {
        "data": {
            "path": str(csv),
            "target": spec.target,
            "frequency": spec.frequency,
            "season_length": spec.season_length,
        },
        "windows": {"horizon": spec.horizon},
        "split": {
            "validation": spec.validation,
            "test": test_rows or spec.test_windows * spec.horizon,
        },
        "training": {"seed": seed},
        "output": {"run_dir": str(run_dir)},
    }


def run_lstmcast(
    task: Task, *, seed: int, overrides: list[str], test_rows: int | None = None
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Train and evaluate through the CLI; every test window's forecasts and facts of the run."""
    with tempfile.TemporaryDirectory(prefix="lstmcast-bench-") as folder:
        work = Path(folder)
        write_task_csv(task, work / "series.csv")
        config = experiment_config(
            task, csv=work / "series.csv", run_dir=work / "run", seed=seed, test_rows=test_rows
        )
        (work / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
        return _train_and_export(work, overrides)


def _train_and_export(work: Path, settings: list[str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Train work/config.yaml with `settings` into work/run, export its test windows; those
    forecasts and facts of the run."""
    args = [arg for setting in settings for arg in ("--set", setting)]
    trained = _cli("train", str(work / "config.yaml"), *args, "--json")
    _cli("evaluate", str(work / "run"), "--forecasts", str(work / "test.csv"), "--quiet")
    saved = yaml.safe_load((work / "run" / "config.yaml").read_text())
    info = {
        "lookback": saved["windows"]["lookback"],
        "params": trained["num_params"],
        "epochs": trained["epochs_run"],
        "train_seconds": round(trained["seconds"], 1),
        "blend_share": (trained.get("blend") or {}).get("share"),
    }
    return pd.read_csv(work / "test.csv"), info


def forecast_lstmcast(
    task: Task, *, seed: int, overrides: list[str]
) -> tuple[np.ndarray, dict[str, Any]]:
    frame, info = run_lstmcast(task, seed=seed, overrides=overrides)
    return _at_origins(task, frame), info


def forecast_lstmcast_init(
    task: Task, *, seed: int, overrides: list[str]
) -> tuple[np.ndarray, dict[str, Any]]:
    """What a newcomer gets: `lstmcast init` writes the config from the CSV (horizon and target
    given, as a user would), and only the test rows and the seed are set, so that the windows
    scored are the task's."""
    spec = task.spec
    with tempfile.TemporaryDirectory(prefix="lstmcast-bench-init-") as folder:
        work = Path(folder)
        write_task_csv(task, work / "series.csv")
        _cli("init", str(work / "series.csv"), "--target", spec.target, "--horizon",
             str(spec.horizon), "-o", str(work / "config.yaml"), "--quiet")  # fmt: skip
        written = yaml.safe_load((work / "config.yaml").read_text())
        sets = [f"split.test={spec.test_windows * spec.horizon}", f"training.seed={seed}",
                f"output.run_dir={work / 'run'}", *overrides]  # fmt: skip
        frame, info = _train_and_export(work, sets)
    info["validation"] = written["split"]["validation"]
    info["levels"] = (written.get("intervals") or {"levels": [80, 95]}).get("levels")
    return _at_origins(task, frame), info


def _cli(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "lstmcast", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"lstmcast {args[0]} exited {done.returncode}: {done.stderr.strip()}")
    return json.loads(done.stdout) if "--json" in args else {}


def _at_origins(task: Task, frame: pd.DataFrame) -> np.ndarray:
    """The exported windows whose origin is one of the task's, checked against its actuals."""
    spec = task.spec
    origins = pd.to_datetime(frame["origin"]).dt.tz_localize(None)
    wanted = origins.isin(task.timestamps[task.origins])
    chosen = frame[wanted.to_numpy()]
    forecast = chosen["lstm"].to_numpy("float64").reshape(spec.test_windows, spec.horizon)
    actual = chosen["actual"].to_numpy("float64").reshape(spec.test_windows, spec.horizon)
    if not np.allclose(actual, task.actuals(), rtol=1e-6):
        raise RuntimeError(f"{spec.name}: lstmcast's test windows do not match the task's")
    return forecast
