"""The HTTP service: the JSON API under /v1 (`v1`), the officials' workbench at / (`web`), the
probes, and the API's documents at /docs and /redoc — one FastAPI application holding one `Law`.

    create_app(settings)     the application; `protocol.serve` runs it under uvicorn, one per worker

At start-up (the lifespan, in the application's thread pool) the law is compiled — the rules folder
of `Settings.rules`, else the rules shipped — its engine built, and the layers file opened when one
is given; /readyz answers 200 from then on. Every request is evaluated with that law
(``app.state.law``), off the event loop; durable_rules has no locking of its own, so the engine is
serialised by the lock inside `landapproval.law.engine.Engine`. Around every request: `guard.Guard`.
Errors are JSON (`errors`), never a traceback.

Run it with ``landapproval serve`` (binds 127.0.0.1:8000 unless told otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import State

from landapproval.law import Law
from landapproval.law.rulebook import package_version
from landapproval.serve import errors, ledger, v1, web
from landapproval.serve.errors import JsonResponse, json_response
from landapproval.serve.guard import Guard
from landapproval.serve.runtime import check_sources, configure_sources, init_state, law_of, open_layers
from landapproval.serve.settings import Settings
from landapproval.views import schemas

STATIC = Path(__file__).resolve().parent / "static"

log = logging.getLogger("landapproval.serve.app")


def create_app(settings: Settings | None = None, *, law: Law | None = None) -> FastAPI:
    """The application for `settings` (a worker's: from the environment). `law`: the one to apply
    (else `Settings.rules`' folder, else the rules shipped), compiled at start-up if not yet."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="landapproval",
        summary="Who approves a Linfen land-use application, and what still blocks it (临政发〔2024〕7号)",
        version=package_version(),
        default_response_class=JsonResponse,
        lifespan=_lifespan,
        # FastAPI's own OpenTelemetry hooks cost per request; a deployment that traces adds its own
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        docs_url=None, redoc_url=None,  # served below from local files, never from a CDN
    )
    init_state(app.state, settings, law)
    errors.install(app)
    app.include_router(v1.router)
    app.include_router(probes)
    app.include_router(web.router)
    app.include_router(ledger.router)  # issue 20: the case register (/v1/cases, /v1/reports, /ledger)
    _mount_docs(app)
    _publish_schemas(app)
    app.state.metrics.app = app
    app.add_middleware(Guard, settings=settings, state=app.state, public=web.PUBLIC_PATHS | ledger.PUBLIC_PATHS,
                       direct={"/v1/evaluate": v1.evaluate})   # the hot route, without the router's layers
    return app


# ---------------------------------------------------------------------------------------------
# Start-up and readiness

@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    state = app.state
    state.pool = ThreadPoolExecutor(state.settings.threads, thread_name_prefix="landapproval")
    state.map_pool = ThreadPoolExecutor(state.settings.map_threads, thread_name_prefix="landapproval-map")
    state.quick_pool = ThreadPoolExecutor(1, thread_name_prefix="landapproval-quick")
    await asyncio.get_running_loop().run_in_executor(state.pool, start, state)
    yield
    state.pool.shutdown(wait=False)
    state.map_pool.shutdown(wait=False)
    state.quick_pool.shutdown(wait=False)
    state.ready = False


def start(state: State) -> None:
    """Compile the law and build its engine (fail at start, not per call), make the documents
    served from it, open the layers (read-only, shared by every request); then ready."""
    with state.start_lock:
        if state.ready:
            return
        law = law_of(state)
        law.engine
        law.catalogue
        v1.warm(state)
        configure_sources(state.settings)
        if state.settings.layers and state.layers is None:
            state.layers = open_layers(state.settings.layers)
        state.ready = True
        web.warm(state)


probes = APIRouter(tags=["service"])


@probes.get("/healthz", response_model=None)
def healthz(request: Request) -> dict[str, str]:
    """Liveness: the process answers (it may still be compiling the law; see /readyz)."""
    return {"status": "ok", "version": request.app.version}


@probes.get("/readyz", response_model=None, responses={503: {"description": "not ready yet, or a layer source is down"}})
async def readyz(request: Request) -> Response:
    """Readiness: the law is compiled and its engine built (and the layers open, when given), and
    every layer source read while serving (PostGIS) answers — 503 while one does not, naming its
    layers in `layer_sources`, 200 again once it does. An application that was not started (mounted
    inside another) starts warming here: 503 until then."""
    state = request.app.state
    if not state.ready and state.warming is None:
        state.warming = asyncio.get_running_loop().run_in_executor(state.pool, start, state)
        state.warming.add_done_callback(lambda done: _warmed(state, done))
    settings = state.settings
    ready = bool(state.ready) and (settings.layers is None or state.layers is not None)
    failed = await asyncio.to_thread(check_sources, state) if ready and state.layers is not None else {}
    law: Law | None = state.law
    body: dict[str, Any] = {"status": ("ready" if not failed else "unavailable") if ready else "starting",
            "version": request.app.version,
            "rules_sha256": law.fingerprint if law is not None else None, "rules_compiled": bool(state.ready),
            "layers": None if settings.layers is None else ("open" if state.layers is not None else "closed")}
    if failed:
        body["layer_sources"] = failed     # {layer key: connect | timeout}: never the database's URL
    return json_response(body, 200 if ready and not failed else 503,
                         headers={"Retry-After": "5"} if failed else None)


@probes.get("/metrics", response_model=None, responses={200: {
    "description": "Prometheus text format: requests by route and status, latency, in flight, queued, "
                   "evaluations by verdict and authority, layer-source errors (this worker's counts)",
    "content": {"text/plain": {"schema": {"type": "string"}}}}})
def metrics(request: Request) -> Response:
    """The service's counters for Prometheus (needs the bearer token when one is configured)."""
    body, media = request.app.state.metrics.text()
    return Response(body, media_type=media)


def _warmed(state: State, done: asyncio.Future[None]) -> None:
    """A start-up begun by /readyz that failed is logged, and the next /readyz tries again."""
    error = None if done.cancelled() else done.exception()
    if error is not None:
        log.error("the service could not start: %s", error, exc_info=(type(error), error, error.__traceback__))
        state.warming = None


# ---------------------------------------------------------------------------------------------
# /docs, /redoc and the OpenAPI document

def _mount_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from files shipped in serve/static: the pages load nothing
    from the network, so they work on an isolated network (see static/README.md)."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return _same_origin_only(get_swagger_ui_html(openapi_url="/openapi.json", title="landapproval — API",
                                                     swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
                                                     swagger_css_url="/static/swagger-ui/swagger-ui.css",
                                                     swagger_favicon_url="/static/favicon.png"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        return _same_origin_only(get_redoc_html(openapi_url="/openapi.json", title="landapproval — API",
                                                redoc_js_url="/static/redoc/redoc.standalone.js",
                                                redoc_favicon_url="/static/favicon.png", with_google_fonts=False))


# The docs pages may not load anything from elsewhere, even if a future asset tried to (inline
# script and styles: Swagger UI is started by an inline script, Redoc injects its styles).
_DOCS_POLICY = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'")


def _same_origin_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = _DOCS_POLICY
    return page


def _publish_schemas(app: FastAPI) -> None:
    """Put the case, decision, explanation, error and batch-line schemas into the OpenAPI components.

    Every component has one meaning: the input's models (the case) keep their names, and an output
    model whose name an input model already has is published under its owner's prefix (the decision's
    `Workflow` — steps and next — is `DecisionWorkflow`, never the case's `Workflow`), its references
    rewritten. A generated client then gets one class per shape (issue 18 item 2)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        template = "#/components/schemas/{model}"
        case = schemas.case_schema(template, law=law_of(app.state))
        for def_name, definition in case.pop("$defs", {}).items():
            components[def_name] = definition
        components["Case"] = case
        inputs = set(components)
        for name, model in (("Decision", schemas.Decision), ("Explanation", schemas.Explanation),
                            ("ErrorBody", schemas.ErrorBody), ("Valid", schemas.Valid)):
            _add_output(components, inputs, name, model.model_json_schema(mode="serialization", ref_template=_OUT))
        components.update(_batch_line_schemas(components))
        for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's own; our 422 is ErrorBody
            components.pop(unused, None)
        if app.state.settings.guarded:
            document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            for path, route in document["paths"].items():
                if path.startswith("/v1/"):
                    for operation in route.values():
                        operation["security"] = [{"bearer": []}]
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the OpenAPI document


_OUT = "#/components/schemas/@out/{model}"   # an output model's reference, before its name is settled
_REF = "#/components/schemas/"


def _add_output(components: dict[str, Any], inputs: set[str], owner: str, schema: dict[str, Any]) -> None:
    """`schema` (an output model, its `$defs` inside) into `components`, renaming every definition
    whose name an input model holds (owner prefix), and checking that a name two outputs share
    means the same thing."""
    definitions = schema.pop("$defs", {})
    names = {name: (owner + name if name in inputs else name) for name in definitions}

    def rename(node: Any) -> Any:
        return _rewrite(node, names)

    for name, definition in definitions.items():
        final, definition = names[name], rename(definition)
        if final in components and components[final] != definition:
            raise RuntimeError(f"two output schemas are both named {final!r}")
        components[final] = definition
    if owner in components:
        raise RuntimeError(f"the output schema {owner!r} would replace an input schema")
    components[owner] = rename(schema)


def _rewrite(node: Any, names: dict[str, str]) -> Any:
    """A JSON Schema node (any JSON value) with its `@out/` references renamed."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(_REF + "@out/"):
                name = value[len(_REF + "@out/"):]
                value = _REF + names.get(name, name)
            out[key] = _rewrite(value, names)
        return out
    if isinstance(node, list):
        return [_rewrite(item, names) for item in node]
    return node


def _batch_line_schemas(components: dict[str, Any]) -> dict[str, Any]:
    """One line of `/v1/batch`'s answer: the decision with its input line number first, or the
    line number and that line's error body."""
    decision = components["Decision"]
    line = {"type": "integer", "minimum": 1, "description": "the line of the request body (1 = first)"}
    answered = {**decision, "title": "landapproval/v1 batch decision",
                "properties": {"line": line, **decision["properties"]},
                "required": ["line", *decision.get("required", [])]}
    failed = {"type": "object", "title": "landapproval/v1 batch error", "additionalProperties": False,
              "properties": {"line": line, "error": {"$ref": _REF + "ErrorBody"}}, "required": ["line", "error"]}
    either = {"title": "landapproval/v1 batch line", "description": "one JSON line of /v1/batch's answer",
              "oneOf": [{"$ref": _REF + "BatchDecision"}, {"$ref": _REF + "BatchError"}]}
    return {"BatchDecision": answered, "BatchError": failed, "BatchLine": either}


__all__ = ["Settings", "create_app", "start"]
