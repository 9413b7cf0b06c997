"""How one `landapproval serve` behaves: a plain value, with no web stack behind it.

`protocol.serve(settings)` reads the process-wide part (host, port, workers, log level, connection
limit) and hands the whole value to every worker as the argument of its application factory
(pickled into the worker's start-up, never into its environment, where the token would be readable
in /proc/PID/environ); `to_env` — the token left out — remains for what reads settings without
an application (the header timeout of the protocol class).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

from landapproval.core.jsonout import dumps_text

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


@dataclass(frozen=True)
class Settings:
    """How one server behaves; `protocol.serve` passes it to every worker through the environment."""

    host: str = DEFAULT_HOST            # address to bind (loopback unless told otherwise)
    port: int = DEFAULT_PORT            # 0: any free port
    workers: int = 1                    # processes sharing the port, each with its own law and engine
    log_level: str = "info"             # critical | error | warning | info | debug
    max_connections: int = 1000         # open connections per worker; beyond: 503 from uvicorn
    token: str | None = None            # bearer token required on /v1/* and /web/* (None: no auth, loopback)
    max_in_flight: int = 64             # requests being handled at once; beyond: they wait for a slot ...
    queue_timeout: float = 2.0          # ... at most this many seconds, then 503 with Retry-After
    body_timeout: float = 10.0          # seconds for the whole body to arrive; beyond: 408
    header_timeout: float = 10.0        # seconds for the request line and headers (see `protocol`)
    access_log: bool = False            # one JSON line per request on the landapproval.access logger
    threads: int = 4                    # evaluations run side by side (the engine itself is serialised)
    layers: str | None = None           # a layers file opened once (geometry over HTTP; see /readyz)
    rules: str | None = None            # a rules folder (`Law.from_dir`); None: the rules shipped with the package
    db_connect_timeout: float = 5.0     # seconds to connect to a PostGIS layer source
    db_statement_timeout: float = 10.0  # seconds for one query of a layer source (then 503 + Retry-After)
    map_threads: int = 2                # evaluations that read map layers run here, never in `threads`
    log_format: str = "text"            # text | json (one JSON object per log line, request id included)
    shutdown_grace: float = 10.0        # seconds requests in progress get to finish on SIGTERM / Ctrl-C

    ENV = "LANDAPPROVAL_SERVE_SETTINGS"

    def to_env(self) -> str:
        """Everything but the token: the environment of a process is readable in /proc/PID/environ
        (the token reaches the workers inside their pickled start-up arguments, `protocol.serve`)."""
        return dumps_text({**asdict(self), "token": None})

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get(cls.ENV)
        return cls(**json.loads(raw)) if raw else cls()


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "Settings"]
