"""The training section's optimiser, learning-rate schedule and loss, as Keras objects.

Schedules are stated per epoch in the config and converted to optimizer steps here, where the
steps per epoch are known; reduce-on-plateau is a callback because it watches the validation
loss.
"""

from __future__ import annotations

from typing import Any

import keras

from lstmcast.config.sections.training import TrainingSection

LOSS_POWER = {"mae": 1, "mse": 2, "huber": 2}
"""A loss on globally scaled targets times scale**power is the loss in the target's units
(huber with its delta times the scale): all three are homogeneous in the error."""


def learning_rate(training: TrainingSection, steps_per_epoch: int) -> Any:
    """A float, or a Keras schedule of optimizer steps for the epoch-based config."""
    schedule, base = training.schedule, training.learning_rate
    if schedule.type == "cosine":
        warmup = schedule.warmup_epochs * steps_per_epoch
        decay = max(training.epochs * steps_per_epoch - warmup, 1)
        return keras.optimizers.schedules.CosineDecay(
            initial_learning_rate=0.0 if warmup else base,
            decay_steps=decay,
            alpha=schedule.final_fraction,
            warmup_target=base if warmup else None,
            warmup_steps=warmup,
        )
    if schedule.type == "step":
        return keras.optimizers.schedules.ExponentialDecay(
            base,
            decay_steps=schedule.every_epochs * steps_per_epoch,
            decay_rate=schedule.factor,
            staircase=True,
        )
    if schedule.type == "exponential":
        return keras.optimizers.schedules.ExponentialDecay(
            base, decay_steps=steps_per_epoch, decay_rate=schedule.rate, staircase=True
        )
    return base


def optimizer(training: TrainingSection, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    options: dict[str, Any] = {
        "learning_rate": learning_rate(training, steps_per_epoch),
        "clipnorm": training.clip_norm,
        "clipvalue": training.clip_value,
    }
    if training.weight_decay is not None:
        options["weight_decay"] = training.weight_decay
    if training.optimizer == "sgd":
        return keras.optimizers.SGD(
            momentum=training.momentum, nesterov=training.nesterov, **options
        )
    if training.optimizer == "rmsprop":
        return keras.optimizers.RMSprop(momentum=training.momentum, **options)
    if training.optimizer == "adamw":
        return keras.optimizers.AdamW(**options)
    return keras.optimizers.Adam(**options)


def loss(training: TrainingSection, quantiles: list[float] | None = None) -> keras.losses.Loss:
    """The configured loss; the pinball loss of the quantiles for a quantile model."""
    if quantiles:
        from lstmcast.models.quantiles import PinballLoss

        return PinballLoss(quantiles)
    if training.loss == "huber":
        return keras.losses.Huber(delta=training.huber_delta)
    if training.loss == "mse":
        return keras.losses.MeanSquaredError()
    return keras.losses.MeanAbsoluteError()


def schedule_callbacks(training: TrainingSection) -> list[keras.callbacks.Callback]:
    """Reduce-on-plateau, the one schedule that reacts to the validation loss."""
    schedule = training.schedule
    if schedule.type != "plateau":
        return []
    return [
        keras.callbacks.ReduceLROnPlateau(
            monitor="val_loss",
            factor=schedule.factor,
            patience=schedule.patience,
            min_lr=schedule.min_learning_rate,
            verbose=0,
        )
    ]
