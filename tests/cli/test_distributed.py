"""tf.distribute from the command line, on CPU: mirrored over two logical CPU devices, and two
worker processes on loopback ports; each gives the single-device model up to rounding."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.panels import long_panel, tiny_panel_config
from tests.helpers.program import ENV, TF_NOISE, lstmcast

pytestmark = pytest.mark.slow  # each test starts TensorFlow in two or three processes


@pytest.fixture
def config(tmp_path, write_csv, write_config):
    csv = write_csv(synthetic_frame(240))
    # batch 32 of 161 training windows: the last batch of each pass splits 1/0 over replicas
    return write_config(tiny_experiment(csv, tmp_path / "runs" / "single", training={"seed": 3}))


def trained(config, tmp_path, name, *settings):
    result = lstmcast(
        "train", config, "--json", "--set", f"output.run_dir=runs/{name}", *settings, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def assert_same_model(distributed: dict, single: dict) -> None:
    """Replicas average the same gradients a single device computes: equal up to rounding."""
    expected = single["evaluation"]["overall"]["lstm"]
    for metric, value in expected.items():  # bias, a mean of signed errors, up to the MAE's
        assert distributed["evaluation"]["overall"]["lstm"][metric] == pytest.approx(
            value, rel=1e-4, abs=1e-4 * expected["mae"]
        )
    assert distributed["epochs_run"] == single["epochs_run"]


def test_mirrored_over_two_logical_cpus(config, tmp_path):
    single = trained(config, tmp_path, "single")
    mirrored = trained(
        config,
        tmp_path,
        "mirrored",
        "--set",
        "training.distribution=mirrored",
        "--set",
        "training.cpu_replicas=2",
    )
    assert mirrored["replicas"] == 2 and single["replicas"] == 1
    assert mirrored["device"].endswith("mirrored over 2 replicas")
    assert_same_model(mirrored, single)
    manifest = json.loads((tmp_path / "runs" / "mirrored" / "manifest.json").read_text())
    assert manifest["training"]["distribution"] == "mirrored"
    assert manifest["training"]["replicas"] == 2
    evaluated = lstmcast("evaluate", "runs/mirrored", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["overall"] == mirrored["evaluation"]["overall"]


def free_ports(count: int) -> list[int]:
    """Ports free now, chosen below the kernel's ephemeral range (where outgoing connections
    take theirs), so nothing but an explicit bind can take one before the workers do."""
    first, _ = (int(x) for x in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    ports: list[int] = []
    for port in random.Random().sample(range(20_000, min(first, 32_000)), 64):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise AssertionError("no free ports below the ephemeral range")


BUSY_PORT = ("address already in use", "could not start grpc server", "failed to add port")


def two_workers(config, tmp_path, run_dir: str) -> list[tuple[int, dict, str]]:
    """`lstmcast train` started twice at once with a TF_CONFIG each, on loopback ports:
    (exit code, --json summary, stderr) per worker. Ports taken by someone else in the
    moment between choosing them and binding them are chosen again (up to three times)."""
    for _ in range(3):
        outputs = _start_two(config, tmp_path, run_dir, free_ports(2))
        if not any(code and any(b in err.lower() for b in BUSY_PORT) for code, _, err in outputs):
            break
    for code, _, stderr in outputs:
        assert code == 0, stderr
        assert not any(noise in stderr for noise in TF_NOISE), stderr
    return [(code, json.loads(stdout), stderr) for code, stdout, stderr in outputs]


def _start_two(config, tmp_path, run_dir: str, ports: list[int]) -> list[tuple[int, str, str]]:
    cluster = {"worker": [f"localhost:{port}" for port in ports]}
    settings = ["--set", f"output.run_dir={run_dir}", "--set", "training.distribution=multi_worker"]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "lstmcast", "train", str(config), "--json", *settings],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            env={
                **ENV,
                "TF_CONFIG": json.dumps(
                    {"cluster": cluster, "task": {"type": "worker", "index": i}}
                ),
            },
        )
        for i in range(2)
    ]
    outputs = []
    try:
        for worker in workers:
            outputs.append(worker.communicate(timeout=300))
    finally:
        for worker in workers:
            worker.kill()
    return [
        (worker.returncode, stdout, stderr)
        for worker, (stdout, stderr) in zip(workers, outputs, strict=True)
    ]


def test_two_workers_on_loopback_train_one_model_and_the_chief_writes_it(config, tmp_path):
    single = trained(config, tmp_path, "single")
    (_, chief, chief_log), (_, other, other_log) = two_workers(config, tmp_path, "runs/workers")
    assert (chief["worker"], chief["workers"], chief["replicas"]) == (0, 2, 2)
    assert other["worker"] == 1 and other["evaluation"] is None
    assert "worker 0 of 2" in chief_log and "worker 1 of 2" in other_log
    assert_same_model(chief, single)
    run_dir = tmp_path / "runs" / "workers"
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert (manifest["training"]["distribution"], manifest["training"]["workers"]) == (
        "multi_worker",
        2,
    )
    folders = sorted(path.name for path in (tmp_path / "runs").iterdir() if path.is_dir())
    assert folders == ["single", "workers"]
    forecast = lstmcast("forecast", "runs/workers", "-o", "-", cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr


def test_two_workers_train_one_many_series_model(tmp_path):
    """A panel under multi_worker: the same global model as one process, written by the
    chief only, forecasting every series."""
    long_panel([40, 40, 30]).to_csv(tmp_path / "long.csv", index=False)
    config = tiny_panel_config(tmp_path, "long.csv", series_id="series_id")
    single = lstmcast("train", config, "--json", cwd=tmp_path)
    assert single.returncode == 0, single.stderr
    expected = json.loads(single.stdout)["evaluation"]["mean_mase"]
    (_, chief, _), (_, other, _) = two_workers(config, tmp_path, "runs/workers")
    assert other["evaluation"] is None and (chief["worker"], chief["workers"]) == (0, 2)
    for method, value in expected.items():
        assert chief["evaluation"]["mean_mase"][method] == pytest.approx(value, rel=1e-4)
    forecast = lstmcast("forecast", "runs/workers", cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr
    assert forecast.stdout.count("\n") == 1 + 3 * 3  # a header, 3 series x horizon 3


def test_two_workers_each_train_on_their_own_files_of_a_panel_folder(tmp_path):
    """A panel kept as a folder of files (as Spark writes one): each worker trains on its own
    files' series only, uneven as they are, with the same steps and the same learned vector per
    series; the chief then reads every file to score all series and writes the run folder,
    which evaluate and forecast read back from the folder."""
    frame = long_panel([40, 40, 30, 36, 40])
    (tmp_path / "panel").mkdir()
    for number, ids in enumerate([["s0", "s3"], ["s1"], ["s2", "s4"]]):
        part = frame[frame["series_id"].isin(ids)]
        part.to_csv(tmp_path / "panel" / f"part-{number}.csv", index=False)
    (tmp_path / "panel" / "_SUCCESS").write_text("")
    config = tiny_panel_config(tmp_path, "panel", series_id="series_id")
    settings = yaml.safe_load((tmp_path / config).read_text())
    settings["model"]["series_embedding"] = 2
    (tmp_path / config).write_text(yaml.safe_dump(settings))

    (_, chief, chief_log), (_, other, other_log) = two_workers(config, tmp_path, "runs/files")
    assert chief["files"] == ["part-0.csv", "part-2.csv"] and other["files"] == ["part-1.csv"]
    assert "trains on its own 2 files (part-0.csv, part-2.csv): 4 of 5 series" in chief_log
    assert "trains on its own 1 file (part-1.csv): 1 of 5 series" in other_log
    assert chief["epochs_run"] == other["epochs_run"] == 2
    assert "blend" in chief["phases"] and "blend" not in other["phases"]
    assert other["evaluation"] is None
    assert chief["evaluation"]["series"] == 5
    evaluated = lstmcast("evaluate", "runs/files", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["mean_mase"] == chief["evaluation"]["mean_mase"]
    forecast = lstmcast("forecast", "runs/files", cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr
    assert forecast.stdout.count("\n") == 1 + 5 * 3
