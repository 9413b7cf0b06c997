"""Many cases at once: a county's whole year of filings, in input order, one bad file never
stopping the rest. Results come back in the order the files were given, whatever `jobs` is.

With `jobs > 1` the files go to worker processes this module runs itself (not a process pool): it
knows which file each worker holds, so a worker that dies (killed, out of memory, a crash in a C
library) costs only that file — it is tried once more in a fresh process, and if that dies too the
file is reported by name as an internal error (exit 3) while every other file is still answered
(issue 18 item 7). Reports written to a folder go through `write_atomic` (a temporary file renamed
into place: never a 0-byte or half-written report), and a write that fails is an `UnavailableError`
(exit 4) that says which file and why, not a defect.
"""

from __future__ import annotations

import datetime as dt
import errno
import multiprocessing
import os
import tempfile
from collections import Counter
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, TypeAlias

from landapproval import api
from landapproval.core.errors import (EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_UNAVAILABLE, CalendarError, InputError,
                                      NotACaseError, Text, UnavailableError, internal_error_line)
from landapproval.decision.model import Check, Decision
from landapproval.decision.words import LEVEL, STATUS, WORDS, item_name, verdict_kind
from landapproval.law import Law

CASE_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class Outcome:
    path: str
    decision: Decision | None = None
    error: str | None = None
    exit_code: int = 0              # for an error: EXIT_BAD_INPUT, EXIT_UNAVAILABLE (a layer source down),
                                    # or EXIT_INTERNAL (a defect of ours, or a worker process that died)
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


# one file's work: (path, as_of, layers, lang, found in a folder?, law — None in a worker process)
_Task: TypeAlias = "tuple[str, dt.date | None, str | None, str, bool, Law | None]"
if TYPE_CHECKING:
    # the parent's end of a worker's pipe sends (index, task) or None (stop), receives (index, Outcome);
    # the worker's end the other way round
    _ToWorker: TypeAlias = Connection[tuple[int, _Task] | None, tuple[int, Outcome]]
    _FromParent: TypeAlias = Connection[tuple[int, Outcome], tuple[int, _Task] | None]

_worker_law: Law | None = None  # in a worker process of `run`: its own law (engines are not shared)


def _start_worker(folder: str) -> None:
    global _worker_law
    _worker_law = Law.from_dir(folder)


def _evaluate(args: _Task) -> Outcome:
    path, as_of, layers, lang, found, law = args
    notes: list[Text] = []
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
    except UnavailableError as error:
        return Outcome(path, error=f"{path}: {error.describe(lang)}", exit_code=EXIT_UNAVAILABLE)
    except Exception as error:  # a defect of ours: this case fails, the batch goes on
        return Outcome(path, error=f"{path}: {internal_error_line(error, lang)}", exit_code=EXIT_INTERNAL)


def run(paths: list[str], as_of: dt.date | None = None, jobs: int = 1, layers: str | None = None,
        lang: str = "zh", *, law: Law | None = None) -> Iterator[Outcome]:
    """Evaluate in input order; with jobs > 1, in that many processes (each its own law and engine).
    Every path gives exactly one Outcome, in the order given, whatever happens to a worker."""
    law = law or Law.default()
    if jobs <= 1 or len(paths) < 2:
        yield from map(_evaluate, [(str(path), as_of, layers, lang, isinstance(path, Found), law) for path in paths])
        return
    work: list[_Task] = [(str(path), as_of, layers, lang, isinstance(path, Found), None) for path in paths]
    yield from _Workers(min(jobs, len(work)), str(law.folder), lang).run(work)


def _worker_main(conn: _FromParent, folder: str) -> None:
    """A worker process: its own law, then (index, args) → (index, Outcome) until told to stop."""
    _start_worker(folder)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, args = task
        conn.send((index, _evaluate(args)))


