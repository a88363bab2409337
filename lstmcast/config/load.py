"""YAML file + `--set` overrides -> validated Experiment, with errors that point at the YAML line.

Paths are resolved here, once: `data.path` relative to the config file, `output.run_dir` relative
to the working directory (default `runs/<config file stem>`).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from lstmcast.config.schema import Experiment
from lstmcast.errors import ConfigError


def load_experiment(
    path: Path, overrides: Sequence[str] = (), *, text: str | None = None
) -> Experiment:
    """Read, override, validate and resolve the experiment in the YAML file at `path` (or in
    `text`, a config not written yet, whose paths resolve as if it were at `path`)."""
    text = _read_text(path) if text is None else text
    raw, root = _parse_yaml(text, path)
    for override in overrides:
        apply_override(raw, override)
    try:
        experiment = Experiment.model_validate(raw)
    except ValidationError as err:
        lines = [_describe(error, root, overrides) for error in err.errors()]
        raise ConfigError(f"{path}: " + "\n".join(lines)) from None
    return _resolve_paths(experiment, path)


def experiment_from_dict(raw: dict[str, Any], config_path: Path) -> Experiment:
    """Validate an already-resolved config (the copy saved in a run folder)."""
    try:
        return _resolve_paths(Experiment.model_validate(raw), config_path)
    except ValidationError as err:
        lines = [_describe(error, None, ()) for error in err.errors()]
        raise ConfigError(f"{config_path}: " + "\n".join(lines)) from None


def apply_override(raw: dict[str, Any], override: str) -> None:
    """Set `a.b.c=value` in the raw config; the value is read as YAML, so 64 is an int."""
    key_path, sep, value_text = override.partition("=")
    if not sep or not key_path.strip():
        raise ConfigError(
            f"--set expects KEY.PATH=VALUE, e.g. --set windows.lookback=48 (got '{override}')"
        )
    try:
        value = yaml.safe_load(value_text) if value_text.strip() else None
    except yaml.YAMLError:
        value = value_text
    keys = key_path.strip().split(".")
    node = raw
    for depth, key in enumerate(keys[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            where = ".".join(keys[: depth + 1])
            raise ConfigError(f"--set {override}: {where} is a value, not a section")
        node = child
    node[keys[-1]] = value


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except IsADirectoryError:
        raise ConfigError(f"{path} is a folder; give the experiment's YAML file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not UTF-8 text; save the config as UTF-8") from None


def _parse_yaml(text: str, path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    try:
        raw = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(err, "problem", None) or str(err).splitlines()[0]
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    _refuse_duplicate_keys(root, path)
    if raw is None:
        raise ConfigError(f"{path} is empty; see configs/ for a complete example")
    if not isinstance(raw, dict):
        raise ConfigError(f"{path} must be a mapping of sections (data:, windows:, ...)")
    return raw, root


def _refuse_duplicate_keys(root: yaml.Node | None, path: Path) -> None:
    """YAML keeps the last of two equal keys without a word; a config must not."""
    pending = [(root, "")]
    while pending:
        node, where = pending.pop()
        if isinstance(node, yaml.SequenceNode):
            pending += [(item, where) for item in node.value]
        if not isinstance(node, yaml.MappingNode):
            continue
        seen: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = f"{where}.{key_node.value}" if where else str(key_node.value)
            if key_node.value in seen:
                first = seen[key_node.value].start_mark.line + 1
                raise ConfigError(
                    f"{path}: {key} is given twice, on lines {first} and "
                    f"{key_node.start_mark.line + 1}; keep one"
                )
            seen[key_node.value] = key_node
            pending.append((value_node, key))


def _resolve_paths(experiment: Experiment, config_path: Path) -> Experiment:
    data_path = experiment.data.path
    if not data_path.is_absolute():
        data_path = (config_path.parent / data_path).resolve()
    run_dir = experiment.output.run_dir or Path("runs") / config_path.stem
    output = {"run_dir": run_dir}
    mlflow = experiment.output.mlflow
    if mlflow is not None and mlflow.experiment is None:
        output["mlflow"] = mlflow.model_copy(update={"experiment": config_path.stem})
    return experiment.model_copy(
        update={
            "data": experiment.data.model_copy(update={"path": data_path}),
            "output": experiment.output.model_copy(update=output),
        }
    )


def _describe(error: Any, root: yaml.Node | None, overrides: Sequence[str]) -> str:
    """One line per problem: `line 7: windows.lookback: must be > 0 (got 0)`."""
    loc = [part for part in error["loc"] if isinstance(part, str | int)]
    message = error["msg"].removeprefix("Value error, ")
    loc, message = _key_named_by_message(loc, message)
    loc, node = _yaml_node(root, loc)
    key_path = ".".join(str(part) for part in loc) or "config"
    kind = error["type"]
    if kind == "extra_forbidden":
        message = f"unknown key '{loc[-1]}'"
        hint = _near_miss(str(loc[-1]), _allowed_keys(loc[:-1]))
        message += f"; did you mean '{hint}'?" if hint else "; remove it"
    elif kind == "missing":
        message = "is required but missing"
    elif kind == "literal_error":
        choices = re.findall(r"'([^']*)'", message)
        hint = _near_miss(str(error.get("input")), choices)
        message = f"{message} (got {error.get('input')!r})" + (
            f"; did you mean '{hint}'?" if hint else ""
        )
    elif not isinstance(error.get("input"), dict | list) and "got" not in message:
        message += f" (got {error.get('input')!r})"
    source = _override_for(key_path, overrides)
    if source:
        where = f"--set {source}: "
    elif node is not None:
        where = f"line {node.start_mark.line + 1}: "
    else:
        where = ""
    return f"{where}{key_path}: {message}"


def _key_named_by_message(loc: list[Any], message: str) -> tuple[list[Any], str]:
    """A check across keys reports on its section; its message starts with the key it is about
    ('merge_mode: ...', 'model.output: ...'), which then joins the key path."""
    named = re.match(r"([a-z_]+(?:\.[a-z_]+)*): ", message)
    if named is None:
        return loc, message
    parts = named.group(1).split(".")
    if not all(part in _allowed_keys(loc + parts[:depth]) for depth, part in enumerate(parts)):
        return loc, message
    return loc + parts, message[named.end() :]


def _yaml_node(root: yaml.Node | None, loc: list[Any]) -> tuple[list[Any], yaml.Node | None]:
    """Follow `loc` through the YAML tree, dropping parts that are not YAML keys (union tags).

    Returns the cleaned key path and the node whose line to report (the key's own line).
    """
    kept: list[Any] = []
    node, line_node = root, None
    for position, part in enumerate(loc):
        found = _child(node, part)
        if found is None:
            is_last = position == len(loc) - 1  # the key an error is about is never a tag
            is_tag = isinstance(part, str) and part not in _allowed_keys(kept)
            if isinstance(node, yaml.MappingNode) and is_tag and not is_last:
                continue  # a pydantic union tag such as 'stacked', not a YAML key
            kept.append(part)
            node = None
            continue
        kept.append(part)
        line_node, node = found
    return kept, line_node


def _child(node: yaml.Node | None, part: Any) -> tuple[yaml.Node, yaml.Node] | None:
    """(node to report the line of, node to descend into) for one key or list index."""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == part:
                return key_node, value_node
        return None
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part], node.value[part]
    return None


def _allowed_keys(section_path: list[Any]) -> list[str]:
    """Keys allowed at `section_path`; for a union of sections (the schedules), all of theirs."""
    models: list[type[BaseModel]] = [Experiment]
    for part in section_path:
        fields = {name: field for model in models for name, field in model.model_fields.items()}
        if not isinstance(part, str) or part not in fields:
            return []
        annotation = fields[part].annotation
        candidates = getattr(annotation, "__args__", (annotation,))
        models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return list(dict.fromkeys(name for model in models for name in model.model_fields))


def _near_miss(word: str, choices: list[str]) -> str | None:
    matches = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _override_for(key_path: str, overrides: Sequence[str]) -> str | None:
    for override in overrides:
        key = override.partition("=")[0].strip()
        if key_path == key or key_path.startswith(key + ".") or key.startswith(key_path + "."):
            return override
    return None
