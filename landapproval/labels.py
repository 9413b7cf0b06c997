"""The catalogue of case-file fields: what each one is called, in Chinese and English, and how to fill it.

Built once from three sources, so it cannot drift from what the engine reads:

- the pydantic models (`landapproval.models`): every field path, in case-file order, its type,
  whether it is required, its default, the allowed values of an enum;
- `rules/facts.yaml`: the Chinese and English names of review evidence and workflow dates (the facts
  whose `field:` is that path);
- `landapproval/labels.yaml`: names of the other fields, the Chinese names and accepted aliases of
  enum values, and how to write "none" where the default for the type does not fit;
- the compiled rule book: which review items (C1–C8) and steps (S1–S6) read a field, with their
  clauses.

Paths use `[]` for "any item of the list": ``parcels[].land.cultivated``; functions also accept a
concrete path (``parcels[2].land.cultivated``).

Public functions (all take ``lang`` "zh" (default) or "en"):

    catalogue()                    every FieldInfo, in case-file order (the web form and `init` use it)
    field_info(path)               one FieldInfo, or None for a path that is not in the contract
    field_label(path, lang)        "耕地（永久基本农田以外）" / "cultivated land (…)"
    field_help(path, lang)         one line: what to write, with an example
    value_choices(path, lang)      [(value, name)] for an enum: [("batch", "批次用地"), …]
    value_name(path, value, lang)  the name of one enum value ("collective" → "集体所有")
    none_form(path, lang)          how to write "none" / "not known" for that field
    field_clauses(path)            ("临政发〔2024〕7号 四(一)", …) — the clauses that need the field
    children(path)                 the fields directly under a group ("" = top level)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, get_args

from pydantic_core import PydanticUndefined

from . import forms
from .errors import Text, check_lang

_INDEX = re.compile(r"\[\d+\]")


@dataclass(frozen=True)
class Choice:
    value: str
    name: Text
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldInfo:
    path: str                  # "parcels[].land.cultivated"
    kind: str                  # group | list | text | date | area | bool | enum | county | zone | other
    required: bool
    default: Any               # the model's default (None when required)
    label: Text
    help: Text
    none: Text                 # how to write "none" / "not known"
    example: str | None = None
    choices: tuple[Choice, ...] = ()
    clauses: tuple[str, ...] = ()   # citations of the items that read it
    items: tuple[str, ...] = ()     # those items' ids (C1…C8, S1…S6)
    fact: str | None = None         # the facts.yaml name whose `field:` this is

    @property
    def parent(self) -> str:
        return self.path.rsplit(".", 1)[0] if "." in self.path else ""

    @property
    def key(self) -> str:
        return self.path.rsplit(".", 1)[-1].removesuffix("[]")

    @property
    def depth(self) -> int:
        return self.path.count(".")


def canonical(path: str) -> str:
    """'parcels[2].land.cultivated' → 'parcels[].land.cultivated'."""
    return _INDEX.sub("[]", path)


@lru_cache(maxsize=1)
def catalogue() -> tuple[FieldInfo, ...]:
    from .models import Case

    facts, uses = _fact_fields()
    data = forms.label_data()
    out: list[FieldInfo] = []

    def walk(model: type, prefix: str) -> None:
        for name, info in model.model_fields.items():
            key = info.alias or name
            path = f"{prefix}.{key}" if prefix else key
            nested = forms.nested_models(info.annotation)
            kind = forms.field_kind(info.annotation)
            if path == "county":
                kind = "county"
            elif path == "scope.development_zone":
                kind = "zone"
            elif kind == "model":
                kind = "group"
            required = info.is_required()
            default = None if required or info.default is PydanticUndefined else info.default
            out.append(_info(path, kind, required, default, info, data["fields"].get(path, {}),
                             facts.get(path), uses.get(path, ()), data["values"].get(path, {})))
            for inner, suffix in nested:
                walk(inner, path + suffix)

    walk(Case, "")
    return tuple(out)


def _info(path, kind, required, default, info, spec, fact, uses, value_names) -> FieldInfo:
    fact_name, meta = fact or (None, {})
    zh = spec.get("zh") or meta.get("zh")
    en = spec.get("en") or meta.get("en")
    if not zh or not en:
        zh = zh or path
        en = en or info.description or path
    choices = ()
    literal = _literal(info.annotation)
    if literal:
        choices = tuple(Choice(str(v), Text(value_names.get(v, {}).get("zh", str(v)), value_names.get(v, {}).get("en", str(v))),
                               tuple(value_names.get(v, {}).get("aliases", ()))) for v in literal)
    example = spec.get("example")
    if example is None:
        example = {"date": "2024-09-10", "area": "5.1234", "bool": "是", "enum": choices[0].value if choices else None,
                   "text": None}.get(kind)
    help_text = Text(spec.get("help_zh") or _default_help(kind, choices, example, "zh"),
                     spec.get("help_en") or _default_help(kind, choices, example, "en"))
    evidence = fact is not None
    none = Text(spec.get("none_zh") or _default_none(kind, required, default, evidence, "zh"),
                spec.get("none_en") or _default_none(kind, required, default, evidence, "en"))
    items = tuple(dict.fromkeys(i for i, _ in uses))
    clauses = tuple(dict.fromkeys(c for _, c in uses)) or ((spec["clause"],) if spec.get("clause") else ())
    return FieldInfo(path, kind, required, default, Text(str(zh), str(en)), help_text, none,
                     None if example is None else str(example), choices, clauses, items, fact_name)


def _literal(annotation: Any) -> tuple:
    inner = forms._unwrap(annotation)
    return get_args(inner) if getattr(inner, "__origin__", None) is Literal else ()


def _default_help(kind: str, choices: tuple[Choice, ...], example: Any, lang: str) -> str:
    zh = lang == "zh"
    if kind == "date":
        return "日期，YYYY-MM-DD，例如 2024-09-10" if zh else "a date, YYYY-MM-DD, e.g. 2024-09-10"
    if kind == "area":
        return "公顷，最多 4 位小数，例如 5.1234" if zh else "hectares, at most 4 decimals, e.g. 5.1234"
    if kind == "bool":
        return "是 或 否" if zh else "true or false (是 / 否)"
    if kind == "enum":
        return ("可选：" + "、".join(f"{c.value}（{c.name.zh}）" for c in choices) if zh
                else "one of: " + ", ".join(f"{c.value} ({c.name.en})" for c in choices))
    if kind == "text" and example:
        return f"文字，例如 {example}" if zh else f"text, e.g. {example}"
    return ""


def _default_none(kind: str, required: bool, default: Any, evidence: bool, lang: str) -> str:
    zh = lang == "zh"
    if required:
        return "必填" if zh else "required"
    if not evidence and kind in ("text", "enum"):
        return "可省略" if zh else "optional"
    if kind == "area" and default is not None:
        return "没有：写 0" if zh else "none: 0"
    if kind in ("group", "list"):
        return "尚未提供：写 null 或删去" if zh else "not given: null or leave out"
    return "不知道或尚未取得：写 null（视为未提供，不当作“否”）" if zh else "not known: null (not given, never read as false)"


@lru_cache(maxsize=1)
def _fact_fields() -> tuple[dict, dict]:
    """facts.yaml entries by their `field:`, and (item id, clause) pairs by field path."""
    from . import rulebook

    book = rulebook.current()
    by_field = {}
    for name, meta in book.catalogue.items():
        if meta.get("field"):
            by_field.setdefault(meta["field"], (name, meta))
    uses: dict[str, list] = {}
    for item in book.checks + book.steps:
        for rule in item.rules:
            paths = [book.catalogue.get(fact, {}).get("field") for fact in rule.used]
            paths += list(rule.extra.get("missing", ()))
            for path in paths:
                if path and (item.id, str(item.cite)) not in uses.setdefault(path, []):
                    uses[path].append((item.id, str(item.cite)))
    return by_field, {k: tuple(v) for k, v in uses.items()}


@lru_cache(maxsize=1)
def _by_path() -> dict[str, FieldInfo]:
    return {f.path: f for f in catalogue()}


def field_info(path: str) -> FieldInfo | None:
    """The field at `path`; an item of a list ('parcels[2]') gives the list's entry."""
    key = canonical(path)
    index = _by_path()
    return index.get(key) or (index.get(key[:-2]) if key.endswith("[]") else None)


