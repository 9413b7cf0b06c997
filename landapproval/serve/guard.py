"""Around every request (plain ASGI; Starlette's BaseHTTPMiddleware would add a task per request):
a request id (the client's X-Request-ID, or a new one), the package version and the law's
fingerprint as headers, optional bearer-token auth (any token of `serve --token-file`; the one
accepted, with its register scope, is left in the request's state as `token`), a limit on requests in flight, Content-Encoding
refused (415), and one structured access-log line.

The limit queues before it sheds (issue 18 item 6): a request beyond `max_in_flight` waits for a
slot, first come first served, up to `queue_timeout` seconds, and only then is answered 503
`overloaded` with Retry-After. A burst of keep-alive clients (100 on one worker) is so served
at the pace of the engine instead of being refused; a backlog that does not drain is still shed."""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
import logging
import re
import time
import uuid
from typing import Any, Awaitable, Callable, Mapping

from starlette.datastructures import State
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from landapproval.core.jsonout import dumps
from landapproval.law.rulebook import package_version
from landapproval.serve.errors import Disconnected, Reject, answer_disconnected, answer_rejected, internal
from landapproval.serve.logs import CONTEXT
from landapproval.serve.runtime import law_of
from landapproval.serve.settings import Settings

OPEN_PATHS = ("/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/static/")  # no token needed
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/+=-]{1,128}")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")   # W3C Trace Context

log = logging.getLogger("landapproval.serve.app")
access_log = logging.getLogger("landapproval.access")


