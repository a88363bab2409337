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

    def check(self, workload: Workload) -> str | None:
        """Refuse (exit 2) new data the parent's weights cannot read the same way; a note
        naming the series that arrived since, when the parent learned a vector per series."""
        had, has = list(self.state["columns"]), list(workload.experiment.data.columns)
        if had != has:
            raise ConfigError(
                f"the new data gives the model the columns {has}, the run was trained on {had}: "
                "train a new run instead"
            )
        new = sorted(set(workload.ids) - set(self.state["series"]))
        if not new or not workload.experiment.model.series_embedding:
            return None
        if not self.state.get("unknown_vector"):
            raise ConfigError(
                f"series {new[0]} (and {len(new) - 1} more) is new, and the run learned a vector "
                "per series (model.series_embedding) with none for a series it never saw "
                "(trained before lstmcast learned one): train a new run"
            )
        return (
            f"model.series_embedding: {count_of(len(new), 'series')} new since the run "
            f"({', '.join(new[:3])}{', ...' if len(new) > 3 else ''}) train as the unknown "
            "series, sharing its vector until a full retrain gives each its own"
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
