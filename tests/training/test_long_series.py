"""What a long series needs: windows.evaluation_stride thins the scored origins (and the run
folder keeps it), train --json says where the time and memory went, and train suggests the
stride when scoring every origin would dwarf training."""

from __future__ import annotations

import json

import numpy as np
import pytest

from lstmcast.workflows.train import many_origins_note
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.program import lstmcast

PHASES = [
    "read", "validate", "window", "scale", "tensorflow", "fit", "calibrate", "evaluate", "write",
]  # fmt: skip


@pytest.mark.slow
def test_evaluation_stride_scores_every_kth_origin_and_evaluate_agrees(write_config, tmp_path):
    synthetic_frame(300).to_csv(tmp_path / "s.csv", index=False)
    summaries = {}
    for stride in (1, 3):
        config = tiny_experiment(
            tmp_path / "s.csv",
            tmp_path / "runs" / str(stride),
            windows={"evaluation_stride": stride},
        )
        trained = lstmcast("train", write_config(config, f"{stride}.yaml"), "--json", cwd=tmp_path)
        assert trained.returncode == 0, trained.stderr
        summaries[stride] = json.loads(trained.stdout)
    every, thinned = summaries[1], summaries[3]
    assert thinned["evaluation"]["num_windows"] == -(-every["evaluation"]["num_windows"] // 3)
    assert thinned["validation_windows"] == -(-every["validation_windows"] // 3)
    assert thinned["train_windows"] == every["train_windows"]
    assert thinned["evaluation"]["first_origin"] == every["evaluation"]["first_origin"]

    phases = thinned["phases"]
    assert list(phases) == PHASES
    assert all(entry["seconds"] >= 0 for entry in phases.values())
    peaks = [entry["peak_rss_mib"] for entry in phases.values()]
    assert peaks == sorted(peaks) and peaks[-1] > peaks[0] > 0  # a peak never goes down

    evaluated = lstmcast("evaluate", tmp_path / "runs" / "3", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    again = json.loads(evaluated.stdout)
    assert again["num_windows"] == thinned["evaluation"]["num_windows"]
    assert again["overall"] == thinned["evaluation"]["overall"]


def note(train: int, validation: int, evaluation_stride: int = 1) -> str | None:
    starts = {"train": np.arange(train), "validation": np.arange(validation),
              "test": np.arange(validation)}  # fmt: skip
    return many_origins_note(starts, evaluation_stride)


def test_train_suggests_an_evaluation_stride_only_when_scoring_dwarfs_training():
    said = note(train=200, validation=180_000)
    assert said is not None and "windows.evaluation_stride: 4 would keep" in said
    assert "180,000 validation windows" in said
    assert note(train=200, validation=40_000) is None  # few anyway
    assert note(train=60_000, validation=180_000) is None  # training > 1/4
    assert note(200, 180_000, evaluation_stride=2) is None  # chosen
