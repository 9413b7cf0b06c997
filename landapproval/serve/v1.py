"""The JSON API under /v1: the Python API behind HTTP, for a case-management system to call.

Each route reads its raw body (`body.read_body`, capped and timed), then parses and evaluates it in
the application's thread pool with the application's one `Law` — the same path a case file takes on
the command line, so the answer is exactly ``Decision.to_dict(lang)`` (as ``to_json_bytes``).

Errors (`errors.Reject`, the body `views.schemas.ErrorBody`)::

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
    503 overloaded             more requests in flight than the concurrency limit (after a short queue)
    503 unavailable            a layer source (PostGIS) is down or did not answer within its timeout;
                               the problem names the layer, Retry-After says when to try again
    500 internal               anything else (logged with its traceback under an `id` shown to the caller)
"""

from __future__ import annotations

import datetime as dt
from typing import Any, AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import State

from landapproval import api
from landapproval.core.jsonout import dumps
from landapproval.decision.model import Decision
from landapproval.intake.validation import case_mapping
from landapproval.law import Law
from landapproval.serve import body
from landapproval.serve.body import ACCEPTED_TYPES, JSON_TYPES, JSONL_TYPES, MAX_BODY_BYTES, SOURCE, YAML_TYPES
from landapproval.serve.metrics import Metrics
from landapproval.serve.errors import JsonResponse, Reject, internal, problem, rejected
from landapproval.serve.runtime import QUICK_BODY_BYTES, law_of, reads_maps, request_id, with_law
from landapproval.views import schemas
from landapproval.views import text as views_text

MAX_BATCH_BYTES = 16 * MAX_BODY_BYTES     # JSON lines: each line at most MAX_BODY_BYTES

router = APIRouter(default_response_class=JsonResponse)


class NdjsonResponse(StreamingResponse):
    """JSON Lines, one object per line (`/v1/batch`)."""

    media_type = "application/x-ndjson"



# ---------------------------------------------------------------------------------------------
# The query string

def _query(request: Request, allowed: tuple[str, ...]) -> None:
    """Unknown or repeated query parameters are an error: a typo must not change a decision."""
    problems = []
    for key in dict.fromkeys(request.query_params.keys()):
        if key not in allowed:
            hint = f"accepted: {', '.join(allowed)}" if allowed else "this route takes none"
            problems.append(problem(key, f"unknown query parameter ({hint})"))
        elif len(request.query_params.getlist(key)) > 1:
            problems.append(problem(key, "given more than once"))
    if problems:
        raise Reject(422, "invalid_input", problems[0]["message"] if len(problems) == 1 else
                     f"{len(problems)} problems in the query string", "query string", problems)


def _case_query(request: Request) -> tuple[dt.date | None, str]:
    """as_of and lang, read by hand (FastAPI's parameter machinery costs as much per request as
    parsing the body; _CASE_QUERY documents them in OpenAPI)."""
    _query(request, ("as_of", "lang"))
    lang = request.query_params.get("lang", "zh")
    if lang not in ("zh", "en"):
        message = f"{lang!r} is not a language of this service: zh or en"
        raise Reject(422, "invalid_input", message, "query string", [problem("lang", message)])
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
        raise Reject(422, "invalid_input", message, "query string", [problem("as_of", message)]) from None


# ---------------------------------------------------------------------------------------------
# The work, in the thread pool

def _case(raw: bytes, media: str, source: str = SOURCE, lang: str = "zh") -> dict[str, Any]:
    """The body as a case mapping (400 if unreadable, 422 if not a mapping or naming a file)."""
    data = body.parse(raw, source, lang, json_first=media in JSON_TYPES)
    with rejected(lang, source):  # the mapping and boundary-path checks of api.read_case_text
        return case_mapping(data, source)


# `layers` (here and below): None or the layer set `serve --layers` opened, as `api.evaluate` takes it (Any there)
def _decide(law: Law, data: dict[str, Any], as_of: dt.date | None, source: str = SOURCE, lang: str = "zh",
            layers: Any = None) -> Decision:
    with rejected(lang, source):  # layers: the set `serve --layers` opened once; boundaries come inline
        return api.evaluate(data, as_of=as_of, source=source, layers=layers, law=law)


