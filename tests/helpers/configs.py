"""The shipped configs, and the settings that train each in seconds as real subprocesses."""

from __future__ import annotations

import pandas as pd
import yaml

from tests.helpers.data import CONFIGS


def is_panel(path) -> bool:
    data = yaml.safe_load(path.read_text())["data"]
    return bool(data.get("series_id")) or data.get("layout") == "wide"


SHIPPED = sorted(path.stem for path in CONFIGS.glob("*.yaml") if not is_panel(path))
"""Many-series configs: tests/workflows/test_every_command.py runs them beside a one-series one;
tests/workflows/test_panels.py tests what only panels have."""


PANELS = sorted(path.stem for path in CONFIGS.glob("*.yaml") if is_panel(path))


def quick_settings(config: dict, run_dir: str) -> list[str]:
    """One epoch of 4-unit layers (as many as the config has), every 16th training window."""
    layers = len(config.get("model", {}).get("units", [64]))
    settings = {
        "training.epochs": 1,
        "model.units": [4] * layers,
        "output.run_dir": run_dir,
    }
    if not config.get("model", {}).get("stateful"):
        settings |= {"windows.stride": 16, "training.min_steps_per_epoch": 1}
    if quick_horizon(config) != config["windows"]["horizon"]:
        settings |= {"windows.horizon": quick_horizon(config)}
    return [arg for key, value in settings.items() for arg in ("--set", f"{key}={value}")]


def quick_horizon(config: dict) -> int:
    """A recursive model's saved form unrolls one copy of its network per step: 8 steps keep
    its start-up short; other models keep the config's horizon."""
    recursive = config.get("model", {}).get("output") == "recursive"
    return 8 if recursive else config["windows"]["horizon"]


def forecast_input(config: dict, tmp_path) -> list[str]:
    """A model reading known-future columns needs rows for them after the history."""
    data = config["data"]
    if not data.get("known"):
        return []
    history = pd.read_csv(CONFIGS / data["path"]).tail(400)
    stamps = pd.to_datetime(history["timestamp"])
    step = stamps.iloc[-1] - stamps.iloc[-2]
    future = pd.DataFrame({"timestamp": [stamps.iloc[-1] + step * (i + 1) for i in range(48)]})
    future["timestamp"] = future["timestamp"].map(lambda t: t.isoformat().replace("+00:00", "Z"))
    for column in data["known"]:
        future[column] = 0
    path = tmp_path / "latest.csv"
    pd.concat([history, future]).to_csv(path, index=False)
    return ["--input", str(path)]
