"""The case register over HTTP (issue 20): /v1/cases (add, list with filters and pagination, one
case with its versions, decisions and events, post an event), /v1/reports/… and the 台账 page at
/ledger. Its own router and its own access dependency, so the rest of the service is untouched.

The register is `LANDAPPROVAL_DB` (a SQLite file or postgresql://…), opened once per worker with the
service's law. Scopes come from the tokens file named by `LANDAPPROVAL_REGISTER_TOKENS` (YAML or
JSON: a list of {token_sha256, scope: city | county:<code>, can_write}); hashes are stored, never
tokens. A county token sees and writes only its county's cases — another county's case is a 404,
its existence not revealed; reports and county events need the city. Without a tokens file every
caller is the city (a loopback service, as `serve` without --token-file).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from landapproval.core.errors import InputError
from landapproval.core.jsonout import dumps
from landapproval.core.reader import read_document
from landapproval.register import Register
from landapproval.register import report as reports
from landapproval.serve.errors import Reject, input_error, json_response, rejected
from landapproval.serve.runtime import law_of

TOKENS_ENV = "LANDAPPROVAL_REGISTER_TOKENS"
PAGE = Path(__file__).resolve().parent / "ledger_web"

_ERROR = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}
router = APIRouter(tags=["register"], responses={
    401: {"description": "no token, or one the register's tokens file does not know", "content": _ERROR},
    404: {"description": "no such case — or one outside the token's county (its existence is not revealed)", "content": _ERROR},
    422: {"description": "the case, the event or a query parameter is refused (the sentence says why)", "content": _ERROR}})
_lock = threading.Lock()


@dataclass(frozen=True)
class Scope:
    county: str | None      # None: the city
    can_write: bool

    def sees(self, county_code: str) -> bool:
        return self.county is None or self.county == county_code


def _tokens() -> list[dict] | None:
    path = os.environ.get(TOKENS_ENV)
    if not path:
        return None
    entries = read_document(Path(path))
    if not isinstance(entries, list):
        raise Reject(500, "misconfigured", f"{path}: the register tokens file is a list of {{token_sha256, scope, can_write}}")
    return entries


def scope_of(request: Request) -> Scope:
    """The caller's scope from `Authorization: Bearer …` and the tokens file (401 when unknown)."""
    state = request.app.state
    entries = getattr(state, "register_tokens", None)
    if entries is None:
        entries = state.register_tokens = _tokens() or []
    if not entries:
        return Scope(None, True)
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    digest = hashlib.sha256(given.strip().encode()).hexdigest()
    for entry in entries:
        if scheme.lower() == "bearer" and hmac.compare_digest(str(entry.get("token_sha256", "")), digest):
            scope = str(entry.get("scope", ""))
            county = None if scope == "city" else scope.removeprefix("county:")
            return Scope(county, bool(entry.get("can_write", False)))
    raise Reject(401, "unauthorized", "the register needs `Authorization: Bearer <token>` with a token of the tokens file",
                 headers={"WWW-Authenticate": 'Bearer realm="landapproval-register"'})


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


@router.post("/v1/cases", response_model=None, status_code=201)
async def add_case(request: Request, by: str = Query("http", description="who files it"),
                   scope: Scope = Depends(scope_of)) -> Response:
    """File a case version (the case file as JSON): 201 with a new version, 200 when the same content was filed."""
    _need_write(scope)
    reg = register_of(request)
    import orjson
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as error:
        raise Reject(400, "invalid_json", f"请求体不是 JSON / the body is not JSON: {error}") from None
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


@router.get("/v1/cases", response_model=None)
def list_cases(request: Request, county: str | None = None, year: int | None = Query(None, ge=1999, le=2099),
               status: str | None = None, project: str | None = None, offset: int = Query(0, ge=0),
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


@router.get("/v1/cases/{county}/{case_id}", response_model=None)
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


@router.post("/v1/cases/{county}/{case_id}/events", response_model=None, status_code=201)
async def post_event(request: Request, county: str, case_id: str, scope: Scope = Depends(scope_of)) -> Response:
    """Record an event {kind, day, note?, corrects?, by?}; refused (422) when the workflow forbids it.
    County events (暂停 / 恢复) go to /v1/counties/{county}/events."""
    import orjson
    reg = register_of(request)
    code = _code(reg, county)
    if not scope.sees(code):
        raise _not_found(county, case_id)
    _need_write(scope)
    body = _event_body(orjson, await request.body())
    try:
        reg.show(code, case_id)
    except InputError:
        raise _not_found(county, case_id) from None
    with rejected():
        number = reg.event(code, case_id, str(body.get("kind")), str(body.get("day")), by=str(body.get("by") or "http"),
                           note=body.get("note"), corrects=body.get("corrects"))
    return json_response({"id": number}, 201)


@router.post("/v1/counties/{county}/events", response_model=None, status_code=201)
async def post_county_event(request: Request, county: str, scope: Scope = Depends(scope_of)) -> Response:
    """A county's 暂停 / 恢复 (七(三)): the city's token only."""
    import orjson
    _need_city(scope)
    _need_write(scope)
    reg = register_of(request)
    body = _event_body(orjson, await request.body())
    with rejected():
        number = reg.event(county, None, str(body.get("kind")), str(body.get("day")), by=str(body.get("by") or "http"),
                           note=body.get("note"))
    return json_response({"id": number}, 201)


def _event_body(orjson, raw: bytes) -> dict:
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        raise Reject(400, "invalid_json", f"请求体不是 JSON / the body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise Reject(422, "invalid_input", "事件是一个对象 {kind, day, note, corrects, by} / an event is an object")
    return body


MEDIA = {"csv": "text/csv; charset=utf-8", "html": "text/html; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@router.get("/v1/reports/quality", response_model=None)
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


@router.get("/v1/reports/quota", response_model=None)
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


__all__ = ["router", "scope_of", "Scope"]
