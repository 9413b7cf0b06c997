"""The HTTP JSON service: the Python API behind FastAPI, for a case-management system to call.

Why the request body is read by hand instead of declared as a FastAPI/pydantic body: the contract
needs exact decimals (``5.1234`` must never pass through a binary float), YAML as well as JSON,
and the same safe loader as case files (no aliases, no repeated keys, a depth cap). So each route
reads the raw bytes itself, stops reading once the size cap is passed (before anything is parsed),
hands them to `api.read_case_text` and the plain data to `api.evaluate` — the same path a case file
takes on the command line, so the HTTP answer is exactly ``Decision.to_dict(lang)``, encoded once
with orjson (FastAPI's jsonable_encoder never walks a decision).

Parsing and evaluation run in a thread pool, never on the event loop; the rule engine
(durable_rules has no locking) is serialised by the lock inside `landapproval.engine.Engine`.

Around every request (`_Guard`, plain ASGI): a request id (the client's X-Request-ID, or a new
one), the package version and the rule-book fingerprint as headers, optional bearer-token auth,
a limit on requests in flight (503 beyond it), Content-Encoding refused (415), and one structured
access-log line. Slow clients are bounded: headers must arrive within HEADER_TIMEOUT (`protocol`),
the body within the body timeout (408).

Errors are JSON (`schemas.ErrorBody`), never a traceback::

    400 invalid_input          the body is not UTF-8 / JSON / YAML (or is nested too deep)
    401 unauthorized           a token is configured and the request does not carry it
    408 request_timeout        the body did not arrive within the body timeout
    413 too_large              the body is larger than MAX_BODY_BYTES
    415 unsupported_media_type the Content-Type is not JSON or YAML, or a Content-Encoding is set
    422 invalid_input          the case fails the contract (field paths in `problems`), names a
                               boundary file (the server opens no file a request names), or a
                               query parameter is wrong or unknown
    422 calendar_unknown       kept for clients; evaluation no longer raises it (a year without a working-day
                               schedule is a finding on the deadline it affects, issue 12 item 14)
    503 overloaded             more requests in flight than the concurrency limit
    500 internal               anything else (logged with its traceback under an `id` shown to the caller)

Run it with ``landapproval serve`` (binds 127.0.0.1:8000 unless told otherwise).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import json
import logging
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect

from landapproval import api
from landapproval.core import reader as loading
from landapproval.views import text as render, schemas
from landapproval.law import rulebook
from landapproval.serve import web
from landapproval.core.errors import CalendarError, InputError

MAX_BODY_BYTES = loading.MAX_FILE_BYTES   # the same cap as a case file on disk
MAX_BATCH_BYTES = 16 * MAX_BODY_BYTES     # JSON lines: each line at most MAX_BODY_BYTES
DRAIN_MAX_BYTES = 8 * MAX_BODY_BYTES      # a refused body is read and dropped up to this much ...
DRAIN_SECONDS = 5.0                       # ... or this long, so the client can read its 413
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SOURCE = "request body"
STATIC = Path(__file__).resolve().parent / "static"

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})
JSONL_TYPES = frozenset({"application/jsonl", "application/x-ndjson", "application/json-lines"})
ACCEPTED_TYPES = sorted(JSON_TYPES) + sorted(YAML_TYPES)
OPEN_PATHS = ("/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/static/")  # no token needed
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")

log = logging.getLogger("landapproval.serve.app")
access_log = logging.getLogger("landapproval.access")


@dataclass(frozen=True)
class Settings:
    """How one server process behaves; `serve` passes it to every worker through the environment."""

    token: str | None = None            # bearer token required on /v1/* (None: no auth, loopback)
    max_in_flight: int = 64             # requests being handled at once; beyond: 503
    body_timeout: float = 10.0          # seconds for the whole body to arrive; beyond: 408
    header_timeout: float = 10.0        # seconds for the request line and headers (see `protocol`)
    access_log: bool = False            # one JSON line per request on the landapproval.access logger
    threads: int = 4                    # evaluations run side by side (the engine itself is serialised)
    layers: str | None = None           # a layers file opened once (geometry over HTTP; see /readyz)

    ENV = "LANDAPPROVAL_SERVE_SETTINGS"

    def to_env(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get(cls.ENV)
        return cls(**json.loads(raw)) if raw else cls()


# ---------------------------------------------------------------------------------------------
# Error bodies

class _Reject(Exception):
    """Stop handling a request with a JSON error response."""

    def __init__(self, status: int, error: str, message: str, source: str | None = None,
                 problems: list[dict] | None = None, headers: dict | None = None, more: int | None = None):
        self.status, self.error, self.message = status, error, message
        self.source, self.problems, self.headers, self.more = source, problems or [], headers, more

    def body(self, request_id: str | None = None) -> dict:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.source is not None:
            body["source"] = self.source
        body["problems"] = self.problems
        if self.more:
            body["more_problems"] = self.more
        if request_id:
            body["request_id"] = request_id
        return body

    def response(self, request_id: str | None = None) -> Response:
        return _json(self.body(request_id), self.status, headers=self.headers)


def _problem(path: str, message: str, suggestions: list[str] | None = None) -> dict:
    out = {"path": path, "message": message}
    if suggestions:
        out["suggestions"] = list(suggestions)
    return out


def _input_error(status: int, error: InputError, lang: str = "zh") -> _Reject:
    """An InputError as a 4xx body. The error may carry (path, message) pairs or richer problems
    (messages in zh and en with suggestions, and a count of problems beyond those listed)."""
    # the API names the as-of date as the CLI spells it; over HTTP it is the query parameter
    problems = [_problem("as_of" if p.path == "--as-of" else p.path, p.message(lang), list(p.suggestions))
                for p in error.problems]
    total = error.count()
    first = problems[0]["message"] if problems else "invalid input"
    message = first if total == 1 else (f"{error.source} 有 {total:,} 项问题" if lang == "zh"
                                        else f"{total:,} problems in the {error.source}")
    return _Reject(status, "invalid_input", message, error.source, problems, more=error.more or None)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _encode(content: Any) -> bytes:
    """UTF-8 JSON with Chinese left readable; Decimal as text (never a float), dates ISO."""
    return orjson.dumps(content, default=_plain)


def _json(content: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(_encode(content), status_code=status, headers=headers, media_type="application/json")


class _Json(JSONResponse):
    """The default response class: plain data encoded once with orjson."""

    def render(self, content: Any) -> bytes:
        return _encode(content)


def _request_id(request: Request) -> str | None:
    return request.scope.get("state", {}).get("request_id")


# ---------------------------------------------------------------------------------------------
# Reading the request

def _media_type(request: Request, accepted: frozenset | None = None) -> str:
    """The body's media type, or _Reject 415."""
    header = request.headers.get("content-type", "")
    media, _, params = header.partition(";")
    media = media.strip().lower()
    allowed = accepted or (JSON_TYPES | YAML_TYPES)
    if media not in allowed:
        shown = f"{media!r} is" if media else "no Content-Type was"
        names = ", ".join(sorted(allowed))
        raise _Reject(415, "unsupported_media_type", f"{shown} not accepted: send {names}",
                      headers={"Accept-Post": names})
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise _Reject(415, "unsupported_media_type",
                          f"charset {value.strip()!r} is not accepted: send the case as UTF-8")
    return media


