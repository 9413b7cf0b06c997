"""The one shape of an HTTP error, for /v1 and the workbench alike (`views.schemas.ErrorBody`)::

    {"error": code, "message": one sentence, "source"?: what was read, "problems": [{path, message,
     suggestions?, line?}], "more_problems"?: n, "id"?: internal error id, "request_id"?: id}

A handler stops with ``raise Reject(...)`` (or `input_error`, or inside ``with rejected(lang)``);
`install` makes the application answer it, and FastAPI's own 404/405/422, in that shape. Every
JSON body goes through the one encoder, `landapproval.core.jsonout.dumps`.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from typing import Any, Iterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from landapproval.core.errors import CalendarError, InputError, UnavailableError
from landapproval.core.jsonout import dumps
from landapproval.serve.runtime import request_id

log = logging.getLogger("landapproval.serve.app")


def json_response(content: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """Plain data as a JSON response, encoded once by `jsonout.dumps`."""
    return Response(dumps(content), status_code=status, headers=headers, media_type="application/json")


class JsonResponse(JSONResponse):
    """The applications' default response class: plain data encoded once by `jsonout.dumps`."""

    def render(self, content: Any) -> bytes:
        return dumps(content)


def problem(path: str, message: str, suggestions: Any = (), line: int | None = None) -> dict[str, Any]:
    """One entry of `problems`: suggestions and line only where there are some."""
    out: dict[str, Any] = {"path": path, "message": message}
    if suggestions:
        out["suggestions"] = list(suggestions)
    if line is not None:
        out["line"] = line
    return out


class Reject(Exception):
    """Stop handling a request with a JSON error response."""

    def __init__(self, status: int, error: str, message: str, source: str | None = None,
                 problems: list[dict[str, Any]] | None = None, headers: dict[str, str] | None = None, more: int | None = None,
                 ident: str | None = None):
        super().__init__(message)
        self.status, self.error, self.message = status, error, message
        self.source, self.problems, self.headers, self.more, self.ident = source, problems or [], headers, more, ident

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.error, "message": self.message}
        if self.source is not None:
            body["source"] = self.source
        body["problems"] = self.problems
        if self.more:
            body["more_problems"] = self.more
        if self.ident:
            body["id"] = self.ident
        if request_id:
            body["request_id"] = request_id
        return body

    def response(self, request_id: str | None = None) -> Response:
        return json_response(self.body(request_id), self.status, headers=self.headers)


def input_error(status: int, error: InputError, lang: str = "zh") -> Reject:
    """An InputError as a 4xx body: its problems in `lang` (with suggestions), the count beyond them."""
    # the API names the as-of date as the CLI spells it; over HTTP it is the query parameter
    problems = [problem("as_of" if p.path == "--as-of" else p.path, p.message(lang), p.suggestions, p.line)
                for p in error.problems]
    total = error.count()
    first = problems[0]["message"] if problems else "invalid input"
    message = first if total == 1 else (f"{error.source} 有 {total:,} 项问题" if lang == "zh"
                                        else f"{total:,} problems in the {error.source}")
    return Reject(status, "invalid_input", message, error.source, problems, more=error.more or None)


@contextlib.contextmanager
def rejected(lang: str = "zh", source: str | None = None) -> Iterator[None]:
    """Inside: what the API refuses about a case becomes its 422."""
    try:
        yield
    except InputError as error:
        raise input_error(422, error, lang) from None
    except CalendarError as error:
        raise Reject(422, "calendar_unknown", str(error), source, [problem("", str(error))]) from None
    except UnavailableError as error:
        raise unavailable(error, lang) from None
    except OverflowError as error:
        # date arithmetic past 9999-12-31 (a deadline counted from a date at the end of the range):
        # the input's fault, so a 422 rather than a 500
        message = f"a date in the case is too close to 9999-12-31 to count a deadline from ({error})"
        raise Reject(422, "invalid_input", message, source, [problem("", message)]) from None


def unavailable(error: UnavailableError, lang: str = "zh") -> Reject:
    """A layer source down or too slow: 503 with Retry-After, naming the layer (never a database URL
    or a server path: those go to the log line, one per failure)."""
    retry = error.retry_after or 5
    log.warning("layer source unavailable: %s %s (answered 503, Retry-After %d)", error.where, error.detail, retry)
    message = error.describe(lang)
    return Reject(503, "unavailable", message, "layers", [problem(error.where, message)],
                  headers={"Retry-After": str(retry)})


def internal(error: BaseException, where: str) -> Reject:
    """A defect: logged with its traceback under a new id; the caller sees only the id."""
    ident = uuid.uuid4().hex[:12]
    log.error("internal error %s on %s", ident, where, exc_info=(type(error), error, error.__traceback__))
    return Reject(500, "internal", f"internal error {ident}; the server log has the details", ident=ident)


class Disconnected(Exception):
    """The client closed the connection before its body arrived: nothing to answer, nothing broken."""

    def __init__(self, received: int):
        super().__init__(received)
        self.received = received


async def answer_rejected(request: Request, error: Reject) -> Response:
    """A Reject raised by a route: its error body (a layer source's failure counted)."""
    metrics = getattr(request.app.state, "metrics", None)
    if metrics is not None and error.error == "unavailable":
        metrics.layer_failed(error.problems[0]["path"] if error.problems else "")
    return error.response(request_id(request))


async def answer_disconnected(request: Request, error: Disconnected) -> Response:
    """A client gone before its body arrived: one info line; the answer is never sent."""
    log.info("client went away before its body arrived (%s %s, %s bytes received, request %s)",
             request.method, request.url.path, f"{error.received:,}", request_id(request))
    return Response(status_code=400)  # never sent: the connection is gone


def install(app: FastAPI) -> None:
    """Answer Reject, a vanished client, and FastAPI's own errors (bad parameters, 404, 405)."""

    app.add_exception_handler(Reject, answer_rejected)         # type: ignore[arg-type]  # Starlette types the handler loosely
    app.add_exception_handler(Disconnected, answer_disconnected)   # type: ignore[arg-type]

    @app.exception_handler(RequestValidationError)
    async def _bad_parameters(request: Request, error: RequestValidationError) -> Response:
        problems = []
        for item in error.errors():
            loc = [str(p) for p in item.get("loc", ()) if p not in ("query", "body", "path", "header")]
            problems.append(problem(".".join(loc), item.get("msg", "invalid")))
        return Reject(422, "invalid_input", problems[0]["message"] if len(problems) == 1 else
                      f"{len(problems)} problems in the request", "query string", problems
                      ).response(request_id(request))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        name = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
        return Reject(error.status_code, name, str(error.detail),
                      headers=getattr(error, "headers", None)).response(request_id(request))


__all__ = ["Disconnected", "JsonResponse", "Reject", "answer_disconnected", "answer_rejected", "input_error", "install", "internal", "json_response",
           "problem", "rejected", "unavailable"]
