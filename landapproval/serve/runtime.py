"""What a request handler reads from its application: the one `Law`, the layer set, the thread pool.

`app.create_app` puts them on ``app.state``; the /v1 routes, the workbench and the guard around
every request read them here, so none of them reaches for a module-level rule book.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any, Callable

from starlette.datastructures import State
from starlette.requests import Request

from landapproval.law import Law
from landapproval.serve.settings import Settings


def init_state(state: State, settings: Settings, law: Law | None = None) -> None:
    state.settings = settings
    state.law = law              # resolved at start-up (`law_of`) unless given
    state.law_lock = threading.Lock()
    state.ready = False          # set once the law is compiled, its engine built (and the layers open)
    state.layers = None          # the layer set, once opened (`serve --layers`); /readyz reports it
    state.pool = None            # the evaluations' threads, made at each start-up
    state.cache = {}             # documents made once per application (rule list, form, schema)
    state.start_lock = threading.Lock()
    state.warming = None         # the start-up begun by /readyz when no lifespan ran (a mounted app)


def load_law(settings: Settings) -> Law:
    """The law a server applies: its rules folder (`Settings.rules`), else the rules shipped."""
    return Law.from_dir(settings.rules) if settings.rules else Law.default()


def law_of(state: State) -> Law:
    """The application's one law (compiled on first need when the start-up has not done it yet)."""
    law = state.law
    if law is None:
        with state.law_lock:
            if state.law is None:
                state.law = load_law(state.settings)
            law = state.law
    return law


def request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


async def with_law(request: Request, function: Callable, *args: Any) -> Any:
    """`function(law, *args)` in the application's thread pool, never on the event loop."""
    state = request.app.state
    return await asyncio.get_running_loop().run_in_executor(state.pool, lambda: function(law_of(state), *args))


def open_layers(path: str) -> Any:
    """The layer set of a layers file (geometry over HTTP: the cases' boundaries come inline)."""
    from landapproval.decision.mapfacts import layer_set_of

    return layer_set_of(path)


__all__ = ["init_state", "law_of", "load_law", "open_layers", "request_id", "with_law"]
