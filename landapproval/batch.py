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

from . import api
from .decision import Decision
from .errors import CalendarError, InputError

CASE_SUFFIXES = (".yaml", ".yml", ".json")
CSV_COLUMNS = ("file", "case", "county", "as_of", "conversion_level", "conversion_mode",
               "expropriation_level", "expropriation_mode", "together", "approvable", "blocking",
               "failed_checks", "incomplete_checks", "next_step", "error")


@dataclass
class Outcome:
    path: str
    decision: Decision | None = None
    error: str | None = None


def expand(paths: Iterable[str]) -> list[str]:
    """Files as given; a folder stands for the case files under it, sorted by path."""
    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(str(p) for p in sorted(path.rglob("*")) if p.suffix.lower() in CASE_SUFFIXES and p.is_file())
        else:
            out.append(raw)
    return out


def _evaluate(args: tuple[str, dt.date | None, str | None]) -> Outcome:
    path, as_of, layers = args
    try:
        return Outcome(path, decision=api.evaluate(path, as_of=as_of, layers=layers))
    except (InputError, CalendarError) as error:
        message = error.describe() if isinstance(error, InputError) else f"{path}: {error}"
        return Outcome(path, error=message)


def run(paths: list[str], as_of: dt.date | None = None, jobs: int = 1, layers: str | None = None) -> Iterator[Outcome]:
    """Evaluate in input order; with jobs > 1, in that many processes (each its own engine)."""
    work = [(path, as_of, layers) for path in paths]
    if jobs <= 1 or len(work) < 2:
        yield from map(_evaluate, work)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_evaluate, work, chunksize=max(1, min(64, len(work) // (jobs * 8) or 1)))


def csv_row(outcome: Outcome) -> dict:
    d = outcome.decision
    if d is None:
        return {**{c: "" for c in CSV_COLUMNS}, "file": outcome.path, "error": outcome.error}
    return {
        "file": outcome.path, "case": d.case, "county": d.county["code"], "as_of": d.as_of.isoformat(),
        "conversion_level": d.conversion.level if d.conversion else "",
        "conversion_mode": d.conversion.mode if d.conversion else "",
        "expropriation_level": d.expropriation.level if d.expropriation else "",
        "expropriation_mode": d.expropriation.mode if d.expropriation else "",
        "together": str(d.together).lower(), "approvable": str(d.approvable).lower(),
        "blocking": " ".join(d.blocking),
        "failed_checks": " ".join(c.id for c in d.checks if c.status == "fail"),
        "incomplete_checks": " ".join(c.id for c in d.checks if c.status == "incomplete"),
        "next_step": d.next_step or "", "error": "",
    }


def csv_header() -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n").writeheader()
    return buffer.getvalue().rstrip("\n")


def csv_line(outcome: Outcome) -> str:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n").writerow(csv_row(outcome))
    return buffer.getvalue().rstrip("\n")


def jsonl_line(outcome: Outcome, lang: str) -> str:
    if outcome.decision is None:
        return json.dumps({"file": outcome.path, "error": outcome.error}, ensure_ascii=False)
    return json.dumps({"file": outcome.path, **outcome.decision.to_dict(lang)}, ensure_ascii=False)


class Summary:
    """Counts for the table printed at the end of a batch."""

    def __init__(self) -> None:
        self.total = self.approvable = self.errors = 0
        self.levels: Counter = Counter()
        self.failed: Counter = Counter()

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

    def table(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        lines = [("汇总" if zh else "Summary") + f": {self.total} " + ("件" if zh else "cases") +
                 (f"，可批准 {self.approvable}，不可批准 {self.total - self.approvable - self.errors}，无法读取 {self.errors}"
                  if zh else f", approvable {self.approvable}, not approvable "
                             f"{self.total - self.approvable - self.errors}, unreadable {self.errors}")]
        lines.append(("审批机关" if zh else "Approving level") + ":")
        for part in ("conversion", "expropriation"):
            counts = "  ".join(f"{level} {self.levels[(part, level)]}"
                               for level in ("county", "city", "province", "state_council", "none")
                               if self.levels[(part, level)])
            lines.append(f"  {part:<14} {counts}")
        if self.failed:
            lines.append(("未通过的审查事项" if zh else "Review items not passed") + ":")
            for (check, status), count in sorted(self.failed.items()):
                lines.append(f"  {check} {status:<11} {count}")
        return "\n".join(lines)
