"""Running the HTTP service under uvicorn: workers, TCP_NODELAY, header timeout, logging.

What uvicorn does not do by itself, and why it matters here:

- **TCP_NODELAY with workers** (uvicorn #3149): `uvicorn --workers N` binds the listening socket
  with ``proto`` 0; accepted sockets inherit it and asyncio only sets TCP_NODELAY when it sees
  IPPROTO_TCP, so every keep-alive request after the first waits ~40 ms on a delayed ACK (22 req/s
  for one client). We bind the socket ourselves with IPPROTO_TCP and hand it to the workers.
- **A header timeout**: uvicorn waits forever for a request's headers, so trickling connections
  pile up until the process runs out of file descriptors. `HeaderTimeout` closes a connection
  whose request line and headers have not arrived within the timeout (the body has its own timeout
  in the application, answered with 408).
- **An upgrade the server does not take is ignored, the body kept** (uvicorn #2722): Java's
  `HttpClient` asks for HTTP/2 on every request (`Connection: Upgrade, HTTP2-Settings`,
  `Upgrade: h2c`); httptools stops parsing at the end of those headers, so the request reached the
  application without its body (400 "not valid JSON", or "Invalid HTTP request received." when the
  body came in a later packet). `_IgnoreUpgrade` answers as RFC 9110 §7.8 allows — as though the
  header had not been sent: the request head is replayed without the upgrade into a fresh parser,
  with the bytes that followed, and the request continues on HTTP/1.1 (keep-alive intact).
- **One process, one engine**: each worker imports the app afresh (`create_app` as a factory) and
  builds its own law and engine — durable_rules' C core is never shared between processes.

Importing this module builds no application: `serve` names the factory, and every worker reads its
`Settings` from the environment.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import functools
import logging
import os
import resource
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from landapproval.serve.settings import Settings

try:  # the C parser, several times faster than h11 (uvicorn picks it the same way)
    import httptools
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
    _HTTPTOOLS = True
except ImportError:  # pragma: no cover - httptools not installed
    _HTTPTOOLS = False

if TYPE_CHECKING:   # what the mixins below are mixed into (at run time they derive from object only)
    from fastapi import FastAPI

    _Protocol = asyncio.Protocol
    _HttpTools = HttpToolsProtocol
else:
    _Protocol = _HttpTools = object

_UPGRADE_TOKENS = frozenset({b"upgrade", b"http2-settings"})

log = logging.getLogger("landapproval.serve.app")


class _HeaderTimeout(_Protocol):
    """Close a connection whose request headers do not arrive within `header_timeout` seconds,
    counted from the connection (or from the end of the previous response on a kept-alive one,
    where uvicorn's keep-alive timeout covers the idle wait)."""

    _header_timer: asyncio.TimerHandle | None = None
    header_timeout: float | None = None      # None: the serving settings' (tests set it directly)
    # set by the uvicorn protocol (h11 or httptools) this is mixed into; `cycle`: that one's own
    # RequestResponseCycle class (read here: response_complete), None between requests
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport
    client: tuple[str, int] | None
    cycle: Any

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()      # the headers are in: the request is being handled
        elif self._header_timer is None and not self.transport.is_closing():
            self._arm()         # part of the next request's headers

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._header_timer = self.loop.call_later(self.header_timeout or _header_timeout(), self._headers_too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:
            log.info("closed a connection from %s: no complete request headers within %g s",
                     "%s:%s" % self.client if self.client else "?", self.header_timeout or _header_timeout())
            self.transport.close()


@functools.cache
def _header_timeout() -> float:
    return Settings.from_env().header_timeout   # set by serve() before the workers start


class H11WithHeaderTimeout(_HeaderTimeout, H11Protocol):
    pass


class _IgnoreUpgrade(_HttpTools):
    """httptools: a request asking for an upgrade other than a WebSocket (h2c) is served as the
    HTTP/1.1 request it also is, its body read (see the module's docstring)."""

    _replaying = False

    def data_received(self, data: bytes) -> None:
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            message = "Invalid HTTP request received."
            self.logger.warning(message)
            self.send_400_response(message)
        except httptools.HttpParserUpgrade as upgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._without_upgrade(data[upgrade.args[0]:] if upgrade.args else b"")

    def _without_upgrade(self, rest: bytes) -> None:
        """Feed the request's head again, without Upgrade, HTTP2-Settings and their Connection
        tokens, and what followed it, into a fresh parser; the request's cycle (already started
        by the first head) gets the body, and the parser stays for the next request."""
        version = self.parser.get_http_version()
        head = [self.scope["method"].encode("ascii"), b" ", self.url, b" HTTP/", version.encode("ascii"), b"\r\n"]
        for name, value in self.headers:
            if name in _UPGRADE_TOKENS:
                continue
            if name == b"connection":
                tokens = [t.strip() for t in value.split(b",") if t.strip() and t.strip().lower() not in _UPGRADE_TOKENS]
                if not tokens:
                    continue
                value = b", ".join(tokens)
            head += [name, b": ", value, b"\r\n"]
        head.append(b"\r\n")
        self.parser = httptools.HttpRequestParser(self)
        self._replaying = True
        self.data_received(b"".join(head) + rest)

    def on_headers_complete(self) -> None:
        if self._replaying:     # the head replayed: its cycle is running already
            self._replaying = False
            return
        super().on_headers_complete()

    def _upgrade_ignored(self) -> bool:
        """The parser that saw the upgrade may still report the message complete (with no body):
        that is left to the replay, or the application would read an empty body."""
        return self.parser.should_upgrade() and not self._should_upgrade()

    def on_body(self, body: bytes) -> None:
        if not self._upgrade_ignored():
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._upgrade_ignored():
            super().on_message_complete()


HTTP_PROTOCOL: type[asyncio.Protocol]
if _HTTPTOOLS:
    class HttpToolsWithHeaderTimeout(_HeaderTimeout, _IgnoreUpgrade, HttpToolsProtocol):
        pass

    HTTP_PROTOCOL = HttpToolsWithHeaderTimeout
else:  # pragma: no cover
    HTTP_PROTOCOL = H11WithHeaderTimeout


def listening_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket whose accepted connections get TCP_NODELAY (proto = IPPROTO_TCP)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def log_config(level: str, access_log: bool, log_format: str = "text") -> dict[str, Any]:
    """uvicorn's logging, plus our loggers: landapproval.* at `level`, and the access log as bare
    JSON lines on stdout (one per request) when switched on. `log_format` "json": every line of
    every logger (uvicorn's too) is one JSON object with the request id (`logs.JsonFormatter`)."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["formatters"]["line"] = {"format": "%(message)s"}
    if log_format == "json":
        for name in ("default", "access"):
            config["formatters"][name] = {"()": "landapproval.serve.logs.JsonFormatter"}
    config["handlers"]["access_lines"] = {"formatter": "line", "class": "logging.StreamHandler",
                                          "stream": "ext://sys.stdout"}
    config["loggers"]["landapproval"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    config["loggers"]["landapproval.access"] = {"handlers": ["access_lines"], "propagate": False,
                                                "level": "INFO" if access_log else "CRITICAL"}
    return config


def _more_open_files() -> None:
    """Raise the soft limit on open files to the hard one: each connection is a descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # pragma: no cover - a container that forbids it
            pass


def _create_app(settings: Settings) -> FastAPI:
    """A worker's application (imported in the worker, after uvicorn set up its logging)."""
    from landapproval.serve.app import create_app

    return create_app(settings)


def check(settings: Settings) -> Settings:
    """The settings with their files made absolute, once they have been opened here: a bad layers
    file or rules folder stops `serve` (InputError, RuleError) before any worker starts."""
    from landapproval.law import Law
    from landapproval.serve.runtime import configure_sources, open_layers

    rules, layers = settings.rules, settings.layers
    if rules is not None:
        rules = str(Path(rules).resolve())
        Law.from_dir(rules)
    if layers is not None:
        layers = str(Path(layers).resolve())
        configure_sources(settings)
        open_layers(layers)
    return dataclasses.replace(settings, rules=rules, layers=layers)


def serve(settings: Settings) -> None:
    """Serve until interrupted (Ctrl-C): `settings.workers` processes on `settings.host:port`, each
    running `app.create_app()` with its own law and engine."""
    settings = check(settings)
    os.environ[Settings.ENV] = settings.to_env()   # without the token: /proc/PID/environ is readable
    _more_open_files()
    config = uvicorn.Config(
        # the factory and its settings, token included, reach each worker pickled in its start-up
        # arguments (uvicorn's spawned workers), never through the environment
        functools.partial(_create_app, settings), factory=True, host=settings.host, port=settings.port,
        workers=settings.workers, http=HTTP_PROTOCOL, log_level=settings.log_level,
        log_config=log_config(settings.log_level, settings.access_log, settings.log_format),
        access_log=False,                  # ours is one structured line per request (guard.Guard)
        limit_concurrency=settings.max_connections,  # open connections + tasks; beyond: 503 from uvicorn
        timeout_keep_alive=5, server_header=False,
        # uvicorn annotates int but uses it as asyncio.timeout's seconds, a float (10.5 s waits 10.5 s)
        timeout_graceful_shutdown=settings.shutdown_grace,  # type: ignore[arg-type]  # int in uvicorn, a float is meant
    )
    sock = listening_socket(settings.host, settings.port)
    log.info("serving on http://%s:%d with %d worker(s)%s", settings.host, sock.getsockname()[1], settings.workers,
             ", bearer token required on /v1/*" if settings.guarded else "")
    try:
        if settings.workers > 1:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[sock]).run()
        else:
            uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:  # pragma: no cover
        pass
    finally:
        sock.close()


__all__ = ["HTTP_PROTOCOL", "check", "listening_socket", "log_config", "serve"]
