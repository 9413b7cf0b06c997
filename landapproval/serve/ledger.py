"""The case register over HTTP (issue 20): /v1/cases (add, list with filters and pagination, one
case with its versions, decisions and events, post an event), /v1/reports/… and the 台账 page at
/ledger. Its own router and its own access dependency, so the rest of the service is untouched.

The register is `LANDAPPROVAL_DB` (a SQLite file or postgresql://…), opened once per worker with the
service's law. Scopes come from `serve --token-file`, the one way tokens reach the service: each
line `TOKEN [city | county:<code>] [read-only | read-write]` (a bare `TOKEN` is the city with every
right), checked by the guard, which leaves the accepted token in the request's state. A county token
sees and writes only its county's cases — another county's case is a 404, its existence not
revealed; reports and county events need the city. Without a token file every caller is the city (a
loopback service).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from landapproval.core.errors import InputError
from landapproval.register import Register
from landapproval.register import report as reports
from landapproval.serve import body as bodies
from landapproval.serve.body import MAX_BODY_BYTES
from landapproval.serve.errors import Reject, json_response, rejected
from landapproval.serve.runtime import law_of
from landapproval.serve.v1 import AUDIT_HEADERS, ERRORS

PAGE = Path(__file__).resolve().parent / "ledger_web"
PUBLIC_PATHS = frozenset({"/ledger", "/ledger/ledger.js"})   # the page holds no data: open without a token

router = APIRouter(tags=["register"])
_lock = threading.Lock()
MAX_OFFSET = 2**31 - 1      # beyond any register; a bigger number is a 422, never an integer the encoder cannot write

# ---------------------------------------------------------------------------------------------
# OpenAPI: every status a route answers (the one error body, `ErrorBody`) and every media type

_WHY = {
    400: "the body is not UTF-8 JSON (or YAML)",
    401: "no token, or one the service's token file does not know (Authorization: Bearer …)",
    403: "the token may not do this: it is read-only, or a county's token files another county's case, "
         "or asks for a report or a county event (the city's token only)",
    404: "no such case — or one outside the token's county (its existence is not revealed)",
    408: "the body did not arrive within the body timeout",
    413: f"the body is larger than {MAX_BODY_BYTES:,} bytes",
    415: "a Content-Encoding is set (send the body uncompressed)",
    422: "the case, the event or a query parameter is refused (the sentence and `problems` say why)",
    500: "an internal error (no traceback; quote `id`)",
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "headers": AUDIT_HEADERS,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The error answers of a route: the statuses it can really answer, each with `ErrorBody`;
    503 (`overloaded`, or the register's database `unavailable`) always, with Retry-After."""
    out: dict[int | str, dict[str, Any]] = {status: _error(_WHY[status]) for status in (*statuses, 401, 415, 500)}
    out[503] = {**ERRORS[503], "description": "`overloaded`: more requests in flight than the server's limit, "
                "or `unavailable`: the register's database is down; retry after the Retry-After seconds"}
    return dict(sorted(out.items()))


def _answer(status: int, description: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    return {status: {"description": description, "headers": AUDIT_HEADERS,
                     "content": {"application/json": {"schema": schema}}}}


_TEXT, _INT, _BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}


