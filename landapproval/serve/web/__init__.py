"""The officials' workbench: a Chinese web page at ``/`` of ``landapproval serve``.

Everything the page loads is served from this package (``static/``: plain JS and CSS, no build
step, no CDN, fonts from the machine); the page talks only to the JSON endpoints below and to
/v1/*. Every case goes through the same reader and `api.evaluate` as the CLI, with the server's one `Law`,
so the page shows exactly the CLI's decision and the CLI's field errors. Bodies are read and
refusals answered as on /v1 (`serve.body`, `serve.errors`).

    GET  /                      the page
    GET  /web/static/{name}       its script and style (a fixed list of files; nothing else is served)
    GET  /web/form              the form, described from the models, with labels and the words
    POST /web/open              a case file's text (YAML/JSON) → its data for the form + problems
    POST /web/evaluate          the form's case (JSON) → decision + SVG map
    POST /web/yaml              the form's case (JSON) → the case file (YAML)
    POST /web/report            the form's case (JSON) → the printable report (HTML; ?appendix=true: with
                                the technical appendix)
    POST /web/batch             several case files or zips → one row per case (JSON, CSV or XLSX)

Uploads are capped (one case: `core.reader.MAX_FILE_BYTES`; a batch: BATCH_MAX_BYTES, and its zips'
unpacked size and file count), and a boundary must be inline content: the server never opens a
path a page names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.datastructures import State

from landapproval.core.jsonout import dumps
from landapproval.serve import body
from landapproval.serve.errors import Reject
from landapproval.serve.runtime import law_of, with_law
from landapproval.serve.web import service

STATIC = Path(__file__).with_name("static")
STATIC_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                ".html": "text/html; charset=utf-8", ".svg": "image/svg+xml"}
# The page may load only what this server serves; inline styles are allowed for the report and the
# SVG map, inline scripts never.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; frame-src 'self' blob:; connect-src 'self'; "
       "object-src 'none'; base-uri 'none'; form-action 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "no-referrer", "Cache-Control": "no-cache"}

router = APIRouter(include_in_schema=False)


def _static_files() -> dict[str, Path]:
    return {p.name: p for p in STATIC.iterdir() if p.suffix in STATIC_TYPES}


# The page and its script, style and icon carry no case data: a server that wants a token
# (serve --token-file) still serves them, and the page asks for the token for /web/* and /v1/*.
PUBLIC_PATHS = frozenset({"/", *(f"/web/static/{name}" for name in _static_files())})


def form_bytes(state: State) -> bytes:
    """The page's form and words (`service.form_payload`), made once the application is started
    (the form says whether the layers are open)."""
    made: bytes | None = state.cache.get("web form")
    if made is None:
        made = dumps(service.form_payload(law_of(state), state.layers is not None))
        if state.ready:
            state.cache["web form"] = made
    return made


def warm(state: State) -> None:
    form_bytes(state)


@router.get("/")
def page() -> Response:
    return Response((STATIC / "index.html").read_bytes(), media_type=STATIC_TYPES[".html"], headers=HEADERS)


@router.get("/web/static/{name}")
def static(name: str) -> Response:
    path = _static_files().get(name)
    if path is None:
        raise Reject(404, "not_found", f"no static file {name!r}")
    return Response(path.read_bytes(), media_type=STATIC_TYPES[path.suffix], headers=HEADERS)


@router.get("/web/form")
def form(request: Request) -> Response:
    return Response(form_bytes(request.app.state), media_type="application/json")


async def _serve(request: Request, cap: int, work: Callable[..., Response], *args: Any) -> Response:
    """Read the capped body, then `work(law, raw, *args)` in the thread pool."""
    raw = await body.read_body(request, cap)
    answer: Response = await with_law(request, lambda law: work(law, raw, *args))
    return answer


def _lang(lang: str) -> str:
    return lang if lang in ("zh", "en") else "zh"


@router.post("/web/open")
async def open_case(request: Request, lang: str = Query("zh")) -> Response:
    return await _serve(request, service.MAX_CASE_BYTES, service.open_case, _lang(lang))


@router.post("/web/evaluate")
async def evaluate(request: Request, lang: str = Query("zh")) -> Response:
    return await _serve(request, service.MAX_CASE_BYTES, service.evaluate, _lang(lang), request.app.state.layers)


@router.post("/web/yaml")
async def case_yaml(request: Request, lang: str = Query("zh")) -> Response:
    return await _serve(request, service.MAX_CASE_BYTES, service.case_yaml, _lang(lang))


@router.post("/web/report")
async def report(request: Request, lang: str = Query("zh"), appendix: bool = Query(False)) -> Response:
    return await _serve(request, service.MAX_CASE_BYTES, service.report, _lang(lang), request.app.state.layers,
                        appendix)


@router.post("/web/batch")
async def batch(request: Request, lang: str = Query("zh"), format: str = Query("json")) -> Response:
    return await _serve(request, service.BATCH_MAX_BYTES, service.batch, _lang(lang), format,
                        request.app.state.layers)
