"""What is worth a warning before anything trains: a target with nothing to learn, and interval
levels the validation part cannot calibrate. The same words in validate, train, evaluate and
forecast."""

from __future__ import annotations

import numpy as np

from lstmcast.config.schema import Experiment
from lstmcast.config.sections.intervals import windows_needed
from lstmcast.text import a_or_an, count_of, plural


def constant_target(
    training: dict[str, np.ndarray], target: str, *, many: bool = False
) -> str | None:
    """The warning for training targets (id -> values) that never change; None if all do.

    A constant target trains (a meter that reads 0 is forecast as 0), but scaling leaves it as
    it is and the model can only learn that constant; MASE, scaled by seasonal naive's error,
    is then undefined on such a series.
    """
    flat = {sid: values[0] for sid, values in training.items() if _constant(values)}
    if not flat:
        return None
    if not many:
        value = next(iter(flat.values()))
        return (
            f"the target '{target}' is constant in the training rows (every value {value:g}): "
            "scaling leaves it as is and the model can only learn that constant"
        )
    sid, value = next(iter(flat.items()))
    return (
        f"{count_of(len(flat), 'series')} of {len(training):,} {plural(len(flat), 'has', 'have')}"
        f" a constant target in the training rows (e.g. {sid}: every value {value:g}); the model "
        "can only learn that constant for them"
    )


def _constant(values: np.ndarray) -> bool:
    finite = values[np.isfinite(values)]
    return len(finite) > 0 and bool(np.all(finite == finite[0]))


def unbounded_intervals(levels: list[int] | tuple[int, ...], windows: int) -> str | None:
    """The warning for interval levels `windows` calibration windows cannot bound."""
    short = [level for level in levels if windows < windows_needed(level)]
    if not short:
        return None
    needed = " and ".join(str(windows_needed(level)) for level in short)
    bands = " and ".join(f"{level}%" for level in short)
    return (
        f"intervals: {count_of(windows, 'validation window')} "
        f"{'is' if windows == 1 else 'are'} too few to calibrate "
        f"{a_or_an(bands) if len(short) == 1 else 'the ' + bands} "
        f"{plural(len(short), 'band')} (calibration needs {needed}): "
        f"{'it is' if len(short) == 1 else 'they are'} unbounded, and forecast writes -inf and "
        f"inf for {'it' if len(short) == 1 else 'them'}; give split.validation more rows or "
        "lower intervals.levels"
    )


def data_warnings(
    experiment: Experiment, training: dict[str, np.ndarray], validation_windows: int
) -> list[str]:
    """Every warning the prepared data gives, in the order people should read them."""
    warnings = [
        constant_target(training, experiment.data.target, many=experiment.data.is_panel),
        unbounded_intervals(experiment.intervals.levels, validation_windows)
        if experiment.intervals is not None
        else None,
    ]
    return [message for message in warnings if message is not None]
