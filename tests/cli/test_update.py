"""`lstmcast update` as a weekly cron job runs it: a run continued from its own weights on the
data up to now, into a new folder whose manifest names its parent; the parent untouched; what
would change the model refused in one line; a panel taking in a series that arrived since."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.data import CONFIGS, SAMPLE_DATA, synthetic_frame, tiny_experiment
from tests.helpers.program import minimal


@pytest.fixture(scope="module")
def weekly(tmp_path_factory) -> Path:
    """A tiny run trained on the first 240 of 300 hourly rows; new.csv holds all 300."""
    root = tmp_path_factory.mktemp("weekly")
    frame = synthetic_frame(rows=300)
    frame.head(240).to_csv(root / "old.csv", index=False)
    frame.to_csv(root / "new.csv", index=False)
    config = tiny_experiment(root / "old.csv", root / "runs" / "load")
    (root / "load.yaml").write_text(yaml.safe_dump(config))
    assert minimal("train", "load.yaml", "-q", cwd=root).returncode == 0
    return root


def checksums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def forecast(run: Path, cwd: Path) -> np.ndarray:
    done = minimal("forecast", run, "--input", "new.csv", "-q", cwd=cwd)
    assert done.returncode == 0, done.stderr
    return pd.read_csv(io.StringIO(done.stdout))["load"].to_numpy()


def test_an_update_writes_a_new_run_that_names_its_parent_and_leaves_it_as_it_was(weekly):
    parent = weekly / "runs" / "load"
    before = checksums(parent)
    done = minimal("update", "runs/load", "--input", "new.csv", "--epochs", "2",
                   "--output-run", "runs/load-w2", "--json", cwd=weekly)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["epochs_run"] == 2
    child = weekly / "runs" / "load-w2"
    manifest = json.loads((child / "manifest.json").read_text())
    parent_manifest = json.loads((parent / "manifest.json").read_text())
    digest = hashlib.sha256((parent / "manifest.json").read_bytes()).hexdigest()[:8]
    assert manifest["parent"] == {
        "run_id": f"load-{digest}",
        "run_dir": str(parent.resolve()),
        "data_sha256": parent_manifest["data_sha256"],
        "epochs_added": 2,
    }
    assert manifest["data_sha256"] != parent_manifest["data_sha256"]  # new.csv
    old, new = (json.loads((d / "preprocessing.json").read_text()) for d in (parent, child))
    assert new["series"]["load"]["scaler"] == old["series"]["load"]["scaler"]  # kept
    assert new["last_timestamp"] == synthetic_frame(rows=300)["timestamp"].iloc[-1]
    assert checksums(parent) == before
    assert minimal("evaluate", "runs/load-w2", "-q", cwd=weekly).returncode == 0
    info = minimal("info", "runs/load-w2", cwd=weekly)
    assert f"updated    from run load-{digest} ({parent.resolve()}): 2 more epochs" in info.stdout
    assert len(forecast(child, weekly)) == 2


def test_an_update_starts_from_the_parents_weights(weekly):
    """At a learning rate too small to move a weight, the updated model forecasts what its
    parent does (a model trained from fresh weights would not)."""
    done = minimal("update", "runs/load", "-i", "new.csv", "--epochs", "1", "--output-run",
                   "runs/still", "--set", "training.learning_rate=1e-12", cwd=weekly)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "continuing run load-" in done.stderr
    parent, child = weekly / "runs" / "load", weekly / "runs" / "still"
    np.testing.assert_allclose(forecast(child, weekly), forecast(parent, weekly), rtol=1e-5)


def test_a_blended_run_updates_from_its_network_alone(tmp_path):
    """The parent's blend share is not carried into training: at a learning rate too small to
    move a weight, the update chooses the same blend and scores what its parent scored."""
    config = CONFIGS / "air_passengers.yaml"
    run = tmp_path / "runs" / "ap"
    trained = minimal("train", config, "--set", "training.epochs=4", "--set",
                      f"output.run_dir={run}", "-q", cwd=tmp_path)  # fmt: skip
    assert trained.returncode == 0, trained.stderr
    done = minimal("update", run, "-i", SAMPLE_DATA / "air_passengers.csv", "--epochs", "1",
                   "--set", "training.learning_rate=1e-12", "--output-run", tmp_path / "u",
                   "--json", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    parent = json.loads((run / "manifest.json").read_text())["training"]["blend"]
    child = json.loads(done.stdout)["blend"]
    assert parent["share"] < 1 and child["share"] == parent["share"]
    assert child["network_mae"] == pytest.approx(parent["network_mae"], rel=1e-5)
    metrics = [json.loads((d / "metrics.json").read_text())["overall"]["lstm"]["mase"]
               for d in (run, tmp_path / "u")]  # fmt: skip
    assert metrics[1] == pytest.approx(metrics[0], rel=1e-5)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--set", "model.units=[8]"], "--set model.units: an update keeps the run's"),
        (["--set", "windows.horizon=3"], "only training.* can change"),
        (["--input", "missing.csv"], "missing.csv"),
    ],
)
def test_what_would_change_the_model_is_refused_in_one_line_and_nothing_is_written(
    weekly, args, says
):
    command = ["update", "runs/load", "--output-run", "runs/refused"]
    if "--input" not in args:
        command += ["--input", "new.csv"]
    done = minimal(*command, *args, cwd=weekly)
    lines = done.stderr.strip().splitlines()
    assert done.returncode in (2, 3) and len(lines) == 1 and says in lines[0], done.stderr
    assert not (weekly / "runs" / "refused").exists()


def test_the_default_folder_sits_beside_the_parent_and_a_gated_update_is_judged(weekly):
    done = minimal("update", "runs/load", "-i", "new.csv", "--epochs", "1", "--gate",
                   "--against", "runs/load", cwd=weekly)  # fmt: skip
    (folder,) = (weekly / "runs").glob("load.update-*")
    verdict = json.loads((folder / "gate.json").read_text())
    assert done.returncode == (0 if verdict["passed"] else 9), done.stderr
    assert verdict["production"]["run_id"].startswith("load-")


def test_a_panel_update_takes_in_a_series_that_arrived_since(tmp_path):
    """s1 arrives between s0 and s2, s2 three times s0's level: the trained series keep their
    scalers and their rows of the vector table (numbers 1 and 2); s1 is scaled by its own rows
    and trains as number 0, the vector learned for unseen series."""
    frames = []
    for index in range(3):
        frame = synthetic_frame(rows=200)
        frame["load"] = frame["load"] * (index + 1)
        frames.append(frame.assign(series_id=f"s{index}"))
    pd.concat([frames[0], frames[2]]).to_csv(tmp_path / "old.csv", index=False)
    pd.concat(frames).to_csv(tmp_path / "new.csv", index=False)
    config = tiny_experiment(tmp_path / "old.csv", tmp_path / "runs" / "stores",
                             data={"series_id": "series_id"},
                             model={"units": [4], "series_embedding": 2})  # fmt: skip
    (tmp_path / "stores.yaml").write_text(yaml.safe_dump(config))
    assert minimal("train", "stores.yaml", "-q", cwd=tmp_path).returncode == 0
    done = minimal("update", "runs/stores", "-i", "new.csv", "--output-run", "runs/stores-w2",
                   cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "1 series new since the run (s1) train as the unknown series" in done.stderr
    old, new = (json.loads((tmp_path / "runs" / name / "preprocessing.json").read_text())
                for name in ("stores", "stores-w2"))  # fmt: skip
    assert {sid: entry["number"] for sid, entry in old["series"].items()} == {"s0": 1, "s2": 2}
    assert {sid: entry["number"] for sid, entry in new["series"].items()} == {
        "s0": 1, "s1": 0, "s2": 2,
    }  # fmt: skip
    for sid in ("s0", "s2"):
        assert new["series"][sid]["scaler"] == old["series"][sid]["scaler"]
    assert (
        new["series"]["s1"]["scaler"]["scale"][0] > 1.5 * old["series"]["s0"]["scaler"]["scale"][0]
    )
    out = minimal("forecast", "runs/stores-w2", "-q", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert sorted(pd.read_csv(io.StringIO(out.stdout))["series_id"].unique()) == ["s0", "s1", "s2"]
