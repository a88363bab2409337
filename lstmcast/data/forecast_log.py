"""The forecast log: every forecast a cron job issued, appended by `forecast --log` and scored
against the actuals by `evaluate --history`.

One CSV, one row per issued step: issued_at, run_id, target, origin, timestamp, step, forecast,
then the run's interval or quantile columns. Appends hold an exclusive `flock` on the file and
write each forecast in one `write`, so two jobs appending at once never interleave; a tail left
by a writer killed mid-line is cut off (with a note) before the next append.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from lstmcast.errors import ConfigError, DataError

LEADING = ["issued_at", "run_id", "target", "origin", "timestamp", "step", "forecast"]


def log_rows(
    frame: pd.DataFrame,
    *,
    target: str,
    run_id: str,
    origin: str | list[str],
    issued_at: datetime | None = None,
) -> pd.DataFrame:
    """A forecast ((series_id,) timestamp, step, <target>, bounds...) as log rows: the
    leading columns, then series_id when many series were forecast (each row's `origin` its
    series'), then the bounds."""
    issued = (issued_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    rows = frame.rename(columns={target: "forecast"})
    rows.insert(0, "origin", origin)
    rows.insert(0, "target", target)
    rows.insert(0, "run_id", run_id)
    rows.insert(0, "issued_at", issued)
    leading = [*LEADING, *(["series_id"] if "series_id" in rows.columns else [])]
    extra = [name for name in rows.columns if name not in leading]
    return rows[leading + extra]


def append_log(path: Path, rows: pd.DataFrame, *, tell: Callable[[str], None]) -> None:
    """Append `rows` to the log at `path` under its lock, writing the header to a new file."""
    if path.is_dir() or not path.parent.is_dir():
        what = "is a folder" if path.is_dir() else f"folder {path.parent} does not exist"
        raise ConfigError(f"--log: {path} {what}; give a file in an existing folder")
    try:
        with _locked(path) as handle:
            header = _repair_tail(handle, path, tell)
            columns = list(rows.columns)
            if header is not None and header != columns:
                raise ConfigError(
                    f"--log: {path} logs columns {', '.join(header)}, but this run issues "
                    f"{', '.join(columns)}; log it to another file"
                )
            text = rows.to_csv(index=False, header=header is None, lineterminator="\n")
            _write_all(handle, text.encode("utf-8"))
            os.fsync(handle)
    except OSError as err:
        raise ConfigError(f"--log: cannot write {path} ({err.strerror or err})") from None


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[int]:
    handle = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)  # appends are short: wait for the other writer
        yield handle
    finally:
        os.close(handle)


def _repair_tail(handle: int, path: Path, tell: Callable[[str], None]) -> list[str] | None:
    """The header's columns (None for an empty file); cuts a last line without its newline."""
    size = os.fstat(handle).st_size
    if size == 0:
        return None
    with open(path, "rb") as stream:
        first = stream.readline().decode("utf-8").rstrip("\r\n")
        stream.seek(max(0, size - 65536))
        tail = stream.read()
    if not tail.endswith(b"\n"):
        keep = size - len(tail) + tail.rfind(b"\n") + 1
        os.ftruncate(handle, keep)
        tell(f"--log: {path} ended in a half-written line (a writer was stopped); cut it off")
        if keep == 0:
            return None
    return first.split(",")


def _write_all(handle: int, data: bytes) -> None:
    while data:
        written = os.write(handle, data)
        data = data[written:]


def read_log(path: Path) -> pd.DataFrame:
    """The log, each issued step a row; origin and timestamp as text, as written."""
    if not path.is_file():
        raise DataError(f"--history: {path} does not exist; write it with forecast --log")
    text = path.read_text(encoding="utf-8")
    if not text.endswith("\n"):  # a writer stopped mid-line: its last line is not a forecast
        text = text[: text.rfind("\n") + 1]
    try:
        frame = pd.read_csv(io.StringIO(text), dtype={"origin": str, "timestamp": str})
    except (ValueError, pd.errors.ParserError) as err:
        raise DataError(f"--history: {path} is not a forecast log: {err}") from None
    missing = [name for name in LEADING if name not in frame.columns]
    if missing:
        raise DataError(
            f"--history: {path} lacks {', '.join(missing)}; is it a log from forecast --log?"
        )
    if frame.empty:
        raise DataError(f"--history: {path} holds no forecasts yet")
    return frame
