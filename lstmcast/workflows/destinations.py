"""Every path a command will write, checked before any work starts: a wrong --log or a
read-only folder fails in a second with one line, not after the forecast went out.

Each command lists its destinations once, in one call; a new option joins that list.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lstmcast.errors import ConfigError

Kind = Literal["file", "log", "folder", "plot"]


@dataclass(frozen=True)
class Destination:
    option: str
    """The flag or key that named the path, for the message: '--output', 'output.run_dir'."""
    path: Path | str | None
    """None: not asked for; '-': stdout."""
    kind: Kind = "file"
    """file: written whole (replaced atomically); log: appended to; folder: created or
    replaced whole; plot: a PNG file (needs matplotlib)."""


def check_destinations(*destinations: Destination) -> None:
    """Refuse, naming the option, a destination that cannot be written: a missing or
    read-only folder, a folder where a file goes (or the other way round), two options naming
    one path, a plot without matplotlib."""
    asked = [d for d in destinations if d.path is not None and str(d.path) != "-"]
    seen: dict[Path, str] = {}
    for destination in asked:
        path = Path(destination.path)  # type: ignore[arg-type]
        key = Path(os.path.abspath(path))
        if key in seen:
            raise ConfigError(
                f"{seen[key]} and {destination.option} both name {path}; give each its own file"
            )
        seen[key] = destination.option
        _check_one(destination.option, path, destination.kind)


def _check_one(option: str, path: Path, kind: Kind) -> None:
    if kind == "plot":
        from lstmcast.plots import plotting_available

        if not plotting_available():
            raise ConfigError(
                f"{option} needs matplotlib; install the plotting extra: "
                "pip install 'lstmcast[plot]'"
            )
    folder = path.parent
    if kind == "folder":  # created with its parents, as train and backtest do
        if path.exists() and not path.is_dir():
            raise ConfigError(f"{option}: {path} exists and is not a folder; give a folder")
        folder = _nearest_existing(folder)
    if not folder.is_dir():
        raise ConfigError(f"{option}: folder {folder} does not exist")
    if kind != "folder" and path.is_dir():
        raise ConfigError(f"{option}: {path} is a folder; give a file name")
    if not _writable(path, kind):
        raise ConfigError(
            f"{option}: cannot write {path} (permission denied or a read-only disk); choose a "
            "writable place"
        )


def _writable(path: Path, kind: Kind) -> bool:
    """Whether this process may write `path`: through it (a device, a FIFO, a file appended
    to), or by creating a file in its folder (an atomic replace, a new file or folder), which
    is tried, since permissions alone do not show a read-only disk to root."""
    from lstmcast.files import replaced_path

    if kind == "log" and path.is_file():
        return os.access(path, os.W_OK)
    target = replaced_path(path) if kind != "folder" else path
    if target is None:  # written through: the device or FIFO itself must take writes
        return os.access(path, os.W_OK)
    if target.exists() and kind == "folder":
        return _can_create_in(target) and _can_create_in(target.parent)
    return _can_create_in(_nearest_existing(target.parent))


def _can_create_in(folder: Path) -> bool:
    try:
        handle, name = tempfile.mkstemp(prefix=".lstmcast-probe-", dir=folder)
    except OSError:
        return False
    os.close(handle)
    os.unlink(name)
    return True


def _nearest_existing(folder: Path) -> Path:
    """`folder`, or the closest of its parents that exists (where a new folder is made)."""
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder
