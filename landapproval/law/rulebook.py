"""The rule book: rules/*.yaml read, checked and compiled (once per `Law`).

Every rule keeps what a reviewer needs beside its condition: the citation (document, clause and
the quoted text) and a reason in Chinese and English. Decision tables (hit policy "first") are
compiled into mutually exclusive conditions here, so the engine may fire rules in any order.

Texts never freeze a parameter: `{name}` in a message, title, reason or fact description is the
value of rules/parameters.yaml's `name` in force on the case's date (`{name|zh}` in Chinese
numerals: 十, 三十). `RuleBook.as_of(day)` is the book with its texts filled for that day.
Citations quote the law as published and are left as they are.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import Any

from landapproval.law.conditions import UNKNOWN, Any_, Cond, FactRef, Parser, Test, conjoin
from landapproval.core.errors import RuleError
from landapproval.core.values import Message
from landapproval.law.types import PLACEHOLDER, SEVERITIES, Citation, Item, Rule, Table, bilingual, fill_text
from landapproval.contract import walker
from landapproval.law.jurisdiction import DatedValue, Jurisdiction, in_force, read_rule_file
from landapproval.law.maprules import compile_map

SENTINEL = "engine.session_marker"
SENTINEL_KEY = "engine__session_marker"  # added to every message by engine.Engine, never a fact


@dataclass
class RuleBook:
    catalogue: dict[str, dict[str, Any]]
    definitions: dict[str, dict[str, Any]]
    tables: dict[str, Table]
    together: dict[str, Any]
    checks: list[Item]
    steps: list[Item]
    rules: dict[str, Rule]
    fingerprint: str = ""   # sha256 of the rule files this book was compiled from
    map_note: dict[str, Any] = field(default_factory=dict)  # rules/map.yaml authority_note
    parameters: dict[str, list[DatedValue]] = field(default_factory=dict)
    filled_with: tuple[Any, ...] = ()  # the parameter values its texts were filled with; () = templates
    # facts read straight from a case-file field (facts.yaml `field:`), by group of the case file:
    # ((attribute path of the group), ((name, type, attribute, the field is a list, may_be_unknown), …))
    field_facts: tuple[Any, ...] = ()
    _filled: "dict[tuple[tuple[str, Any], ...], RuleBook]" = field(default_factory=dict, repr=False, compare=False)

    def values_on(self, day: dt.date) -> tuple[tuple[str, Any], ...]:
        """Every parameter's value in force on `day` (None before its first value)."""
        return tuple((name, value.value if (value := in_force(values, day)) else None)
                     for name, values in self.parameters.items())

    def as_of(self, day: dt.date) -> "RuleBook":
        """This rule book with every text naming the parameter values in force on `day`."""
        key = self.values_on(day)
        book = self._filled.get(key)
        if book is None:
            book = self._filled[key] = _fill_book(self, dict(key))
        return book

    @cached_property
    def finding_index(self) -> dict[str, tuple[str, int, Rule]]:
        """Each rule that gives a finding on a review item or step: (item id, its place, the rule)."""
        return {rule.id: (item.id, place, rule) for item in self.checks + self.steps
                for place, rule in enumerate(item.finding_rules)}

    def stage(self, name: str) -> list[Rule]:
        """Stage 1 decides the authority; stage 2 (review, workflow) may read its outcome. The map's
        stages (map, map_parcel) run before both, on a case with boundaries."""
        return [r for r in self.rules.values() if _stage_of(r.group) == name]

    def durable_rulesets(self) -> dict[str, Any]:
        rulesets = {}
        for name in STAGES:
            rules = {rule.id: {"all": [{"m": rule.condition.to_durable()}], "run": rule.id}
                     for rule in self.stage(name)}
            # durable_rules 2.0.28 crashes (free(): invalid size) when deleting a session in which
            # no rule ever fired; a rule that always fires keeps every session deletable.
            rules[SENTINEL] = {"all": [{"m": {SENTINEL_KEY: True}}], "run": SENTINEL}
            rulesets[name] = rules
        return rulesets


STAGES = ("authority", "review", "map", "map_parcel")


def _stage_of(group: str) -> str:
    if group.startswith("authority."):
        return "authority"
    return {"map": "map", "map.parcel": "map_parcel"}.get(group, "review")





