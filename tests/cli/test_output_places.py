"""Where a command writes: every destination checked before any work, one --json document on
every path, and outputs that are not plain files (a device, a FIFO, a link) written through
or replaced as each must be, never replaced by a regular file."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.program import minimal
from tests.helpers.runs import tiny_run


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    return tiny_run(tmp_path_factory.mktemp("places"))


def forecast(run: Path, *args: object, cwd: Path):
    return minimal("forecast", run, *args, cwd=cwd, timeout=120)


def one_document(result) -> dict:
    """Exactly one JSON document on stdout, whatever happened."""
    document = json.loads(result.stdout)  # a second document would not parse
    assert isinstance(document, dict)
    return document


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--log", "nodir/log.csv"], "--log: folder nodir does not exist"),
        (["--plot", "/sys/forecast.png"], "--plot: cannot write /sys/forecast.png"),
        (["-o", "same.csv", "--log", "same.csv"], "--output and --log both name same.csv"),
        (["-o", "."], "--output: . is a folder; give a file name"),
    ],
)
def test_a_bad_destination_fails_before_any_forecast_with_one_document(
    run, tmp_path, args, fragment
):
    result = forecast(run, *args, "--json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    document = one_document(result)
    assert document["status"] == "error" and fragment in document["error"]["message"]
    assert result.stderr.strip().splitlines() == [f"error: {document['error']['message']}"]
    assert list(tmp_path.iterdir()) == []  # no forecast went out, nothing was written


@pytest.mark.slow
def test_json_is_one_document_when_the_forecast_goes_to_a_file(run, tmp_path):
    result = forecast(run, "-o", "next.csv", "--log", "log.csv", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    document = one_document(result)
    assert document["status"] == "ok" and document["output"] == "next.csv"
    assert "forecast" not in document and len(pd.read_csv(tmp_path / "next.csv")) == 2


@pytest.mark.slow
def test_dev_null_stays_a_device(run, tmp_path):
    before = os.stat("/dev/null")
    result = forecast(run, "--output", "/dev/null", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev


@pytest.mark.slow
def test_dev_stdout_is_written_through(run, tmp_path):
    result = forecast(run, "--output", "/dev/stdout", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("timestamp,step,load,")


@pytest.mark.slow
def test_a_fifo_is_written_through_to_its_reader(run, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    result = forecast(run, "--output", fifo, cwd=tmp_path)
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].startswith("timestamp,step,load,")


@pytest.mark.slow
def test_a_link_keeps_being_a_link_and_its_target_is_replaced(run, tmp_path):
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "next.csv"
    target.write_text("old\n")
    link = tmp_path / "next.csv"
    link.symlink_to(target)
    result = forecast(run, "--output", link, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and link.resolve() == target
    assert target.read_text().startswith("timestamp,step,load,")
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["next.csv"]


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_a_character_device_is_written_through_not_replaced(run, tmp_path):
    device = tmp_path / "null"
    os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # another /dev/null
    result = forecast(run, "--output", device, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat(device).st_mode)


@pytest.mark.slow
def test_a_command_on_a_folder_that_is_no_run_leaves_no_lock(tmp_path):
    (tmp_path / "runs" / "empty").mkdir(parents=True)
    for command in ("evaluate", "forecast", "report", "info", "backtest"):
        result = minimal(command, "runs/empty", cwd=tmp_path)
        assert result.returncode == 4, (command, result.stderr)
        assert "is not a complete run folder" in result.stderr
    assert sorted(p.name for p in (tmp_path / "runs").iterdir()) == ["empty"]
