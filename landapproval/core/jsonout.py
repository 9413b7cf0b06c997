"""The one JSON encoder: UTF-8 with Chinese left readable, exact decimals as text (never a binary
float), dates in ISO form. Every surface that writes JSON (the decision, the CLI, the HTTP service,
the page) encodes through `dumps`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson


def _fallback(value: Any) -> Any:
    """orjson's fallback for what it does not encode itself."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(content: Any, *, indent: bool = False) -> bytes:
    """`content` as UTF-8 JSON bytes (orjson encodes dates as ISO text itself)."""
    return orjson.dumps(content, default=_fallback, option=orjson.OPT_INDENT_2 if indent else 0)


def dumps_text(content: Any, *, indent: bool = False) -> str:
    return dumps(content, indent=indent).decode("utf-8")


__all__ = ["dumps", "dumps_text"]
