"""Every key of the config with its default and what it is, read off the schema: the README's
"Keys, with defaults" block is this text, so it cannot drift from the code.

    python -m lstmcast.config.reference        # prints the block
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any, Literal, get_args

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from lstmcast.config.schema import Experiment

WIDTH = 100
COMMENT_COLUMN = 28
REQUIRED = "<required>"
EXAMPLES = {
    "data.path": "sample.csv",
    "data.target": "demand",
    "windows.horizon": 48,
    "output.mlflow.tracking_uri": "sqlite:///mlruns.db",
}
"""Values shown for the keys without a default."""
EXPANDED = {"mlflow"}
"""Sections unset by default whose keys are listed one by one all the same."""


def keys_reference() -> str:
    """The YAML block: each section, each key with its default, a short comment."""
    lines: list[str] = []
    for name, field in Experiment.model_fields.items():
        if name == "schema_version":
            continue
        lines += _section(name, field)
    return "\n".join(lines) + "\n"


def _section(name: str, field: FieldInfo) -> list[str]:
    model = _model_of(field.annotation)
    if model is None:
        return [_line(name, _default(name, field), field, indent="")]
    lines = [_line(f"{name}:", None, field, indent="")]
    for key, child in model.model_fields.items():
        nested = _model_of(child.annotation)
        flat = key not in EXPANDED and (
            key in ("schedule", "early_stopping") or child.default is None
        )
        if nested is not None and not flat:
            lines.append(_line(f"{key}:", None, child, indent="  "))
            lines += [
                _line(inner, _default(f"{name}.{key}.{inner}", sub), sub, indent="    ")
                for inner, sub in nested.model_fields.items()
            ]
            continue
        lines.append(_line(key, _default(f"{name}.{key}", child), child, indent="  "))
    return lines


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The section model an annotation holds (a union with None counts), if any."""
    candidates = [annotation, *get_args(annotation)]
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if len(models) == 1 else None


def _choices(annotation: Any) -> list[str]:
    """The string choices of a Literal field ('lstm | gru'), none for other types."""
    found: list[str] = []
    pending = [annotation]
    while pending:
        current = pending.pop(0)
        if getattr(current, "__origin__", None) is Literal:
            found += [str(arg) for arg in get_args(current) if isinstance(arg, str)]
        else:
            pending += list(get_args(current))
    return found


def _default(path: str, field: FieldInfo) -> str:
    if field.default is PydanticUndefined and field.default_factory is None:
        return _yaml(EXAMPLES.get(path, REQUIRED))
    value = field.default_factory() if field.default_factory is not None else field.default
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    return _yaml(value)


def _yaml(value: Any) -> str:
    """One-line YAML flow style: null, true, [80, 95], {type: constant}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_yaml(item) for item in value) + "]"
    return json.dumps(value) if value is None or isinstance(value, bool) else str(value)


def _line(key: str, value: str | None, field: FieldInfo, *, indent: str) -> str:
    text = f"{indent}{key}" if value is None else f"{indent}{key}: {value}"
    choices = " | ".join(_choices(field.annotation))
    summary = _summary(field.description or "")
    summary = f"{choices}: {summary}" if choices and summary else choices or summary
    if not summary:
        return text
    column = max(COMMENT_COLUMN, len(text) + 2)
    room = WIDTH - column - 2
    short = textwrap.shorten(summary, room, placeholder=" ...") if room > 10 else ""
    return f"{text.ljust(column)}# {short}" if short else text


def _summary(description: str) -> str:
    """The description's first sentence, without its backticks."""
    first = re.split(r"(?<!e\.g\.)(?<!i\.e\.)(?<=[.;])\s", description.strip(), maxsplit=1)[0]
    first = first.rstrip(".;")
    return first.replace("`", "")


def keys_document() -> str:
    """docs/config.md: every key with its default and its whole description."""
    lines = [
        "# Every config key",
        "",
        "Generated from the schema (`python -m lstmcast.config.reference --document`); the",
        "README's short block is the same keys, one line each. `lstmcast schema` prints the",
        "JSON Schema editors use.",
        "",
    ]
    for name, field in Experiment.model_fields.items():
        model = _model_of(field.annotation)
        if name == "schema_version" or model is None:
            continue
        about = _paragraph(field.description)
        lines += [f"## `{name}`", "", *about, *([""] if about else [])]
        for key, child in model.model_fields.items():
            lines += _entry(f"{name}.{key}", child)
            nested = _model_of(child.annotation) if key in EXPANDED else None
            for inner, sub in nested.model_fields.items() if nested else []:
                lines += _entry(f"{name}.{key}.{inner}", sub)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _entry(path: str, field: FieldInfo) -> list[str]:
    required = field.default is PydanticUndefined and field.default_factory is None
    default = "required" if required else f"default `{_default(path, field)}`"
    return [f"- **`{path}`** ({default})", *[f"  {line}" for line in _paragraph(field.description)]]


def _paragraph(description: str | None) -> list[str]:
    return textwrap.wrap((description or "").replace("\n", " "), WIDTH - 2)


if __name__ == "__main__":
    import sys

    print(keys_document() if "--document" in sys.argv else keys_reference(), end="")
