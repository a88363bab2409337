"""Training that starts from a trained run's weights and scalers (`lstmcast update`): what
the parent must share with the new data for its weights to mean the same, and what the new
run's manifest says of its parent."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lstmcast.artifacts import Run
from lstmcast.data.workload import Workload
from lstmcast.errors import ConfigError
from lstmcast.text import count_of

if TYPE_CHECKING:
    import keras


@dataclass(frozen=True)
class WarmStart:
    parent: Run

    @property
    def state(self) -> dict[str, Any]:
        """The parent's preprocessing: each series keeps its scaler, the static levels keep
        their one-hot columns; a series the parent never saw is scaled by its own rows."""
        return self.parent.preprocessing

    def weights(self) -> keras.Model:
        """The parent's model, whose weights training starts from."""
        return self.parent.load_model()

    def check(self, workload: Workload) -> None:
        """Refuse (exit 2) new data the parent's weights cannot read the same way."""
        had, has = list(self.state["columns"]), list(workload.experiment.data.columns)
        if had != has:
            raise ConfigError(
                f"the new data gives the model the columns {has}, the run was trained on {had}: "
                "train a new run instead"
            )
        if workload.experiment.model.series_embedding:
            trained = set(self.state["series"])
            if set(workload.ids) != trained:
                changed = sorted(set(workload.ids) ^ trained)
                raise ConfigError(
                    f"series {changed[0]} (and {len(changed) - 1} more) is new or gone, and the "
                    "run learned a vector per series (model.series_embedding): train a new run"
                )

    def describe(self, epochs: int) -> str:
        trained = count_of(len(self.state["series"]), "series")
        return (
            f"continuing run {self.parent.run_id} on the new data: its weights and scalers "
            f"({trained}), at most {count_of(epochs, 'epoch')} more"
        )

    def facts(self, epochs_added: int) -> dict[str, Any]:
        """The new run's manifest entry `parent`."""
        return {
            "run_id": self.parent.run_id,
            "run_dir": str(self.parent.run_dir.resolve()),
            "data_sha256": self.parent.manifest.get("data_sha256"),
            "epochs_added": epochs_added,
        }
