"""What the review will need that a valid case file does not give yet, grouped by review item.

Derived from the decision, whose "missing evidence" findings the rule book compiles from each
item's `requires:` (rules/review.yaml, rules/workflow.yaml): no hand-kept list of fields.
"""

from __future__ import annotations

from dataclasses import dataclass

from landapproval.law import Law
from landapproval.decision.model import Check, Decision, Step
from landapproval.core.errors import check_lang


@dataclass(frozen=True)
class Gap:
    item: str                 # C1…C8, S1…S6
    title: dict[str, str]     # the item's title, zh and en
    citation: str
    fields: tuple[str, ...]   # case-file paths of the evidence not given


def missing_evidence(decision: Decision) -> list[Gap]:
    gaps = []
    entries: tuple[Check | Step, ...] = (*decision.checks, *decision.steps)
    for entry in entries:
        fields = tuple(dict.fromkeys(path for f in entry.findings if f.kind == "missing" for path in f.missing))
        if fields:
            gaps.append(Gap(entry.id, entry.title or {"zh": entry.id, "en": entry.id}, entry.citation, fields))
    return gaps


def report(decision: Decision, lang: str = "zh", *, law: Law | None = None) -> str:
    """'文件格式正确；审查材料缺 3 项：' and one line per item, evidence named by its label (the field
    path only in English: the Chinese view has no field path, the template names each field by it)."""
    check_lang(lang)
    catalogue = (law or Law.default()).catalogue
    gaps = missing_evidence(decision)
    count = sum(len(g.fields) for g in gaps)
    zh = lang == "zh"
    if not count:
        return "文件格式正确；审查材料齐全" if zh else "contract OK; review evidence complete"
    lines = [f"文件格式正确；审查材料缺 {count} 项：" if zh else f"contract OK; review evidence missing ({count}):"]
    for gap in gaps:
        names = ("；" if zh else "; ").join(catalogue.field_label(p, lang) if zh
                                            else f"{catalogue.field_label(p, lang)} ({p})" for p in gap.fields)
        lines.append(f"  {gap.item} {gap.title[lang]}：{names}" if zh else f"  {gap.item} {gap.title[lang]}: {names}")
    return "\n".join(lines)
