"""One error family; each error carries the exit code the CLI reports for it."""

import signal
from enum import IntEnum


class ExitCode(IntEnum):
    """Process exit codes, documented in the README."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    DATA = 3
    ARTIFACT = 4
    TRAINING = 5
    DEVICE = 6
    LOCKED = 7
    STALE = 8
    GATE = 9
    HANGUP = 129
    INTERRUPTED = 130
    TERMINATED = 143


EXIT_CODES: dict[ExitCode, tuple[str, str]] = {
    ExitCode.OK: ("ok", "success"),
    ExitCode.INTERNAL: (
        "internal error",
        "unexpected internal error (a bug: rerun with `--debug` for the traceback and report it)",
    ),
    ExitCode.USAGE: (
        "usage or config error",
        "usage or config error: bad flag, unknown or invalid YAML key, a split with no windows, "
        "a column the CSV lacks, an existing run folder without `--overwrite`, a setting the "
        "installed Keras cannot honour",
    ),
    ExitCode.DATA: (
        "data error",
        "data error: unreadable CSV, unsorted/duplicated/unparsable timestamps, non-numeric "
        "cells, infinities, empty cells under `missing: error`, rows missing from the calendar "
        "or more than `data.max_filled` of them to fill, too few rows, newer data whose columns "
        "or frequency do not match the run",
    ),
    ExitCode.ARTIFACT: (
        "run folder error",
        "run folder error: missing, incomplete, or changed since training",
    ),
    ExitCode.TRAINING: (
        "training failed",
        "training failed: the loss became NaN or infinite (the message suggests the usual "
        "fixes), or `train --check-determinism` found two runs that differ; no run folder is "
        "written",
    ),
    ExitCode.DEVICE: (
        "no GPU for a GPU-only setting",
        "device policy: `--device gpu` / `training.device: gpu` or `training.require_cudnn: "
        "true` and TensorFlow sees no GPU (fails at once instead of training on the CPU)",
    ),
    ExitCode.LOCKED: (
        "run folder in use",
        "another lstmcast process holds the run folder (training it, scoring it, or writing "
        "the same backtest); the message names its pid and command; `--wait SECONDS` queues "
        "behind it instead",
    ),
    ExitCode.STALE: (
        "stale input",
        "stale input: the forecast input's last timestamp is older than `--max-staleness` "
        "(or `forecast.max_staleness`) before `--as-of` or now, so a dead feed is never forecast "
        "from; nothing is written",
    ),
    ExitCode.GATE: (
        "quality gate failed",
        "`train --gate`: the new run does not beat seasonal naive on its test split, or is "
        "worse than the production run (`--against`) by more than the margin; the run folder "
        "is written, marked as refused, and `promote` will not take it",
    ),
    ExitCode.HANGUP: (
        "hung up",
        "SIGHUP (the terminal or session closed): stopped like Ctrl-C",
    ),
    ExitCode.INTERRUPTED: (
        "interrupted",
        "interrupted (Ctrl-C); training stops after the batch, keeps its checkpoint, and "
        "nothing half-written is left behind",
    ),
    ExitCode.TERMINATED: (
        "terminated",
        "SIGTERM (cron, systemd, `timeout`, `kill`): stopped like Ctrl-C",
    ),
}
"""code -> (a few words for --help, the sentence of the README's table). One table for both;
tests/test_docs.py checks the README against it."""


def exit_codes_help() -> str:
    """'0 ok, 1 internal error, ...' for the command's --help."""
    return ", ".join(f"{int(code)} {short}" for code, (short, _) in EXIT_CODES.items())


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)
"""Signals handled like Ctrl-C (SIGINT), which Python already turns into KeyboardInterrupt."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP: stop at a safe point; the exit code says which (128 + the
    signal's number, the shells' convention)."""

    def __init__(self, signum: int = 2) -> None:
        super().__init__(signum)
        self.exit_code = ExitCode(128 + signum)


class LstmcastError(Exception):
    """An error the user can fix; the CLI prints its message as one line, no traceback.
    `key`, `file` and `line`, where the raiser knows them, go into `--json`'s error."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        key: str | None = None,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        super().__init__(message)
        self.key, self.file, self.line = key, file, line


class ConfigError(LstmcastError):
    """The config file, a --set override or a command-line argument is wrong."""

    exit_code = ExitCode.USAGE


class DataError(LstmcastError):
    """The CSV cannot be used as a series: unreadable, unsorted, non-numeric, too short, ..."""

    exit_code = ExitCode.DATA


class ArtifactError(LstmcastError):
    """A run folder is missing, incomplete, corrupt or does not match the data given."""

    exit_code = ExitCode.ARTIFACT


class TrainingError(LstmcastError):
    """Training could not go on: the loss became NaN or infinite."""

    exit_code = ExitCode.TRAINING


class DeviceError(LstmcastError):
    """The device policy cannot be met: a GPU was required and TensorFlow sees none."""

    exit_code = ExitCode.DEVICE


class LockedError(LstmcastError):
    """Another lstmcast process holds the run folder (or output) this command needs."""

    exit_code = ExitCode.LOCKED


class StaleInputError(LstmcastError):
    """The forecast input ends too long before now (or --as-of): the feed has stopped."""

    exit_code = ExitCode.STALE


class GateError(LstmcastError):
    """A retrained run failed its quality gate: not good enough to replace production."""

    exit_code = ExitCode.GATE
