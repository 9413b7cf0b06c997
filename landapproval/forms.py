"""The forms officials actually type, read exactly into the contract's values — never guessed.

`api.load_case` validates a case as written first (the contract's own spellings cost nothing);
only when that fails does it run `normalise` and validate again. `normalise` only *converts* a
value whose meaning is certain and leaves anything else as it was, so that pydantic reports it at
its own field path and `messages` explains the expected form:

- dates: 2024-09-10, 2024-9-10, 2024/9/10, 2024.9.10, 2024年9月10日, 20240910 → 2024-09-10
- full-width digits and punctuation (２０２４－０９－１０, ５．１２３４): NFKC
- areas: 5.1234公顷 / 5.1234 ha → 5.1234 (an area in 亩 or 平方米 is refused by `messages` with the
  exact value in hectares: converting silently could round across a threshold)
- enums: the Chinese names in labels.yaml (批次 → batch, 集体 → collective, 省级 → provincial …)
- booleans: 是 / 否;  lists: 无 → [];  development zone: 无 → null
"""

from __future__ import annotations

import datetime as dt
import re
import typing
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml

LABELS_FILE = Path(__file__).with_name("labels.yaml")
EMPTY_WORDS = frozenset({"无", "没有"})  # an empty list; not in a development zone

_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?|(\d{2})(\d{2}))")
AREA_UNITS = ("公顷", "hm²", "hm2", "ha")


@lru_cache(maxsize=1)
def label_data() -> dict:
    """labels.yaml as plain data (field labels, enum value names and aliases, yes/no words)."""
    with open(LABELS_FILE, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


@lru_cache(maxsize=1)
def _words() -> tuple[dict, frozenset, dict]:
    data = label_data()
    yes_no = {word: value for value, words in data["booleans"].items() for word in words}
    aliases = {field: {alias: value for value, spec in values.items() for alias in spec.get("aliases", ())}
               for field, values in data["values"].items()}
    return yes_no, EMPTY_WORDS, aliases


def plain(text: str) -> str:
    """Full-width forms folded (NFKC) and surrounding blanks dropped."""
    return (text if text.isascii() else unicodedata.normalize("NFKC", text)).strip()


def parse_date(value: Any) -> dt.date | None:
    """A date in one of the accepted forms, or None (not a date, or not a real day)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = _DATE.fullmatch(plain(value))
    if not match:
        return None
    year, *rest = match.groups()
    month, day = next((rest[i], rest[i + 1]) for i in (0, 2, 4) if rest[i] is not None)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_area(value: Any) -> Decimal | None:
    """Hectares as a Decimal from text such as '5.1234', '５．１２３４' or '5.1234公顷'; else None."""
    if not isinstance(value, str):
        return None
    text = plain(value)
    for unit in AREA_UNITS:
        if text.endswith(unit):
            text = text[: -len(unit)].rstrip()
            break
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


# ---------------------------------------------------------------------------------------------
# What kind of value each model field holds, worked out once per model from its annotations.

def _unwrap(annotation: Any) -> Any:
    while True:
        origin = get_origin(annotation)
        if origin is typing.Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
            args = [a for a in get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def field_kind(annotation: Any) -> str:
    """bool | date | area | enum | list | text | model | other."""
    inner = _unwrap(annotation)
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
        return "model"
    return "other"


def normalise(data: Any) -> Any:
    """A raw case mapping with the accepted forms converted (new containers where something
    changed; the input is never modified). One walk over the case, along the models."""
    if not isinstance(data, dict):
        return data
    return _walk(data, _specs()[""], _specs())


def _walk(node: dict, spec: dict, specs: dict) -> dict:
    changed = None
    for key in spec.keys() & node.keys():
        value = node[key]
        kind, canonical, path, inner = spec[key]
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


_CONVERTED = ("date", "bool", "area", "enum", "list")
_SPECIAL = {"county": "county", "scope.development_zone": "zone"}


@lru_cache(maxsize=1)
def _specs() -> dict[str, dict[str, tuple]]:
    """For each group of the case file (by catalogue path: '', 'parcels[]', 'parcels[].land' …), the
    keys worth a look: (kind, canonical spellings that need none, field path, path of the group inside)."""
    from .models import Case  # the models import this module

    specs: dict[str, dict[str, tuple]] = {}
    stack: list[tuple[type, str]] = [(Case, "")]
    while stack:
        model, path = stack.pop()
        if path in specs:
            continue
        spec = specs[path] = {}
        for name, info in model.model_fields.items():
            key = info.alias or name
            full = f"{path}.{key}" if path else key
            kind = _SPECIAL.get(full) or field_kind(info.annotation)
            nested = nested_models(info.annotation)
            inner = None
            if nested:
                model_inside, suffix = nested[0]
                inner = full + suffix
                stack.append((model_inside, inner))
            if kind in _CONVERTED or kind in _SPECIAL.values() or inner is not None:
                literal = _unwrap(info.annotation)
                spec[key] = (kind, frozenset(get_args(literal)) if kind == "enum" else frozenset(), full, inner)
    return specs


_CANONICAL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _convert(kind: str, path: str, value: Any) -> Any:
    yes_no, empty, aliases = _words()
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
        return [] if plain(value) in empty else value
    if kind == "zone":
        return None if plain(value) in empty else value
    if kind == "county":
        return plain(value)
    return value


def nested_models(annotation: Any) -> list[tuple[type, str]]:
    """The models a field holds, with '[]' when inside a list: Optional[list[Petition]] → [(Petition, '[]')]."""
    found = []

    def walk(node: Any, suffix: str) -> None:
        origin = get_origin(node)
        if origin is typing.Annotated:
            walk(get_args(node)[0], suffix)
        elif origin is list:
            walk(get_args(node)[0], "[]")
        elif origin is not None:  # unions and the like
            for arg in get_args(node):
                walk(arg, suffix)
        elif isinstance(node, type) and hasattr(node, "model_fields"):
            found.append((node, suffix))

    walk(annotation, "")
    return found
