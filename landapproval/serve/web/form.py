"""The case form, described from the contract: one entry per field path, in case-file order.

The structure comes from the one model walker (`contract.walker`), the names, help and value
names from the law's field catalogue (`law.catalogue`), so the form cannot drift from the contract
or from what `landapproval init` writes: a field the models add appears in the form, an allowed
value the models drop disappears from its list.

Each entry: path, key, kind, required, description, label/help/none ({zh, en}), clauses, and by kind
values + value_labels + aliases (enum), fields (group, union) or columns (table). The page's kinds
from the walker's: list → table, group → group, zone (a name or {name, level}) and any other field
holding a group (an inline boundary) → union, area → decimal, county → text; enum, bool, date, text
as they are.
"""

from __future__ import annotations

from typing import Any

from landapproval.contract import walker
from landapproval.core.errors import Text
from landapproval.law.catalogue import Catalogue

# the case file's four parts, in order (the page's sections)
SECTIONS = (
    ("basic", ("schema", "id", "title", "county", "kind", "filed_on", "project", "scope")),
    ("parcels", ("parcels",)),
    ("review", ("review",)),
    ("workflow", ("workflow",)),
)

_KINDS = {"list": "table", "group": "group", "zone": "union", "area": "decimal", "county": "text",
          "enum": "enum", "bool": "bool", "date": "date", "text": "text", "other": "text"}


def _kind(field: walker.Field) -> str:
    if field.kind == "other" and field.inner is not None:
        return "union"
    return _KINDS[field.kind]


def _names(catalogue: Catalogue, path: str) -> dict[str, Any]:
    """The field's names in both languages, from the catalogue `landapproval init` uses."""
    info = catalogue.field_info(path)
    if info is None:  # every field of the walker is catalogued; a page without names still works
        return {}

    def both(text: Text) -> dict[str, str]:
        return {"zh": text.zh, "en": text.en}

    out: dict[str, Any] = {"label": both(info.label), "help": both(info.help), "none": both(info.none),
           "clauses": list(info.clauses)}
    if info.choices:
        out["value_labels"] = {c.value: both(c.name) for c in info.choices}
        out["aliases"] = {c.value: list(c.aliases) for c in info.choices if c.aliases}
    return out


def _entries(catalogue: Catalogue, parent: str) -> list[dict[str, Any]]:
    out = []
    for key, field in walker.children(parent).items():
        kind = _kind(field)
        entry: dict[str, Any] = {"path": field.path, "key": key, "kind": kind, "required": field.required,
                 "description": field.description, **_names(catalogue, field.path)}
        if kind == "enum":
            entry["values"] = [str(v) for v in field.choices]
        if kind == "table":
            entry["columns"] = _entries(catalogue, field.inner) if field.inner else []
        elif kind in ("group", "union"):
            entry["fields"] = _entries(catalogue, field.inner) if field.inner else []  # the walker's children(None): none
        out.append(entry)
    return out


def form(catalogue: Catalogue) -> dict[str, Any]:
    """{"sections": [{"id", "fields": [...]}]}: the fields of each section, nested as in the file."""
    top = {entry["key"]: entry for entry in _entries(catalogue, "")}
    return {"sections": [{"id": section, "fields": [top[k] for k in keys if k in top]}
                         for section, keys in SECTIONS]}


__all__ = ["SECTIONS", "form"]
