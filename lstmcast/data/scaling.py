"""Per-column scaling fitted on the training rows only, stored as JSON in the run folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lstmcast.config.sections.scaling import ScalingMethod


@dataclass(frozen=True)
class Scaler:
    """x_scaled = (x - center) / scale, column by column; column 0 is the target."""

    method: ScalingMethod
    center: np.ndarray
    scale: np.ndarray

    def transform(self, values: np.ndarray) -> np.ndarray:
        return (values - self.center) / self.scale

    def transform_float32(self, values: np.ndarray, *, width: int | None = None) -> np.ndarray:
        """transform(values) as float32 (rows, width), a column at a time: the same numbers
        without a float64 copy of the whole table (300 MB at 5M rows x 8). Columns past the
        values' own are left for the caller to fill."""
        rows, columns = values.shape
        scaled = np.empty((rows, width or columns), dtype=np.float32)
        for column in range(columns):
            scaled[:, column] = (values[:, column] - self.center[column]) / self.scale[column]
        return scaled

    def inverse_target(self, scaled_target: np.ndarray, *, out: bool = False) -> np.ndarray:
        """Scaled target values (any shape) back to the target's original units; out=True
        writes them over `scaled_target` (float64, not needed again): the same numbers without
        a second array the size of every forecast."""
        if not out:
            return scaled_target * self.scale[0] + self.center[0]
        np.multiply(scaled_target, self.scale[0], out=scaled_target)
        return np.add(scaled_target, self.center[0], out=scaled_target)

    def to_dict(self) -> dict[str, Any]:
        return {"method": self.method, "center": self.center.tolist(), "scale": self.scale.tolist()}

    @classmethod
    def from_dict(cls, state: dict[str, Any]) -> Scaler:
        return cls(
            method=state["method"],
            center=np.asarray(state["center"], dtype=np.float64),
            scale=np.asarray(state["scale"], dtype=np.float64),
        )


def fit_scaler(train_values: np.ndarray, method: ScalingMethod) -> Scaler:
    """Statistics of the training rows; a constant column keeps scale 1 instead of dividing by 0."""
    columns = train_values.shape[1]
    if method == "none":
        center, scale = np.zeros(columns), np.ones(columns)
    elif method == "standard":
        center, scale = train_values.mean(axis=0), train_values.std(axis=0)
    elif method == "minmax":
        center = train_values.min(axis=0)
        scale = train_values.max(axis=0) - center
    elif method == "robust":
        q25, center, q75 = np.percentile(train_values, [25, 50, 75], axis=0)
        scale = q75 - q25
    else:
        raise ValueError(f"unknown scaling method {method!r}")
    scale = np.where(scale > 1e-12 * np.maximum(np.abs(center), 1.0), scale, 1.0)
    return Scaler(method, np.asarray(center, np.float64), np.asarray(scale, np.float64))
