"""One writer per run folder: a second holder is refused naming the first, waits when asked,
and takes over a lock whose holder died."""

from __future__ import annotations

import json
import threading
import time

import pytest

from lstmcast import locks
from lstmcast.errors import ExitCode, LockedError
from tests.helpers.data import synthetic_frame, tiny_experiment
from tests.helpers.program import lstmcast


def test_a_second_writer_is_refused_naming_the_first(tmp_path):
    run_dir = tmp_path / "runs" / "x"
    with (
        locks.holding(run_dir, command="train"),
        pytest.raises(LockedError) as refused,
        locks.holding(run_dir, command="evaluate"),
    ):
        pass
    message = str(refused.value)
    assert message.startswith("another lstmcast train (pid ")
    assert f"holds {run_dir}; wait for it to finish, or run with --wait SECONDS" in message
    assert refused.value.exit_code == ExitCode.LOCKED == 7


def test_readers_share_and_a_writer_waits_for_them(tmp_path):
    run_dir = tmp_path / "runs" / "x"
    with (
        locks.holding(run_dir, command="forecast", exclusive=False),
        locks.holding(run_dir, command="report", exclusive=False),
        pytest.raises(LockedError),
        locks.holding(run_dir, command="train"),
    ):
        pass


def test_wait_queues_behind_the_holder(tmp_path):
    run_dir = tmp_path / "runs" / "x"
    held, released = threading.Event(), threading.Event()

    def hold_briefly() -> None:
        with locks.holding(run_dir, command="train"):
            held.set()
            released.wait(5)

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    assert held.wait(10), "the holder never took the lock"
    threading.Timer(0.6, released.set).start()  # a timer never fires early
    started = time.monotonic()
    with locks.holding(run_dir, command="train", wait=5):
        waited = time.monotonic() - started
    holder.join()
    assert 0.3 < waited < 5


def test_the_lock_of_a_dead_process_is_taken_over_with_a_note(tmp_path):
    run_dir = tmp_path / "runs" / "x"
    run_dir.parent.mkdir(parents=True)
    dead = {"pid": 2**22 + 12345, "command": "train", "started": "2026-11-30T03:00:00+00:00"}
    locks.lock_path(run_dir).write_text(json.dumps(dead))
    notes: list[str] = []
    with locks.holding(run_dir, command="train", tell=notes.append):
        pass
    assert notes == [
        f"taking over the lock of {run_dir} left by pid {dead['pid']} (lstmcast train, started "
        f"{dead['started']}), which is no longer running"
    ]


def test_a_holder_that_finished_is_not_taken_over(tmp_path):
    """Only a killed holder is named: a process that let go (any exit it could act on) leaves
    an empty record, so the next cron run says nothing."""
    import subprocess
    import sys

    run_dir = tmp_path / "runs" / "x"
    code = (
        "from pathlib import Path\nfrom lstmcast import locks\n"
        f"with locks.holding(Path({str(run_dir)!r}), command='train'): pass"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert locks.lock_path(run_dir).read_text() == ""
    notes: list[str] = []
    with locks.holding(run_dir, command="train", tell=notes.append):
        pass
    assert notes == []


@pytest.mark.slow
def test_two_trainings_of_one_run_at_once(tmp_path, write_csv, write_config):
    """The second `lstmcast train` of a run being trained fails at once, exit 7, naming the
    first; the first finishes and its folder is complete."""
    import subprocess
    import sys

    from tests.helpers.program import ENV, wait_for_line

    config = write_config(
        tiny_experiment(write_csv(synthetic_frame(240)), tmp_path / "runs" / "x",
                        training={"epochs": 300})
    )  # fmt: skip
    first = subprocess.Popen(
        [sys.executable, "-m", "lstmcast", "train", str(config), "--set", "training.epochs=40"],
        cwd=tmp_path, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert first.stderr is not None
    wait_for_line(first.stderr, "epoch 1/")
    second = lstmcast("train", config, "--set", "training.epochs=40", cwd=tmp_path)
    assert second.returncode == 7, second.stderr
    assert f"error: another lstmcast train (pid {first.pid}, started " in second.stderr
    assert "Traceback" not in second.stderr
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert (tmp_path / "runs" / "x" / "manifest.json").is_file()
    queued = lstmcast("evaluate", tmp_path / "runs" / "x", "--wait", "60", "-q", cwd=tmp_path)
    assert queued.returncode == 0, queued.stderr