_DIGITS = "零一二三四五六七八九"
_UNITS = ((1000, "千"), (100, "百"), (10, "十"))


def chinese_numeral(number: int) -> str:
    """30 → 三十, 105 → 一百零五, 12345 → 一万二千三百四十五 (the reading cn2an.an2cn gives; a test
    compares the two over 0–199,999). Written out because importing cn2an compiles its regular
    expressions, 0.34 s of every CLI start, for the few whole numbers the rule texts carry."""
    if number < 0 or number >= 100_000_000:
        raise ValueError(f"{number} is outside 0–99,999,999")
    if number == 0:
        return _DIGITS[0]
    high, low = divmod(number, 10_000)
    text = _below_10000(low)
    if high:
        text = _below_10000(high) + "万" + ("零" if low and low < 1000 else "") + text
    return text[1:] if text.startswith("一十") else text  # 十五 and 十万, not 一十五


def _below_10000(number: int) -> str:
    out, pending_zero = "", False
    for unit, name in _UNITS:
        digit, number = divmod(number, unit)
        if digit:
            out += ("零" if pending_zero else "") + _DIGITS[digit] + name
            pending_zero = False
        elif out:
            pending_zero = True
    if number:
        out += ("零" if pending_zero else "") + _DIGITS[number]
    return out


def parameter_words(values: dict[str, Any]) -> dict[str, str]:
    """Each parameter's value in force as a rule text shows it: `{name}` → 35, 2024-06-22;
    `{name|zh}` → 三十 (whole numbers); a parameter without a value that day → 〈name〉 (said, never guessed)."""
    words = {}
    for name, value in values.items():
        if value is None:
            words[name] = words[name + "|zh"] = f"〈{name}〉"
            continue
        if isinstance(value, dt.date):
            words[name] = value.isoformat()
        elif isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
            words[name] = format(Decimal(str(value)).normalize(), "f")
        else:
            words[name] = str(value)
        if isinstance(value, int) and not isinstance(value, bool):
            words[name + "|zh"] = chinese_numeral(value)
    return words


def fill(text: Message, words: dict[str, str]) -> Message:
    filled = Message(fill_text(text.zh, words), fill_text(text.en, words))
    return text if filled == text else filled


