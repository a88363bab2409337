"""The real program as a user runs it: exit codes, clean stdout, quiet stderr, Ctrl-C."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from tests.helpers.data import REPO, tiny_experiment
from tests.helpers.program import (
    ENV,
    TF_NOISE,
    imported,
    imports_tensorflow,
    lstmcast,
    wait_for_line,
)

BANDS = ["lower_50", "upper_50", "lower_80", "upper_80"]  # the config's levels


@pytest.mark.slow
def test_end_to_end_on_sample_data(tmp_path):
    """train -> evaluate -> forecast on the bundled air passengers config, tiny model."""
    config = REPO / "configs" / "air_passengers.yaml"
    tiny = ["--set", "model.units=[4]", "--set", "training.epochs=3"]

    trained = lstmcast("train", config, *tiny, cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert not any(noise in trained.stderr for noise in TF_NOISE), trained.stderr
    assert "epoch 3/3" in trained.stderr  # one plain line per epoch when not a terminal
    assert "lstm" in trained.stdout and "seasonal_naive" in trained.stdout
    run_dir = tmp_path / "runs" / "air_passengers"
    assert (run_dir / "manifest.json").is_file()

    evaluated = lstmcast("evaluate", "runs/air_passengers", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads(evaluated.stdout)  # stdout is exactly one JSON document
    assert metrics["num_windows"] == 13 and metrics["season_length"] == 12
    assert not any(noise in evaluated.stderr for noise in TF_NOISE), evaluated.stderr

    forecast = lstmcast("forecast", "runs/air_passengers", "-o", "-", cwd=tmp_path)
    assert forecast.returncode == 0, forecast.stderr
    frame = pd.read_csv(io.StringIO(forecast.stdout))  # stdout is exactly the CSV
    assert list(frame.columns) == ["timestamp", "step", "passengers", *BANDS]
    assert frame["timestamp"].tolist()[:2] == ["1961-01-01", "1961-02-01"]
    assert frame["step"].tolist() == list(range(1, 13))
    assert "forecast 12 steps after 1960-12-01" in forecast.stderr


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["validate", "missing.yaml"], 2, "config file missing.yaml does not exist"),
        (["train", "bad.yaml"], 2, "windows.lookback: Input should be greater than 0"),
        (["validate", "nodata.yaml"], 3, "does not exist"),
        (["forecast", "no-run"], 4, "is neither a run folder nor a config file"),
        (["train", "--no-such-flag"], 2, "No such option: --no-such-flag (see "),
        (["nosuch"], 2, "error: No such command 'nosuch' (see "),
        (["forecast"], 2, "lstmcast forecast --help')"),
    ],
)
def test_exit_codes_and_one_line_errors(tmp_path, args, code, message):
    (tmp_path / "bad.yaml").write_text(
        "data: {path: x.csv, target: y}\nwindows: {lookback: 0, horizon: 1}\n"
    )
    (tmp_path / "nodata.yaml").write_text(
        "data: {path: x.csv, target: y}\nwindows: {lookback: 2, horizon: 1}\n"
    )
    result = lstmcast(*args, cwd=tmp_path)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1  # one line, like every failure


def test_debug_shows_the_traceback(tmp_path):
    result = lstmcast("validate", "missing.yaml", "--debug", cwd=tmp_path)
    assert result.returncode != 0
    assert "Traceback" in result.stderr


def train_until(tiny_config: Path, cwd: Path, *, epochs: int, epoch: int) -> subprocess.Popen:
    """`lstmcast train` running in the background, returned once it has logged `epoch`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "lstmcast", "train", str(tiny_config)]
        + ["--set", f"training.epochs={epochs}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=ENV,
    )
    assert process.stderr is not None
    wait_for_line(process.stderr, f"epoch {epoch}/")
    return process