def _too_large(size: str, limit: int) -> _Reject:
    message = f"the body is {size} bytes; the limit is {limit:,}"
    return _Reject(413, "too_large", message, SOURCE, [_problem("", message)], headers={"Connection": "close"})


async def _read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refusing (413) as soon as it passes `limit` (never buffered whole), within the
    body timeout (408); a client that goes away is logged as one info line (`_Disconnected`)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        if int(declared) <= DRAIN_MAX_BYTES:
            await _discard(request.stream())
        raise _too_large(f"{int(declared):,}", limit)
    chunks, size = [], 0
    stream = request.stream()
    timeout = request.app.state.settings.body_timeout
    try:
        async with asyncio.timeout(timeout):
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    await _discard(stream)
                    raise _too_large(f"more than {limit:,}", limit)
                chunks.append(chunk)
    except TimeoutError:
        message = f"the body did not arrive within {timeout:g} s ({size:,} bytes received)"
        raise _Reject(408, "request_timeout", message, SOURCE, [_problem("", message)],
                      headers={"Connection": "close"}) from None
    except ClientDisconnect:
        raise _Disconnected(size) from None
    return b"".join(chunks)


class _Disconnected(Exception):
    """The client closed the connection before its body arrived: nothing to answer, nothing broken."""

    def __init__(self, received: int):
        self.received = received


