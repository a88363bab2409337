"""PNG figures with the optional plotting extra (matplotlib): headless, written atomically."""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


def plotting_available() -> bool:
    return importlib.util.find_spec("matplotlib") is not None


@contextmanager
def figure_to(path: Path, *, size: tuple[float, float], rows: int = 1) -> Iterator[tuple[Any, Any]]:
    """(figure, axes) to draw on (an array of `rows` axes when rows > 1); saved as PNG to
    `path` when the block ends without error."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in cron
    import matplotlib.pyplot as plt

    from lstmcast.artifacts import replace_atomic

    figure, axes = plt.subplots(rows, 1, figsize=size, squeeze=rows == 1)
    axes = axes if rows == 1 else axes[:, 0]
    try:
        with warnings.catch_warnings():  # e.g. a log axis over zero losses: a figure, not talk
            warnings.simplefilter("ignore", UserWarning)
            yield figure, axes
            figure.tight_layout()
            with replace_atomic(path) as temporary:
                figure.savefig(temporary, format="png", dpi=120)
    finally:
        plt.close(figure)


def plot_history(history: dict[str, list[float]], path: Path) -> None:
    """Training and validation loss per epoch (log scale), in the target's units when known."""
    epochs = range(1, len(history.get("loss", [])) + 1)
    suffix = "_units" if "loss_units" in history else ""
    with figure_to(path, size=(7, 4)) as (_, axes):
        for name, label in (("loss", "training"), ("val_loss", "validation")):
            if f"{name}{suffix}" in history:
                axes.plot(epochs, history[f"{name}{suffix}"], label=label)
        axes.set_yscale("log")
        axes.set_xlabel("epoch")
        axes.set_ylabel("loss in the target's units" if suffix else "loss")
        axes.legend()
