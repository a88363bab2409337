"""TensorFlow at the bottom of the house: its quiet import, the device to run on, and seeds.

Every layer above (data windows, models, training, evaluation, forecasting, the CLI) takes what
it needs from here, so none of them reaches into another for it. Importing this module imports
nothing heavy; TensorFlow loads on the first call that needs it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Literal

from lstmcast import SHOW_TF_LOGS
from lstmcast.errors import DeviceError

DevicePreference = Literal["auto", "cpu", "gpu"]


@dataclass(frozen=True)
class Device:
    """What TensorFlow computes on: the CPU (split into `count` logical devices for mirrored
    training without a GPU) or `count` GPUs."""

    kind: Literal["cpu", "gpu"]
    count: int = 1
    names: tuple[str, ...] = ()
    """GPU model names as the driver reports them; empty for the CPU."""
    cores: int | None = None
    """CPU cores of the machine (the CPU only)."""

    @property
    def is_gpu(self) -> bool:
        return self.kind == "gpu"

    def describe(self) -> str:
        """For people and the manifest: 'CPU (2 cores)', 'GPU (NVIDIA H100)', '2 GPUs (…)'."""
        if not self.is_gpu:
            return f"CPU ({self.cores} cores)"
        name = self.names[0] if self.names else "unknown"
        return f"GPU ({name})" if self.count == 1 else f"{self.count} GPUs ({name})"


KERAS_EXTRAS = ("sklearn", "matplotlib.pyplot")
"""Packages Keras imports when they are installed, for wrappers and image galleries lstmcast
never uses: scikit-learn (with SciPy, 0.55 s; the mlflow extra installs it) and pyplot (0.3 s,
which the commands that draw import themselves)."""


def import_tensorflow() -> ModuleType:
    """Import TensorFlow and Keras, keeping their start-up chatter off stderr unless asked,
    and without KERAS_EXTRAS.

    TensorFlow's C++ code writes "oneDNN custom operations are on" and CUDA probes to file
    descriptor 2 before absl logging starts, so TF_CPP_MIN_LOG_LEVEL alone cannot hide them;
    the descriptor is pointed at /dev/null for the import only.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    quiet = os.environ.get(SHOW_TF_LOGS) != "1"
    if quiet:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    hush = _stderr_to_devnull() if quiet else contextlib.nullcontext()
    with hush, _unseen(KERAS_EXTRAS):
        import keras  # noqa: F401
        import tensorflow as tf
    if quiet:
        tf.get_logger().setLevel("ERROR")
        warnings.filterwarnings("ignore", module=r"(keras|tensorflow)(\..*)?")
    return tf


@contextlib.contextmanager
def _unseen(names: tuple[str, ...]) -> Iterator[None]:
    """Imports of `names` fail (ImportError, which Keras expects of an optional package) for the
    block only; afterwards they import as usual."""
    hidden = [name for name in names if name not in sys.modules]
    sys.modules.update(dict.fromkeys(hidden))
    try:
        yield
    finally:
        for name in hidden:
            if sys.modules.get(name, 0) is None:
                del sys.modules[name]


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


def select_device(
    preference: DevicePreference, *, cpu_devices: int = 1, required_by: str = ""
) -> Device:
    """Make TensorFlow use the preferred device and describe it.

    `cpu_devices` > 1 splits the CPU into that many logical devices (for mirrored training
    without a GPU); `required_by` names a true setting that needs a GPU, as 'gpu' does.
    """
    tf = import_tensorflow()
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus and required_by:
        raise DeviceError(
            f"{required_by} is true but TensorFlow sees no GPU; run on a machine with an NVIDIA "
            f"GPU and lstmcast[gpu], or set {required_by}: false"
        )
    if not gpus and preference == "gpu":
        raise DeviceError(
            "training.device is 'gpu' but TensorFlow sees no GPU; install lstmcast[gpu] on a "
            "machine with an NVIDIA driver, or use --device auto / training.device: auto"
        )
    if preference == "cpu" or not gpus:
        if gpus:
            tf.config.set_visible_devices([], "GPU")
        if cpu_devices > 1:
            _split_cpu(tf, cpu_devices)
        return Device("cpu", count=max(cpu_devices, 1), cores=os.cpu_count())
    for gpu in gpus:
        with contextlib.suppress(RuntimeError):  # already initialised: growth is fixed then
            tf.config.experimental.set_memory_growth(gpu, True)
    names = tuple(
        tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in gpus
    )
    return Device("gpu", count=len(gpus), names=names)


def _split_cpu(tf: ModuleType, count: int) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    try:
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
        )
    except RuntimeError:  # TensorFlow already started in this process
        if len(tf.config.list_logical_devices("CPU")) != count:
            raise DeviceError(
                f"training.cpu_replicas: cannot split the CPU into {count} devices after "
                "TensorFlow has started in this process; run train in a fresh process"
            ) from None


def seed_everything(seed: int, *, deterministic_ops: bool = True) -> None:
    """Seed Python, NumPy and TensorFlow, and ask TensorFlow for deterministic kernels (which
    Keras takes as a reason to turn XLA off, hence the switch)."""
    tf = import_tensorflow()
    import keras

    from lstmcast import internals

    keras.utils.set_random_seed(seed)
    if deterministic_ops:
        tf.config.experimental.enable_op_determinism()
    else:  # the setting is per process; a previous run in it may have turned it on
        internals.disable_op_determinism()
