"""Everything that reaches the terminal: errors and talk on stderr, data and JSON on stdout."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from lstmcast import SHOW_TF_LOGS, __version__
from lstmcast.errors import ConfigError, ExitCode, LstmcastError

err_console = Console(stderr=True, soft_wrap=True, highlight=False)


def configure(*, verbose: bool, debug: bool) -> None:
    """Decide, before TensorFlow loads, whether its own log lines may reach stderr."""
    if verbose or debug:
        os.environ[SHOW_TF_LOGS] = "1"
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0")


@contextlib.contextmanager
def reported_errors(*, debug: bool = False, json_output: bool = False) -> Iterator[None]:
    """Turn errors into one stderr message and the documented exit code; with --json, also
    one JSON document on stdout saying what failed (JSON_SHAPE)."""
    _SESSION["json"] = json_output
    try:
        yield
    except LstmcastError as err:
        if debug:
            raise
        fail(str(err), err.exit_code, err)
    except KeyboardInterrupt as err:
        if debug:
            raise
        code = getattr(err, "exit_code", ExitCode.INTERRUPTED)
        what = {ExitCode.TERMINATED: "terminated (SIGTERM)", ExitCode.HANGUP: "hung up (SIGHUP)"}
        fail(f"{what.get(code, 'interrupted')}; nothing was written", code)
    except (typer.Exit, typer.Abort, SystemExit):
        raise
    except Exception as err:
        if debug:
            raise
        fail(
            f"internal error: {type(err).__name__}: {err}. This is a bug in lstmcast; rerun "
            "with --debug for the traceback and report it",
            ExitCode.INTERNAL,
        )


def fail(message: str, code: int, err: LstmcastError | None = None) -> None:
    """Report a failure (stderr, the log, --json's document) and exit with its code."""
    print_error(message)
    if _SESSION["json"] and not _SESSION["printed"]:  # --json: one document, whatever happens
        error = {"message": message, "exit_code": int(code), **error_location(message, err)}
        _write_json(_envelope({"status": "error", "error": error}))
    raise typer.Exit(code) from None


_LOCATION = re.compile(
    r"^(?:(?P<file>[^:\n]+?): )?(?:line (?P<line>\d+): )?(?P<key>[a-z_]+(?:\.[a-z_0-9]+)*): "
)


def error_location(message: str, err: LstmcastError | None = None) -> dict[str, Any]:
    """key, file and line of an error, where known: given by the raiser, or read from the
    message's one shape, `FILE: line N: KEY: ...` (every part optional)."""
    found: dict[str, Any] = {}
    match = _LOCATION.match(message)
    if match and match["file"] and Path(match["file"]).exists():
        found["file"] = match["file"]
    elif (first := message.split(": ", 1)[0]) and Path(first).is_file():
        found["file"] = first
    if line := re.search(r"\blines? (\d+)", message):
        found["line"] = int(line[1])
    if isinstance(err, ConfigError) and match and "." in match["key"]:
        found["key"] = match["key"]
    if err is not None:
        found.update({k: v for k in ("key", "file", "line") if (v := getattr(err, k, None))})
    return found


_SESSION: dict[str, Any] = {
    "command": "lstmcast", "json": False, "written": [], "started": time.monotonic(),
    "printed": False,
}  # fmt: skip
_LOG_FILE: dict[str, Any] = {"path": None}


def log_to(path: Path | None, command: str | None) -> None:
    """Also append every message of this process to `path` (--log-file), one timestamped
    line each, opened per line so that logrotate may move the file at any time."""
    if path is not None and not path.parent.is_dir():
        raise ConfigError(f"--log-file: folder {path.parent} does not exist")
    _LOG_FILE["path"] = path
    _SESSION.update(
        command=command or "lstmcast", written=[], started=time.monotonic(), printed=False
    )


def wrote(path: str | Path) -> None:
    """Record a path this command wrote, for --json's `written`."""
    _SESSION["written"].append(str(path))


def logging_to_file() -> bool:
    return _LOG_FILE["path"] is not None


def log_line(kind: str, message: str) -> None:
    path = _LOG_FILE["path"]
    if path is None:
        return
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = "".join(
        f"{stamp} lstmcast[{os.getpid()}] {_SESSION['command']} {kind}: {line}\n"
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


SCHEMA_VERSION = 1
"""Bumped only when a key of --json's envelope is renamed or removed (docs/json.md)."""


def print_json(payload: dict[str, Any]) -> None:
    """The command's result as one JSON document in the envelope every command shares."""
    _write_json(_envelope({"status": "ok", **payload}))


def print_json_error_for_usage(message: str, code: int) -> None:
    """A usage error before any command ran (unknown flag...), when --json was asked for."""
    _write_json(_envelope({"status": "error", "error": {"message": message, "exit_code": code}}))


def _envelope(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "command": _SESSION["command"],
        **body,
        "written": body.get("written", _SESSION["written"]),
        "elapsed_seconds": round(time.monotonic() - _SESSION["started"], 3),
        "device": body.get("device"),
        "versions": {**versions(), **body.get("versions", {})},
    }


def versions() -> dict[str, str]:
    """lstmcast's and Python's, and TensorFlow's and Keras's when this command loaded them
    (they are never imported just to be named)."""
    found = {"lstmcast": __version__, "python": platform.python_version()}
    for name in ("tensorflow", "keras"):
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__version__", None):
            found[name] = module.__version__
    return found


def _write_json(document: dict[str, Any]) -> None:
    from lstmcast.files import to_jsonable

    sys.stdout.write(json.dumps(to_jsonable(document), indent=2) + "\n")
    sys.stdout.flush()
    _SESSION["printed"] = True


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
    from lstmcast.files import write_text_atomic

    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.8g")
    if output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "stdout"
    from lstmcast.workflows.destinations import Destination, check_destinations

    destination = Path(output)
    check_destinations(Destination(option, destination))
    try:
        write_text_atomic(destination, text)
    except OSError as err:
        raise ConfigError(
            f"{option}: cannot write {destination} ({err.strerror or err}); choose a writable place"
        ) from None
    wrote(destination)
    return output
