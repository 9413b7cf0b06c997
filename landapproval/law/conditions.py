"""The small condition language of the rule files, and its two evaluators.

A rule file says `when: {expropriation.cultivated: {gt: {fact: threshold.cultivated}}}`. This
module parses that into a tree, compiles the tree into a durable_rules condition, and evaluates
the same tree in plain Python (the "second opinion" the tests and `explain` use). Both read one
flat fact dict, so any disagreement between them is a defect we can detect.

Grammar (YAML):
    condition := {fact: test, ...}        every listed fact test holds (and `ref`/`all`/`any`/`not` keys)
               | {all: [condition, ...]} | {any: [condition, ...]} | {not: condition}
               | {ref: definition-name}
    test      := scalar                    equals
               | {eq|ne|gt|gte|lt|lte: scalar | {fact: name}} | {in: [scalar, ...]}
               | unknown | known             whether the evidence was given
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping

from landapproval.core.errors import RuleError

UNKNOWN = "unknown"
_OPS = {"eq", "ne", "gt", "gte", "lt", "lte"}
_NEGATED = {"eq": "ne", "ne": "eq", "gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt"}
_DURABLE = {"ne": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
_PY: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
NUMERIC = {"area", "days", "int", "date"}  # sent to the engine as integers (dates as day ordinals)


def engine_key(name: str) -> str:
    """The key a fact has in the engine's message. durable_rules flattens nested objects into
    dotted names, so our flat dotted names are sent as they are (the second-opinion tests check
    that the engine and the plain-Python evaluator agree on every rule)."""
    return name


def known_key(name: str) -> str:
    """Companion flag of a numeric fact that may be unknown (numbers are never sent as text)."""
    return name + ".known"


@dataclass(frozen=True)
class FactRef:
    name: str


@dataclass(frozen=True)
class Test:
    __test__ = False  # an atomic condition, not a pytest test class

    fact: str
    op: str
    value: Any  # a literal (already in engine units) or a FactRef

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        left = facts.get(self.fact)
        right = facts.get(self.value.name) if isinstance(self.value, FactRef) else self.value
        if self.op in ("eq", "ne"):
            return _PY[self.op](left, right)
        if left is None or right is None:
            return False  # an unknown number is not sent to the engine, where the test cannot match
        return _PY[self.op](left, right)

    def negate(self) -> "Cond":
        return Test(self.fact, _NEGATED[self.op], self.value)

    def to_durable(self) -> dict[str, Any]:
        right = {"$m": engine_key(self.value.name)} if isinstance(self.value, FactRef) else self.value
        key = engine_key(self.fact)
        if self.op == "eq":
            return {key: right}
        return {_DURABLE[self.op]: {key: right}}

    def facts_used(self) -> set[str]:
        used = {self.fact}
        if isinstance(self.value, FactRef):
            used.add(self.value.name)
        return used

    def describe(self) -> str:
        value = self.value.name if isinstance(self.value, FactRef) else self.value
        return f"{self.fact} {self.op} {value}"


@dataclass(frozen=True)
class All:
    items: "tuple[Cond, ...]"

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        return all(item.evaluate(facts) for item in self.items)

    def negate(self) -> "Cond":
        return Any_(tuple(item.negate() for item in self.items))

    def to_durable(self) -> dict[str, Any]:
        if len(self.items) == 1:
            return self.items[0].to_durable()
        return {"$and": [item.to_durable() for item in self.items]}

    def facts_used(self) -> set[str]:
        return set().union(*(item.facts_used() for item in self.items))


@dataclass(frozen=True)
class Any_:
    items: "tuple[Cond, ...]"

    def evaluate(self, facts: Mapping[str, Any]) -> bool:
        return any(item.evaluate(facts) for item in self.items)

    def negate(self) -> "Cond":
        return All(tuple(item.negate() for item in self.items))

    def to_durable(self) -> dict[str, Any]:
        if len(self.items) == 1:
            return self.items[0].to_durable()
        return {"$or": [item.to_durable() for item in self.items]}

    def facts_used(self) -> set[str]:
        return set().union(*(item.facts_used() for item in self.items))


Cond = Test | All | Any_


def conjoin(*conds: Cond) -> Cond:
    items: list[Any] = []
    for cond in conds:
        items.extend(cond.items if isinstance(cond, All) else [cond])
    return All(tuple(items))


class Parser:
    """Parses `when:` blocks against the fact catalogue (rules/facts.yaml) and named definitions."""

    def __init__(self, catalogue: Mapping[str, dict[str, Any]], definitions: Mapping[str, Any] | None = None):
        self.catalogue = catalogue
        self.definitions = dict(definitions or {})
        self._expanding: list[str] = []

    def parse(self, node: Any, where: str) -> Cond:
        if not isinstance(node, dict) or not node:
            raise RuleError(f"{where}: a condition is a non-empty mapping, got {node!r}")
        items: list[Cond] = []
        for key, value in node.items():
            if key == "all":
                items.append(All(tuple(self.parse(v, f"{where}.all") for v in self._list(value, where))))
            elif key == "any":
                items.append(Any_(tuple(self.parse(v, f"{where}.any") for v in self._list(value, where))))
            elif key == "not":
                items.append(self.parse(value, f"{where}.not").negate())
            elif key == "ref":
                items.append(self._ref(value, where))
            else:
                items.append(self._test(key, value, where))
        return items[0] if len(items) == 1 else All(tuple(items))

    @staticmethod
    def _list(value: Any, where: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: all/any take a non-empty list")
        return value

    def _ref(self, name: str, where: str) -> Cond:
        if name not in self.definitions:
            raise RuleError(f"{where}: unknown definition {name!r}")
        if name in self._expanding:
            raise RuleError(f"{where}: definition {name!r} refers to itself")
        self._expanding.append(name)
        try:
            return self.parse(self.definitions[name]["when"], f"definitions.{name}")
        finally:
            self._expanding.pop()

    def _test(self, fact: str, spec: Any, where: str) -> Cond:
        meta = self.catalogue.get(fact)
        if meta is None:
            raise RuleError(f"{where}: unknown fact {fact!r} (declare it in rules/facts.yaml)")
        if meta["type"] == "list":
            raise RuleError(f"{where}.{fact}: a list fact can be shown, not tested")
        numeric = meta["type"] in NUMERIC
        if spec in (UNKNOWN, "known"):
            given = spec == "known"
            if numeric:
                if not meta.get("may_be_unknown"):
                    raise RuleError(f"{where}.{fact}: this fact is always known (no may_be_unknown)")
                return Test(known_key(fact), "eq", given)
            return Test(fact, "ne" if given else "eq", UNKNOWN)
        if not isinstance(spec, dict):
            spec = {"eq": spec}
        if len(spec) != 1:
            raise RuleError(f"{where}.{fact}: one operator per test, got {sorted(spec)}")
        (op, value), = spec.items()
        if op == "in":
            return Any_(tuple(self._test(fact, {"eq": v}, where) for v in self._list(value, where)))
        if op not in _OPS:
            raise RuleError(f"{where}.{fact}: unknown operator {op!r}")
        if isinstance(value, dict) and set(value) == {"fact"}:
            other = self.catalogue.get(value["fact"])
            if other is None or other["type"] != meta["type"]:
                raise RuleError(f"{where}.{fact}: {value['fact']!r} is not a fact of the same type")
            value = FactRef(value["fact"])
        else:
            value = self._literal(fact, meta, value, where)
        test = Test(fact, op, value)
        if op not in ("eq", "ne") and not numeric:
            raise RuleError(f"{where}.{fact}: {op} needs a numeric fact")
        guards = [Test(known_key(n), "eq", True) for n in sorted(test.facts_used())
                  if self.catalogue[n].get("may_be_unknown")]
        return conjoin(*guards, test) if guards else test

    @staticmethod
    def _literal(fact: str, meta: dict[str, Any], value: Any, where: str) -> Any:
        kind = meta["type"]
        if kind == "bool":
            if not isinstance(value, bool):
                raise RuleError(f"{where}.{fact}: expected true or false, got {value!r}")
            return value
        if kind == "enum":
            if value not in meta["values"]:
                raise RuleError(f"{where}.{fact}: {value!r} is not one of {meta['values']}")
            return value
        if kind == "area":
            return to_square_metres(value, f"{where}.{fact}")
        if kind == "date":
            try:
                return dt.date.fromisoformat(str(value)).toordinal()
            except ValueError:
                raise RuleError(f"{where}.{fact}: {value!r} is not a date") from None
        if kind in ("days", "int"):
            if isinstance(value, bool) or not isinstance(value, int):
                raise RuleError(f"{where}.{fact}: expected a whole number, got {value!r}")
            return value
        return str(value)


def to_square_metres(hectares: Any, where: str = "") -> int:
    """Exact hectares (<= 4 decimals) to whole square metres: 1 ha = 10,000 m²."""
    if isinstance(hectares, bool) or not isinstance(hectares, (int, str, Decimal)):
        raise RuleError(f"{where}: an area must be an exact number, got {hectares!r}")
    m2 = Decimal(hectares) * 10000
    if m2 != m2.to_integral_value():
        raise RuleError(f"{where}: {hectares} ha has more than 4 decimal places")
    return int(m2)