async def _discard(stream) -> None:
    """Read and drop what is left of a refused body, within DRAIN_MAX_BYTES and DRAIN_SECONDS.

    Closing a connection whose request is still arriving makes the kernel reset it, and the client
    then loses the 413 it was sent; draining first lets it read why it was refused. Nothing read
    here is kept, and a body beyond either budget is cut off (the connection is closed anyway).
    """
    budget, deadline = DRAIN_MAX_BYTES, time.monotonic() + DRAIN_SECONDS
    with contextlib.suppress(ClientDisconnect, TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for chunk in stream:
                budget -= len(chunk)
                if budget < 0 or time.monotonic() > deadline:
                    break


def _query(request: Request, allowed: tuple[str, ...]) -> None:
    """Unknown or repeated query parameters are an error: a typo must not change a decision."""
    problems = []
    for key in dict.fromkeys(request.query_params.keys()):
        if key not in allowed:
            hint = f"accepted: {', '.join(allowed)}" if allowed else "this route takes none"
            problems.append(_problem(key, f"unknown query parameter ({hint})"))
        elif len(request.query_params.getlist(key)) > 1:
            problems.append(_problem(key, "given more than once"))
    if problems:
        raise _Reject(422, "invalid_input", problems[0]["message"] if len(problems) == 1 else
                      f"{len(problems)} problems in the query string", "query string", problems)


def _case_query(request: Request) -> tuple[dt.date | None, str]:
    """as_of and lang, read by hand (FastAPI's parameter machinery costs as much per request as
    parsing the body; _CASE_QUERY documents them in OpenAPI)."""
    _query(request, ("as_of", "lang"))
    lang = request.query_params.get("lang", "zh")
    if lang not in ("zh", "en"):
        message = f"{lang!r} is not a language of this service: zh or en"
        raise _Reject(422, "invalid_input", message, "query string", [_problem("lang", message)])
    return _as_of(request.query_params.get("as_of")), lang


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date (YYYY-MM-DD)"
        raise _Reject(422, "invalid_input", message, "query string", [_problem("as_of", message)]) from None


def _parse(raw: bytes, media: str, source: str = SOURCE, lang: str = "zh") -> dict:
    """The body as plain data (400 if unreadable, 422 if not a case mapping or naming a file)."""
    try:
        data = loading.parse_bytes(raw, source, json_first=media in JSON_TYPES)
    except InputError as error:
        raise _input_error(400, error, lang) from None
    try:  # the mapping and boundary-path checks of api.read_case_text, on the data parsed once
        return api.case_mapping(data, source)
    except InputError as error:
        raise _input_error(422, error, lang) from None


def _decide(data: dict, as_of: dt.date | None, source: str = SOURCE, lang: str = "zh", layers=None):
    try:  # layers: the set `serve --layers` opened once (app.state.layers); boundaries come inline
        return api.evaluate(data, as_of=as_of, source=source, layers=layers)
    except InputError as error:
        raise _input_error(422, error, lang) from None
    except CalendarError as error:
        raise _Reject(422, "calendar_unknown", str(error), source, [_problem("", str(error))]) from None
    except OverflowError as error:
        # date arithmetic past 9999-12-31 (a deadline counted from a date at the end of the range):
        # the input's fault, so a 422 rather than a 500
        message = f"a date in the case is too close to 9999-12-31 to count a deadline from ({error})"
        raise _Reject(422, "invalid_input", message, source, [_problem("", message)]) from None


def _evaluate(raw: bytes, media: str, as_of: dt.date | None, lang: str, layers=None) -> bytes:
    return _decide(_parse(raw, media, lang=lang), as_of, lang=lang, layers=layers).to_json_bytes(lang)


def _explain(raw: bytes, media: str, as_of: dt.date | None, lang: str, layers=None) -> bytes:
    from landapproval.views.explain import trail_data

    return _encode(trail_data(_decide(_parse(raw, media, lang=lang), as_of, lang=lang, layers=layers), lang))


def _validate(raw: bytes, media: str) -> bytes:
    data = _parse(raw, media)
    try:
        case = api.validate(data, source=SOURCE)
    except InputError as error:
        raise _input_error(422, error) from None
    return _encode({"ok": True, "case": case.id})


def _batch_line(number: int, line: bytes, as_of: dt.date | None, lang: str, layers=None) -> bytes:
    """One JSON line of a batch: `{"line": n, ...decision}` or `{"line": n, "error": {...}}`.
    Nothing here may stop the batch: every failure becomes that line's error."""
    source = f"line {number}"
    try:
        decision = _decide(_parse(line, "application/json", source, lang), as_of, source, lang, layers)
        return b'{"line":%d,' % number + decision.to_json_bytes(lang)[1:] + b"\n"
    except _Reject as error:
        return _encode({"line": number, "error": error.body()}) + b"\n"
    except Exception as error:  # a defect on one case must not cost the others their answers
        ident = uuid.uuid4().hex[:12]
        log.error("internal error %s on batch %s", ident, source, exc_info=error)
        body = {"error": "internal", "message": f"internal error {ident}; the server log has the details",
                "problems": [], "id": ident}
        return _encode({"line": number, "error": body}) + b"\n"


# ---------------------------------------------------------------------------------------------
# Cached documents

@lru_cache(maxsize=1)
def case_schema() -> dict:
    return schemas.case_schema()


@lru_cache(maxsize=1)
def rule_list() -> bytes:
    return _encode([render.rule_dict(rule) for rule in rulebook.current().rules.values()])


def open_layers(path: str):
    """The layer set of a layers file (geometry over HTTP: the cases' boundaries come inline)."""
    from landapproval.decision.mapfacts import layer_set_of

    return layer_set_of(path)


def _warm_up() -> None:
    """Compile the rule book and build the engine before the first request (fail at start, not per call)."""
    rulebook.load()
    rulebook.fingerprint()
    api.jurisdiction()
    api.engine()
    case_schema()
    rule_list()


# ---------------------------------------------------------------------------------------------
# Around every request: request id, audit headers, auth, concurrency limit, access log

class _Guard:
    """Plain ASGI middleware (Starlette's BaseHTTPMiddleware would add a task per request)."""

    def __init__(self, app, settings: Settings):
        self.app, self.settings = app, settings
        self.in_flight = 0
        self.audit: list[tuple[bytes, bytes]] = []      # filled on the first request (the rule book is compiled by then)
        self.token = settings.token.encode() if settings.token else None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        request_id = authorization = encoding = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value
            elif name == b"content-encoding":
                encoding = value.decode("latin-1").strip().lower()
        if request_id is None or not _REQUEST_ID.fullmatch(request_id):
            request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        if not self.audit:
            self.audit = [(b"x-landapproval-version", rulebook.package_version().encode()),
                          (b"x-rules-sha256", rulebook.fingerprint().encode())]
        extra = [(b"x-request-id", request_id.encode()), *self.audit]
        outcome = {"status": 0, "bytes": 0}

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        path = scope["path"]
        guarded = not (path.startswith(OPEN_PATHS) or path in web.PUBLIC_PATHS)  # the page, not its data
        try:
            refusal = self._refusal(path, guarded, authorization, encoding)
            if refusal is not None:
                await refusal.response(request_id)(scope, receive, send_with_headers)
            elif guarded and self.in_flight >= self.settings.max_in_flight:
                await _Reject(503, "overloaded", f"more than {self.settings.max_in_flight} requests in flight; "
                              "retry shortly", headers={"Retry-After": "1"}).response(request_id)(
                    scope, receive, send_with_headers)
            else:
                self.in_flight += 1
                try:
                    await self.app(scope, receive, send_with_headers)
                finally:
                    self.in_flight -= 1
        except ClientDisconnect:
            log.info("client went away during %s %s (request %s)", scope["method"], path, request_id)
        except Exception as error:  # answered here, so that nothing re-raises it to the server's log
            ident = uuid.uuid4().hex[:12]
            log.error("internal error %s on %s %s (request %s)", ident, scope["method"], path, request_id,
                      exc_info=(type(error), error, error.__traceback__))
            if outcome["status"] == 0:
                body = {"error": "internal", "message": f"internal error {ident}; the server log has the details",
                        "problems": [], "id": ident, "request_id": request_id}
                await _json(body, 500)(scope, receive, send_with_headers)
        finally:
            if self.settings.access_log:
                client = scope.get("client")
                access_log.info(orjson.dumps({
                    "ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                    "request_id": request_id, "method": scope["method"], "path": path,
                    "query": scope.get("query_string", b"").decode("latin-1"), "status": outcome["status"],
                    "ms": round((time.perf_counter() - started) * 1e3, 2), "bytes": outcome["bytes"],
                    "client": f"{client[0]}:{client[1]}" if client else None}).decode())

    def _refusal(self, path: str, guarded: bool, authorization: bytes | None, encoding: str | None) -> _Reject | None:
        if guarded and self.token is not None:
            scheme, _, given = (authorization or b"").partition(b" ")
            if scheme.lower() != b"bearer" or not hmac.compare_digest(given.strip(), self.token):
                return _Reject(401, "unauthorized", "this server needs `Authorization: Bearer <token>`"
                               if authorization is None else "the bearer token is not accepted",
                               headers={"WWW-Authenticate": 'Bearer realm="landapproval"'})
        if encoding not in (None, "", "identity"):
            return _Reject(415, "unsupported_media_type",
                           f"Content-Encoding {encoding!r} is not accepted: send the body uncompressed",
                           headers={"Accept-Encoding": "identity"})
        return None


# ---------------------------------------------------------------------------------------------
# The application

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "One case (landapproval/v1) as JSON or YAML, at most "
                       f"{MAX_BODY_BYTES:,} bytes, UTF-8, not compressed.",
        "content": {
            **{t: {"schema": {"$ref": "#/components/schemas/Case"}} for t in sorted(JSON_TYPES)},
            **{t: {"schema": {"type": "string", "description": "the case as YAML"}} for t in sorted(YAML_TYPES)},
        },
    }
}