class _Workers:
    """`jobs` worker processes, each given one file at a time; the parent knows which file each
    holds, so a death costs that file only (one retry in a fresh process, then an error outcome)."""

    RETRIES = 1

    def __init__(self, jobs: int, folder: str, lang: str) -> None:
        self.jobs, self.folder, self.lang = jobs, folder, lang
        self.context = multiprocessing.get_context()
        self.idle: list[tuple[BaseProcess, _ToWorker]] = []        # (process, conn) waiting for work
        self.busy: dict[_ToWorker, tuple[BaseProcess, int]] = {}   # conn -> (process, index)

    def _spawn(self) -> tuple[BaseProcess, _ToWorker]:
        parent, child = self.context.Pipe()
        process = self.context.Process(target=_worker_main, args=(child, self.folder), daemon=True)
        process.start()
        child.close()
        return process, parent

    def run(self, work: list[_Task]) -> Iterator[Outcome]:
        pending = list(range(len(work)))[::-1]    # a stack: the next index is at the end
        retry: list[int] = []                      # indices whose worker died once: a fresh process each
        deaths = dict.fromkeys(range(len(work)), 0)
        done: dict[int, Outcome] = {}
        following = 0
        try:
            while following < len(work):
                while (retry or pending) and len(self.busy) < self.jobs:
                    fresh = bool(retry)
                    index = retry.pop(0) if retry else pending.pop()
                    if fresh or not self.idle:
                        process, conn = self._spawn()
                    else:
                        process, conn = self.idle.pop()
                    try:
                        conn.send((index, work[index]))
                    except OSError:                        # the idle worker was gone already
                        self._bury(process, conn)
                        if fresh:
                            retry.insert(0, index)
                        else:
                            pending.append(index)
                        continue
                    self.busy[conn] = (process, index)
                ready = wait([*self.busy, *(p.sentinel for p, _ in self.busy.values())])
                for conn, (process, index) in list(self.busy.items()):
                    if conn in ready:
                        try:
                            got, outcome = conn.recv()
                        except (EOFError, OSError):
                            got = None
                        if got == index:
                            done[index] = outcome
                            del self.busy[conn]
                            self.idle.append((process, conn))
                            continue
                    if conn in ready or process.sentinel in ready:
                        process.join(timeout=5)
                        if process.is_alive() and conn not in ready:
                            continue
                        del self.busy[conn]
                        self._bury(process, conn)
                        deaths[index] += 1
                        if deaths[index] > self.RETRIES:
                            done[index] = self._died(work[index][0], process.exitcode)
                        else:
                            retry.append(index)
                while following in done:
                    yield done.pop(following)
                    following += 1
        finally:
            self._stop()

    def _died(self, path: str, code: int | None) -> Outcome:
        how = (f"signal {-code}" if code is not None and code < 0 else f"exit status {code}")
        zh = (f"{path}: 内部错误：处理此文件的工作进程意外终止（{how}），在新进程中重试一次后仍然终止；"
              "其他文件不受影响 —— 这是 landapproval 的缺陷或机器资源不足，请报告")
        en = (f"{path}: internal error: the worker process evaluating this file died ({how}), and again when "
              "retried once in a fresh process; the other files are unaffected — a defect of landapproval or "
              "the machine running out of resources; please report it")
        return Outcome(path, error=zh if self.lang == "zh" else en, exit_code=EXIT_INTERNAL)

    @staticmethod
    def _bury(process: BaseProcess, conn: _ToWorker) -> None:
        conn.close()
        if process.is_alive():
            process.kill()
        process.join(timeout=5)

    def _stop(self) -> None:
        for _process, conn in self.idle:
            try:
                conn.send(None)              # finish: the worker returns and exits
            except OSError:
                pass
        for process, conn in self.idle:
            process.join(timeout=5)
            self._bury(process, conn)
        for conn, (process, _index) in self.busy.items():   # a run stopped early (Ctrl-C, an error)
            self._bury(process, conn)
        self.idle, self.busy = [], {}


# ---------------------------------------------------------------------------------------------
# Writing reports: atomically, and an I/O error said as one

def write_atomic(path: str | Path, data: bytes | str) -> Path:
    """Write `data` to `path` through a temporary file in the same folder renamed into place: the
    file is whole or absent, never empty or cut. An OSError (no permission, disk full, a read-only
    file system …) becomes `UnavailableError` naming the file (exit 4), the temporary file removed."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        with os.fdopen(handle, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
        temporary = None
        return path
    except OSError as error:
        raise output_error(path, error) from None
    finally:
        if temporary is not None:
            try:
                os.unlink(temporary)
            except OSError:
                pass


_IO_WORDS = {errno.EACCES: ("没有写入权限", "permission denied"), errno.EPERM: ("没有写入权限", "permission denied"),
             errno.ENOSPC: ("磁盘已满", "no space left on the device"), errno.EDQUOT: ("超出磁盘配额", "disk quota exceeded"),
             errno.EROFS: ("文件系统只读", "read-only file system"), errno.ENOTDIR: ("路径中有一段不是文件夹", "a part of the path is not a folder"),
             errno.EEXIST: ("同名文件已存在且不是文件夹", "a file of that name is in the way")}


def output_error(path: str | Path, error: OSError, done: int | None = None, total: int | None = None) -> UnavailableError:
    """An OSError while writing `path` as one sentence: which file, why, and how far the run got."""
    known = _IO_WORDS.get(error.errno) if error.errno is not None else None
    zh_why, en_why = known or (error.strerror or str(error), error.strerror or str(error))
    zh = f"无法写入 {path}：{zh_why}（{error.strerror or error}）"
    en = f"cannot write {path}: {en_why}"
    if done is not None and total is not None:
        zh += f"；已完成 {done}/{total} 件，其余未写出"
        en += f"; {done} of {total} cases were written, the rest were not"
    zh += " —— 这不是案件的问题，也不是 landapproval 的缺陷：请检查文件夹权限和磁盘空间后重试"
    en += " — nothing is wrong with the cases or with landapproval: check the folder's permissions and free space, then retry"
    return UnavailableError(Text(zh, en), str(path), detail=repr(error))


class Summary:
    """Counts for the table printed at the end of a batch, in words (authorities and item titles)."""

    def __init__(self) -> None:
        self.total = self.approvable = self.errors = 0
        self.to_file = 0   # approvable, but for a higher authority (可以报批): never counted as 可批准
        self.levels: Counter[tuple[str, str]] = Counter()   # (part, level or "none")
        self.failed: Counter[tuple[str, str]] = Counter()   # (check id, status)
        self.items: dict[str, Check] = {}  # id -> the check, for its title

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
                item_counts = [f"{STATUS[lang][status]} {self.failed[(check, status)]}"
                               for status in ("fail", "incomplete") if self.failed[(check, status)]]
                lines.append(f"  {item_name(self.items[check], lang)}: " + w["semicolon"].join(item_counts))
        return "\n".join(lines)