def _or_null(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


_SUMMARY_PROPERTIES = {
    "county": {**_TEXT, "description": "the county's code"}, "county_name": _TEXT, "id": _TEXT, "kind": _TEXT,
    "title": _or_null(_TEXT),
    "project": {"type": "object", "properties": {k: _or_null(_TEXT) for k in ("code", "name", "applicant")}},
    "status": {**_TEXT, "description": "受理 … 备案, in Chinese"}, "status_en": _TEXT,
    "approvable": _or_null(_BOOL), "conversion": _or_null(_TEXT), "expropriation": _or_null(_TEXT)}
CASE_SUMMARY = {"type": "object", "title": "register case", "properties": {**_SUMMARY_PROPERTIES, "versions": _INT},
                "required": [*_SUMMARY_PROPERTIES, "versions"]}
CASE_LIST = {"type": "object", "title": "register case list", "required": ["total", "offset", "limit", "cases"],
             "properties": {"total": {"type": "integer", "minimum": 0}, "offset": {"type": "integer", "minimum": 0},
                            "limit": {"type": "integer", "minimum": 1}, "cases": {"type": "array", "items": CASE_SUMMARY}}}
CHANGE = {"type": "object", "required": ["field", "label", "old", "new"],
          "properties": {"field": _TEXT, "label": _TEXT, "old": {}, "new": {}}}
CASE_ADDED = {"type": "object", "title": "register case added", "required": ["county", "id", "version", "new", "changes", "decision"],
              "properties": {"county": _TEXT, "id": _TEXT, "version": {"type": "integer", "minimum": 1}, "new": _BOOL,
                             "changes": {"type": "array", "items": CHANGE},
                             "decision": {"$ref": "#/components/schemas/Decision"}}}
STORED_DECISION = {"type": "object", "required": ["rules_sha256", "package_version", "as_of", "approvable", "recorded_at", "decision"],
                   "properties": {"rules_sha256": _TEXT, "package_version": _TEXT, "as_of": _or_null(_TEXT),
                                  "approvable": _or_null(_BOOL), "recorded_at": _TEXT,
                                  "decision": {"$ref": "#/components/schemas/Decision"}}}
VERSION = {"type": "object", "required": ["number", "sha256", "recorded_at", "recorded_by", "changes", "case", "decisions"],
           "properties": {"number": {"type": "integer", "minimum": 1}, "sha256": _TEXT, "recorded_at": _TEXT,
                          "recorded_by": _or_null(_TEXT), "changes": {"type": "array", "items": CHANGE},
                          "case": {"type": "object", "description": "the case file as filed (normalised)"},
                          "decisions": {"type": "array", "items": STORED_DECISION}}}
EVENT = {"type": "object", "required": ["id", "kind", "day", "recorded_at", "recorded_by", "note", "corrects"],
         "properties": {"id": _INT, "kind": _TEXT, "day": {"type": "string", "format": "date"}, "recorded_at": _TEXT,
                        "recorded_by": _or_null(_TEXT), "note": _or_null(_TEXT), "corrects": _or_null(_INT)}}
CASE_HISTORY = {"type": "object", "title": "register case history", "required": [*_SUMMARY_PROPERTIES, "versions", "events"],
                "properties": {**_SUMMARY_PROPERTIES, "versions": {"type": "array", "items": VERSION},
                               "events": {"type": "array", "items": EVENT}}}
EVENT_RECORDED = {"type": "object", "title": "register event recorded", "required": ["id"], "properties": {"id": _INT}}
EVENT_BODY = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "type": "object", "title": "register event", "required": ["kind", "day"],
    "properties": {"kind": {**_TEXT, "description": "受理 补正 退件 会审 审定 缴费 批复 备案 征收土地公告 (a case); 暂停 恢复 (a county)"},
                   "day": {"type": "string", "format": "date"}, "note": _TEXT,
                   "corrects": {**_INT, "description": "the id of the event this one corrects"},
                   "by": {**_TEXT, "description": "who records it"}}}}}}}
