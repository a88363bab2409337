"""build_model(config, ...) -> keras.Model; one module per architecture.

Importing this package imports Keras: only training, evaluation and forecasting do, never the
CLI's start-up path. Call training.device.import_tensorflow() first to keep start-up logs quiet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lstmcast.config.schema import Experiment

if TYPE_CHECKING:
    import keras


def build_model(experiment: Experiment, *, num_features: int) -> keras.Model:
    """The configured architecture for windows of `num_features` columns."""
    from lstmcast.models.stacked import build_stacked

    builders = {"stacked": build_stacked}
    return builders[experiment.model.type](
        experiment.model,
        lookback=experiment.windows.lookback,
        num_features=num_features,
        horizon=experiment.windows.horizon,
        per_window=experiment.scaling.per_window,
    )


def load_model(path: str) -> keras.Model:
    """Load a saved `.keras` model with lstmcast's layers registered, in Keras's safe mode."""
    import keras

    from lstmcast.models import window_norm  # noqa: F401  (registers the custom layers)

    return keras.models.load_model(path, safe_mode=True, compile=False)
