"""The one walk over the case models: every field of the contract, in case-file order.

Normalisation, the field catalogue, `landapproval init`'s template, the unknown-key check, the rule
book's `field:` check and the web form all read the contract through `fields()`: a second walker
with its own idea of a field's kind is how a page once sent 否 for 是.

Paths use `[]` for "any item of the list": ``parcels[].land.cultivated``.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from landapproval.contract.models import Case

_INDEX = re.compile(r"\[\d+\]")
#: fields whose kind is not their type's: a county is read by name, code or pinyin; a zone is a
#: name or {name, level}
_SPECIAL = {"county": "county", "scope.development_zone": "zone"}


@dataclass(frozen=True)
class Field:
    """One field of the contract."""
    path: str                   # "parcels[].land.cultivated"
    kind: str                   # group | list | text | date | area | bool | enum | county | zone | other
    required: bool
    default: Any                # the model's default (None when required)
    choices: tuple[str, ...]    # an enum's allowed values, in the model's order
    inner: str | None           # the path of the group inside a group, list or union field
    description: str = ""

    @property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    @property
    def key(self) -> str:
        return self.path.rsplit(".", 1)[-1].removesuffix("[]")


def canonical(path: str) -> str:
    """'parcels[2].land.cultivated' → 'parcels[].land.cultivated'."""
    return _INDEX.sub("[]", path)


def unwrap(annotation: Any) -> Any:
    """Optional[X] → X, Annotated[X, …] → X; a union of several types stays as it is."""
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _kind(annotation: Any) -> str:
    inner = unwrap(annotation)
    if inner is bool:
        return "bool"
    if inner is dt.date:
        return "date"
    if inner is Decimal:
        return "area"
    if get_origin(inner) is Literal:
        return "enum"
    if get_origin(inner) is list:
        return "list"
    if inner is str:
        return "text"
    if isinstance(inner, type) and hasattr(inner, "model_fields"):
        return "group"
    return "other"


def _nested(annotation: Any) -> tuple[type, str] | None:
    """The model a field holds, with '[]' inside a list: Optional[list[Petition]] → (Petition, '[]')."""
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _nested(get_args(annotation)[0])
    if origin is list:
        found = _nested(get_args(annotation)[0])
        return (found[0], "[]") if found else None
    if origin is not None:  # unions and the like
        for arg in get_args(annotation):
            found = _nested(arg)
            if found:
                return found
        return None
    if isinstance(annotation, type) and hasattr(annotation, "model_fields"):
        return annotation, ""
    return None


@cache  # the models are code: their fields never change while the process runs
def fields() -> tuple[Field, ...]:
    """Every field of the case file, depth first, in case-file order."""
    out: list[Field] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            key = info.alias or name
            path = f"{prefix}.{key}" if prefix else key
            nested = _nested(info.annotation)
            required = info.is_required()
            literal = unwrap(info.annotation)
            out.append(Field(
                path=path, kind=_SPECIAL.get(path) or _kind(info.annotation), required=required,
                default=None if required or info.default is PydanticUndefined else info.default,
                choices=tuple(get_args(literal)) if get_origin(literal) is Literal else (),
                inner=path + nested[1] if nested else None, description=info.description or ""))
            if nested:
                walk(nested[0], path + nested[1])

    walk(Case, "")
    return tuple(out)


@cache
def _by_parent() -> dict[str, dict[str, Field]]:
    groups: dict[str, dict[str, Field]] = {}
    for f in fields():
        groups.setdefault(f.parent, {})[f.key] = f
    return groups


def children(parent: str) -> dict[str, Field]:
    """The fields directly under a canonical path ('' = the top level), by key."""
    return _by_parent().get(parent, {})


@cache
def _by_path() -> dict[str, Field]:
    return {f.path: f for f in fields()}


def field(path: str) -> Field | None:
    """The field at `path` (concrete or canonical); an item of a list ('parcels[2]') gives the list."""
    key = canonical(path)
    index = _by_path()
    return index.get(key) or (index.get(key[:-2]) if key.endswith("[]") else None)


@cache
def _plain_paths() -> frozenset[str]:
    return frozenset(f.path.replace("[]", "") for f in fields())


def is_field(path: str) -> bool:
    """Whether `review.planning.conforms_to_plan` (say; with or without `[]`) is a field of the case."""
    return path.replace("[]", "") in _plain_paths()


__all__ = ["Field", "canonical", "children", "field", "fields", "is_field", "unwrap"]
