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
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from landapproval.core.jsonout import dumps_text

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


MIN_TOKEN_CHARS = 16
_COUNTY = re.compile(r"county:(\d{6})")


@dataclass(frozen=True)
class Token:
    """One bearer token of `serve --token-file` and what it may do in the case register (issue 20):
    `county` None is the city (every county, the reports, county events), else one county's code
    (its cases only; another county's case is a 404); `can_write` False: read-only. Outside the
    register every accepted token has the same rights."""

    secret: str
    county: str | None = None
    can_write: bool = True

    def __repr__(self) -> str:   # never the secret in a log line or a traceback
        return f"Token(county={self.county!r}, can_write={self.can_write})"


class TokenFileError(ValueError):
    """A token file that cannot be read as one: the sentence names the file and the line."""


def read_token_file(path: str | Path) -> tuple[Token, ...]:
    """The tokens of `serve --token-file`: one a line, `TOKEN [city | county:<code>] [read-only | read-write]`
    (fields apart by spaces; blank lines and lines starting with `#` skipped). A line that is only
    `TOKEN` is the city with every right — so a file of one token, as before, still means what it did.
    Each token at least 16 characters, none twice."""
    path = Path(path)
    tokens: list[Token] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith("#"):
            continue
        where = f"{path}: line {number}"
        secret, county, can_write, scope_seen, rights_seen = fields[0], None, True, False, False
        if len(secret) < MIN_TOKEN_CHARS:
            raise TokenFileError(f"{where}: the token must be at least {MIN_TOKEN_CHARS} characters")
        for field in fields[1:]:
            if field == "city" or _COUNTY.fullmatch(field):
                if scope_seen:
                    raise TokenFileError(f"{where}: two scopes for one token")
                county, scope_seen = (None if field == "city" else field.split(":", 1)[1]), True
            elif field in ("read-only", "read-write"):
                if rights_seen:
                    raise TokenFileError(f"{where}: two rights for one token")
                can_write, rights_seen = field == "read-write", True
            else:
                raise TokenFileError(f"{where}: {field!r} is neither a scope (city, county:<6-digit code>) "
                                     "nor a right (read-only, read-write)")
        if any(t.secret == secret for t in tokens):
            raise TokenFileError(f"{where}: this token is already on an earlier line")
        tokens.append(Token(secret, county, can_write))
    if not tokens:
        raise TokenFileError(f"{path}: no token in the file (the token must be at least {MIN_TOKEN_CHARS} characters)")
    return tuple(tokens)


@dataclass(frozen=True)
class Settings:
    """How one server behaves; `protocol.serve` passes it to every worker through the environment."""

    host: str = DEFAULT_HOST            # address to bind (loopback unless told otherwise)
    port: int = DEFAULT_PORT            # 0: any free port
    workers: int = 1                    # processes sharing the port, each with its own law and engine
    log_level: str = "info"             # critical | error | warning | info | debug
    max_connections: int = 1000         # open connections per worker; beyond: 503 from uvicorn
    token: str | None = None            # bearer token required on /v1/* and /web/* (None: no auth, loopback): the city's
    tokens: tuple[Token, ...] = ()      # `--token-file`'s tokens, each with its register scope (`read_token_file`)
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

    def accepted_tokens(self) -> tuple[Token, ...]:
        """Every token the service accepts: `token` (the city, every right) and `tokens`."""
        return ((Token(self.token),) if self.token else ()) + tuple(self.tokens)

    @property
    def guarded(self) -> bool:
        """Whether a bearer token is required (on /v1/*, /web/*, /metrics and the register)."""
        return bool(self.token or self.tokens)

    def to_env(self) -> str:
        """Everything but the tokens: the environment of a process is readable in /proc/PID/environ
        (the tokens reach the workers inside their pickled start-up arguments, `protocol.serve`)."""
        return dumps_text({**asdict(self), "token": None, "tokens": []})

    @classmethod
    def from_env(cls) -> "Settings":
        raw = os.environ.get(cls.ENV)
        if not raw:
            return cls()
        values = json.loads(raw)
        values["tokens"] = tuple(Token(**t) for t in values.get("tokens") or ())
        return cls(**values)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "MIN_TOKEN_CHARS", "Settings", "Token", "TokenFileError", "read_token_file"]
