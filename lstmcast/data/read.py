"""CSV (or Parquet, data/parquet.py) -> DataFrame holding the timestamp and value columns the
config names, nothing else."""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

import numpy as np
import pandas as pd

from lstmcast.errors import ConfigError, DataError


def read_csv(
    path: Path,
    *,
    timestamp: str,
    columns: list[str],
    role: str = "data.path",
    keys: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read only the needed columns; a missing column names the config key that asked for it
    (`keys`: column -> key; default target, then features). A `.parquet` file is read as
    Parquet, with the same checks.

    `role` says where the path came from ('data.path' or '--input') so errors point there.
    """
    from lstmcast.data.parquet import is_parquet, read_parquet

    header = column_names(path, role)
    wanted = {timestamp: "data.timestamp", columns[0]: "data.target"}
    wanted.update({name: "data.features" for name in columns[1:]} | (keys or {}))
    # The config's own CSV lacking a column is a config mistake; newer data lacking it is bad data.
    error = ConfigError if role == "data.path" else DataError
    for name, key in wanted.items():
        if name not in header:
            raise error(_missing_column(path, name, key, header))
    if is_parquet(path):
        return read_parquet(path, [timestamp, *columns])
    _check_row_widths(path, len(header))
    try:
        return pd.read_csv(
            path, usecols=[timestamp, *columns], dtype={timestamp: str}, encoding="utf-8-sig"
        )[[timestamp, *columns]]
    except (ValueError, pd.errors.ParserError) as err:
        raise DataError(f"{path}: cannot parse the CSV: {err}") from None


def read_csv_frame(path: Path, *, role: str = "CSV") -> pd.DataFrame:
    """Every column of a CSV, as text, after the same checks (for `lstmcast init`)."""
    _check_row_widths(path, len(_header(path, role)))
    try:
        return pd.read_csv(path, dtype=str, encoding="utf-8-sig", skipinitialspace=True)
    except (ValueError, pd.errors.ParserError) as err:
        raise DataError(f"{path}: cannot parse the CSV: {err}") from None


CHUNK = 1 << 24
"""Bytes per block of the fast row-width check (16 MiB: some 60 MB of temporaries)."""


def _check_row_widths(path: Path, width: int) -> None:
    """Every row has as many fields as the header: pandas would silently drop extra fields of
    the columns it reads and fill missing ones with empty cells."""
    if not _widths_agree(path, width):  # no quotes and every comma count agrees: all well
        _csv_widths(path, width)


def _csv_widths(path: Path, width: int) -> None:
    """The check row by row with the csv module (quotes, embedded commas), naming the line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as stream:
            reader = csv.reader(stream)
            next(reader, None)
            for row in reader:
                if row and len(row) != width:  # blank lines are skipped, as pandas does
                    raise DataError(
                        f"{path}: line {reader.line_num} has {len(row)} fields but the header "
                        f"has {width} ({','.join(row)[:60]}); fix the row or quote a field that "
                        "contains a comma"
                    )
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text; re-save it as UTF-8 CSV") from None
    except csv.Error as err:
        raise DataError(f"{path}: cannot parse the CSV: {err}") from None


def _widths_agree(path: Path, width: int) -> bool:
    """The fast check, with numpy over the raw bytes: True when the file has no quote
    character and every non-blank line after the header has width - 1 commas. False sends the
    file to the csv module, which also writes the error message."""
    carry = b""
    first = True
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            block = carry + block
            end = block.rfind(b"\n") + 1
            lines, carry = (block[:end], block[end:]) if end else (b"", block)
            if first and lines:
                lines, first = lines[lines.find(b"\n") + 1 :], False  # the header
            if not _lines_agree(lines, width):
                return False
    if first:  # no newline at all: a header alone, or old Mac line ends
        return False
    return not carry or _lines_agree(carry + b"\n", width)


def _lines_agree(lines: bytes, width: int) -> bool:
    """Complete lines (each ending in a newline): no quotes, width - 1 commas in each non-blank
    one."""
    if not lines:
        return True
    data = np.frombuffer(lines, dtype=np.uint8)
    if (data == ord('"')).any():
        return False
    ends = np.flatnonzero(data == ord("\n"))
    returns = data[np.maximum(ends - 1, 0)] == ord("\r")
    if (data == ord("\r")).sum() != returns.sum():  # a carriage return inside a line
        return False
    commas = np.searchsorted(np.flatnonzero(data == ord(",")), ends)
    per_line = np.diff(commas, prepend=0)
    starts = np.concatenate([[0], ends[:-1] + 1])
    blank = ends - starts - returns == 0
    return bool(np.all(blank | (per_line == width - 1)))


def column_names(path: Path, role: str) -> list[str]:
    """The header of a CSV, or the columns of a Parquet file."""
    from lstmcast.data.parquet import is_parquet, parquet_columns

    return parquet_columns(path, role) if is_parquet(path) else _header(path, role)


def _header(path: Path, role: str) -> list[str]:
    if not path.exists():
        raise DataError(f"{role}: {path} does not exist")
    if path.is_dir():
        raise DataError(
            f"{role}: {path} is a folder; give a CSV file (a folder of files, each "
            "holding whole series, is read as a panel: set data.series_id)"
        )
    try:
        header = list(pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns)
    except UnicodeDecodeError:
        raise DataError(f"{path} is not UTF-8 text; re-save it as UTF-8 CSV") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{role}: {path} is empty; it needs a header row and data rows") from None
    except pd.errors.ParserError as err:
        raise DataError(f"{path}: cannot parse the CSV header: {err}") from None
    return header


def _missing_column(path: Path, name: str, key: str, header: list[str]) -> str:
    message = f"{key}: column '{name}' is not in {path} (columns: {', '.join(header)})"
    if len(header) == 1 and any(sep in header[0] for sep in ";\t|"):
        return message + "; the file does not look comma-separated: save it with ',' delimiters"
    close = difflib.get_close_matches(name, header, n=1, cutoff=0.6)
    return message + (f"; did you mean '{close[0]}'?" if close else "")
