"""TensorFlow start-up: quiet logs, the device to run on, and seeds for reproducible runs."""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Literal

from lstmcast.errors import DeviceError

SHOW_TF_LOGS = "LSTMCAST_TF_LOGS"
"""Set to 1 (by --verbose/--debug) to let TensorFlow's C++ and absl logs through."""


def import_tensorflow() -> ModuleType:
    """Import TensorFlow and Keras, keeping their start-up chatter off stderr unless asked.

    TensorFlow's C++ code writes "oneDNN custom operations are on" and CUDA probes to file
    descriptor 2 before absl logging starts, so TF_CPP_MIN_LOG_LEVEL alone cannot hide them;
    the descriptor is pointed at /dev/null for the import only.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    if os.environ.get(SHOW_TF_LOGS) == "1":
        import keras  # noqa: F401
        import tensorflow as tf

        return tf
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_to_devnull():
        import keras  # noqa: F401
        import tensorflow as tf
    tf.get_logger().setLevel("ERROR")
    warnings.filterwarnings("ignore", module=r"(keras|tensorflow)(\..*)?")
    return tf


@contextlib.contextmanager
def _stderr_to_devnull() -> Iterator[None]:
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def select_device(preference: Literal["auto", "cpu", "gpu"]) -> str:
    """Make TensorFlow use the preferred device; return a description such as 'CPU (2 cores)'."""
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if preference == "gpu" and not gpus:
        raise DeviceError(
            "training.device is 'gpu' but TensorFlow sees no GPU; install lstmcast[gpu] on a "
            "machine with an NVIDIA driver, or use --device auto / training.device: auto"
        )
    if preference == "cpu" or not gpus:
        if gpus:
            tf.config.set_visible_devices([], "GPU")
        return f"CPU ({os.cpu_count()} cores)"
    for gpu in gpus:
        with contextlib.suppress(RuntimeError):  # already initialised: growth is fixed then
            tf.config.experimental.set_memory_growth(gpu, True)
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU ({details.get('device_name', gpus[0].name)})"


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and TensorFlow, and ask TensorFlow for deterministic kernels."""
    tf = import_tensorflow()
    import keras

    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()
