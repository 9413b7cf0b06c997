"""The law as data: one `Law` holds a rules folder compiled for use.

    rules folder ─► RuleBook (rule files checked and compiled, dated parameters)
                ─► Jurisdiction (counties, zones, suspensions), Calendar (working days)
                ─► Engine (the rule book in durable_rules' C core)
                ─► Catalogue (the case file's fields, named and explained for this rule book)

A `Law` is built once and passed into the pipeline, as GoRules ZEN's `DecisionEngine(loader)` takes
its loader: nothing below reaches for a module-level rule book. `Law.default()` is the rules shipped
with the package, built once per process (thread-safe); `Law.from_dir(path)` another folder — two
laws live side by side in one process without touching each other.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import weakref
from pathlib import Path
from typing import Callable, Iterable

from landapproval.core.errors import RuleError

from landapproval.law.catalogue import Catalogue
from landapproval.law.crosscase import CrossCaseRules
from landapproval.law.engine import Engine
from landapproval.law.jurisdiction import Jurisdiction, default_rules_dir
from landapproval.law.rulebook import RuleBook, compile_book, package_version
from landapproval.law.workdays import Calendar


class Law:
    """One rules folder, compiled: rule book, jurisdiction, calendar, engine and field catalogue."""

    _default: "Law | None" = None
    _default_lock = threading.Lock()

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)
        self.book: RuleBook = compile_book(self.folder)
        self.jurisdiction = Jurisdiction(self.folder, self.book.parameters)
        self.calendar = Calendar(self.folder)
        self.cross_case = CrossCaseRules.read(self.folder)  # rules/register.yaml (landapproval.register)
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._catalogue: Catalogue | None = None
        self._check_sources()
        _LAWS.add(self)

    def _check_sources(self) -> None:
        """Refuse a fact of rules/facts.yaml that no case-file field gives (`field:`) and no code
        computes: every rule reading it would silently never fire (RuleError names the fact)."""
        if not _FACT_SOURCES:
            return
        computed: set[str] = set()
        for source in _FACT_SOURCES:
            computed.update(source(self))
        if "map.*" in computed:  # the map's facts are not computable here (no geo extra)
            computed.update(name for name in self.book.catalogue if name.startswith("map."))
        for name, meta in self.book.catalogue.items():
            if meta.get("field") or name in computed:
                continue
            readers = sorted(r.id for r in self.book.rules.values() if name in r.condition.facts_used())
            read = f"; rules reading it would never fire: {', '.join(readers)}" if readers else ""
            raise RuleError(
                f"facts.yaml {name}: no case-file field gives this fact (field:) and no code computes it{read}",
                file="facts.yaml", where=f"facts.yaml {name}",
                problem=f"no case-file field gives this fact (field:) and no code computes it{read}",
                zh=f"facts.yaml {name}：报件中没有对应字段（field:），程序也不计算此事实"
                   + (f"；读取它的规则永远不会触发：{'、'.join(readers)}" if readers else ""))

    @classmethod
    def from_dir(cls, folder: Path | str) -> "Law":
        """The law of another rules folder (a city testing a corrected zone list; tests)."""
        return cls(folder)

    @classmethod
    def default(cls) -> "Law":
        """The rules shipped with landapproval, compiled on first use, once per process."""
        law = cls._default
        if law is None:
            with cls._default_lock:
                if cls._default is None:
                    cls._default = cls(default_rules_dir())
                law = cls._default
        return law

    @property
    def engine(self) -> Engine:
        """The rule book compiled into durable_rules (on first use: a view of the rules needs none)."""
        if self._engine is None:
            with self._lock:
                if self._engine is None:
                    self._engine = Engine(self.book.durable_rulesets())
        return self._engine

    @property
    def catalogue(self) -> Catalogue:
        if self._catalogue is None:
            with self._lock:
                if self._catalogue is None:
                    self._catalogue = Catalogue(self.book)
        return self._catalogue

    @property
    def fingerprint(self) -> str:
        """sha256 of the rule files this law was compiled from."""
        return self.book.fingerprint

    def as_of(self, day: dt.date | None = None) -> RuleBook:
        """The rule book with its texts naming the parameter values in force on `day` (today)."""
        return self.book.as_of(day or dt.date.today())

    def info(self) -> dict[str, str]:
        """What a stored decision needs to be reproduced: the package version and the rules' sha256."""
        return {"version": package_version(), "rules_sha256": self.fingerprint}


# The code that computes facts lives above this layer (decision.facts, decision.mapfacts): it
# registers a function naming the facts it sets, and every Law checks its catalogue against it.
_FACT_SOURCES: list[Callable[[Law], Iterable[str]]] = []


def register_fact_source(source: Callable[[Law], Iterable[str]]) -> None:
    """Register a function giving the names of the facts some code computes for a law."""
    if source not in _FACT_SOURCES:
        _FACT_SOURCES.append(source)


# --- fork safety ------------------------------------------------------------------------------------
# A process forked while another thread holds a lock inherits the lock held, with no thread left to
# release it (Celery's prefork pool and multiprocessing's "fork" start method fork from a live,
# threaded parent). Before a fork, every lock of every Law (and of its engine) is taken, waiting
# briefly for a running evaluation to end, so parent and child see a consistent engine; after it
# both release them. A lock that could not be had in time (a thread stuck inside it) is replaced in
# the child, and the engine it guarded, whose C state may be half-updated, is dropped there: the
# child compiles its own on first use.
_LAWS: "weakref.WeakSet[Law]" = weakref.WeakSet()
_FORK_WAIT = 5.0  # seconds a fork waits for a running evaluation (one takes well under a millisecond)
_held: list[tuple[object, threading.Lock, bool]] = []


def _locks() -> list[tuple[object, threading.Lock]]:
    out: list[tuple[object, threading.Lock]] = [(Law, Law._default_lock)]
    for law in list(_LAWS):
        out.append((law, law._lock))
        if law._engine is not None:
            out.append((law._engine, law._engine._lock))
    return out


def _before_fork() -> None:
    _held.clear()
    for owner, lock in _locks():
        _held.append((owner, lock, lock.acquire(timeout=_FORK_WAIT)))


def _after_fork_in_parent() -> None:
    for _, lock, got in reversed(_held):
        if got:
            lock.release()
    _held.clear()


def _after_fork_in_child() -> None:
    for owner, lock, got in reversed(_held):
        if got:
            lock.release()
            continue
        if owner is Law:
            Law._default_lock = threading.Lock()
        elif isinstance(owner, Law):
            owner._lock = threading.Lock()
            owner._engine = None  # built under the stuck lock: maybe half made
        else:  # an engine stuck mid-evaluation: its C state is unknown, so its law builds a new one
            for law in list(_LAWS):
                if law._engine is owner:
                    law._engine = None
    _held.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork_in_parent,
                        after_in_child=_after_fork_in_child)


__all__ = ["Law", "register_fact_source"]