_BATCH_DOC = {
    "requestBody": {
        "required": True,
        "description": "JSON lines: one case (landapproval/v1, JSON) per line; blank lines are skipped. "
                       f"At most {MAX_BODY_BYTES:,} bytes a line and {MAX_BATCH_BYTES:,} in all.",
        "content": {t: {"schema": {"type": "string"}} for t in sorted(JSONL_TYPES)},
    }
}

_CASE_QUERY = {"parameters": [
    {"name": "as_of", "in": "query", "required": False, "example": "2024-09-10",
     "description": "YYYY-MM-DD: the date whose law applies (default: workflow.decided_on, else filed_on, else today)",
     "schema": {"type": "string", "format": "date"}},
    {"name": "lang", "in": "query", "required": False,
     "description": "language of messages and reasons", "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"}},
]}

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
_AUDIT_HEADERS = {
    "X-Request-ID": {"description": "the client's X-Request-ID, or one made for this request",
                     "schema": {"type": "string"}},
    "X-Landapproval-Version": {"description": "the package version that answered", "schema": {"type": "string"}},
    "X-Rules-SHA256": {"description": "sha256 fingerprint of the rule book applied", "schema": {"type": "string"}},
}


def _error(description: str) -> dict:
    return {"description": description, "content": _ERROR, "headers": _AUDIT_HEADERS}


