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

    from lstmcast.files import replace_atomic

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
    """Training and validation loss per epoch (log scale, read as plain numbers), in the
    target's units when known, with the best validation epoch (the weights kept) marked."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    epochs = list(range(1, len(history.get("loss", [])) + 1))
    suffix = "_units" if "loss_units" in history else ""
    plain = FuncFormatter(lambda value, _: f"{value:.3g}")
    with figure_to(path, size=(7, 4)) as (_, axes):
        for name, label in (("loss", "training"), ("val_loss", "validation")):
            if f"{name}{suffix}" in history:
                axes.plot(epochs, history[f"{name}{suffix}"], label=label)
        validation = history.get(f"val_loss{suffix}") or []
        finite = [
            (value, epoch)
            for epoch, value in zip(epochs, validation, strict=False)
            if value == value
        ]
        if finite:
            value, best = min(finite)
            axes.axvline(best, color="#888888", lw=0.8, ls="--")
            axes.plot([best], [value], "o", color="#d62728", label=f"best epoch {best}")
        axes.set_yscale("log")
        axes.yaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        axes.yaxis.set_major_formatter(plain)
        axes.yaxis.set_minor_formatter(FuncFormatter(lambda *_: ""))
        axes.set_xlabel("epoch")
        axes.set_ylabel("loss in the target's units" if suffix else "loss")
        axes.grid(alpha=0.25, which="both")
        axes.legend(frameon=False)
