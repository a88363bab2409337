"""An ensemble in one model: N copies of the network read the same inputs, and the saved
model outputs their median per step (and per quantile). Training fits the members' stacked
outputs, each member scored by the loss on its own (members_model, MembersLoss), so every
member learns as it would alone; they differ by their initial weights, drawn one after
another from the run's seed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras
from keras import ops

STACKED = "members"


@keras.saving.register_keras_serializable(package="lstmcast")
class StackMembers(keras.layers.Layer):
    """[member outputs, each (batch, ...)] -> (batch, ..., members)."""

    def call(self, outputs: list[Any]) -> Any:
        return ops.stack(outputs, axis=-1)

    def compute_output_shape(self, shapes: list[tuple[int, ...]]) -> tuple[int, ...]:
        return (*shapes[0], len(shapes))


@keras.saving.register_keras_serializable(package="lstmcast")
class MemberMedian(keras.layers.Layer):
    """(batch, ..., members) -> (batch, ...): the median over members, robust to one that
    went astray."""

    def call(self, stacked: Any) -> Any:
        return ops.median(stacked, axis=-1)

    def compute_output_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return shape[:-1]


def build_ensemble(
    build_member: Callable[[str], keras.Model],
    count: int,
    *,
    blend: keras.layers.Layer | None = None,
) -> keras.Model:
    """`count` members from `build_member(name)` over shared inputs, their median out (then
    blended with seasonal naive by `blend`, when given)."""
    members = [build_member(f"member_{index}") for index in range(1, count + 1)]
    inputs = keras.tree.map_structure(
        lambda tensor: keras.Input(shape=tensor.shape[1:], dtype=tensor.dtype, name=tensor.name),
        members[0].input,
    )
    stacked = StackMembers(name=STACKED)([member(inputs) for member in members])
    forecast = MemberMedian(name="median")(stacked)
    if blend is not None:
        window = inputs["window"] if isinstance(inputs, dict) else inputs
        forecast = blend([forecast, window])
    return keras.Model(inputs, forecast, name="ensemble")


def members_model(model: keras.Model) -> keras.Model:
    """The model training fits: every member's output, stacked on the last axis."""
    return keras.Model(model.inputs, model.get_layer(STACKED).output, name="members")


@keras.saving.register_keras_serializable(package="lstmcast")
class MembersLoss(keras.losses.Loss):
    """The mean over members of each member's own loss against the same targets."""

    def __init__(self, base: keras.losses.Loss, members: int, **kwargs: Any) -> None:
        super().__init__(name=kwargs.pop("name", base.name), **kwargs)
        self.base, self.members = base, members

    def call(self, y_true: Any, y_pred: Any) -> Any:
        return ops.mean(
            ops.stack([self.base.call(y_true, y_pred[..., i]) for i in range(self.members)]),
            axis=0,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "base": keras.saving.serialize_keras_object(self.base),
            "members": self.members,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MembersLoss:
        base = keras.saving.deserialize_keras_object(config.pop("base"))
        return cls(base, **config)