_ERRORS = {
    400: _error("the body is not UTF-8 JSON/YAML"),
    401: _error("a token is configured and the request lacks it (Authorization: Bearer …)"),
    408: _error("the body did not arrive within the body timeout"),
    413: _error(f"the body is larger than {MAX_BODY_BYTES:,} bytes"),
    415: _error("Content-Type other than " + ", ".join(ACCEPTED_TYPES) + ", or a Content-Encoding"),
    422: _error("the case fails validation (field paths in `problems`), a query parameter is wrong, "
                "or the working-day calendar of a needed year is unknown"),
    500: _error("an internal error (no traceback; quote `id`)"),
    503: _error("more requests in flight than the server's limit; retry after the Retry-After seconds"),
}


def _ok(schema: str, description: str, media: str = "application/json") -> dict:
    return {200: {"description": description, "headers": _AUDIT_HEADERS,
                  "content": {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pool = ThreadPoolExecutor(settings.threads, thread_name_prefix="landapproval")
        await asyncio.get_running_loop().run_in_executor(app.state.pool, _warm_up)
        if settings.layers:  # opened once, shared by every request (read-only)
            app.state.layers = await asyncio.get_running_loop().run_in_executor(
                app.state.pool, open_layers, settings.layers)
        app.state.ready = True
        yield
        app.state.pool.shutdown(wait=False)
        app.state.ready = False

    app = FastAPI(
        title="landapproval",
        summary="Who approves a Linfen land-use application, and what still blocks it (临政发〔2024〕7号)",
        version=rulebook.package_version(),
        default_response_class=_Json,
        lifespan=lifespan,
        # FastAPI's own OpenTelemetry hooks cost per request; a deployment that traces adds its own
        telemetry={"tracing": False, "metrics": False, "logs": False, "operation_spans": False},
        docs_url=None, redoc_url=None,  # served below from local files, never from a CDN
    )
    app.state.settings = settings
    app.state.ready = False           # set once the rule book is compiled and the engine built
    app.state.layers = None           # a layer set, once opened (`serve --layers`); /readyz reports it
    app.state.pool = None             # the evaluations' threads, made at each start-up

    async def off_loop(function, *args):
        return await asyncio.get_running_loop().run_in_executor(app.state.pool, function, *args)

    @app.exception_handler(_Reject)
    async def _rejected(request: Request, error: _Reject):
        return error.response(_request_id(request))

    @app.exception_handler(_Disconnected)
    async def _gone(request: Request, error: _Disconnected):
        log.info("client went away before its body arrived (%s %s, %s bytes received, request %s)",
                 request.method, request.url.path, f"{error.received:,}", _request_id(request))
        return Response(status_code=400)  # never sent: the connection is gone

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, error: RequestValidationError):
        problems = []
        for item in error.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path", "header")]
            problems.append(_problem(".".join(loc), item.get("msg", "invalid")))
        return _Reject(422, "invalid_input", problems[0]["message"] if len(problems) == 1 else
                       f"{len(problems)} problems in the request", "query string", problems
                       ).response(_request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException):
        name = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return _Reject(error.status_code, name, str(error.detail),
                       headers=getattr(error, "headers", None)).response(_request_id(request))

    @app.post("/v1/evaluate", response_model=None, tags=["cases"], openapi_extra={**_BODY_DOC, **_CASE_QUERY},
              responses={**_ok("Decision", "the decision, exactly `landapproval evaluate --format json`"),
                         **_ERRORS})
    async def evaluate(request: Request) -> Response:
        """Evaluate one case: who approves the conversion and the expropriation, and what still blocks it."""
        day, lang = _case_query(request)
        media = _media_type(request)
        raw = await _read_body(request)
        body = await off_loop(_evaluate, raw, media, day, lang, app.state.layers)
        return Response(body, media_type="application/json")

    @app.post("/v1/explain", response_model=None, tags=["cases"], openapi_extra={**_BODY_DOC, **_CASE_QUERY},
              responses={**_ok("Explanation", "the trail: facts, rules fired in order, why not the others"),
                         **_ERRORS})
    async def explain(request: Request) -> Response:
        """The whole trail of one decision as JSON (same as `landapproval explain`)."""
        day, lang = _case_query(request)
        media = _media_type(request)
        raw = await _read_body(request)
        return Response(await off_loop(_explain, raw, media, day, lang, app.state.layers),
                        media_type="application/json")

    @app.post("/v1/batch", response_model=None, tags=["cases"], openapi_extra={**_BATCH_DOC, **_CASE_QUERY},
              responses={200: {"description": "JSON lines, one per input line in order: "
                                              "`{\"line\": n, …decision}` or `{\"line\": n, \"error\": ErrorBody}`",
                               "headers": _AUDIT_HEADERS,
                               "content": {"application/jsonl": {"schema": {"type": "string"}}}},
                         **_ERRORS})
    async def batch(request: Request) -> StreamingResponse:
        """Evaluate many cases (JSON lines in); each answer is streamed out as soon as it is decided,
        and a bad line gets its own error line without stopping the others."""
        day, lang = _case_query(request)
        _media_type(request, JSONL_TYPES)
        raw = await _read_body(request, MAX_BATCH_BYTES)
        lines = [(number, line) for number, line in enumerate(raw.split(b"\n"), 1) if line.strip()]

        async def answers():
            for number, line in lines:
                if len(line) > MAX_BODY_BYTES:
                    message = f"the line is {len(line):,} bytes; the limit is {MAX_BODY_BYTES:,}"
                    yield _encode({"line": number, "error": _Reject(
                        413, "too_large", message, f"line {number}", [_problem("", message)]).body()}) + b"\n"
                    continue
                yield await off_loop(_batch_line, number, line, day, lang, app.state.layers)

        return StreamingResponse(answers(), media_type="application/jsonl")

    @app.post("/v1/validate", response_model=None, tags=["cases"], openapi_extra=_BODY_DOC,
              responses={**_ok("Valid", "the case meets the contract"), **_ERRORS})
    async def validate(request: Request) -> Response:
        """Check one case against the contract (and its county and zone) without evaluating it."""
        _query(request, ())
        media = _media_type(request)
        raw = await _read_body(request)
        return Response(await off_loop(_validate, raw, media), media_type="application/json")

    @app.get("/v1/schema", tags=["reference"],
             responses={200: {"description": "JSON Schema of the case (landapproval/v1)"}})
    def schema():
        """The case file's JSON Schema, generated from the models (same as `landapproval schema`)."""
        return case_schema()

    @app.get("/v1/schema/decision", tags=["reference"],
             responses={200: {"description": "JSON Schema of the decision"}})
    def decision_schema():
        """The decision's JSON Schema (same as `landapproval schema --decision`)."""
        return schemas.decision_schema()

    @app.get("/v1/rules", response_model=None, tags=["reference"],
             responses={200: {"description": "every rule: id, group, citation, quoted text, reason, when, then"}})
    def rules() -> Response:
        """Every rule of the rule book (same as `landapproval rules --format json`)."""
        return Response(rule_list(), media_type="application/json")

    @app.get("/healthz", tags=["service"])
    def healthz():
        """Liveness: the process answers (it may still be compiling the rule book; see /readyz)."""
        return {"status": "ok", "version": app.version}

    @app.get("/readyz", response_model=None, tags=["service"], responses={503: {"description": "not ready yet"}})
    def readyz() -> Response:
        """Readiness: the rule book is compiled and the engine built (and the layers open, when given)."""
        layers_ok = settings.layers is None or app.state.layers is not None
        ready = bool(app.state.ready) and layers_ok
        body = {"status": "ready" if ready else "starting", "version": app.version,
                "rules_sha256": rulebook.fingerprint(), "rules_compiled": bool(app.state.ready),
                "layers": None if settings.layers is None else ("open" if app.state.layers is not None else "closed")}
        return _json(body, 200 if ready else 503)

    from landapproval.serve.web import router as workbench  # the officials' page at / (landapproval/web)

    app.include_router(workbench)
    _mount_docs(app)
    _publish_schemas(app)
    app.add_middleware(_Guard, settings=settings)
    return app


def _mount_docs(app: FastAPI) -> None:
    """/docs (Swagger UI) and /redoc from files shipped in landapproval/static: the pages load
    nothing from the network, so they work on an isolated network (see static/README.md)."""
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
    """Put the case, decision, explanation and error schemas into the OpenAPI components."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        components = document.setdefault("components", {}).setdefault("schemas", {})
        template = "#/components/schemas/{model}"
        for name, schema in (("Case", schemas.case_schema(template)),
                             ("Decision", schemas.Decision.model_json_schema(mode="serialization", ref_template=template)),
                             ("Explanation", schemas.Explanation.model_json_schema(mode="serialization", ref_template=template)),
                             ("ErrorBody", schemas.ErrorBody.model_json_schema(mode="serialization", ref_template=template)),
                             ("Valid", schemas.Valid.model_json_schema(mode="serialization", ref_template=template))):
            for def_name, definition in schema.pop("$defs", {}).items():
                components.setdefault(def_name, definition)
            components[name] = schema
        for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's own; our 422 is ErrorBody
            components.pop(unused, None)
        if app.state.settings.token:
            document["components"]["securitySchemes"] = {"bearer": {"type": "http", "scheme": "bearer"}}
            for path, route in document["paths"].items():
                if path.startswith("/v1/"):
                    for operation in route.values():
                        operation["security"] = [{"bearer": []}]
        app.openapi_schema = document
        return document

    app.openapi = openapi


# ---------------------------------------------------------------------------------------------
# Serving

app = create_app()


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, workers: int = 1, log_level: str = "info",
        settings: Settings | None = None, limit_connections: int = 1000) -> None:
    """Serve until interrupted (Ctrl-C). With workers > 1, each is a process with its own engine."""
    from landapproval.serve import protocol

    protocol.serve(host, port, workers=workers, log_level=log_level, settings=settings or Settings(),
                   limit_connections=limit_connections)