@pytest.mark.slow
def test_ctrl_c_exits_130_and_leaves_no_run_folder(tmp_path, tiny_config):
    process = train_until(tiny_config, tmp_path, epochs=500, epoch=2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    runs = tmp_path / "runs"
    assert not (runs / "tiny").exists()  # only the hidden checkpoint a rerun resumes from
    assert sorted(path.name for path in runs.iterdir()) == [".tiny.checkpoint", ".tiny.lock"]


@pytest.mark.slow
@pytest.mark.parametrize(("stop", "code", "said"), [
    (signal.SIGTERM, 143, "terminated (SIGTERM)"),
    (signal.SIGHUP, 129, "hung up (SIGHUP)"),
])  # fmt: skip
def test_sigterm_and_sighup_stop_training_like_ctrl_c(tmp_path, tiny_config, stop, code, said):
    """What cron, systemd and `timeout` send: stop after the batch, keep the checkpoint."""
    process = train_until(tiny_config, tmp_path, epochs=500, epoch=2)
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == code, stderr
    assert f"error: {said}; nothing was written" in stderr and "Traceback" not in stderr
    runs = tmp_path / "runs"
    assert sorted(path.name for path in runs.iterdir()) == [".tiny.checkpoint", ".tiny.lock"]


def _open_once_read(fifo: Path, process: subprocess.Popen, timeout: float = 120) -> int:
    """The FIFO's write end, opened as soon as `process` opens it to read (a non-blocking
    writer's open fails until a reader has): from then on it waits on data that never comes.
    The program installs its signal handlers before it reads anything."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        except OSError:  # ENXIO: no reader yet
            time.sleep(0.05)
    raise AssertionError(f"the program never opened {fifo} (exit {process.poll()})")


def test_sigterm_outside_training_exits_143(tmp_path):
    """A job stopped while it waits (here on its input, a FIFO nobody writes to)."""
    fifo = tmp_path / "feed.csv"
    os.mkfifo(fifo)
    (tmp_path / "c.yaml").write_text(
        f"data: {{path: {fifo}, target: y}}\nwindows: {{lookback: 2, horizon: 1}}\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "lstmcast", "validate", "c.yaml"],
        cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    writer = _open_once_read(fifo, process)  # it waits on the FIFO, its handlers installed
    try:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        os.close(writer)
    assert process.returncode == 143, stderr
    assert "terminated (SIGTERM)" in stderr and "Traceback" not in stderr


@pytest.mark.slow
def test_a_killed_run_resumes_after_its_last_saved_epoch(tmp_path, tiny_config):
    """SIGKILL mid-training, then the same command: it says it resumes, runs only the epochs
    left, and writes a complete run folder with every epoch's history."""
    process = train_until(tiny_config, tmp_path, epochs=40, epoch=4)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=60)
    checkpoint = tmp_path / "runs" / ".tiny.checkpoint"
    metadata = checkpoint / "backup" / "training_metadata.json"
    saved = json.loads(metadata.read_text())["epoch"]
    assert 3 <= saved < 40
    assert not (tmp_path / "runs" / "tiny").exists()

    resumed = lstmcast("train", tiny_config, "--set", "training.epochs=40", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resuming after epoch {saved} of 40 from" in resumed.stderr
    epochs_run = [line for line in resumed.stderr.splitlines() if line.startswith("epoch ")]
    assert epochs_run[0].startswith(f"epoch {saved + 1}/40") and len(epochs_run) == 40 - saved
    history = pd.read_csv(tmp_path / "runs" / "tiny" / "history.csv")
    assert history["epoch"].tolist() == list(range(1, 41))
    assert not checkpoint.exists()
    assert lstmcast("evaluate", tmp_path / "runs" / "tiny", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("command", ["train", "forecast", "evaluate", "backtest", "tune"])
def test_help_loads_no_tensorflow(command):
    assert not imports_tensorflow(command, "--help")
    assert imports_tensorflow("train", "--check-determinism", "no-such.yaml") is False


@pytest.mark.parametrize("args", [["--help"], ["train", "--help"], ["update", "--help"]])
def test_help_loads_no_data_libraries(args):
    """--help is Typer's and Rich's alone (bench/startup.py: about 0.1 s)."""
    assert imported(("pandas", "numpy", "yaml"), *args) == []


def test_tables_on_a_pipe_are_plain_text_that_never_cuts_a_number(tmp_path):
    """A target around 1e12: every digit of every value shows, no box, no '…'."""
    rows = 240
    stamps = pd.date_range("2024-01-01", periods=rows, freq="h")
    values = 1e12 + 1e9 * np.sin(np.arange(rows) / 3.0)
    pd.DataFrame({"timestamp": stamps.strftime("%Y-%m-%dT%H:%M:%S"), "load": values}).to_csv(
        tmp_path / "big.csv", index=False
    )
    config = tiny_experiment(tmp_path / "big.csv", tmp_path / "runs" / "big")
    (tmp_path / "big.yaml").write_text(yaml.safe_dump(config))
    trained = lstmcast("train", "big.yaml", "-q", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    lines = trained.stdout.splitlines()
    assert "…" not in trained.stdout and "┃" not in trained.stdout and "━" not in trained.stdout
    naive = next(line for line in lines if line.split()[:1] == ["naive"])
    assert all(re.fullmatch(r"-?[\d,]+(\.\d+)?", cell) for cell in naive.split()[1:])
    assert all(line == line.rstrip() for line in lines)


def test_log_file_keeps_every_message_even_when_quiet(tmp_path, tiny_config):
    log = tmp_path / "cron.log"
    trained = lstmcast("--log-file", log, "train", tiny_config, "-q", cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    assert trained.stderr == ""  # quiet on stderr...
    lines = log.read_text().splitlines()  # ...but the log has it all, one stamped line each
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00 lstmcast\[\d+\] train ", line)
               for line in lines)  # fmt: skip
    assert any(" train info: training on CPU" in line for line in lines)
    assert any(" train info: epoch 2/2 " in line for line in lines)
    failed = lstmcast("--log-file", log, "evaluate", "runs/missing", cwd=tmp_path)
    assert failed.returncode == 4
    assert (
        log.read_text()
        .splitlines()[-1]
        .endswith(
            "evaluate error: runs/missing is neither a run folder nor a config file; give the "
            "folder `train` wrote (e.g. runs/air_passengers) or its config"
        )
    )
    refused = lstmcast("--log-file", tmp_path / "no" / "x.log", "schema", cwd=tmp_path)
    assert refused.returncode == 2 and "--log-file: folder" in refused.stderr
