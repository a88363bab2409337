"""One error family; each error carries the exit code the CLI reports for it."""

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
    INTERRUPTED = 130


class LstmcastError(Exception):
    """An error the user can fix; the CLI prints its message as one line, no traceback."""

    exit_code: ExitCode = ExitCode.INTERNAL


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
