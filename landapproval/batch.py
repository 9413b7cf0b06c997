"""Many cases at once: a county's whole year of filings, in input order, one bad file never
stopping the rest. Results come back in the order the files were given, whatever `jobs` is.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from landapproval import api
from landapproval.core.errors import (EXIT_BAD_INPUT, EXIT_INTERNAL, CalendarError, InputError, NotACaseError,
                                      internal_error_line)
from landapproval.decision.model import Decision
from landapproval.decision.words import LEVEL, STATUS, WORDS, item_name, verdict_kind
from landapproval.law import Law

CASE_SUFFIXES = (".yaml", ".yml", ".json")


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


_worker_law: Law | None = None  # in a worker process of `run`: its own law (engines are not shared)


def _start_worker(folder: str) -> None:
    global _worker_law
    _worker_law = Law.from_dir(folder)


def _evaluate(args: tuple) -> Outcome:
    path, as_of, layers, lang, found, law = args
    notes: list = []
    try:
        decision = api.evaluate(path, as_of=as_of, layers=layers, notes=notes, law=law or _worker_law)
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
        lang: str = "zh", *, law: Law | None = None) -> Iterator[Outcome]:
    """Evaluate in input order; with jobs > 1, in that many processes (each its own law and engine)."""
    law = law or Law.default()
    if jobs <= 1 or len(paths) < 2:
        yield from map(_evaluate, [(str(path), as_of, layers, lang, isinstance(path, Found), law) for path in paths])
        return
    work = [(str(path), as_of, layers, lang, isinstance(path, Found), None) for path in paths]
    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(str(law.folder),)) as pool:
        yield from pool.map(_evaluate, work, chunksize=max(1, min(64, len(work) // (jobs * 8) or 1)))


class Summary:
    """Counts for the table printed at the end of a batch, in words (authorities and item titles)."""

    def __init__(self) -> None:
        self.total = self.approvable = self.errors = 0
        self.to_file = 0   # approvable, but for a higher authority (可以报批): never counted as 可批准
        self.levels: Counter = Counter()
        self.failed: Counter = Counter()
        self.items: dict[str, object] = {}  # id -> the check, for its title

    def add(self, outcome: Outcome) -> None:
        self.total += 1
        d = outcome.decision
        if d is None:
            self.errors += 1
            return
        kind = verdict_kind(d)
        self.approvable += kind == "approve"
        self.to_file += kind == "file"
        for part, entry in (("conversion", d.conversion), ("expropriation", d.expropriation)):
            self.levels[(part, entry.level if entry else "none")] += 1
        for check in d.checks:
            if check.status in ("fail", "incomplete"):
                self.failed[(check.id, check.status)] += 1
                self.items.setdefault(check.id, check)

    def table(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        w = WORDS[lang]
        lines = [("汇总" if zh else "Summary") + f": {self.total} " + ("件" if zh else "cases") +
                 (f"，可以批准 {self.approvable}，可以报批（报上级批准） {self.to_file}，暂不能批准 "
                  f"{self.total - self.approvable - self.to_file - self.errors}，无法读取 {self.errors}"
                  if zh else f", approvable {self.approvable}, ready to file with a higher authority {self.to_file}, "
                             f"not approvable {self.total - self.approvable - self.to_file - self.errors}, "
                             f"unreadable {self.errors}")]
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
