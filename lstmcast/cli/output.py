"""Everything that reaches the terminal: errors and talk on stderr, data and JSON on stdout."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from lstmcast.errors import ConfigError, ExitCode, LstmcastError

err_console = Console(stderr=True, soft_wrap=True, highlight=False)


def configure(*, verbose: bool, debug: bool) -> None:
    """Decide, before TensorFlow loads, whether its own log lines may reach stderr."""
    if verbose or debug:
        from lstmcast.runtime import SHOW_TF_LOGS

        os.environ[SHOW_TF_LOGS] = "1"
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0")


@contextlib.contextmanager
def reported_errors(*, debug: bool = False) -> Iterator[None]:
    """Turn errors into one stderr message and the documented exit code."""
    try:
        yield
    except LstmcastError as err:
        if debug:
            raise
        print_error(str(err))
        raise typer.Exit(err.exit_code) from None
    except KeyboardInterrupt as err:
        if debug:
            raise
        code = getattr(err, "exit_code", ExitCode.INTERRUPTED)
        what = {ExitCode.TERMINATED: "terminated (SIGTERM)", ExitCode.HANGUP: "hung up (SIGHUP)"}
        print_error(f"{what.get(code, 'interrupted')}; nothing was written")
        raise typer.Exit(code) from None
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as err:
        if debug:
            raise
        print_error(
            f"internal error: {type(err).__name__}: {err}. This is a bug in lstmcast; rerun "
            "with --debug for the traceback and report it"
        )
        raise typer.Exit(ExitCode.INTERNAL) from None


_LOG_FILE: dict[str, Any] = {"path": None, "command": "lstmcast"}


def log_to(path: Path | None, command: str | None) -> None:
    """Also append every message of this process to `path` (--log-file), one timestamped
    line each, opened per line so that logrotate may move the file at any time."""
    if path is not None and not path.parent.is_dir():
        raise ConfigError(f"--log-file: folder {path.parent} does not exist")
    _LOG_FILE.update(path=path, command=command or "lstmcast")


def logging_to_file() -> bool:
    return _LOG_FILE["path"] is not None


def log_line(kind: str, message: str) -> None:
    path = _LOG_FILE["path"]
    if path is None:
        return
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = "".join(
        f"{stamp} lstmcast[{os.getpid()}] {_LOG_FILE['command']} {kind}: {line}\n"
        for line in message.splitlines() or [""]
    )
    try:
        with open(path, "a", encoding="utf-8") as stream:  # O_APPEND: whole lines, even shared
            stream.write(text)
    except OSError as err:
        _LOG_FILE["path"] = None  # say it once, then carry on: the log must not stop the job
        err_console.print(f"[yellow]warning:[/] --log-file {path}: {escape(str(err))}")


def print_error(message: str) -> None:
    log_line("error", message)
    first, *rest = message.splitlines() or [""]
    err_console.print(f"[bold red]error:[/] {escape(first)}")
    for line in rest:
        err_console.print(f"  {escape(line)}")


def warn(message: str) -> None:
    log_line("warning", message)
    err_console.print(f"[yellow]warning:[/] {escape(message)}")


def say(message: str, *, quiet: bool) -> None:
    """Talk for a person: stderr, dropped by --quiet (the --log-file keeps it)."""
    log_line("info", message)
    if not quiet:
        err_console.print(message)


def print_json(payload: Any) -> None:
    from lstmcast.artifacts import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(payload), indent=2) + "\n")
    sys.stdout.flush()


def print_table(table: Any) -> None:
    """Tables are the human form of the result, so they go to stdout like --json would. On a
    pipe or in a file they are plain aligned text, never wrapped and never cutting a number
    short with '…' to fit a width nobody is looking at."""
    if sys.stdout.isatty():
        Console(soft_wrap=False, highlight=False).print(table)
        return
    table.box = None
    table.title_justify = table.caption_justify = "left"
    console = Console(width=100_000, highlight=False, no_color=True, soft_wrap=True)
    with console.capture() as captured:
        console.print(table)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))
    sys.stdout.flush()


def write_csv(frame: Any, output: str, *, option: str) -> str:
    """Write a DataFrame as CSV to stdout ('-') or atomically to a file; returns where it went."""
    from lstmcast.artifacts import write_text_atomic

    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.8g")
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "stdout"
    destination = Path(output)
    if not destination.parent.is_dir():
        raise ConfigError(f"{option}: folder {destination.parent} does not exist")
    if destination.is_dir():
        raise ConfigError(f"{option}: {destination} is a folder; give a file name")
    try:
        write_text_atomic(destination, text)
    except OSError as err:
        raise ConfigError(
            f"{option}: cannot write {destination} ({err.strerror or err}); choose a writable place"
        ) from None
    return output


def require_plotting(path: Path, *, option: str) -> None:
    """Refuse before any work when a PNG asked for cannot be written."""
    from lstmcast.plots import plotting_available

    if not plotting_available():
        raise ConfigError(
            f"{option} needs matplotlib; install the plotting extra: pip install 'lstmcast[plot]'"
        )
    if not path.parent.is_dir():
        raise ConfigError(f"{option}: folder {path.parent} does not exist")
