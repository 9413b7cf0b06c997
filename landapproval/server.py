"""The HTTP JSON service: the Python API behind FastAPI, for a case-management system to call.

Why the request body is read by hand instead of declared as a FastAPI/pydantic body: the contract
needs exact decimals (``5.1234`` must never pass through a binary float), YAML as well as JSON,
and the same safe loader as case files (no aliases, no repeated keys, a depth cap). So each route
reads the raw bytes itself, stops reading once the size cap is passed (before anything is parsed),
hands them to `loading.parse_bytes`, and gives the plain data to `api.evaluate` — the same path a
case file takes on the command line, so the HTTP answer is exactly ``Decision.to_dict(lang)``.

Parsing and evaluation run in the thread pool, never on the event loop; the rule engine
(durable_rules has no locking) is serialised by the lock inside `landapproval.engine.Engine`.

Errors are JSON, never a traceback::

    400 invalid_input        the body is not UTF-8 / JSON / YAML (or is nested too deep)
    413 too_large            the body is larger than MAX_BODY_BYTES
    415 unsupported_media    the Content-Type is not JSON or YAML
    422 invalid_input        the case fails the contract (field paths in `problems`), names a
                             boundary file (the server opens no file a request names), or a
                             query parameter is wrong or unknown
    422 calendar_unknown     a deadline falls in a year whose working-day schedule is not known
    500 internal             anything else (logged with its traceback under an `id` shown to the caller)

Run it with ``landapproval serve`` (binds 127.0.0.1:8000 unless told otherwise).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import time
import uuid
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import api, loading, render, rulebook
from .errors import CalendarError, InputError
from .models import Case

MAX_BODY_BYTES = loading.MAX_FILE_BYTES   # the same cap as a case file on disk
DRAIN_MAX_BYTES = 8 * MAX_BODY_BYTES      # a refused body is read and dropped up to this much ...
DRAIN_SECONDS = 5.0                       # ... or this long, so the client can read its 413
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
SOURCE = "request body"

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})
ACCEPTED_TYPES = sorted(JSON_TYPES) + sorted(YAML_TYPES)

log = logging.getLogger("landapproval.server")


# ---------------------------------------------------------------------------------------------
# Error bodies (pydantic models only to describe them in the OpenAPI document)

class Problem(BaseModel):
    path: str
    message: str


class ErrorBody(BaseModel):
    error: str
    message: str
    source: str | None = None
    problems: list[Problem] = []
    id: str | None = None


class ValidBody(BaseModel):
    ok: Literal[True]
    case: str


class _Reject(Exception):
    """Stop handling a request with a JSON error response."""

    def __init__(self, status: int, error: str, message: str, source: str | None = None,
                 problems: list[tuple[str, str]] | None = None, headers: dict | None = None):
        self.status, self.error, self.message = status, error, message
        self.source, self.problems, self.headers = source, problems or [], headers

    def response(self) -> JSONResponse:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.source is not None:
            body["source"] = self.source
        body["problems"] = [{"path": path, "message": message} for path, message in self.problems]
        return _json(body, self.status, headers=self.headers)


def _input_error(status: int, error: InputError) -> _Reject:
    # the API names the as-of date as the CLI spells it; over HTTP it is the query parameter
    problems = [("as_of" if path == "--as-of" else path, message) for path, message in error.problems]
    first = problems[0][1] if problems else "invalid input"
    message = first if len(problems) == 1 else f"{len(problems)} problems in the {error.source}"
    return _Reject(status, "invalid_input", message, error.source, problems)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _json(content: Any, status: int = 200, headers: dict | None = None) -> JSONResponse:
    return _Json(content, status_code=status, headers=headers)


class _Json(JSONResponse):
    """UTF-8 JSON with Chinese left readable; Decimal and dates as text (never a float)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_plain, allow_nan=False,
                          separators=(",", ":")).encode("utf-8")


# ---------------------------------------------------------------------------------------------
# Reading the request

def _media_type(request: Request) -> tuple[bool, str]:
    """(json?, media type) of the body, or _Reject 415."""
    header = request.headers.get("content-type", "")
    media, _, params = header.partition(";")
    media = media.strip().lower()
    if media not in JSON_TYPES and media not in YAML_TYPES:
        shown = f"{media!r} is" if media else "no Content-Type was"
        raise _Reject(415, "unsupported_media_type",
                      f"{shown} not accepted: send the case as {', '.join(ACCEPTED_TYPES)}",
                      headers={"Accept-Post": ", ".join(ACCEPTED_TYPES)})
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise _Reject(415, "unsupported_media_type",
                          f"charset {value.strip()!r} is not accepted: send the case as UTF-8")
    return media in JSON_TYPES, media


def _too_large(size: str) -> _Reject:
    return _Reject(413, "too_large", f"the body is {size} bytes; the limit is {MAX_BODY_BYTES:,}",
                   SOURCE, [("", f"the body is {size} bytes; the limit is {MAX_BODY_BYTES:,}")],
                   headers={"Connection": "close"})


