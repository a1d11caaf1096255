"""Loading versioned regulatory data (``rules/*.yaml``) with errors that name file, line and problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound=BaseModel)


class RulesError(Exception):
    """A rules file is missing or wrong. The message reads ``file:line: problem``."""


class LocatedError(ValueError):
    """A cross-field problem found by a model validator, with the path (below the model) it is about,
    so the message can point at the right line rather than at the model's first line."""

    def __init__(self, message: str, *path: int | str) -> None:
        super().__init__(message)
        self.path = path


class RuleModel(BaseModel):
    """Base of rules-file schemas: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...], *, prefer_key: bool = False) -> int | None:
    """Walk the composed YAML tree along a pydantic error location to find the 1-based line.

    With ``prefer_key`` a location ending in a mapping key points at the key (``clocks:``), not at
    its value (the first item below it)."""
    line = node.start_mark.line + 1 if node is not None else None
    for index, part in enumerate(loc):
        if isinstance(node, yaml.MappingNode):
            if prefer_key and index == len(loc) - 1:
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                if key is not None:
                    return int(key.start_mark.line) + 1
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                # An unknown key: point at the key itself.
                key = next((k for k, _ in node.value if getattr(k, "value", None) == part), None)
                return key.start_mark.line + 1 if key is not None else line
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
        else:
            break
        line = node.start_mark.line + 1
    return line


def load_rules_file(path: Path, model: type[M]) -> M:
    """Parse and validate one rules file; every problem is reported as ``path:line: message``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RulesError(f"{path}: cannot read rules file: {exc.strerror}") from exc
    try:
        tree = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        raise RulesError(f"{where}: not valid YAML: {exc.problem}") from exc
    if not isinstance(data, dict):
        raise RulesError(f"{path}:1: the file must be a mapping of keys to values")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            inner = (err.get("ctx") or {}).get("error")
            located = isinstance(inner, LocatedError)
            if isinstance(inner, LocatedError):
                loc = loc + inner.path
            dotted = ".".join(str(p) for p in loc) or "(top level)"
            line = _line_of(tree, loc, prefer_key=located)
            lines.append(f"{path}:{line}: {dotted}: {err['msg']}")
        raise RulesError("\n".join(lines)) from exc