CASE_BODY = {"requestBody": {"required": True, "description": f"one case (landapproval/v1) as JSON, at most {MAX_BODY_BYTES:,} bytes",
                             "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}}}

_lock = threading.Lock()


@dataclass(frozen=True)
class Scope:
    county: str | None      # None: the city
    can_write: bool

    def sees(self, county_code: str) -> bool:
        return self.county is None or self.county == county_code


def scope_of(request: Request) -> Scope:
    """The caller's scope: that of the token the guard accepted (`serve --token-file`, one line per
    token: `TOKEN [city | county:<code>] [read-only | read-write]`). Without a token file every
    caller is the city (a loopback service); with one, a request without an accepted token never
    gets here (401 from the guard)."""
    token = request.scope.get("state", {}).get("token")
    if token is None:
        if request.app.state.settings.guarded:   # defensive: a guarded service always sets it
            raise Reject(401, "unauthorized", "this server needs `Authorization: Bearer <token>`",
                         headers={"WWW-Authenticate": 'Bearer realm="landapproval"'})
        return Scope(None, True)
    return Scope(token.county, token.can_write)


def register_of(request: Request) -> Register:
    state = request.app.state
    reg = getattr(state, "register", None)
    if reg is None:
        with _lock:
            reg = getattr(state, "register", None)
            if reg is None:
                with rejected():
                    reg = state.register = Register.open(os.environ.get("LANDAPPROVAL_DB"), law=law_of(state))
    return reg


def _not_found(county: str, case_id: str) -> Reject:
    return Reject(404, "not_found", f"台账中没有案件 {county}/{case_id} / no case {county}/{case_id} in the register")


def _code(reg: Register, county: str) -> str:
    with rejected():
        return reg.county_of(county)


def _need_write(scope: Scope) -> None:
    if not scope.can_write:
        raise Reject(403, "forbidden", "该令牌只能查看 / this token may only read")


def _need_city(scope: Scope) -> None:
    if scope.county is not None:
        raise Reject(403, "forbidden", "报告和县的暂停、恢复须市局令牌 / reports and county events need the city's token")


@router.post("/v1/cases", response_model=None, status_code=201, openapi_extra=CASE_BODY, responses={
    **_answer(201, "a new version of the case, with what changed and its decision", CASE_ADDED),
    **_answer(200, "the same content was already filed: its version, nothing recorded", CASE_ADDED),
    **_errors(400, 403, 408, 413, 422)})
async def add_case(request: Request, by: str = Query("http", description="who files it"),
                   scope: Scope = Depends(scope_of)) -> Response:
    """File a case version (the case file as JSON): 201 with a new version, 200 when the same content was filed."""
    _need_write(scope)
    reg = register_of(request)
    body = await _json_body(request)
    if isinstance(body, dict) and isinstance(body.get("county"), (str, int)):
        code = _code(reg, str(body["county"]))
        if not scope.sees(code):
            raise Reject(403, "forbidden", "该令牌不能报送其他县（市、区）的案件 / this token files only its county's cases")
    import asyncio
    with rejected():
        added = await asyncio.get_running_loop().run_in_executor(None, lambda: reg.add(body, by=by, source="request"))
    content = {"county": added.county_code, "id": added.case_id, "version": added.version, "new": added.new,
               "changes": added.changes, "decision": added.decision.to_dict("zh")}
    return json_response(content, 201 if added.new else 200)


@router.get("/v1/cases", response_model=None, responses={
    **_answer(200, "the cases, filtered and paginated (a county's token: its county's only)", CASE_LIST),
    **_errors(422)})
def list_cases(request: Request, county: str | None = None, year: int | None = Query(None, ge=1999, le=2099),
               status: str | None = None, project: str | None = None, offset: int = Query(0, ge=0, le=MAX_OFFSET),
               limit: int = Query(50, ge=1, le=1000), scope: Scope = Depends(scope_of)) -> Response:
    """The cases, filtered (county, year accepted, status, project code) and paginated."""
    reg = register_of(request)
    if scope.county is not None:
        if county is not None and _code(reg, county) != scope.county:
            return json_response({"total": 0, "offset": offset, "limit": limit, "cases": []})
        county = scope.county
    with rejected():
        return json_response(reg.list_cases(county=county, year=year, status=status, project=project,
                                             offset=offset, limit=limit))


@router.get("/v1/cases/{county}/{case_id}", response_model=None, responses={
    **_answer(200, "one case: its versions (what changed, their decisions) and its events", CASE_HISTORY),
    **_errors(404, 422)})
def show_case(request: Request, county: str, case_id: str, scope: Scope = Depends(scope_of)) -> Response:
    """One case: its versions (with what changed and their decisions) and its events."""
    reg = register_of(request)
    code = _code(reg, county)
    if not scope.sees(code):
        raise _not_found(county, case_id)
    try:
        return json_response(reg.show(code, case_id))
    except InputError:
        raise _not_found(county, case_id) from None


@router.post("/v1/cases/{county}/{case_id}/events", response_model=None, status_code=201, openapi_extra=EVENT_BODY,
             responses={**_answer(201, "the event is recorded: its id", EVENT_RECORDED),
                        **_errors(400, 403, 404, 408, 413, 422)})
async def post_event(request: Request, county: str, case_id: str, scope: Scope = Depends(scope_of)) -> Response:
    """Record an event {kind, day, note?, corrects?, by?}; refused (422) when the workflow forbids it.
    County events (暂停 / 恢复) go to /v1/counties/{county}/events."""
    reg = register_of(request)
    code = _code(reg, county)
    if not scope.sees(code):
        raise _not_found(county, case_id)
    _need_write(scope)
    body = _event_body(await _json_body(request))
    try:
        reg.show(code, case_id)
    except InputError:
        raise _not_found(county, case_id) from None
    with rejected():
        number = reg.event(code, case_id, str(body.get("kind")), str(body.get("day")), by=str(body.get("by") or "http"),
                           note=body.get("note"), corrects=body.get("corrects"))
    return json_response({"id": number}, 201)


@router.post("/v1/counties/{county}/events", response_model=None, status_code=201, openapi_extra=EVENT_BODY,
             responses={**_answer(201, "the county event is recorded: its id", EVENT_RECORDED),
                        **_errors(400, 403, 408, 413, 422)})
async def post_county_event(request: Request, county: str, scope: Scope = Depends(scope_of)) -> Response:
    """A county's 暂停 / 恢复 (七(三)): the city's token only."""
    _need_city(scope)
    _need_write(scope)
    reg = register_of(request)
    body = _event_body(await _json_body(request))
    with rejected():
        number = reg.event(county, None, str(body.get("kind")), str(body.get("day")), by=str(body.get("by") or "http"),
                           note=body.get("note"))
    return json_response({"id": number}, 201)


async def _json_body(request: Request) -> Any:
    """The body as data, read and parsed as every body of the service: capped (413), timed (408),
    JSON (or YAML) with the case files' safe loader, else 400 `invalid_input`."""
    return bodies.parse(await bodies.read_body(request), json_first=True)


def _event_body(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise Reject(422, "invalid_input", "事件是一个对象 {kind, day, note, corrects, by} / an event is an object")
    return body


MEDIA = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/v1/reports/quality", response_model=None, responses={
    200: {"description": "the 通报 as JSON, or as CSV (UTF-8 with BOM), HTML or an xlsx workbook (`format`), "
                         "the last three as an attachment",
          "headers": AUDIT_HEADERS,
          "content": {"application/json": {"schema": {"type": "object", "title": "register quality report",
                                                      "required": ["year", "counties"]}},
                      "text/csv": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}},
                      MEDIA["xlsx"]: {"schema": {"type": "string", "format": "binary"}}}},
    **_errors(403, 422)})