def _fill_book(book: RuleBook, values: dict[str, Any]) -> RuleBook:
    filled_with = tuple(sorted(values.items()))
    values = parameter_words(values)
    rules = {}
    for rid, rule in book.rules.items():
        extra = rule.extra
        if extra.get("remedy"):
            extra = {**extra, "remedy": fill(extra["remedy"], values)}
        rules[rid] = replace(rule, reason=fill(rule.reason, values), extra=extra)
    tables = {name: Table(t.name, fill(t.title, values), [rules[r.id] for r in t.rules])
              for name, t in book.tables.items()}

    def items(group: list[Item]) -> list[Item]:
        return [replace(i, title=fill(i.title, values), rules=[rules[r.id] for r in i.rules]) for i in group]

    def described(entries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        return {name: {**meta, **fill(Message(meta["zh"], meta["en"]), values)}
                for name, meta in entries.items()}

    together = {**book.together, "reason": rules[book.together["id"]].reason}
    return replace(book, catalogue=described(book.catalogue), definitions=described(book.definitions),
                   tables=tables, together=together, checks=items(book.checks), steps=items(book.steps),
                   rules=rules, filled_with=filled_with, _filled={})


def _check_placeholders(book: RuleBook) -> None:
    """Every `{name}` names a parameter; `{name|zh}` only a whole number of days."""
    texts: list[tuple[str, dict[str, Any]]] = []
    for rule in book.rules.values():
        if rule.group.startswith("map"):
            continue  # rules/map.yaml's {fact} placeholders are filled from the shown facts
        texts.append((rule.id, rule.reason))
        if rule.extra.get("remedy"):
            texts.append((f"{rule.id} remedy", rule.extra["remedy"]))
    texts += [(f"{t.name} title", t.title) for t in book.tables.values()]
    texts += [(f"{i.id} title", i.title) for i in book.checks + book.steps]
    texts += [(f"facts.yaml {n}", m) for n, m in book.catalogue.items()]
    texts += [(f"definitions.{n}", d) for n, d in book.definitions.items()]
    texts.append(("together.reason", book.together["reason"]))
    for where, text in texts:
        for lang in ("zh", "en"):
            for match in PLACEHOLDER.finditer(text[lang]):  # (a {fact.name} is rules/map.yaml's)
                name = match.group(1)
                if name not in book.parameters:
                    raise RuleError(f"{where} ({lang}): {{{name}}} is not a parameter of rules/parameters.yaml")
                if match.group(2) and not all(isinstance(v.value, int) for v in book.parameters[name]):
                    raise RuleError(f"{where} ({lang}): {{{name}|zh}} needs a whole number")


FACT_TYPES = ("bool", "enum", "area", "days", "int", "date", "text", "list")


def _check_fact(name: str, meta: Any) -> None:
    """A fact entry: its type, the values of an enum, and the case-file field that gives it."""
    where = f"facts.yaml {name}"
    bilingual(meta, where, allowed=("type", "values", "field", "may_be_unknown"))
    if meta.get("type") not in FACT_TYPES:
        raise RuleError(f"{where}: type is one of {FACT_TYPES}")
    if (meta["type"] == "enum") != isinstance(meta.get("values"), list):
        raise RuleError(f"{where}: an enum lists its values, and only an enum does")
    if not isinstance(meta.get("may_be_unknown", False), bool):
        raise RuleError(f"{where}: may_be_unknown is true or false")
    field_path = meta.get("field")
    if field_path is not None and not walker.is_field(str(field_path)):
        raise RuleError(f"{where}: field {field_path!r} is not a field of the case file")


# --- rules that can never hold ---------------------------------------------------------------------
_MAX_TERMS = 4096  # a condition with more alternatives than this is not analysed (none comes near)


def _dnf(cond: Cond) -> list[tuple[Test, ...]] | None:
    """`cond` as alternatives of conjunctions of tests (None: too many to analyse)."""
    if isinstance(cond, Test):
        return [(cond,)]
    parts = [_dnf(item) for item in cond.items]
    if any(p is None for p in parts):
        return None
    if isinstance(cond, Any_):
        out = [term for p in parts for term in p or ()]
        return out if len(out) <= _MAX_TERMS else None
    terms: list[tuple[Test, ...]] = [()]
    for p in parts:
        terms = [a + b for a in terms for b in p or ()]
        if len(terms) > _MAX_TERMS:
            return None
    return terms


def _domain(name: str, catalogue: dict[str, dict[str, Any]]) -> set[Any] | None:
    """The values a non-numeric fact can take in the engine (None: numbers, unbounded)."""
    if name.endswith(".known") and name[:-6] in catalogue:
        return {True, False}
    meta = catalogue.get(name, {})
    if meta.get("type") == "bool":
        return {True, False, UNKNOWN}
    if meta.get("type") == "enum":
        return {*meta.get("values", ()), UNKNOWN}
    return None


def _impossible(term: tuple[Test, ...], catalogue: dict[str, dict[str, Any]]) -> str | None:
    """Why a conjunction of tests can never hold, or None. Numbers are whole (engine units)."""
    by_fact: dict[str, list[Test]] = {}
    for test in term:
        if not isinstance(test.value, FactRef):
            by_fact.setdefault(test.fact, []).append(test)
    for name, tests in by_fact.items():
        equal = {t.value for t in tests if t.op == "eq"}
        unequal = {t.value for t in tests if t.op == "ne"}
        shown = " and ".join(t.describe() for t in tests)
        if len(equal) > 1 or equal & unequal:
            return shown
        domain = _domain(name, catalogue)
        if domain is not None:
            if equal - domain or (domain - unequal == set()):
                return shown
            continue
        low, high = None, None
        for t in tests:
            if not isinstance(t.value, int) or isinstance(t.value, bool):
                continue
            if t.op in ("gt", "gte"):
                bound = t.value + (t.op == "gt")
                low = bound if low is None else max(low, bound)
            elif t.op in ("lt", "lte"):
                bound = t.value - (t.op == "lt")
                high = bound if high is None else min(high, bound)
        values = [v for v in equal if isinstance(v, int) and not isinstance(v, bool)]
        if low is not None and high is not None and low > high:
            return shown
        if values and ((low is not None and values[0] < low) or (high is not None and values[0] > high)):
            return shown
    return None


def _check_satisfiable(book: "RuleBook") -> None:
    """Refuse a rule whose condition can never hold (it would silently never fire): every
    alternative of its condition contradicts itself (x eq 1 and x eq 2, gt 5 and lt 3, a value an
    enum does not have, known and unknown at once)."""
    for rule in book.rules.values():
        terms = _dnf(rule.when)
        if terms is None:
            continue
        reasons = [_impossible(term, book.catalogue) for term in terms]
        if terms and all(reasons):
            problem = f"its condition can never hold ({'; '.join(dict.fromkeys(r for r in reasons if r))})"
            raise RuleError(f"rule {rule.id}: {problem}", where=f"rule {rule.id}", problem=problem,
                            zh=f"规则 {rule.id}：条件永远不能成立（{'；'.join(dict.fromkeys(r for r in reasons if r))}）")
        terms = _dnf(rule.condition) if rule.condition is not rule.when else None
        if terms and all(_impossible(term, book.catalogue) for term in terms):
            problem = ("it can never fire: its condition contradicts what is excluded before it "
                       "(an earlier rule of its table, or its item's not-applicable condition)")
            raise RuleError(f"rule {rule.id}: {problem}", where=f"rule {rule.id}", problem=problem,
                            zh=f"规则 {rule.id}：永远不会触发，其条件与此前排除的条件（同表的前一规则或本项的不适用条件）相矛盾")


def _field_facts(catalogue: dict[str, dict[str, Any]]) -> tuple[Any, ...]:
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for name, meta in catalogue.items():
        path = meta.get("field")
        if not path or "[]" in path:  # a field of each parcel is summed in Python, not read here
            continue
        *group, attribute = path.split(".")
        groups.setdefault(tuple(group), []).append(
            (name, meta["type"], attribute, _field_kind(path) == "list", bool(meta.get("may_be_unknown", False))))
    return tuple((group, tuple(entries)) for group, entries in groups.items())


def _field_kind(path: str) -> str | None:
    found = walker.field(path)
    return found.kind if found is not None else None


def _together_rule(node: dict[str, Any], parser: Parser) -> Rule:
    """LAL Art. 46 ¶3 as a stage-2 rule: it reads both tables' outcomes (authority.*)."""
    where = "authority.yaml together"
    when = parser.parse(node["when"], f"{where}.when")
    return Rule(str(node["id"]), "together", when, when, Citation.parse(node["cite"], where),
                bilingual(node["reason"], f"{where}.reason"))


def _compile_table(name: str, node: dict[str, Any], parser: Parser) -> Table:
    where = f"authority.yaml decisions.{name}"
    rules: list[Rule] = []
    seen: list[str] = []
    earlier: list[Cond] = []
    for index, spec in enumerate(node.get("rules") or []):
        rid = spec.get("id")
        here = f"{where}.rules[{index}]"
        if not rid or '"' in rid:
            raise RuleError(f"{here}: every rule has an id (without quotes)")
        when = parser.parse(spec.get("when"), f"{here} ({rid}).when")
        # first-match: this rule applies only when no rule above it does
        condition = conjoin(*(c.negate() for c in earlier), when) if earlier else when
        outcome = spec.get("then")
        if outcome is not None and (outcome.get("level") not in ("county", "city", "province", "state_council")
                                    or outcome.get("mode") not in ("authorized", "entrusted", "statutory")):
            raise RuleError(f"{here} ({rid}): then needs level and mode from the contract")
        for overridden in spec.get("overrides", []):
            if overridden in seen or overridden == rid:
                raise RuleError(f"{here} ({rid}): an exception must sit above {overridden!r}, which it overrides")
        rules.append(Rule(rid, f"authority.{name}", when, condition,
                          Citation.parse(spec.get("cite"), here), bilingual(spec.get("reason"), here),
                          outcome))
        seen.append(rid)
        earlier.append(when)
    for index, spec in enumerate(node.get("rules") or []):
        for overridden in spec.get("overrides", []):
            if overridden not in seen:
                raise RuleError(f"{where}: {spec['id']} overrides unknown rule {overridden!r}")
    if not rules:
        raise RuleError(f"{where}: a decision table needs rules")
    return Table(name, bilingual(node, where, allowed=("rules",)), rules)


def _finding_rule(spec: dict[str, Any], item_id: str, item_cite: Citation, guard: Cond | None,
                  parser: Parser, where: str) -> Rule:
    code = spec.get("code")
    if not code or not str(code).startswith(item_id + ".") or '"' in code:
        raise RuleError(f"{where}: a finding code starts with {item_id}., got {code!r}")
    when = parser.parse(spec.get("when"), f"{where} ({code}).when")
    severity = spec.get("severity")
    kind = "missing" if severity == "missing" else "finding"
    if kind == "finding" and severity not in SEVERITIES:
        raise RuleError(f"{where} ({code}): severity is one of {SEVERITIES} or missing")
    for name in spec.get("show", []):
        if name not in parser.catalogue:
            raise RuleError(f"{where} ({code}): shows unknown fact {name!r}")
    cite = Citation.parse(spec["cite"], where) if "cite" in spec else item_cite
    return Rule(code, item_id, when, conjoin(guard, when) if guard else when, cite,
                bilingual(spec.get("message"), f"{where} ({code}).message"),
                extra={"kind": kind, "severity": "correctable" if kind == "missing" else severity,
                       "remedy": bilingual(spec["remedy"], f"{where} ({code}).remedy") if "remedy" in spec else None,
                       "show": tuple(spec.get("show", ())), "missing": tuple(spec.get("missing", ()))})


def _missing_rule(entry: Any, item_id: str, cite: Citation, guard: Cond | None, parser: Parser,
                  where: str) -> Rule:
    """`requires: [fact]` → a rule that fires when the case does not give that evidence."""
    fact, when = (entry, None) if isinstance(entry, str) else (entry.get("fact"), entry.get("when"))
    if isinstance(entry, dict):
        if set(entry) - {"fact", "when", "cite"}:
            raise RuleError(f"{where}: unexpected keys {sorted(map(str, set(entry) - {'fact', 'when', 'cite'}))}")
        if "cite" in entry:  # the clause that asks for this evidence, where it is not the item's
            cite = Citation.parse(entry["cite"], f"{where} ({fact})")
    meta = parser.catalogue.get(fact)
    if meta is None:
        raise RuleError(f"{where}: requires unknown fact {fact!r}")
    field_path = meta.get("field", fact)
    cond = parser.parse({fact: "unknown"}, where)
    if when is not None:
        cond = conjoin(parser.parse(when, where), cond)
    code = f"{item_id}.missing.{fact}"
    if meta["type"] == "bool":
        message = Message(f"缺少审查材料：{field_path}（是否{meta['zh']}）",
                          f"Evidence missing: {field_path} ({meta['en']}: yes or no?)")
    else:
        message = Message(f"缺少审查材料：{field_path}（{meta['zh']}）",
                          f"Evidence missing: {field_path} ({meta['en']})")
    remedy = Message(f"在报件中补充 {field_path}", f"Give {field_path} in the case file")
    return Rule(code, item_id, cond, conjoin(guard, cond) if guard else cond, cite, message,
                extra={"kind": "missing", "severity": "correctable", "remedy": remedy, "show": (),
                       "missing": (field_path,)})


def _compile_items(nodes: list[Any], parser: Parser, file: str, steps: bool) -> list[Item]:
    items = []
    for index, node in enumerate(nodes):
        item_id = node.get("id")
        where = f"{file}[{index}] ({item_id})"
        cite = Citation.parse(node.get("cite"), where)
        title = bilingual(node.get("title"), f"{where}.title")
        rules: list[Rule] = []
        if steps:
            na = parser.parse(node["not_applicable_when"], where) if "not_applicable_when" in node else None
        else:
            applies = parser.parse(node["applies_when"], where) if "applies_when" in node else None
            na = applies.negate() if applies is not None else None
        guard = na.negate() if na is not None else None
        if na is not None:
            rules.append(Rule(f"{item_id}.not_applicable", item_id, na, na, cite,
                              Message(f"{title.zh}：不适用", f"{title.en}: not applicable"),
                              extra={"kind": "not_applicable"}))
        if steps and "pending_when" in node:
            pending = parser.parse(node["pending_when"], f"{where}.pending_when")
            rules.append(Rule(f"{item_id}.pending", item_id, pending, conjoin(guard, pending) if guard else pending,
                              cite, Message(f"{title.zh}：待办", f"{title.en}: pending"),
                              extra={"kind": "pending"}))
        for entry in node.get("requires", []):
            rules.append(_missing_rule(entry, item_id, cite, guard, parser, f"{where}.requires"))
        for spec_index, spec in enumerate(node.get("findings", [])):
            rules.append(_finding_rule(spec, item_id, cite, guard, parser, f"{where}.findings[{spec_index}]"))
        due = node.get("due")
        if due is not None and parser.catalogue.get(due, {}).get("type") != "date":
            raise RuleError(f"{where}: due must name a date fact, got {due!r}")
        items.append(Item(item_id, title, cite, rules, node.get("blocked_by"), due))
    return items


def rules_sha256(folder: Path) -> str:
    """sha256 over every rule file (calendars included), in the order of their relative paths.

    Each file contributes its path and its length before its bytes, so moving text from one file
    to another, or renaming a file, changes the fingerprint."""
    digest = hashlib.sha256()
    files = sorted((p for p in folder.rglob("*") if p.is_file()
                    and not any(part.startswith(".") or part == "__pycache__"
                                for part in p.relative_to(folder).parts)),
                   key=lambda p: p.relative_to(folder).as_posix())
    for path in files:
        content = path.read_bytes()
        digest.update(f"{path.relative_to(folder).as_posix()}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@cache  # the installed package's version does not change while it runs
def package_version() -> str:
    try:
        return metadata.version("landapproval")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def compile_book(folder: Path) -> RuleBook:
    """The rule files of `folder` read, checked and compiled (a RuleError names what is wrong)."""
    fingerprint = rules_sha256(folder)
    catalogue = read_rule_file(folder, "facts.yaml")
    for name, meta in catalogue.items():
        _check_fact(name, meta)
    authority = read_rule_file(folder, "authority.yaml")
    definitions = authority.get("definitions", {})
    parser = Parser(catalogue, definitions)
    for name in definitions:  # a broken definition is reported even if no rule uses it yet
        bilingual(definitions[name], f"definitions.{name}", allowed=("cite", "when"))
        Citation.parse(definitions[name].get("cite"), f"definitions.{name}")
        parser.parse(definitions[name]["when"], f"definitions.{name}")
    tables = {name: _compile_table(name, node, parser) for name, node in authority["decisions"].items()}
    checks = _compile_items(read_rule_file(folder, "review.yaml")["checks"], parser, "review.yaml", steps=False)
    steps = _compile_items(read_rule_file(folder, "workflow.yaml")["steps"], parser, "workflow.yaml", steps=True)
    if [c.id for c in checks] != [f"C{i}" for i in range(1, 9)]:
        raise RuleError("review.yaml: the checks are exactly C1–C8, in order (临政发〔2024〕7号 四(一)–(八))")
    if [s.id for s in steps] != [f"S{i}" for i in range(1, 7)]:
        raise RuleError("workflow.yaml: the steps are exactly S1–S6, in order (临政发〔2024〕7号 五(一)–(六))")
    map_rules, map_note = compile_map(read_rule_file(folder, "map.yaml"), parser)
    rules: dict[str, Rule] = {}
    for group in [*(t.rules for t in tables.values()), *(i.rules for i in checks + steps), map_rules]:
        for rule in group:
            if rule.id in rules:
                raise RuleError(f"rule id {rule.id!r} is used twice")
            rules[rule.id] = rule
    together = authority["together"]
    if set(together) != {"id", "when", "cite", "reason"}:
        raise RuleError("authority.yaml together: needs exactly id, when, cite and reason")
    together_rule = _together_rule(together, parser)
    if together_rule.id in rules:
        raise RuleError(f"rule id {together_rule.id!r} is used twice")
    rules[together_rule.id] = together_rule
    parameters = Jurisdiction.read_parameters(read_rule_file(folder, "parameters.yaml"))
    book = RuleBook(catalogue, definitions, tables, together, checks, steps, rules, fingerprint,
                    map_note=map_note, parameters=parameters, field_facts=_field_facts(catalogue))
    _check_placeholders(book)
    _check_satisfiable(book)
    return book


__all__ = ["RuleBook", "compile_book", "rules_sha256", "package_version"]