async def _read_body(request: Request) -> bytes:
    """The raw body, refusing (413) as soon as it passes MAX_BODY_BYTES: never buffered whole."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > MAX_BODY_BYTES:
        if int(declared) <= DRAIN_MAX_BYTES:
            await _discard(request.stream())
        raise _too_large(f"{int(declared):,}")
    chunks, size = [], 0
    stream = request.stream()
    async for chunk in stream:
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            await _discard(stream)
            raise _too_large(f"more than {MAX_BODY_BYTES:,}")
        chunks.append(chunk)
    return b"".join(chunks)


async def _discard(stream) -> None:
    """Read and drop what is left of a refused body, within DRAIN_MAX_BYTES and DRAIN_SECONDS.

    Closing a connection whose request is still arriving makes the kernel reset it, and the client
    then loses the 413 it was sent; draining first lets it read why it was refused. Nothing read
    here is kept, and a body beyond either budget is cut off (the connection is closed anyway).
    """
    budget, deadline = DRAIN_MAX_BYTES, time.monotonic() + DRAIN_SECONDS
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
            problems.append((key, f"unknown query parameter ({hint})"))
        elif len(request.query_params.getlist(key)) > 1:
            problems.append((key, "given more than once"))
    if problems:
        raise _Reject(422, "invalid_input", problems[0][1] if len(problems) == 1 else
                      f"{len(problems)} problems in the query string", "query string", problems)


def _as_of(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        if len(value) != 10:
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise _Reject(422, "invalid_input", f"{value!r} is not a date (YYYY-MM-DD)", "query string",
                      [("as_of", f"{value!r} is not a date (YYYY-MM-DD)")]) from None


def _parse(raw: bytes, is_json: bool) -> dict:
    """The body as plain data; only a mapping goes on to the API.

    The check is here, not left to `api.load_case`, because that function reads a *str* as a path:
    a YAML body ``/etc/passwd`` would otherwise make the server open a file of its own.
    """
    try:
        data = loading.parse_bytes(raw, SOURCE, json_first=is_json)
    except InputError as error:
        raise _input_error(400, error) from None
    if not isinstance(data, dict):
        kind = ("a list" if isinstance(data, list) else "empty" if data is None
                else "text" if isinstance(data, str) else type(data).__name__)
        raise _input_error(422, InputError(SOURCE, [
            ("", f"a case is a mapping of fields (schema landapproval/v1), got {kind}")]))
    _refuse_server_files(data)
    return data


def _refuse_server_files(data: dict) -> None:
    """A request may not name files on the server: `parcels[].boundary` is refused (422).

    The API reads a boundary path relative to the case file's folder (for a dict, the working
    directory) or as an absolute path; taken from a request body, that would let any caller make
    the server open its own files and echo what it found in them. Over HTTP a case is evaluated on
    its declared areas; measured geometry needs the CLI (or the API) with the files beside the case.
    """
    parcels = data.get("parcels")
    if not isinstance(parcels, list):
        return
    problems = [(f"parcels[{i}].boundary",
                 "boundary files are not read over HTTP (the server does not open files named in a "
                 "request): remove the field, or evaluate with the CLI where the file sits beside the case")
                for i, parcel in enumerate(parcels)
                if isinstance(parcel, dict) and parcel.get("boundary") is not None]
    if problems:
        raise _input_error(422, InputError(SOURCE, problems))


def _evaluate(raw: bytes, is_json: bool, as_of: dt.date | None, lang: str) -> dict:
    data = _parse(raw, is_json)
    try:
        decision = api.evaluate(data, as_of=as_of, source=SOURCE)
    except InputError as error:
        raise _input_error(422, error) from None
    except CalendarError as error:
        raise _Reject(422, "calendar_unknown", str(error), SOURCE, [("", str(error))]) from None
    except OverflowError as error:
        # date arithmetic past 9999-12-31 (a deadline counted from a date at the end of the range):
        # the input's fault, so a 422 rather than a 500
        message = f"a date in the case is too close to 9999-12-31 to count a deadline from ({error})"
        raise _Reject(422, "invalid_input", message, SOURCE, [("", message)]) from None
    return decision.to_dict(lang)


def _validate(raw: bytes, is_json: bool) -> dict:
    data = _parse(raw, is_json)
    try:
        case = api.validate(data, source=SOURCE)
    except InputError as error:
        raise _input_error(422, error) from None
    return {"ok": True, "case": case.id}


# ---------------------------------------------------------------------------------------------
# Cached documents

@lru_cache(maxsize=1)
def case_schema() -> dict:
    return Case.model_json_schema(by_alias=True)


@lru_cache(maxsize=1)
def rule_list() -> list[dict]:
    # round-trip once so the cached list is plain JSON data that no caller can share by reference
    return json.loads(json.dumps([render.rule_dict(rule) for rule in rulebook.load().rules.values()],
                                 ensure_ascii=False, default=_plain))


def _warm_up() -> None:
    """Compile the rule book and build the engine before the first request (fail at start, not per call)."""
    rulebook.load()
    api.jurisdiction()
    api.engine()
    case_schema()
    rule_list()


# ---------------------------------------------------------------------------------------------
# The application

_BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "One case (landapproval/v1) as JSON or YAML, at most "
                       f"{MAX_BODY_BYTES:,} bytes, UTF-8.",
        "content": {
            **{t: {"schema": {"$ref": "#/components/schemas/Case"}} for t in sorted(JSON_TYPES)},
            **{t: {"schema": {"type": "string", "description": "the case as YAML"}} for t in sorted(YAML_TYPES)},
        },
    }
}

_ERRORS = {
    400: {"model": ErrorBody, "description": "the body is not UTF-8 JSON/YAML"},
    413: {"model": ErrorBody, "description": f"the body is larger than {MAX_BODY_BYTES:,} bytes"},
    415: {"model": ErrorBody, "description": "Content-Type other than " + ", ".join(ACCEPTED_TYPES)},
    422: {"model": ErrorBody, "description": "the case fails validation (field paths in `problems`), "
                                             "a query parameter is wrong, or the working-day calendar "
                                             "of a needed year is unknown"},
    500: {"model": ErrorBody, "description": "an internal error (no traceback; quote `id`)"},
}

_DECISION_DOC = {
    200: {"description": "the decision, exactly `landapproval evaluate --format json`",
          "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}}},
}


def create_app() -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        await run_in_threadpool(_warm_up)
        yield

    app = FastAPI(
        title="landapproval",
        summary="Who approves a Linfen land-use application, and what still blocks it (临政发〔2024〕7号)",
        version=_version(),
        default_response_class=_Json,
        lifespan=lifespan,
    )

    @app.exception_handler(_Reject)
    async def _rejected(request: Request, error: _Reject):
        return error.response()

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, error: RequestValidationError):
        problems = []
        for item in error.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path", "header")]
            problems.append((".".join(loc), item.get("msg", "invalid")))
        return _Reject(422, "invalid_input", problems[0][1] if len(problems) == 1 else
                       f"{len(problems)} problems in the request", "query string", problems).response()

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException):
        name = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return _json({"error": name, "message": str(error.detail), "problems": []}, error.status_code,
                     headers=getattr(error, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, error: Exception):
        ident = uuid.uuid4().hex[:12]
        log.error("internal error %s on %s %s", ident, request.method, request.url.path,
                  exc_info=(type(error), error, error.__traceback__))
        return _json({"error": "internal", "message": f"internal error {ident}; the server log has the details",
                      "problems": [], "id": ident}, 500)

    @app.post("/v1/evaluate", tags=["cases"], openapi_extra=_BODY_DOC,
              responses={**_DECISION_DOC, **_ERRORS})
    async def evaluate(
        request: Request,
        as_of: str | None = Query(None, description="YYYY-MM-DD: the date whose law applies (default: "
                                                    "workflow.decided_on, else filed_on, else today)",
                                  examples=["2024-09-10"]),
        lang: Literal["zh", "en"] = Query("zh", description="language of messages and reasons"),
    ):
        """Evaluate one case: who approves the conversion and the expropriation, and what still blocks it."""
        _query(request, ("as_of", "lang"))
        day = _as_of(as_of)
        is_json, _ = _media_type(request)
        raw = await _read_body(request)
        return await run_in_threadpool(_evaluate, raw, is_json, day, lang)

    @app.post("/v1/validate", tags=["cases"], openapi_extra=_BODY_DOC,
              responses={200: {"model": ValidBody}, **_ERRORS})
    async def validate(request: Request):
        """Check one case against the contract (and its county and zone) without evaluating it."""
        _query(request, ())
        is_json, _ = _media_type(request)
        raw = await _read_body(request)
        return await run_in_threadpool(_validate, raw, is_json)

    @app.get("/v1/schema", tags=["reference"],
             responses={200: {"description": "JSON Schema of the case (landapproval/v1)"}})
    def schema():
        """The case file's JSON Schema, generated from the models (same as `landapproval schema`)."""
        return case_schema()

    @app.get("/v1/rules", tags=["reference"],
             responses={200: {"description": "every rule: id, group, citation, quoted text, reason, when, then"}})
    def rules():
        """Every rule of the rule book (same as `landapproval rules --format json`)."""
        return rule_list()

    @app.get("/healthz", tags=["service"])
    def healthz():
        """Liveness: the rule book is compiled and the engine is built (done at start-up)."""
        return {"status": "ok", "version": app.version}

    _publish_case_schema(app)
    return app


def _publish_case_schema(app: FastAPI) -> None:
    """Put the Case schema (and its $defs) into the OpenAPI components the request bodies refer to."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema:
            return app.openapi_schema
        document = build()
        case = Case.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
        defs = case.pop("$defs", {})
        schemas = document.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in defs.items():
            schemas.setdefault(name, definition)
        schemas["Case"] = case
        app.openapi_schema = document
        return document

    app.openapi = openapi


def _version() -> str:
    try:
        from importlib.metadata import version
        return version("landapproval")
    except Exception:  # pragma: no cover - running from a source tree that is not installed
        return "0"


app = create_app()


def run(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, *, log_level: str = "info",
        access_log: bool = True) -> None:
    """Serve until interrupted (Ctrl-C)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=access_log)
