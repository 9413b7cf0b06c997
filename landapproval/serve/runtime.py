"""What a request handler reads from its application: the one `Law`, the layer set, the thread pool.

`app.create_app` puts them on ``app.state``; the /v1 routes, the workbench and the guard around
every request read them here, so none of them reaches for a module-level rule book.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from typing import Any, Callable

from starlette.datastructures import State
from starlette.requests import Request

from landapproval.law import Law
from landapproval.serve.settings import Settings


def init_state(state: State, settings: Settings, law: Law | None = None) -> None:
    from landapproval.serve.metrics import Metrics

    state.settings = settings
    state.metrics = Metrics()    # /metrics: this application's counters
    state.law = law              # resolved at start-up (`law_of`) unless given
    state.law_lock = threading.Lock()
    state.ready = False          # set once the law is compiled, its engine built (and the layers open)
    state.layers = None          # the layer set, once opened (`serve --layers`); /readyz reports it
    state.pool = None            # the evaluations' threads, made at each start-up
    state.map_pool = None        # the threads of evaluations that read map layers (a slow database fills only these)
    state.quick_pool = None      # one thread: /v1/evaluate of a small case without a map (`QUICK_BODY_BYTES`)
    state.sources = (0.0, {})    # (when, {layer key: what failed}) of the last layer-source check (/readyz)
    state.cache = {}             # documents made once per application (rule list, form, schema)
    state.start_lock = threading.Lock()
    state.warming = None         # the start-up begun by /readyz when no lifespan ran (a mounted app)


def load_law(settings: Settings) -> Law:
    """The law a server applies: its rules folder (`Settings.rules`), else the rules shipped."""
    return Law.from_dir(settings.rules) if settings.rules else Law.default()


def law_of(state: State) -> Law:
    """The application's one law (compiled on first need when the start-up has not done it yet)."""
    law: Law | None = state.law
    if law is None:
        with state.law_lock:
            law = state.law
            if law is None:
                law = state.law = load_law(state.settings)
    return law


def request_id(request: Request) -> str | None:
    found: str | None = request.scope.get("state", {}).get("request_id")   # set by the guard
    return found


# A /v1/evaluate body up to this size, without a map, is evaluated in the quick lane: one thread.
# The work is CPU under the GIL and the engine is serialised, so more threads only add GIL hand-offs
# between themselves and the event loop (issue 18: 1 worker, 10 clients, wrk: 4 threads ≈ 0.5× the
# in-process rate, 1 thread ≈ 0.65–0.7×). Larger bodies, explain, batch and the workbench keep the
# `threads` pool, so a long job never holds up the quick lane (and the quick lane never holds them).
QUICK_BODY_BYTES = 64 * 1024


async def with_law(request: Request, function: Callable[..., Any], *args: Any, maps: bool = False,
                   quick: bool = False) -> Any:
    """`function(law, *args)` in the application's thread pool, never on the event loop; `maps`: in
    the pool of evaluations that read map layers, so that a slow layer source never holds up a case
    without a map; `quick` (and not `maps`): in the quick lane (`QUICK_BODY_BYTES`)."""
    state = request.app.state
    if maps and state.map_pool is not None:
        pool = state.map_pool
    elif quick and state.quick_pool is not None:
        pool = state.quick_pool
    else:
        pool = state.pool
    context = contextvars.copy_context()     # the request's id reaches the lines logged in the thread
    return await asyncio.get_running_loop().run_in_executor(
        pool, lambda: context.run(function, law_of(state), *args))


def reads_maps(state: State, raw: bytes) -> bool:
    """Whether a request may read map layers: the server has layers and the body gives a parcel's
    boundary — the key as YAML (`boundary:`) or JSON (`"boundary"`) writes it, a plain byte search
    (a comment that names the key costs a map thread, nothing more; a field such as
    `exceeds_development_boundary_phase_total` does not match)."""
    return state.layers is not None and (b"boundary:" in raw or b'"boundary"' in raw)


def open_layers(path: str) -> Any:
    """The layer set of a layers file (geometry over HTTP: the cases' boundaries come inline)."""
    from landapproval.decision.mapfacts import layer_set_of

    return layer_set_of(path)


def configure_sources(settings: Settings) -> None:
    """The layer sources' timeouts (PostGIS), before any layer is opened."""
    if settings.layers is None:
        return
    try:
        from landapproval.geo.sources import postgis
    except ImportError:  # pragma: no cover - the geo extra is missing: opening the layers says so
        return
    postgis.configure(connect=settings.db_connect_timeout, statement=settings.db_statement_timeout)


def check_sources(state: State, max_age: float = 1.0) -> dict[str, str]:
    """{layer key: what failed} for the layer sources read while serving (PostGIS), asked at most
    once per `max_age` seconds; {} when all answer (or there are none)."""
    import time

    when: float
    failed: dict[str, str]
    when, failed = state.sources
    layers = state.layers
    urls = layers.database_urls() if layers is not None and hasattr(layers, "database_urls") else {}
    if not urls:
        return {}
    from landapproval.geo.sources import postgis

    fresh = time.monotonic() - when < max_age
    if fresh and (failed or not any(postgis.is_down(url) for url in urls)):
        return failed        # a request's failure since the last check is never hidden by the cache
    failed = {}
    if urls:

        for url, problem in postgis.check(list(urls)).items():
            if problem is not None:
                failed.update({key: problem for key in urls[url]})
    state.sources = (time.monotonic(), failed)
    return failed


__all__ = ["check_sources", "configure_sources", "init_state", "law_of", "load_law", "open_layers",
           "QUICK_BODY_BYTES", "reads_maps", "request_id", "with_law"]
