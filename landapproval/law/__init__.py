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
import threading
from pathlib import Path

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


__all__ = ["Law"]
