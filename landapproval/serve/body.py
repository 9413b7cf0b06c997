"""The one reader of request bodies, for /v1 and the workbench alike.

Why a body is read by hand instead of declared as a FastAPI/pydantic body: the contract needs exact
decimals (``5.1234`` must never pass through a binary float), YAML as well as JSON, and the same
safe loader as case files (no aliases, no repeated keys, a depth cap). So the raw bytes are read
here, refused (413) as soon as they pass the cap — before anything is parsed, never buffered whole —
or when they do not arrive within the body timeout (408), and parsed by `core.reader`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any, AsyncIterator

from fastapi import Request
from starlette.requests import ClientDisconnect

from landapproval.core import reader
from landapproval.core.errors import InputError
from landapproval.serve.errors import Disconnected, Reject, input_error, problem

MAX_BODY_BYTES = reader.MAX_FILE_BYTES    # one case: the same cap as a case file on disk
DRAIN_MAX_BYTES = 8 * MAX_BODY_BYTES      # a refused body is read and dropped up to this much ...
DRAIN_SECONDS = 5.0                       # ... or this long, so the client can read its 413
SOURCE = "request body"

JSON_TYPES = frozenset({"application/json"})
YAML_TYPES = frozenset({"application/yaml", "application/x-yaml", "text/yaml"})
JSONL_TYPES = frozenset({"application/jsonl", "application/x-ndjson", "application/json-lines"})
ACCEPTED_TYPES = sorted(JSON_TYPES) + sorted(YAML_TYPES)


def media_type(request: Request, accepted: frozenset[str] | None = None) -> str:
    """The body's media type, or Reject 415 (another type, or a charset other than UTF-8)."""
    header = request.headers.get("content-type", "")
    media, _, params = header.partition(";")
    media = media.strip().lower()
    allowed = accepted or (JSON_TYPES | YAML_TYPES)
    if media not in allowed:
        shown = f"{media!r} is" if media else "no Content-Type was"
        names = ", ".join(sorted(allowed))
        raise Reject(415, "unsupported_media_type", f"{shown} not accepted: send {names}",
                     headers={"Accept-Post": names})
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip('"').lower() not in ("utf-8", "utf8"):
            raise Reject(415, "unsupported_media_type",
                         f"charset {value.strip()!r} is not accepted: send the case as UTF-8")
    return media


def too_large(size: str, limit: int) -> Reject:
    message = f"the body is {size} bytes; the limit is {limit:,}"
    return Reject(413, "too_large", message, SOURCE, [problem("", message)], headers={"Connection": "close"})


async def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes:
    """The raw body, refused (413) as soon as it passes `limit`, within the body timeout (408); a
    client that goes away raises `Disconnected` (answered with one info line)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        if int(declared) <= DRAIN_MAX_BYTES:
            await _discard(request.stream())
        raise too_large(f"{int(declared):,}", limit)
    chunks, size = [], 0
    stream = request.stream()
    timeout = request.app.state.settings.body_timeout
    try:
        async with asyncio.timeout(timeout):
            async for chunk in stream:
                size += len(chunk)
                if size > limit:
                    await _discard(stream)
                    raise too_large(f"more than {limit:,}", limit)
                chunks.append(chunk)
    except TimeoutError:
        message = f"the body did not arrive within {timeout:g} s ({size:,} bytes received)"
        raise Reject(408, "request_timeout", message, SOURCE, [problem("", message)],
                     headers={"Connection": "close"}) from None
    except ClientDisconnect:
        raise Disconnected(size) from None
    return b"".join(chunks)


async def _discard(stream: AsyncIterator[bytes]) -> None:
    """Read and drop what is left of a refused body, within DRAIN_MAX_BYTES and DRAIN_SECONDS.

    Closing a connection whose request is still arriving makes the kernel reset it, and the client
    then loses the 413 it was sent; draining first lets it read why it was refused. Nothing read
    here is kept, and a body beyond either budget is cut off (the connection is closed anyway).
    """
    budget, deadline = DRAIN_MAX_BYTES, time.monotonic() + DRAIN_SECONDS
    with contextlib.suppress(ClientDisconnect, TimeoutError):
        async with asyncio.timeout(DRAIN_SECONDS):
            async for chunk in stream:
                budget -= len(chunk)
                if budget < 0 or time.monotonic() > deadline:
                    break


def parse(raw: bytes, source: str = SOURCE, lang: str = "zh", json_first: bool = False) -> Any:
    """The body as plain data with the case files' safe loader, or Reject 400 (not UTF-8, JSON or
    YAML, or nested too deep)."""
    try:
        return reader.parse_bytes(raw, source, json_first=json_first)
    except InputError as error:
        raise input_error(400, error, lang) from None


__all__ = ["ACCEPTED_TYPES", "JSONL_TYPES", "JSON_TYPES", "MAX_BODY_BYTES", "SOURCE", "YAML_TYPES",
           "media_type", "parse", "read_body", "too_large"]
