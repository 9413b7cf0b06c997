"""Many cases at once: a county's whole year of filings, in input order, one bad file never
stopping the rest. Results come back in the order the files were given, whatever `jobs` is.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from decimal import Decimal

from . import api, rulebook
from .decision import Decision, area_text
from .errors import EXIT_BAD_INPUT, EXIT_INTERNAL, CalendarError, InputError, NotACaseError, internal_error_line

CASE_SUFFIXES = (".yaml", ".yml", ".json")
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
    ("verdict", "结论", "verdict"),
    ("not_passed", "未通过的审查事项", "review items not passed"),
    ("blocking", "阻断问题", "blocking findings"),
    ("next_step", "下一步", "next step"),
    ("error", "错误", "error"),
)
CSV_COLUMNS = tuple(key for key, _, _ in COLUMNS)
BOM = "\ufeff"  # Excel reads a CSV as UTF-8 only when it starts with one
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Outcome:
    path: str
    decision: Decision | None = None
    error: str | None = None
    exit_code: int = 0              # for an error: EXIT_BAD_INPUT, or EXIT_INTERNAL (a defect of ours)
    skipped: str | None = None      # a file found in a folder that is not a case (e.g. a layers file)
    notes: tuple[str, ...] = ()     # what the reader noted (e.g. read as GB18030)


class Found(str):
    """A path that `expand` found in a folder (not named by the user): a non-case file there is skipped."""


def expand(paths: Iterable[str]) -> list[str]:
    """Files as given; a folder stands for the case files under it, sorted by path (as `Found`)."""
    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(Found(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in CASE_SUFFIXES and p.is_file())
        else:
            out.append(raw)
    return out


def _evaluate(args: tuple) -> Outcome:
    path, as_of, layers, lang, found = args
    notes: list = []
    try:
        decision = api.evaluate(path, as_of=as_of, layers=layers, notes=notes)
        return Outcome(path, decision=decision, notes=tuple(f"{path}: {n(lang)}" for n in notes))
    except NotACaseError as error:
        if found:
            return Outcome(path, skipped=("不是案件文件，已跳过（图层文件请用 --layers 指定）" if lang == "zh"
                                          else "not a case file, skipped (give a layers file with --layers)"))
        return Outcome(path, error=error.describe(lang), exit_code=EXIT_BAD_INPUT)
    except InputError as error:
        return Outcome(path, error=error.describe(lang), exit_code=EXIT_BAD_INPUT)
    except CalendarError as error:
        return Outcome(path, error=f"{path}: {error.describe(lang)}", exit_code=EXIT_BAD_INPUT)
    except Exception as error:  # a defect of ours: this case fails, the batch goes on
        return Outcome(path, error=f"{path}: {internal_error_line(error, lang)}", exit_code=EXIT_INTERNAL)


def run(paths: list[str], as_of: dt.date | None = None, jobs: int = 1, layers: str | None = None,
        lang: str = "zh") -> Iterator[Outcome]:
    """Evaluate in input order; with jobs > 1, in that many processes (each its own engine)."""
    work = [(str(path), as_of, layers, lang, isinstance(path, Found)) for path in paths]
    if jobs <= 1 or len(work) < 2:
        yield from map(_evaluate, work)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_evaluate, work, chunksize=max(1, min(64, len(work) // (jobs * 8) or 1)))


def table_row(outcome: Outcome, lang: str = "zh") -> dict:
    """One case as a row of the officials' table, in words (authorities, items, verdict)."""
    from .decision import land_by_class
    from .figures import enum_label
    from .render import STATUS, WORDS, authority_words, item_name

    d = outcome.decision
    if d is None:
        return {**{c: "" for c in CSV_COLUMNS}, "file": outcome.path, "error": outcome.error}
    w = WORDS[lang]
    catalogue = rulebook.current().catalogue
    land = land_by_class(d)
    expropriated = d.totals["expropriation"]
    steps = {s.id: s for s in d.steps}
    findings = [f for c in d.checks for f in c.findings] + [f for s in d.steps for f in s.findings]
    return {
        "file": outcome.path, "case": d.case, "county_code": d.county["code"], "county": d.county["name"],
        "kind": enum_label("case.kind", d.facts.get("case.kind", ""), catalogue, lang),
        "as_of": d.as_of.isoformat(),
        **{name: area_text(value) for name, value in land.items()},
        "conversion_agricultural": area_text(d.totals["conversion"]["agricultural"]),
        "expropriation_total": area_text(sum(expropriated.values(), Decimal(0))),
        "conversion_authority": authority_words(d.conversion, lang),
        "expropriation_authority": authority_words(d.expropriation, lang),
        "together": w["yes"] if d.together else w["no"],
        "verdict": w["verdict_short_yes"] if d.approvable else w["verdict_short_no"],
        "not_passed": w["semicolon"].join(f"{item_name(c, lang)}（{STATUS[lang][c.status]}）" if lang == "zh"
                                          else f"{item_name(c, lang)} ({STATUS[lang][c.status]})"
                                          for c in d.checks if c.status in ("fail", "incomplete")),
        "blocking": w["semicolon"].join(f.message[lang] for f in findings if f.severity == "blocking"),
        "next_step": item_name(steps[d.next_step], lang) if d.next_step in steps else "",
        "error": "",
    }