def _evaluate(law: Law, raw: bytes, media: str, as_of: dt.date | None, lang: str, layers: Any = None,
              metrics: Metrics | None = None,
              request_id: str | None = None) -> bytes:
    decision = _decide(law, _case(raw, media, lang=lang), as_of, lang=lang, layers=layers)
    if metrics is not None:
        metrics.decided(decision)
    return _answer(decision, lang, request_id)


def _answer(decision: Decision, lang: str, request_id: str | None) -> bytes:
    """The decision as JSON, the request's id in its audit block (`law`: version, rules fingerprint,
    request id), so a stored answer names the exchange the logs and headers name."""
    if request_id is None:
        return decision.to_json_bytes(lang)
    data = decision.to_dict(lang)
    data["law"] = {**data["law"], "request_id": request_id}
    return dumps(data)


def _explain(law: Law, raw: bytes, media: str, as_of: dt.date | None, lang: str, layers: Any = None) -> bytes:
    from landapproval.views.explain import trail_data

    decision = _decide(law, _case(raw, media, lang=lang), as_of, lang=lang, layers=layers)
    return dumps(trail_data(decision, lang, law=law))


def _validate(law: Law, raw: bytes, media: str) -> bytes:
    data = _case(raw, media)
    with rejected():
        case = api.validate(data, source=SOURCE, law=law)
    return dumps({"ok": True, "case": case.id})


def _batch_line(law: Law, number: int, line: bytes, as_of: dt.date | None, lang: str, layers: Any = None,
                metrics: Metrics | None = None, request_id: str | None = None) -> bytes:
    """One JSON line of a batch: `{"line": n, ...decision}` or `{"line": n, "error": {...}}`.
    Nothing here may stop the batch: every failure becomes that line's error."""
    source = f"line {number}"
    try:
        if len(line) > MAX_BODY_BYTES:
            message = f"the line is {len(line):,} bytes; the limit is {MAX_BODY_BYTES:,}"
            raise Reject(413, "too_large", message, source, [problem("", message)])
        decision = _decide(law, _case(line, "application/json", source, lang), as_of, source, lang, layers)
        if metrics is not None:
            metrics.decided(decision)
        return b'{"line":%d,' % number + _answer(decision, lang, request_id)[1:] + b"\n"
    except Reject as error:
        if metrics is not None and error.error == "unavailable":
            metrics.layer_failed(error.problems[0]["path"] if error.problems else "")
        return dumps({"line": number, "error": error.body()}) + b"\n"
    except Exception as error:  # a defect on one case must not cost the others their answers
        return dumps({"line": number, "error": internal(error, f"batch {source}").body()}) + b"\n"


# ---------------------------------------------------------------------------------------------
# Documents made once per application (warm: at start-up)

def case_schema(state: State) -> dict[str, Any]:
    """The case file's JSON Schema, with the counties of this application's law."""
    schema: dict[str, Any] | None = state.cache.get("case schema")
    if schema is None:
        schema = state.cache["case schema"] = schemas.case_schema(law=law_of(state))
    return schema


def rule_list(state: State, day: dt.date | None = None) -> bytes:
    """Every rule as data, its texts naming the values in force today (made again when the day changes)."""
    day = day or dt.date.today()
    made: tuple[dt.date, bytes] | None = state.cache.get("rules")
    if made is None or made[0] != day:
        book = law_of(state).as_of(day)
        made = state.cache["rules"] = (day, dumps([views_text.rule_dict(rule, book.catalogue)
                                                   for rule in book.rules.values()]))
    return made[1]


def warm(state: State) -> None:
    case_schema(state)
    rule_list(state)


# ---------------------------------------------------------------------------------------------
# OpenAPI: the bodies are read by hand, so they are described here

