"""A panel kept as a folder of files, each holding whole series, as Spark or Dask write a
partitioned Parquet table: the files in a fixed order, each worker's share of them, and one
checksum for the lot.

The order is the sorted file names, so every worker of a multi-worker run sees the same list
and takes every n-th file from its rank without talking to the others."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from lstmcast.data.parquet import SUFFIXES
from lstmcast.errors import ConfigError, DataError

DATA_SUFFIXES = (".csv", *SUFFIXES)


def data_files(path: Path, role: str = "data.path") -> list[Path]:
    """The CSV and Parquet files directly in the folder `path`, sorted by name; files whose
    names start with '.' or '_' (Spark's _SUCCESS, checksum files) are not data."""
    if not path.is_dir():
        raise DataError(f"{role}: {path} does not exist")
    files = sorted(
        entry
        for entry in path.iterdir()
        if entry.is_file()
        and entry.suffix.lower() in DATA_SUFFIXES
        and not entry.name.startswith((".", "_"))
    )
    if not files:
        raise DataError(
            f"{role}: the folder {path} holds no .csv or .parquet file; a folder is read as a "
            "panel of files, each holding whole series"
        )
    return files


def input_files(path: Path, role: str = "data.path") -> list[Path]:
    """The files `path` names: a folder's data files, or the one file."""
    return data_files(path, role) if path.is_dir() else [path]


@dataclass(frozen=True)
class FileShard:
    """A worker's place in a multi-worker run that reads a folder of files."""

    worker: int
    workers: int

    def own(self, files: list[Path]) -> list[Path]:
        """This worker's share: every `workers`-th file from its rank, so file i goes to
        worker i mod workers and no file is read twice or left out."""
        if len(files) < self.workers:
            raise ConfigError(
                f"data.path: {len(files)} files for {self.workers} workers; each worker reads "
                f"its own files, so write the panel as at least {self.workers} files (whole "
                "series in each)"
            )
        return files[self.worker :: self.workers]


def data_sha256(path: Path) -> str:
    """The checksum of a data file, or of a folder's data files: each file's name and bytes,
    in order, so renaming, changing, adding or removing a file changes it."""
    if not path.is_dir():
        return file_sha256(path)
    digest = hashlib.sha256()
    for file in data_files(path):
        digest.update(f"{file.name}\0{file_sha256(file)}\n".encode())
    return digest.hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
