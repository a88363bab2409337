"""Parquet -> DataFrame holding the timestamp and value columns the config names, as read.py
does for CSV: people with tens of millions of rows keep them in Parquet, and reading only the
needed columns of a columnar file is many times faster than parsing text.

pyarrow is an optional extra (`pip install 'lstmcast[parquet]'`); a timestamp column may be
text (ISO 8601, parsed as for CSV) or a Parquet timestamp, kept as it is.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pandas as pd

from lstmcast.errors import ConfigError, DataError

SUFFIXES = (".parquet", ".pq")


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def parquet_columns(path: Path, role: str) -> list[str]:
    """The file's column names; an unreadable file or a missing pyarrow in one line."""
    parquet = _pyarrow_parquet(role)
    if not path.exists():
        raise DataError(f"{role}: {path} does not exist")
    if path.is_dir():
        raise DataError(
            f"{role}: {path} is a folder; give a Parquet file (a folder of files, each "
            "holding whole series, is read as a panel: set data.series_id)"
        )
    try:
        return list(parquet.read_schema(path).names)
    except Exception as err:  # pyarrow raises ArrowInvalid, OSError, ... for a broken file
        raise DataError(f"{path}: cannot read the Parquet file: {err}") from None


def read_parquet(path: Path, columns: list[str]) -> pd.DataFrame:
    """`columns` of the file, in that order, as pandas columns (numbers as float64 where the
    file has numbers; text stays text for validation to judge).

    One column at a time, each copied out of Arrow's memory and that memory handed back before
    the next: Arrow's allocator keeps what decoding used for reuse (about twice the data), and
    a column left pointing into it keeps it all, so a 20M-row run would carry twice its data to
    the end. The peak is the frame plus one column."""
    parquet = _pyarrow_parquet("data.path")
    import pyarrow

    read = {}
    try:
        file = parquet.ParquetFile(path)
        for name in dict.fromkeys(columns):
            read[name] = file.read(columns=[name]).column(0).to_pandas().copy(deep=True)
            pyarrow.default_memory_pool().release_unused()
    except Exception as err:
        raise DataError(f"{path}: cannot read the Parquet file: {err}") from None
    return pd.DataFrame(read, copy=False)[columns]


def _pyarrow_parquet(role: str) -> ModuleType:
    try:
        import pyarrow.parquet as parquet
    except ImportError:
        raise ConfigError(
            f"{role}: reading Parquet needs pyarrow: pip install 'lstmcast[parquet]'"
        ) from None
    return parquet