class Guard:
    """The checks and headers around every request; `public` are paths open without a token too."""

    def __init__(self, app: ASGIApp, settings: Settings, state: State, public: frozenset[str] = frozenset(),
                 direct: Mapping[str, Callable[[Request], Awaitable[Response]]] | None = None):
        self.app, self.settings, self.state, self.public = app, settings, state, public
        self.direct = dict(direct or {})                # POST path -> endpoint, called without the router
        self.in_flight = 0
        self.waiting = 0                                # requests queued for a slot
        self.slots: asyncio.Semaphore | None = None     # made in the server's event loop, on first use
        self.audit: list[tuple[bytes, bytes]] = []      # filled on the first request (the law is compiled by then)
        # every accepted token (the file's, with their register scopes): (secret, Token)
        self.tokens = [(token.secret.encode(), token) for token in settings.accepted_tokens()]
        self.metrics = getattr(state, "metrics", None)
        if self.metrics is not None:
            self.metrics.in_flight.set_function(lambda: self.in_flight)
            self.metrics.queued.set_function(lambda: self.waiting)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        request_id: str | None = None
        authorization: bytes | None = None
        encoding = correlation = traceparent = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")
            elif name == b"authorization":
                authorization = value
            elif name == b"content-encoding":
                encoding = value.decode("latin-1").strip().lower()
            elif name == b"x-correlation-id":
                correlation = value.decode("latin-1").strip()
            elif name == b"traceparent":
                traceparent = value.decode("latin-1").strip().lower()
        if correlation is not None and not _REQUEST_ID.fullmatch(correlation):
            correlation = None
        trace = _TRACEPARENT.fullmatch(traceparent) if traceparent else None
        if request_id is None or not _REQUEST_ID.fullmatch(request_id):
            request_id = correlation or uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        trace_id = trace.group(1) if trace else None
        CONTEXT.set((request_id, trace_id))
        if not self.audit:
            self.audit = [(b"x-landapproval-version", package_version().encode()),
                          (b"x-rules-sha256", law_of(self.state).fingerprint.encode())]
        extra = [(b"x-request-id", request_id.encode()), *self.audit]
        if correlation is not None:      # echoed as given (a case system's own id for the exchange)
            extra.append((b"x-correlation-id", correlation.encode()))
        if trace is not None:            # echoed: this service starts no span of its own
            extra.append((b"traceparent", trace.group(0).encode()))   # the whole match: traceparent itself
        outcome = {"status": 0, "bytes": 0}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome["status"] = message["status"]
                message["headers"] = [*message.get("headers", ()), *extra]
            elif message["type"] == "http.response.body":
                outcome["bytes"] += len(message.get("body", b""))
            await send(message)

        path = scope["path"]
        guarded = not (path.startswith(OPEN_PATHS) or path in self.public)  # the page, not its data
        try:
            refusal = self._refusal(guarded, authorization, encoding, scope["state"])
            if refusal is not None:
                await refusal.response(request_id)(scope, receive, send_with_headers)
            elif guarded and not await self._slot():
                await Reject(503, "overloaded", f"more than {self.settings.max_in_flight} requests in flight for "
                             f"{self.settings.queue_timeout:g} s; retry shortly",
                             headers={"Retry-After": "1"}).response(request_id)(scope, receive, send_with_headers)
            else:
                self.in_flight += 1
                try:
                    endpoint = self.direct.get(path) if scope["method"] == "POST" else None
                    if endpoint is not None:
                        await _call(endpoint, scope, receive, send_with_headers)
                    else:
                        await self.app(scope, receive, send_with_headers)
                finally:
                    self.in_flight -= 1
                    if guarded and self.slots is not None:   # set by `_slot`, which gave this one
                        self.slots.release()
        except ClientDisconnect:
            log.info("client went away during %s %s (request %s)", scope["method"], path, request_id)
        except Exception as error:  # answered here, so that nothing re-raises it to the server's log
            refusal = internal(error, f"{scope['method']} {path} (request {request_id})")
            if outcome["status"] == 0:
                await refusal.response(request_id)(scope, receive, send_with_headers)
        finally:
            if self.metrics is not None and outcome["status"]:
                self.metrics.observe(path, scope["method"], outcome["status"], time.perf_counter() - started)
            if self.settings.access_log:
                client = scope.get("client")
                access_log.info(dumps({
                    "ts": dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds"),
                    "request_id": request_id, "trace_id": trace_id, "method": scope["method"], "path": path,
                    "query": scope.get("query_string", b"").decode("latin-1"), "status": outcome["status"],
                    "ms": round((time.perf_counter() - started) * 1e3, 2), "bytes": outcome["bytes"],
                    "client": f"{client[0]}:{client[1]}" if client else None}).decode())

    async def _slot(self) -> bool:
        """Take a slot among `max_in_flight`, waiting up to `queue_timeout` seconds for one."""
        if self.slots is None:
            self.slots = asyncio.Semaphore(self.settings.max_in_flight)
        if not self.slots.locked():
            await self.slots.acquire()
            return True
        if self.settings.queue_timeout <= 0:
            return False
        self.waiting += 1
        try:
            async with asyncio.timeout(self.settings.queue_timeout):
                await self.slots.acquire()
            return True
        except TimeoutError:
            return False
        finally:
            self.waiting -= 1

    def _refusal(self, guarded: bool, authorization: bytes | None, encoding: str | None,
                 state: dict[str, Any]) -> Reject | None:
        if guarded and self.tokens:
            scheme, _, given = (authorization or b"").partition(b" ")
            given = given.strip()
            matched = None
            for secret, token in self.tokens:   # every one compared, in constant time each
                if hmac.compare_digest(given, secret) and matched is None:
                    matched = token
            if scheme.lower() == b"bearer" and matched is not None:
                state["token"] = matched        # the caller's register scope (`ledger.scope_of`)
            else:
                return Reject(401, "unauthorized", "this server needs `Authorization: Bearer <token>`"
                              if authorization is None else "the bearer token is not accepted",
                              headers={"WWW-Authenticate": 'Bearer realm="landapproval"'})
        if encoding not in (None, "", "identity"):
            return Reject(415, "unsupported_media_type",
                          f"Content-Encoding {encoding!r} is not accepted: send the body uncompressed",
                          headers={"Accept-Encoding": "identity"})
        return None


async def _call(endpoint: Callable[[Request], Awaitable[Response]], scope: Scope, receive: Receive,
                send: Send) -> None:
    """`endpoint` (a route that reads its request by hand and declares no parameters) called as the
    router would call it, without the router's and exception middleware's layers: its Reject and
    Disconnected answered by the same handlers `errors.install` gives the application; anything else
    goes up to the guard, which answers it as the application would (500 `internal`). The answer,
    its headers and the OpenAPI document are the same; the cost per request is lower (issue 18)."""
    request = Request(scope, receive, send)
    try:
        response = await endpoint(request)
    except Reject as error:
        response = await answer_rejected(request, error)
    except Disconnected as error:
        response = await answer_disconnected(request, error)
    await response(scope, receive, send)


__all__ = ["Guard", "OPEN_PATHS"]
