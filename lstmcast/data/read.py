"""CSV -> DataFrame holding the timestamp and value columns the config names, nothing else."""

from __future__ import annotations

import csv
import difflib
from pathlib import Path

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
    (`keys`: column -> key; default target, then features).

    `role` says where the path came from ('data.path' or '--input') so errors point there.
    """
    header = _header(path, role)
    wanted = {timestamp: "data.timestamp", columns[0]: "data.target"}
    wanted.update({name: "data.features" for name in columns[1:]} | (keys or {}))
    # The config's own CSV lacking a column is a config mistake; newer data lacking it is bad data.
    error = ConfigError if role == "data.path" else DataError
    for name, key in wanted.items():
        if name not in header:
            raise error(_missing_column(path, name, key, header))
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


def _check_row_widths(path: Path, width: int) -> None:
    """Every row has as many fields as the header: pandas would silently drop extra fields of
    the columns it reads and fill missing ones with empty cells."""
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


def _header(path: Path, role: str) -> list[str]:
    if not path.exists():
        raise DataError(f"{role}: {path} does not exist")
    if path.is_dir():
        raise DataError(f"{role}: {path} is a folder; give a CSV file")
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
