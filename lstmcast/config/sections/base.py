"""What every section shares: strict keys (a misspelt key is an error, not a silently
ignored setting) and numbers that refuse YAML's true/false."""

from __future__ import annotations

from typing import get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    model_validator,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, raw: object) -> object:
        """YAML's true/false would pass as 1/0 where a number is expected (horizon: true is
        not a horizon of 1): refuse them for every numeric key, lists included."""
        if not isinstance(raw, dict):
            return raw
        for name, field in cls.model_fields.items():
            value = raw.get(name)
            values = value if isinstance(value, list) else [value]
            if any(isinstance(v, bool) for v in values) and _numbers_only(field.annotation):
                raise ValueError(f"{name}: expected a number, got {str(value).lower()}")
        return raw


def _numbers_only(annotation: object) -> bool:
    """Whether a field takes numbers (int, float, lists of them) and never a bool."""
    found: set[object] = set()
    pending = [annotation]
    while pending:
        current = pending.pop()
        args = get_args(current)
        if args:
            pending += list(args)
        else:
            found.add(current)
    return bool(found & {int, float}) and bool not in found
