"""Files written whole or not at all: an atomic replace that a reader never sees half done,
and that writes through to what is not a regular file (a device, a FIFO, /dev/stdout) instead
of renaming over it; JSON in strict form. Imports nothing of lstmcast, so every layer may use
it."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def write_text_atomic(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename it over `path`."""
    with replace_atomic(path) as temporary:
        temporary.write_text(text, encoding="utf-8", newline="")


@contextlib.contextmanager
def replace_atomic(path: Path) -> Iterator[Path]:
    """A temporary path to write; when the block succeeds its bytes become `path`, and when it
    fails nothing of it is left, so readers never see a half-written file.

    A regular file (or a new path) is replaced atomically: the temporary file beside it is
    renamed over it. A symbolic link keeps being a link: its target is replaced that way.
    Anything else (/dev/null, /dev/stdout, a FIFO, a terminal, a character device) is written
    through, once the bytes are complete: renaming over it would replace the device itself.
    """
    target = replaced_path(path)
    folder = target.parent if target is not None else Path(tempfile.gettempdir())
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        if target is None:
            _write_through(temporary, path)
            temporary.unlink()
            return
        temporary.chmod(0o666 & ~umask())  # mkstemp makes 0600
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def replaced_path(path: Path) -> Path | None:
    """The file an atomic write renames over: `path`, or a link's final target; None for a
    path to write through (a device, a FIFO, anything under /dev or /proc)."""
    absolute = Path(os.path.abspath(path))
    if absolute.parts[1:2] in (("dev",), ("proc",)):
        return None
    resolved = path.resolve() if path.is_symlink() else path
    if resolved.exists() and not resolved.is_file():
        return None
    return resolved


def _write_through(source: Path, destination: Path) -> None:
    with source.open("rb") as reading, open(destination, "wb") as writing:
        shutil.copyfileobj(reading, writing)


def umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_json(path: Path, payload: Any) -> None:
    write_text_atomic(path, json.dumps(to_jsonable(payload), indent=2) + "\n")


def to_jsonable(value: Any) -> Any:
    """NaN and infinity become null: strict JSON has no spelling for them."""
    if isinstance(value, float):
        return value if value == value and abs(value) != float("inf") else None
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    return value