def field_label(path: str, lang: str = "zh") -> str:
    info = field_info(path)
    return info.label(lang) if info else path


def field_help(path: str, lang: str = "zh") -> str:
    info = field_info(path)
    return info.help(lang) if info else ""


def value_choices(path: str, lang: str = "zh") -> list[tuple[str, str]]:
    info = field_info(path)
    check_lang(lang)
    return [(c.value, c.name(lang)) for c in info.choices] if info else []


def value_name(path: str, value: str, lang: str = "zh") -> str:
    return dict(value_choices(path, lang)).get(value, value)


def none_form(path: str, lang: str = "zh") -> str:
    info = field_info(path)
    return info.none(lang) if info else ""


def field_clauses(path: str) -> tuple[str, ...]:
    info = field_info(path)
    return info.clauses if info else ()


def children(path: str) -> list[FieldInfo]:
    return list(child_fields(canonical(path)).values())


@lru_cache(maxsize=512)
def child_fields(parent: str) -> dict[str, FieldInfo]:
    """The fields directly under a canonical path, by key (indexed once: every evaluation's
    unknown-key walk asks for them, and scanning the catalogue each time was most of its cost)."""
    return {f.key: f for f in catalogue() if f.parent == parent}


__all__ = ["Choice", "FieldInfo", "canonical", "catalogue", "children", "field_clauses", "field_help",
           "field_info", "field_label", "none_form", "value_choices", "value_name"]