def guard_cell(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) is kept as text
    with a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_header(lang: str = "zh") -> str:
    """The header line, after a UTF-8 byte-order mark; Chinese headers unless lang is en."""
    index = 1 if lang == "zh" else 2
    return BOM + _csv_line([column[index] for column in COLUMNS])


def csv_line(outcome: Outcome, lang: str = "zh") -> str:
    row = table_row(outcome, lang)
    return _csv_line([guard_cell(row[key]) for key in CSV_COLUMNS])


def _csv_line(cells: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue().rstrip("\n")


def jsonl_line(outcome: Outcome, lang: str) -> str:
    if outcome.decision is None:
        return json.dumps({"file": outcome.path, "error": outcome.error}, ensure_ascii=False)
    return json.dumps({"file": outcome.path, **outcome.decision.to_dict(lang)}, ensure_ascii=False)


class Summary:
    """Counts for the table printed at the end of a batch, in words (authorities and item titles)."""

    def __init__(self) -> None:
        self.total = self.approvable = self.errors = 0
        self.levels: Counter = Counter()
        self.failed: Counter = Counter()
        self.items: dict[str, object] = {}  # id -> the check, for its title

    def add(self, outcome: Outcome) -> None:
        self.total += 1
        d = outcome.decision
        if d is None:
            self.errors += 1
            return
        self.approvable += d.approvable
        for part, entry in (("conversion", d.conversion), ("expropriation", d.expropriation)):
            self.levels[(part, entry.level if entry else "none")] += 1
        for check in d.checks:
            if check.status in ("fail", "incomplete"):
                self.failed[(check.id, check.status)] += 1
                self.items.setdefault(check.id, check)

    def table(self, lang: str = "zh") -> str:
        from .render import LEVEL, STATUS, WORDS, item_name

        zh = lang == "zh"
        w = WORDS[lang]
        lines = [("汇总" if zh else "Summary") + f": {self.total} " + ("件" if zh else "cases") +
                 (f"，可批准 {self.approvable}，不可批准 {self.total - self.approvable - self.errors}，无法读取 {self.errors}"
                  if zh else f", approvable {self.approvable}, not approvable "
                             f"{self.total - self.approvable - self.errors}, unreadable {self.errors}")]
        lines.append(("审批机关" if zh else "Approving authority") + ":")
        for part in ("conversion", "expropriation"):
            counts = w["semicolon"].join(
                f"{LEVEL[lang][level] if level != 'none' else w['none']} {self.levels[(part, level)]}"
                for level in ("county", "city", "province", "state_council", "none") if self.levels[(part, level)])
            lines.append(f"  {w[part]}: {counts}")
        if self.failed:
            lines.append(("未通过的审查事项" if zh else "Review items not passed") + ":")
            for check in sorted(self.items):
                counts = [f"{STATUS[lang][status]} {self.failed[(check, status)]}"
                          for status in ("fail", "incomplete") if self.failed[(check, status)]]
                lines.append(f"  {item_name(self.items[check], lang)}: " + w["semicolon"].join(counts))
        return "\n".join(lines)
