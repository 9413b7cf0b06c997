"""The case form, described from the models: one entry per field path, in case-file order.

The page builds its form from this list, so the form cannot drift from the contract: a field the
models add appears in the form, an allowed value the models drop disappears from its list.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from decimal import Decimal
from functools import lru_cache

from pydantic import BaseModel

from landapproval.contract.models import Case

# the case file's four parts, in order (the page's sections)
SECTIONS = (
    ("basic", ("schema", "id", "title", "county", "kind", "filed_on", "scope")),
    ("parcels", ("parcels",)),
    ("review", ("review",)),
    ("workflow", ("workflow",)),
)


def _unwrap(annotation):
    """Optional[X] → X; Annotated[X, ...] → X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def _kind(annotation) -> tuple[str, dict]:
    """The input a field needs: (kind, extra)."""
    annotation = _unwrap(annotation)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "enum", {"values": [str(v) for v in typing.get_args(annotation)]}
    if origin is list:
        item = _unwrap(typing.get_args(annotation)[0])
        return "table", {"model": item}
    if origin in (typing.Union, types.UnionType):
        models = [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        if models:  # a name, or a mapping (the development zone's {name, level}; an inline boundary)
            return "union", {"model": models[0]}
        return "text", {}
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "group", {"model": annotation}
    if annotation is bool:
        return "bool", {}
    if annotation is Decimal:
        return "decimal", {}
    if annotation is dt.date:
        return "date", {}
    return "text", {}


def _walk(model: type[BaseModel], prefix: str) -> list[dict]:
    out = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        path = f"{prefix}.{key}" if prefix else key
        kind, extra = _kind(info.annotation)
        entry = {"path": path, "key": key, "kind": kind, "required": info.is_required(),
                 "description": info.description or "", **_labels(path)}
        if "values" in extra:
            entry["values"] = extra["values"]
        if kind == "group":
            entry["fields"] = _walk(extra["model"], path)
        elif kind == "table":
            entry["columns"] = _walk(extra["model"], f"{path}[]")
        elif kind == "union":
            entry["fields"] = _walk(extra["model"], path)
        out.append(entry)
    return out


def _labels(path: str) -> dict:
    """The field's names from the catalogue `landapproval init` uses (labels.py), in both languages."""
    try:
        from landapproval.law import catalogue as labels
    except ImportError:  # the catalogue is not there: the form shows the field names
        return {}
    info = labels.field_info(path)
    if info is None:
        return {}
    both = lambda text: {"zh": text.zh, "en": text.en}  # noqa: E731
    out = {"label": both(info.label), "help": both(info.help), "none": both(info.none),
           "clauses": list(info.clauses)}
    if info.choices:
        out["value_labels"] = {c.value: both(c.name) for c in info.choices}
        out["aliases"] = {c.value: list(c.aliases) for c in info.choices if c.aliases}
    return out


@lru_cache(maxsize=1)
def form() -> dict:
    """{"sections": [{"id", "fields": [...]}]}: the fields of each section, nested as in the file."""
    top = {entry["key"]: entry for entry in _walk(Case, "")}
    return {"sections": [{"id": section, "fields": [top[k] for k in keys if k in top]}
                         for section, keys in SECTIONS]}
