"""`lstmcast promote RUN --as NAME`: a stable name for the run in production.

NAME is a folder holding one symbolic link, `current`, to the accepted run (relative, so the
tree can move), swapped atomically with rename(2): a `forecast NAME/current` in the crontab
never sees a half-made link and never needs editing. Each promotion is appended to
NAME/promotions.log, the history of what was in production when.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from lstmcast import locks
from lstmcast.artifacts import MANIFEST_FILE, locked_run
from lstmcast.errors import ConfigError, GateError
from lstmcast.training.gate import gate_verdict

CURRENT = "current"
HISTORY = "promotions.log"


def pointer_folder(run_dir: Path, name: str) -> Path:
    """NAME beside the run (runs/NAME) unless NAME is a path."""
    return Path(name) if os.sep in name else run_dir.resolve().parent / name


def promote(run_dir: Path, name: str, *, force: bool = False) -> dict[str, Any]:
    """Point NAME/current at `run_dir` (a complete run that did not fail its gate)."""
    folder = pointer_folder(run_dir, name)
    if (folder / MANIFEST_FILE).exists():
        raise ConfigError(
            f"--as {name}: {folder} is a run folder; name the pointer something else "
            "(e.g. the config's name without a date)"
        )
    with locked_run(run_dir, command="promote") as run:  # refuses a missing or altered run
        verdict = gate_verdict(run_dir)
        if verdict is not None and not verdict["passed"] and not force:
            raise GateError(
                f"{run_dir} failed its quality gate ({'; '.join(verdict['reasons'])}); not "
                "promoted (--force promotes it anyway)"
            )
        with locks.holding(folder, command="promote"):
            previous = _swap_link(folder, run_dir.resolve())
    _append_history(folder, run.run_id, run_dir.resolve(), previous)
    return {
        "current": str(folder / CURRENT),
        "run": str(run_dir.resolve()),
        "run_id": run.run_id,
        "previous": str(previous) if previous else None,
        "gate": verdict,
    }


def _swap_link(folder: Path, target: Path) -> Path | None:
    folder.mkdir(parents=True, exist_ok=True)
    link = folder / CURRENT
    if link.exists() and not link.is_symlink():
        raise ConfigError(f"{link} exists and is not a link lstmcast made; move it away first")
    previous = link.resolve() if link.is_symlink() else None
    staging = folder / f".{CURRENT}.{os.getpid()}"
    staging.unlink(missing_ok=True)
    os.symlink(os.path.relpath(target, folder), staging)
    os.replace(staging, link)  # atomic: readers see the old run or the new one
    return previous


def _append_history(folder: Path, run_id: str, target: Path, previous: Path | None) -> None:
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    line = f"{stamp}\t{run_id}\t{target}\tprevious={previous or '-'}\n"
    with open(folder / HISTORY, "a", encoding="utf-8") as stream:
        stream.write(line)
