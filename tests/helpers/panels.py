"""Small panels of many series for tests: a long frame of series ending together, its
experiment, a folder of files holding it, and a tiny config the CLI trains in seconds."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from lstmcast.config.load import load_experiment


def long_panel(lengths: list[int], freq: str = "MS") -> pd.DataFrame:
    """Series s0, s1, ... all ending on the same month, of the given lengths, with a level of
    100 x (their number + 1) so that a mixed-up row is visible."""
    end = pd.Timestamp("2020-12-01")
    parts = []
    for index, rows in enumerate(lengths):
        stamps = pd.date_range(end=end, periods=rows, freq=freq)
        steps = np.arange(rows)
        parts.append(pd.DataFrame({
            "timestamp": stamps.strftime("%Y-%m-%d"), "series_id": f"s{index}",
            "kind": "odd" if index % 2 else "even",
            "y": 100.0 * (index + 1) + 10 * np.sin(steps) + steps,
        }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def panel_experiment(tmp_path: Path, frame: pd.DataFrame, **data: object) -> object:
    frame.to_csv(tmp_path / "panel.csv", index=False)
    config = {
        "data": {"path": "panel.csv", "target": "y", "series_id": "series_id", **data},
        "windows": {"lookback": 6, "horizon": 3},
        "split": {"validation": 6, "test": 6},
    }
    (tmp_path / "panel.yaml").write_text(yaml.safe_dump(config))
    return load_experiment(tmp_path / "panel.yaml")


LENGTHS = [30, 40, 9, 35, 28, 33, 40]  # s2 is too short for a window in every split


def write_folder(tmp_path: Path, frame: pd.DataFrame, groups: list[list[str]]) -> Path:
    """The panel's series split over files part-0.csv, part-1.parquet, ... (CSV and Parquet
    alternate), plus a _SUCCESS marker as Spark leaves."""
    folder = tmp_path / "shards"
    folder.mkdir()
    for number, ids in enumerate(groups):
        part = frame[frame["series_id"].isin(ids)]
        if number % 2:
            part.to_parquet(folder / f"part-{number}.parquet", index=False)
        else:
            part.to_csv(folder / f"part-{number}.csv", index=False)
    (folder / "_SUCCESS").write_text("")
    return folder


def tiny_panel_config(tmp_path, csv: str, **data: object) -> str:
    config = {
        "data": {"path": csv, "target": "y", **data},
        "windows": {"lookback": 6, "horizon": 3},
        "split": {"validation": 6, "test": 6},
        "model": {"units": [4]},
        "training": {"epochs": 2, "seed": 1, "early_stopping": None, "min_steps_per_epoch": 1},
    }
    name = csv.removesuffix(".csv")
    (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(config))
    return f"{name}.yaml"