BODY_DOC = {
    "requestBody": {
        "required": True,
        "description": "One case (landapproval/v1) as JSON or YAML, at most "
                       f"{MAX_BODY_BYTES:,} bytes, UTF-8, not compressed.",
        "content": {
            **{t: {"schema": {"$ref": "#/components/schemas/Case"}} for t in sorted(JSON_TYPES)},
            **{t: {"schema": {"type": "string", "minLength": 1, "description": "the case (the `Case` schema) as YAML"},
                   "x-item-schema": {"$ref": "#/components/schemas/Case"}} for t in sorted(YAML_TYPES)},
        },
    }
}

NDJSON = "application/x-ndjson"
BATCH_DOC = {
    "requestBody": {
        "required": True,
        "description": "JSON Lines (application/x-ndjson): one case (landapproval/v1, JSON, the `Case` schema) "
                       "per line; blank lines are skipped. At most "
                       f"{MAX_BODY_BYTES:,} bytes a line and {MAX_BATCH_BYTES:,} in all. A generated client "
                       "sends the lines as one string; `x-item-schema` is the schema of each line.",
        "content": {t: {"schema": {"type": "string", "minLength": 1},
                        "x-item-schema": {"$ref": "#/components/schemas/Case"}}
                    for t in [NDJSON, *sorted(JSONL_TYPES - {NDJSON})]},
    }
}

CASE_QUERY = {"parameters": [
    {"name": "as_of", "in": "query", "required": False, "example": "2024-09-10",
     "description": "YYYY-MM-DD: the evaluation day; its law applies where the case records no approving act (workflow.county_approved_on / decided_on, else approval_issued_on); default today",
     "schema": {"type": "string", "format": "date"}},
    {"name": "lang", "in": "query", "required": False,
     "description": "language of messages and reasons", "schema": {"type": "string", "enum": ["zh", "en"], "default": "zh"}},
]}

AUDIT_HEADERS = {
    "X-Request-ID": {"description": "the client's X-Request-ID, or one made for this request",
                     "schema": {"type": "string"}},
    "X-Landapproval-Version": {"description": "the package version that answered", "schema": {"type": "string"}},
    "X-Rules-SHA256": {"description": "sha256 fingerprint of the rule book applied", "schema": {"type": "string"}},
}
_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": _ERROR, "headers": AUDIT_HEADERS}


ERRORS: dict[int | str, dict[str, Any]] = {   # as FastAPI's `responses` takes them
    400: _error("the body is not UTF-8 JSON/YAML"),
    401: _error("a token is configured and the request lacks it (Authorization: Bearer …)"),
    408: _error("the body did not arrive within the body timeout"),
    413: _error(f"the body is larger than {MAX_BODY_BYTES:,} bytes"),
    415: _error("Content-Type other than " + ", ".join(ACCEPTED_TYPES) + ", or a Content-Encoding"),
    422: _error("the case fails validation (field paths in `problems`), a query parameter is wrong, "
                "or the working-day calendar of a needed year is unknown"),
    500: _error("an internal error (no traceback; quote `id`)"),
    503: {**_error("`overloaded`: more requests in flight than the server's limit, or `unavailable`: a map "
                   "layer's source (PostGIS) is down or too slow (the problem names the layer); retry after "
                   "the Retry-After seconds"),
          "headers": {**AUDIT_HEADERS, "Retry-After": {"description": "seconds to wait before retrying",
                                                       "schema": {"type": "integer"}}}},
}


