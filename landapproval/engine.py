"""durable_rules, with its rough edges filed off.

What this wrapper guarantees, and why each is needed (durable_rules 2.0.28):
- one Host per process, built once from the compiled rule book; its background dispatch
  timers are never started (they would race our synchronous calls on the same handles);
- one lock around every call: the C engine has no locking of its own;
- every case runs in its own session (sid) that is deleted afterwards, even on error, so the
  1,024-live-sessions limit is never reached and memory stays flat;
- an exception inside an action surfaces as EngineError instead of being swallowed;
- a fact set no rule matches is a normal answer (no rule fired), not MessageNotHandledException;
- deleting a session in which no rule fired crashes the process (free(): invalid size), so every
  ruleset carries a marker rule that always fires (rulebook.SENTINEL) and is filtered out here.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, Mapping

from durable.engine import Host, MessageNotHandledException

from .conditions import engine_key
from .rulebook import SENTINEL
from .errors import EngineError


class _QuietHost(Host):
    """A Host whose actions are named by rule id and that runs no background threads."""

    def __init__(self, rulesets: dict):
        self._fired: list[str] = []
        super().__init__(rulesets)

    def _run(self) -> None:  # the dispatch/timer threads serve timers and async actions: unused here
        pass

    def get_action(self, action_name: str):
        fired = self._fired

        def record(closure) -> None:
            fired.append(action_name)
        return record


class Engine:
    """Asserts one flat fact set per case into a named ruleset; returns the ids of the rules that fired."""

    def __init__(self, rulesets: dict):
        self.rulesets = tuple(rulesets)
        self._host = _QuietHost(rulesets)
        self._lock = threading.Lock()
        self._sids = itertools.count(1)

    def fire(self, ruleset: str, facts: Mapping[str, Any]) -> list[str]:
        message = {engine_key(k): v for k, v in facts.items() if v is not None}
        with self._lock:
            sid = str(next(self._sids))
            message["sid"] = sid
            fired = self._host._fired
            fired.clear()
            try:
                self._host.assert_fact(ruleset, message)
            except MessageNotHandledException:
                pass  # no rule matched: an answer, not an error
            except Exception as error:  # an action raised, or the engine rejected the message
                raise EngineError(f"the rule engine failed on this case: {error!r}") from error
            finally:
                try:
                    self._host.delete_state(ruleset, sid)
                except Exception:  # pragma: no cover - nothing to delete when assert failed early
                    pass
            result = [rule for rule in fired if rule != SENTINEL]
            fired.clear()
        return result
