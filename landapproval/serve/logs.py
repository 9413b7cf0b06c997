"""Logs as JSON lines on request (`serve --log-format json`): one object per record, with the
request id (and the W3C trace id, when the client sent `traceparent`) of the request it belongs to.

`Guard` sets `CONTEXT` for each request; the evaluation threads run in a copy of that context
(`runtime.with_law`), so a line logged while deciding a case carries its request id too.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
import traceback

from landapproval.core.jsonout import dumps_text

#: (request id, trace id or None) of the request being handled
CONTEXT: contextvars.ContextVar[tuple[str, str | None] | None] = contextvars.ContextVar("landapproval_request",
                                                                                      default=None)


class JsonFormatter(logging.Formatter):
    """{"ts", "level", "logger", "message", "request_id"?, "trace_id"?, "exception"?} on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        current = CONTEXT.get()
        if current is not None:
            out["request_id"] = current[0]
            if current[1]:
                out["trace_id"] = current[1]
        if record.exc_info:
            out["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return dumps_text(out)


__all__ = ["CONTEXT", "JsonFormatter"]