def quality_report(request: Request, year: int = Query(..., ge=1999, le=2099), county: str | None = None,
                   format: str = Query("json", pattern="^(json|csv|html|xlsx)$"), today: dt.date | None = None,
                   scope: Scope = Depends(scope_of)) -> Response:
    """The 七(三) 通报 for a year (the city's token only)."""
    _need_city(scope)
    reg = register_of(request)
    with rejected():
        built = reports.build(reg, year, county, today)
    if format == "json":
        return json_response(built)
    content = {"csv": reports.to_csv, "html": reports.to_html, "xlsx": reports.to_xlsx}[format](built)
    data = content.encode("utf-8-sig" if format == "csv" else "utf-8") if isinstance(content, str) else content
    return Response(data, media_type=MEDIA[format],
                    headers={"Content-Disposition": f'attachment; filename="report-{year}.{format}"'})


@router.get("/v1/reports/quota", response_model=None, responses={
    **_answer(200, "the county-year quota ledger", {"type": "object", "title": "register quota ledger",
                                                    "required": ["county", "year", "quota"]}),
    **_errors(404, 422)})
def quota_report(request: Request, county: str, year: int = Query(..., ge=1999, le=2099),
                 scope: Scope = Depends(scope_of)) -> Response:
    """A county-year quota ledger (its county's token, or the city's)."""
    reg = register_of(request)
    code = _code(reg, county)
    if not scope.sees(code):
        raise Reject(404, "not_found", "no ledger")
    ledger = reg.ledger(code, year)
    if ledger is None:
        raise Reject(404, "not_found", f"{county} {year}年没有登记计划指标 / no quota recorded")
    return json_response(ledger)


@router.get("/ledger", response_class=HTMLResponse, include_in_schema=False)
def ledger_page() -> Response:
    """The 台账 page (the data comes from /v1/cases and /v1/reports with the caller's token)."""
    return HTMLResponse((PAGE / "ledger.html").read_text("utf-8"))


@router.get("/ledger/ledger.js", include_in_schema=False)
def ledger_script() -> Response:
    return Response((PAGE / "ledger.js").read_bytes(), media_type="text/javascript; charset=utf-8")


__all__ = ["PUBLIC_PATHS", "Scope", "router", "scope_of"]
