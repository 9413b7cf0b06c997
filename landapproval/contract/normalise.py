"""`normalise`: a raw case mapping with the words officials type read into the contract's values.

Run only after the case as written failed validation (the contract's own spellings cost nothing).
It only *converts* a value whose meaning is certain (contract.words) and leaves anything else as it
was, so that pydantic reports it at its own field path and the intake messages explain the form.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from landapproval.contract import walker
from landapproval.contract.words import EMPTY_WORDS, parse_area, parse_date, yes_no_and_aliases
from landapproval.core.sentences import plain

_CONVERTED = ("date", "bool", "area", "enum", "list", "county", "zone")
_CANONICAL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalise(data: Any) -> Any:
    """A raw case mapping with the accepted forms converted (new containers where something
    changed; the input is never modified). One walk over the case, along the models."""
    if not isinstance(data, dict):
        return data
    specs = _specs()
    return _walk(data, specs[""], specs)


@cache  # from the models (code): the same for the life of the process
def _specs() -> dict[str, dict[str, tuple[Any, ...]]]:
    """For each group of the case file (by path: '', 'parcels[]', 'parcels[].land' …), the keys
    worth a look: (kind, canonical spellings that need none, field path, path of the group inside)."""
    specs: dict[str, dict[str, tuple[Any, ...]]] = {"": {}}
    for f in walker.fields():
        if f.inner is not None:
            specs.setdefault(f.inner, {})
        if f.kind in _CONVERTED or f.inner is not None:
            specs.setdefault(f.parent, {})[f.key] = (f.kind, frozenset(f.choices), f.path, f.inner)
    return specs


def _walk(node: dict[str, Any], spec: dict[str, Any], specs: dict[str, Any]) -> dict[str, Any]:
    changed = None
    for key in spec.keys() & node.keys():
        value = node[key]
        kind, canonical, path, inner = spec[key]
        new: Any
        if inner is not None and value.__class__ is dict:  # a group of fields (or {name, level})
            new = _walk(value, specs[inner], specs)
        elif inner is not None and value.__class__ is list:  # a list of groups
            items = [_walk(item, specs[inner], specs) if item.__class__ is dict else item for item in value]
            new = value if all(a is b for a, b in zip(items, value)) else items
        elif value.__class__ is not str and (kind != "date" or value.__class__ is not int) or value in canonical:
            continue  # the common case: a value pydantic reads as it is
        elif kind == "date" and value.__class__ is str and _CANONICAL_DATE.fullmatch(value):
            continue
        else:
            new = _convert(kind, path, value)
        if new is not value:
            if changed is None:
                changed = dict(node)
            changed[key] = new
    return node if changed is None else changed


def _convert(kind: str, path: str, value: Any) -> Any:
    yes_no, aliases = yes_no_and_aliases()
    if kind == "date":
        return parse_date(value) or value
    if kind == "bool":
        return yes_no.get(plain(value), value)
    if kind == "area":
        area = parse_area(value)
        return value if area is None else area
    if kind == "enum":
        text = plain(value)
        return aliases.get(path, {}).get(text, text if text != value else value)
    if kind == "list":
        return [] if plain(value) in EMPTY_WORDS else value
    if kind == "zone":
        return None if plain(value) in EMPTY_WORDS else value
    if kind == "county":
        return plain(value)
    return value
