"""training: the fit (epochs, batches, loss, optimiser, schedules, early stopping,
seed, device, distribution)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from lstmcast.config.sections.base import Strict


class EarlyStopping(Strict):
    monitor: Literal["val_loss", "loss"] = Field(
        "val_loss", description="What must improve: the validation loss, or the training loss."
    )
    patience: NonNegativeInt = Field(
        10, description="Epochs without validation improvement before training stops."
    )
    min_delta: NonNegativeFloat = Field(0.0, description="Smallest change that counts.")
    restore_best_weights: bool = Field(True, description="Keep the best epoch's weights.")


class ConstantSchedule(Strict):
    type: Literal["constant"] = "constant"


class PlateauSchedule(Strict):
    type: Literal["plateau"]
    factor: float = Field(0.5, gt=0, lt=1, description="Multiply the rate by this on a plateau.")
    patience: NonNegativeInt = Field(
        3, description="Epochs without validation improvement before the rate drops."
    )
    min_learning_rate: NonNegativeFloat = Field(1e-6, description="The rate never goes lower.")


class CosineSchedule(Strict):
    type: Literal["cosine"]
    warmup_epochs: NonNegativeInt = Field(
        0, description="Epochs of linear warm-up from 0 to training.learning_rate."
    )
    final_fraction: float = Field(
        0.0, ge=0, le=1, description="The rate ends at this fraction of learning_rate."
    )


class StepSchedule(Strict):
    type: Literal["step"]
    every_epochs: PositiveInt = Field(10, description="Drop the rate every this many epochs.")
    factor: float = Field(0.5, gt=0, lt=1, description="Multiply the rate by this at each drop.")


class ExponentialSchedule(Strict):
    type: Literal["exponential"]
    rate: float = Field(0.95, gt=0, lt=1, description="Multiply the rate by this every epoch.")


Schedule = Annotated[
    ConstantSchedule | PlateauSchedule | CosineSchedule | StepSchedule | ExponentialSchedule,
    Field(discriminator="type"),
]


class TrainingSection(Strict):
    epochs: PositiveInt = Field(100, description="Most epochs to train.")
    batch_size: PositiveInt = Field(32, description="Windows per gradient step.")
    min_steps_per_epoch: PositiveInt = Field(
        50,
        description="An epoch is one pass over the training windows but at least this many "
        "gradient steps (cycling through the windows again), so a short series gets as many "
        "updates between early-stopping checks as a long one.",
    )
    optimizer: Literal["adam", "adamw", "rmsprop", "sgd"] = "adam"
    learning_rate: PositiveFloat = 1e-3
    weight_decay: NonNegativeFloat | None = Field(
        None, description="Decoupled weight decay (adamw default 0.004; others none)."
    )
    momentum: NonNegativeFloat = Field(0.0, lt=1, description="sgd and rmsprop momentum.")
    nesterov: bool = Field(False, description="sgd: Nesterov momentum.")
    clip_norm: PositiveFloat | None = Field(
        None, description="Clip each gradient to this L2 norm (the usual cure for exploding LSTMs)."
    )
    clip_value: PositiveFloat | None = Field(
        None, description="Clip each gradient element to [-value, value]."
    )
    schedule: Schedule = Field(
        default_factory=ConstantSchedule,
        description="Learning-rate schedule: constant, plateau, cosine (with warm-up), step or "
        "exponential; the rate of every epoch is logged in history.csv.",
    )
    loss: Literal["mse", "mae", "huber"] = "mae"
    huber_delta: PositiveFloat = Field(
        1.0, description="huber: where the loss turns from squared to absolute (scaled units)."
    )
    early_stopping: EarlyStopping | None = Field(
        default_factory=EarlyStopping, description="null trains for all epochs."
    )
    shuffle: bool = Field(True, description="Shuffle training windows each epoch (seeded).")
    seed: int = Field(42, description="Seeds weights, shuffling and dropout.")
    device: Literal["auto", "cpu", "gpu"] = Field(
        "auto",
        description="'auto' uses a GPU when TensorFlow sees one; 'gpu' fails (exit 6) when it "
        "sees none, instead of training for hours on the CPU. Applies to training only: "
        "evaluate and forecast use any device unless given --device.",
    )
    precision: Literal["float32", "mixed_float16", "mixed_bfloat16"] = Field(
        "float32",
        description="mixed_float16: compute in float16 on a GPU's tensor cores (compute "
        "capability 7.0+) with float32 weights, a float32 output layer and dynamic loss "
        "scaling; mixed_bfloat16 for hardware with bfloat16 units. The saved model is float32.",
    )
    jit_compile: bool = Field(
        False,
        description="Compile the training step with XLA. Keras turns it off for cuDNN layers "
        "(train says so); XLA runs are outside the bit-for-bit determinism guarantee.",
    )
    require_cudnn: bool = Field(
        False,
        description="Refuse a config whose recurrent layers would leave the cuDNN kernels "
        "(Keras otherwise falls back silently to a several times slower loop), and refuse to "
        "train without a GPU.",
    )
    distribution: Literal["none", "mirrored", "multi_worker"] = Field(
        "none",
        description="mirrored: one model over all local GPUs (tf.distribute.MirroredStrategy); "
        "multi_worker: over machines (MultiWorkerMirroredStrategy), each started with the same "
        "command and its role in TF_CONFIG. batch_size is the global batch, split across "
        "replicas.",
    )
    cpu_replicas: PositiveInt | None = Field(
        None,
        description="mirrored without a GPU: split the CPU into this many logical devices and "
        "mirror over them (to try a distributed config on one machine; not faster).",
    )

    @model_validator(mode="after")
    def _optimizer_options(self) -> TrainingSection:
        if self.nesterov and self.optimizer != "sgd":
            raise ValueError("nesterov: Nesterov momentum is an sgd option; set optimizer: sgd")
        if self.momentum and self.optimizer not in {"sgd", "rmsprop"}:
            raise ValueError(
                f"momentum: {self.optimizer} has no momentum setting (sgd and rmsprop do); "
                "remove momentum or change optimizer"
            )
        if self.nesterov and not self.momentum:
            raise ValueError("nesterov: needs momentum > 0 (e.g. momentum: 0.9)")
        return self

    @model_validator(mode="after")
    def _device_options(self) -> TrainingSection:
        if self.cpu_replicas is not None and self.distribution != "mirrored":
            raise ValueError(
                "cpu_replicas: splits the CPU for distribution: mirrored; set distribution: "
                "mirrored or remove cpu_replicas"
            )
        if self.require_cudnn and self.jit_compile:
            raise ValueError(
                "jit_compile: XLA cannot compile the cuDNN kernels (Keras turns XLA off for "
                "them), so it contradicts require_cudnn; remove one of the two"
            )
        if self.require_cudnn and self.device == "cpu":
            raise ValueError(
                "require_cudnn: the cuDNN kernels run on NVIDIA GPUs only, and device is 'cpu'; "
                "set device: gpu (or auto) or require_cudnn: false"
            )
        return self
