"""gate: the quality gate `train --gate` applies before a run may be promoted."""

from __future__ import annotations

from pathlib import Path

from pydantic import (
    Field,
    NonNegativeFloat,
)

from lstmcast.config.sections.base import Strict


class GateSection(Strict):
    enabled: bool = Field(
        False,
        description="Quality gate for `train` (also `train --gate`): exit 9 unless the new "
        "model's test MASE beats seasonal naive's, and is not worse than the production run's "
        "(gate.against) by more than gate.margin.",
    )
    margin: NonNegativeFloat = Field(
        0.05,
        description="How much worse than the production run a new run may be, as a share of "
        "its test MASE (0.05: 5%); both are scored on the new run's test split.",
    )
    against: Path | None = Field(
        None,
        description="The production run to compare with, e.g. runs/energy/current (a name "
        "`lstmcast promote` keeps); skipped with a note while it does not exist yet.",
    )
