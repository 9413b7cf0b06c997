"""The officials' table of a batch (CSV and xlsx): one row per case, in words — the authorities,
the items not passed, the verdict — taken from the decision, never re-derived."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Sequence

from landapproval.batch import Outcome
from landapproval.core.jsonout import dumps_text
from landapproval.decision.figures import enum_label
from landapproval.decision.model import area_text, land_by_class
from landapproval.decision.words import (STATUS, WORDS, authority_words, deciding_facts, item_name, next_words,
                                         verdict_short)
from landapproval.law import Law

# The table officials file (CSV and xlsx): (key, Chinese header, English header). Areas in hectares.
COLUMNS = (
    ("file", "文件", "file"),
    ("case", "案件编号", "case"),
    ("county_code", "行政区划代码", "county code"),
    ("county", "县（市、区）", "county"),
    ("kind", "用地类型", "kind"),
    ("as_of", "适用日期", "law as of"),
    ("permanent_basic_farmland", "永久基本农田（公顷）", "permanent basic farmland (ha)"),
    ("cultivated", "耕地（公顷）", "cultivated land (ha)"),
    ("other_agricultural", "其他农用地（公顷）", "other agricultural land (ha)"),
    ("construction", "建设用地（公顷）", "construction land (ha)"),
    ("unused", "未利用地（公顷）", "unused land (ha)"),
    ("conversion_agricultural", "转用农用地（公顷）", "agricultural land converted (ha)"),
    ("expropriation_total", "征收土地（公顷）", "land expropriated (ha)"),
    ("conversion_authority", "农用地转用审批机关", "conversion approved by"),
    ("expropriation_authority", "土地征收审批机关", "expropriation approved by"),
    ("together", "一并批准", "approved together"),
    ("deciding", "认定事实", "deciding facts"),
    ("verdict", "结论", "verdict"),
    ("not_passed", "未通过的审查事项", "review items not passed"),
    ("blocking", "阻断问题", "blocking findings"),
    ("next_step", "下一步", "next step"),
    ("error", "错误", "error"),
)
CSV_COLUMNS = tuple(key for key, _, _ in COLUMNS)
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with one
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# one row of the table by column key: text, or None for the error of an outcome that has none
Row = dict[str, str | None]



def table_row(outcome: Outcome, lang: str = "zh", *, law: Law | None = None) -> Row:
    """One case as a row of the officials' table, in words (authorities, items, verdict)."""
    d = outcome.decision
    if d is None:
        return {**{c: "" for c in CSV_COLUMNS}, "file": outcome.path, "error": outcome.error}
    w = WORDS[lang]
    law = law or Law.default()
    land = land_by_class(d)
    expropriated = d.totals["expropriation"]
    findings = [f for c in d.checks for f in c.findings] + [f for s in d.steps for f in s.findings]
    return {
        "file": outcome.path, "case": d.case, "county_code": d.county["code"], "county": d.county["name"],
        "kind": enum_label("case.kind", d.facts.get("case.kind", ""), law.book.catalogue, law.catalogue, lang),
        "as_of": d.as_of.isoformat(),
        **{name: area_text(value) for name, value in land.items()},
        "conversion_agricultural": area_text(d.totals["conversion"]["agricultural"]),
        "expropriation_total": area_text(sum(expropriated.values(), Decimal(0))),
        "conversion_authority": authority_words(d.conversion, lang, d.county["name"]),
        "expropriation_authority": authority_words(d.expropriation, lang, d.county["name"]),
        "together": w["yes"] if d.together else w["no"],
        "deciding": w["semicolon"].join(deciding_facts(d, lang)),
        "verdict": verdict_short(d, lang),
        "not_passed": w["semicolon"].join(f"{item_name(c, lang)}（{STATUS[lang][c.status]}）" if lang == "zh"
                                          else f"{item_name(c, lang)} ({STATUS[lang][c.status]})"
                                          for c in d.checks if c.status in ("fail", "incomplete")),
        "blocking": w["semicolon"].join(f.message[lang] for f in findings if f.severity == "blocking"),
        "next_step": next_words(d, lang),
        "error": "",
    }


def guard_cell(value: str | None) -> str | None:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is kept as text
    with a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_header(lang: str = "zh") -> str:
    """The header line, after a UTF-8 byte-order mark; Chinese headers unless lang is en."""
    index = 1 if lang == "zh" else 2
    return BOM + _csv_line([column[index] for column in COLUMNS])


def csv_line(outcome: Outcome, lang: str = "zh", *, law: Law | None = None) -> str:
    row = table_row(outcome, lang, law=law)
    return _csv_line([guard_cell(row[key]) for key in CSV_COLUMNS])


def _csv_line(cells: Sequence[str | None]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().rstrip("\n")


def jsonl_line(outcome: Outcome, lang: str) -> str:
    if outcome.decision is None:
        return dumps_text({"file": outcome.path, "error": outcome.error})
    return dumps_text({"file": outcome.path, **outcome.decision.to_dict(lang)})