def _ok(schema: str, description: str, media: str = "application/json") -> dict[int | str, dict[str, Any]]:
    return {200: {"description": description, "headers": AUDIT_HEADERS,
                  "content": {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}


# ---------------------------------------------------------------------------------------------
# The routes

@router.post("/v1/evaluate", response_model=None, tags=["cases"], openapi_extra={**BODY_DOC, **CASE_QUERY},
             responses={**_ok("Decision", "the decision, exactly `landapproval evaluate --format json`"), **ERRORS})
async def evaluate(request: Request) -> Response:
    """Evaluate one case: who approves the conversion and the expropriation, and what still blocks it."""
    day, lang = _case_query(request)
    media = body.media_type(request)
    raw = await body.read_body(request)
    state = request.app.state
    answer = await with_law(request, _evaluate, raw, media, day, lang, state.layers, state.metrics,
                            request_id(request), maps=reads_maps(state, raw), quick=len(raw) <= QUICK_BODY_BYTES)
    return Response(answer, media_type="application/json")


@router.post("/v1/explain", response_model=None, tags=["cases"], openapi_extra={**BODY_DOC, **CASE_QUERY},
             responses={**_ok("Explanation", "the trail: facts, rules fired in order, why not the others"), **ERRORS})
async def explain(request: Request) -> Response:
    """The whole trail of one decision as JSON (same as `landapproval explain`)."""
    day, lang = _case_query(request)
    media = body.media_type(request)
    raw = await body.read_body(request)
    state = request.app.state
    answer = await with_law(request, _explain, raw, media, day, lang, state.layers, maps=reads_maps(state, raw))
    return Response(answer, media_type="application/json")


@router.post("/v1/batch", response_model=None, tags=["cases"], openapi_extra={**BATCH_DOC, **CASE_QUERY},
             response_class=NdjsonResponse,
             responses={200: {"description": "JSON Lines (application/x-ndjson), one per input line in order: "
                                             "`{\"line\": n, …decision}` (`BatchDecision`) or "
                                             "`{\"line\": n, \"error\": ErrorBody}` (`BatchError`). A generated "
                                             "client receives the whole stream as one string: split it at "
                                             "newlines and read each line as `BatchLine` (`x-item-schema`).",
                              "headers": AUDIT_HEADERS,
                              "content": {NDJSON: {"schema": {"type": "string"},
                                                   "x-item-schema": {"$ref": "#/components/schemas/BatchLine"}}}},
                        **ERRORS})
async def batch(request: Request) -> StreamingResponse:
    """Evaluate many cases (JSON lines in); each answer is streamed out as soon as it is decided,
    and a bad line gets its own error line without stopping the others."""
    day, lang = _case_query(request)
    body.media_type(request, JSONL_TYPES)
    raw = await body.read_body(request, MAX_BATCH_BYTES)
    lines = [(number, line) for number, line in enumerate(raw.split(b"\n"), 1) if line.strip()]
    layers = request.app.state.layers
    maps = reads_maps(request.app.state, raw)
    metrics = request.app.state.metrics
    rid = request_id(request)

    async def answers() -> AsyncIterator[bytes]:
        for number, line in lines:
            yield await with_law(request, _batch_line, number, line, day, lang, layers, metrics, rid, maps=maps)

    return NdjsonResponse(answers())


@router.post("/v1/validate", response_model=None, tags=["cases"], openapi_extra=BODY_DOC,
             responses={**_ok("Valid", "the case meets the contract"), **ERRORS})
async def validate(request: Request) -> Response:
    """Check one case against the contract (and its county and zone) without evaluating it."""
    _query(request, ())
    media = body.media_type(request)
    raw = await body.read_body(request)
    return Response(await with_law(request, _validate, raw, media), media_type="application/json")


@router.get("/v1/schema", response_model=None, tags=["reference"], responses={200: {"description": "JSON Schema of the case (landapproval/v1)"}})
def schema(request: Request) -> dict[str, Any]:
    """The case file's JSON Schema, generated from the models (same as `landapproval schema`)."""
    return case_schema(request.app.state)


@router.get("/v1/schema/decision", response_model=None, tags=["reference"], responses={200: {"description": "JSON Schema of the decision"}})
def decision_schema() -> dict[str, Any]:
    """The decision's JSON Schema (same as `landapproval schema --decision`)."""
    return schemas.decision_schema()


@router.get("/v1/rules", response_model=None, tags=["reference"],
            responses={200: {"description": "every rule: id, group, citation, quoted text, reason, when, then"}})
def rules(request: Request) -> Response:
    """Every rule of the rule book (same as `landapproval rules --format json`)."""
    return Response(rule_list(request.app.state), media_type="application/json")


__all__ = ["MAX_BATCH_BYTES", "case_schema", "router", "rule_list", "warm"]
