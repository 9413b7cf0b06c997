"""rules/map.yaml compiled into rules of two engine stages: `map` (once per case) and `map_parcel`
(once per parcel with a boundary). Each rule is a finding on a review item; a rule with `adopt`
also says that the decision follows the map for that fact (landapproval/geofacts.py applies it).
"""

from __future__ import annotations

from typing import Any

from landapproval.law.conditions import Parser
from landapproval.core.errors import RuleError
from landapproval.law.types import PLACEHOLDER, SEVERITIES, Citation, Rule, bilingual

#: rule group (Rule.group) and engine ruleset of each stage of rules/map.yaml
STAGES = {"case": ("map", "map"), "parcel": ("map.parcel", "map_parcel")}
#: what a rule may adopt from the map (geofacts.py knows how to apply each)
ADOPTABLE = ("permanent_basic_farmland", "cultivated", "other_agricultural", "construction", "unused",
             "outside_construction_scale", "zone_national", "zone_provincial")
ITEMS = tuple(f"C{i}" for i in range(1, 9))


def compile_map(doc: dict[str, Any], parser: Parser) -> tuple[list[Rule], dict[str, Any]]:
    """The rules of both stages, and the authority note's text (item, severity, cite, message, remedy)."""
    if not isinstance(doc, dict) or set(doc) - {"authority_note", *STAGES}:
        raise RuleError(f"map.yaml: expected the keys authority_note, {', '.join(STAGES)}")
    rules = []
    for stage, (group, _) in STAGES.items():
        for index, spec in enumerate(doc.get(stage) or []):
            rules.append(_rule(spec, group, parser, f"map.yaml {stage}[{index}]"))
    note = doc.get("authority_note") or {}
    where = "map.yaml authority_note"
    _item_and_severity(note, where)
    note = {"item": note["item"], "severity": note["severity"], "cite": Citation.parse(note.get("cite"), where),
            "message": bilingual(note.get("message"), f"{where}.message"),
            "remedy": bilingual(note.get("remedy"), f"{where}.remedy")}
    return rules, note


def _item_and_severity(spec: dict[str, Any], where: str) -> None:
    if spec.get("item") not in ITEMS:
        raise RuleError(f"{where}: item is one of {', '.join(ITEMS)}, got {spec.get('item')!r}")
    if spec.get("severity") not in SEVERITIES:
        raise RuleError(f"{where}: severity is one of {SEVERITIES}, got {spec.get('severity')!r}")


def _rule(spec: dict[str, Any], group: str, parser: Parser, where: str) -> Rule:
    allowed = {"id", "item", "severity", "adopt", "when", "cite", "message", "remedy", "show"}
    if not isinstance(spec, dict) or set(spec) - allowed:
        raise RuleError(f"{where}: unexpected keys {sorted(set(spec) - allowed) if isinstance(spec, dict) else spec!r}")
    rid = spec.get("id")
    if not rid or not str(rid).startswith("map.") or '"' in rid:
        raise RuleError(f"{where}: a map rule's id starts with map., got {rid!r}")
    where = f"{where} ({rid})"
    _item_and_severity(spec, where)
    if spec.get("adopt") is not None and spec["adopt"] not in ADOPTABLE:
        raise RuleError(f"{where}: adopt is one of {', '.join(ADOPTABLE)}, got {spec['adopt']!r}")
    when = parser.parse(spec.get("when"), f"{where}.when")
    show = tuple(spec.get("show", ()))
    message = bilingual(spec.get("message"), f"{where}.message")
    for name in show + tuple(n for text in message.values() for n, _ in PLACEHOLDER.findall(text)):
        if name not in parser.catalogue:
            raise RuleError(f"{where}: shows unknown fact {name!r}")
    return Rule(rid, group, when, when, Citation.parse(spec.get("cite"), where), message,
                extra={"kind": "finding", "item": spec["item"], "severity": spec["severity"],
                       "adopt": spec.get("adopt"), "show": show, "missing": (),
                       "remedy": bilingual(spec["remedy"], f"{where}.remedy") if "remedy" in spec else None})
