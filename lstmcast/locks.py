"""One writer per run folder: two cron jobs (or a rerun by hand) never train into, score or
read from the same run at once.

A lock is an advisory `flock` on a hidden file beside the folder (`runs/.NAME.lock`).
Writers (train, evaluate, backtest's output) take it exclusively, readers (forecast, report)
shared. The kernel releases it when its process dies, however it dies, so a lock left by a
killed job is simply free; the file keeps who holds it (emptied when the holder lets go), which
is how a waiting job can name the one it waits for, and how a job taking over after a crash
can say so.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstmcast.errors import LockedError

POLL_SECONDS = 0.5


def lock_path(target: Path) -> Path:
    return target.parent / f".{target.name}.lock"


@contextlib.contextmanager
def holding(
    target: Path,
    *,
    command: str,
    exclusive: bool = True,
    wait: float = 0.0,
    tell: Callable[[str], None] | None = None,
) -> Iterator[None]:
    """Hold the lock of `target` (a run folder or an output folder) for the block; wait up
    to `wait` seconds for another holder, then raise LockedError naming it."""
    path = lock_path(target)
    created = not path.parent.exists()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        _acquire(handle, target, exclusive=exclusive, wait=wait, tell=tell)
        previous = _holder(path)
        if exclusive:
            if previous and not alive(previous.get("pid")) and tell is not None:
                tell(
                    f"taking over the lock of {target} left by pid {previous.get('pid')} "
                    f"(lstmcast {previous.get('command')}, started {previous.get('started')}), "
                    "which is no longer running"
                )
            _record(handle, command)
        yield
    except BaseException:
        if created:  # a failed first run leaves no runs/ folder holding only a lock file
            _remove_if_only_lock(path)
        raise
    finally:
        if exclusive:  # a holder that lets go forgets itself: only a killed one is named after
            os.ftruncate(handle, 0)
        os.close(handle)  # closing releases the flock


def _remove_if_only_lock(path: Path) -> None:
    if [entry.name for entry in path.parent.iterdir()] == [path.name]:
        path.unlink(missing_ok=True)
        path.parent.rmdir()


def _acquire(
    handle: int,
    target: Path,
    *,
    exclusive: bool,
    wait: float,
    tell: Callable[[str], None] | None = None,
) -> None:
    """Take the lock, waiting up to `wait` seconds; `tell` hears once that this job waits, and
    for whom (a cron log then says why a job took long)."""
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + wait
    waiting = False
    while True:
        try:
            fcntl.flock(handle, mode)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockedError(_held_message(target, wait)) from None
            if not waiting and tell is not None:
                tell(f"waiting up to {wait:g}s for {target}, held by {_holder_text(target)}")
            waiting = True
            time.sleep(POLL_SECONDS)


def _holder_text(target: Path) -> str:
    """Who holds the lock of `target`, as far as its file says."""
    holder = _holder(lock_path(target))
    if holder and alive(holder.get("pid")):
        return (
            f"another lstmcast {holder.get('command')} (pid {holder.get('pid')}, started "
            f"{holder.get('started')})"
        )
    return "another lstmcast process"


def _held_message(target: Path, wait: float) -> str:
    who = _holder_text(target)
    waited = f" after waiting {wait:g}s" if wait else ""
    return (
        f"{who} holds {target}{waited}; wait for it to finish, or run with --wait SECONDS "
        "to queue behind it"
    )


def _record(handle: int, command: str) -> None:
    started = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    payload = json.dumps({"pid": os.getpid(), "command": command, "started": started})
    os.ftruncate(handle, 0)
    os.pwrite(handle, payload.encode("utf-8"), 0)


def _holder(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def alive(pid: object) -> bool:
    """Whether a process of this machine with that id still runs."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
