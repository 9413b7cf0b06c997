"""The catalogue of case-file fields: what each one is called, in Chinese and English, and how to fill it.

A `Catalogue` is built for one rule book (`Law.catalogue`) from three sources, so it cannot drift
from what the engine reads:

- the contract's one walker (`contract.walker`): every field path in case-file order, its kind,
  whether it is required, its default, the allowed values of an enum;
- `rules/facts.yaml`: the names of review evidence and workflow dates (facts whose `field:` is that path);
- `contract/labels.yaml`: names of the other fields, enum value names and accepted aliases, and how
  to write "none" where the default for the type does not fit;
- the compiled rule book: which review items (C1–C8) and steps (S1–S6) read a field, with their clauses.

Its methods take a concrete or canonical path (``parcels[2].land.cultivated``) and ``lang``
"zh" (default) or "en": field_info, field_label, field_help, value_choices, value_name, none_form,
field_clauses, children.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from landapproval.contract import walker
from landapproval.contract.walker import canonical
from landapproval.contract.words import label_data
from landapproval.core.errors import Text, check_lang
from landapproval.law.rulebook import RuleBook


@dataclass(frozen=True)
class Choice:
    value: str
    name: Text
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldInfo:
    """A field of the contract (the walker's `Field`) with its names, help and the clauses that read it."""
    field: walker.Field
    label: Text
    help: Text
    none: Text                 # how to write "none" / "not known"
    example: str | None = None
    choices: tuple[Choice, ...] = ()
    clauses: tuple[str, ...] = ()   # citations of the items that read it
    items: tuple[str, ...] = ()     # those items' ids (C1…C8, S1…S6)
    fact: str | None = None         # the facts.yaml name whose `field:` this is

    @property
    def path(self) -> str:  # "parcels[].land.cultivated"
        return self.field.path

    @property
    def kind(self) -> str:  # group | list | text | date | area | bool | …
        return self.field.kind

    @property
    def required(self) -> bool:
        return self.field.required

    @property
    def default(self) -> Any:  # the model's default (None when required)
        return self.field.default

    @property
    def parent(self) -> str:
        return self.field.parent

    @property
    def key(self) -> str:
        return self.field.key

    @property
    def depth(self) -> int:
        return self.path.count(".")


def _info(field: walker.Field, spec: dict[str, Any], fact: tuple[str, dict[str, Any]] | None,
          uses: Any, value_names: dict[str, Any]) -> FieldInfo:
    path, kind, required, default = field.path, field.kind, field.required, field.default
    fact_name, meta = fact or (None, dict[str, Any]())
    zh = spec.get("zh") or meta.get("zh")
    en = spec.get("en") or meta.get("en")
    if not zh or not en:
        zh = zh or path
        en = en or field.description or path
    choices: tuple[Choice, ...] = ()
    literal = field.choices
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
    return FieldInfo(field, Text(str(zh), str(en)), help_text, none,
                     None if example is None else str(example), choices, clauses, items, fact_name)


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


class Catalogue:
    """Every field of the case file with its names and help, for one rule book."""

    def __init__(self, book: RuleBook):
        facts, uses = _fact_fields(book)
        data = label_data()
        self.fields: tuple[FieldInfo, ...] = tuple(
            _info(f, data["fields"].get(f.path, {}), facts.get(f.path), uses.get(f.path, ()),
                  data["values"].get(f.path, {}))
            for f in walker.fields())
        self._by_path = {f.path: f for f in self.fields}
        self._children: dict[str, dict[str, FieldInfo]] = {}
        for f in self.fields:
            self._children.setdefault(f.parent, {})[f.key] = f

    def __iter__(self) -> Iterator[FieldInfo]:
        return iter(self.fields)

    def field_info(self, path: str) -> FieldInfo | None:
        """The field at `path`; an item of a list ('parcels[2]') gives the list's entry."""
        key = canonical(path)
        return self._by_path.get(key) or (self._by_path.get(key[:-2]) if key.endswith("[]") else None)

    def field_label(self, path: str, lang: str = "zh") -> str:
        info = self.field_info(path)
        return info.label(lang) if info else path

    def field_help(self, path: str, lang: str = "zh") -> str:
        info = self.field_info(path)
        return info.help(lang) if info else ""

    def value_choices(self, path: str, lang: str = "zh") -> list[tuple[str, str]]:
        info = self.field_info(path)
        check_lang(lang)
        return [(c.value, c.name(lang)) for c in info.choices] if info else []

    def value_name(self, path: str, value: str, lang: str = "zh") -> str:
        return dict(self.value_choices(path, lang)).get(value, value)

    def none_form(self, path: str, lang: str = "zh") -> str:
        info = self.field_info(path)
        return info.none(lang) if info else ""

    def field_clauses(self, path: str) -> tuple[str, ...]:
        info = self.field_info(path)
        return info.clauses if info else ()

    def children(self, path: str) -> list[FieldInfo]:
        """The fields directly under a group ("" = top level)."""
        return list(self._children.get(canonical(path), {}).values())


def _fact_fields(book: RuleBook) -> tuple[dict[str, Any], dict[str, Any]]:
    """facts.yaml entries by their `field:`, and (item id, clause) pairs by field path."""
    by_field: dict[str, Any] = {}
    for name, meta in book.catalogue.items():
        if meta.get("field"):
            by_field.setdefault(meta["field"], (name, meta))
    uses: dict[str, list[Any]] = {}
    for item in book.checks + book.steps:
        for rule in item.rules:
            paths = [book.catalogue.get(fact, {}).get("field") for fact in rule.used]
            paths += list(rule.extra.get("missing", ()))
            for path in paths:
                if path and (item.id, str(item.cite)) not in uses.setdefault(path, []):
                    uses[path].append((item.id, str(item.cite)))
            # evidence whose `requires` entry cites its own basis (e.g. costs_predeposited: 实施条例
            # 第三十二条；临政发〔2024〕7号 六(一)) names that clause too, not only the item's (issue 19 item 15)
            if rule.extra.get("kind") == "missing" and str(rule.cite) != str(item.cite):
                for path in rule.extra.get("missing", ()):
                    if (item.id, str(rule.cite)) not in uses.setdefault(path, []):
                        uses[path].append((item.id, str(rule.cite)))
    return by_field, {k: tuple(v) for k, v in uses.items()}


__all__ = ["Catalogue", "Choice", "FieldInfo", "canonical"]
