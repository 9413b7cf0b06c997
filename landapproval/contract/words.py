"""The words officials actually type, read exactly into the contract's values — never guessed.

The readers here are what `contract.normalise` converts with, after a case failed validation as
written; a value whose meaning is not certain is left as it was, so that pydantic reports it at its
own field path and `intake.messages` explains the expected form:

- dates: 2024-09-10, 2024-9-10, 2024/9/10, 2024.9.10, 2024年9月10日, 20240910 → 2024-09-10
- full-width digits and punctuation (２０２４－０９－１０, ５．１２３４): NFKC
- areas: 5.1234公顷 / 5.1234 ha → 5.1234 (an area in 亩 or 平方米 is refused by `messages` with the
  exact value in hectares: converting silently could round across a threshold)
- enums: the Chinese names in labels.yaml (批次 → batch, 集体 → collective, 省级 → provincial …)
- booleans: 是 / 否;  lists: 无 → [];  development zone: 无 → null
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from landapproval.core.reader import read_document
from landapproval.core.sentences import plain

LABELS_FILE = Path(__file__).with_name("labels.yaml")
EMPTY_WORDS = frozenset({"无", "没有"})  # an empty list; not in a development zone

_DATE = re.compile(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})日?|(\d{2})(\d{2}))")
AREA_UNITS = ("公顷", "hm²", "hm2", "ha")


@lru_cache(maxsize=1)
def label_data() -> dict[str, Any]:
    """labels.yaml as plain data (field labels, enum value names and aliases, yes/no words)."""
    data: dict[str, Any] = read_document(LABELS_FILE)
    return data


@lru_cache(maxsize=1)  # a file shipped with the code, read once
def yes_no_and_aliases() -> tuple[dict[str, Any], dict[str, Any]]:
    """是/否 and the other yes/no words → bool; per enum field, each accepted alias → its value."""
    data = label_data()
    yes_no = {word: value for value, words in data["booleans"].items() for word in words}
    aliases = {field: {alias: value for value, spec in values.items() for alias in spec.get("aliases", ())}
               for field, values in data["values"].items()}
    return yes_no, aliases


def parse_date(value: Any) -> dt.date | None:
    """A date in one of the accepted forms, or None (not a date, or not a real day)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    match = _DATE.fullmatch(plain(value))
    if not match:
        return None
    year, *rest = match.groups()
    month, day = next((rest[i], rest[i + 1]) for i in (0, 2, 4) if rest[i] is not None)
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def parse_area(value: Any) -> Decimal | None:
    """Hectares as a Decimal from text such as '5.1234', '５．１２３４' or '5.1234公顷'; else None."""
    if not isinstance(value, str):
        return None
    text = plain(value)
    for unit in AREA_UNITS:
        if text.endswith(unit):
            text = text[: -len(unit)].rstrip()
            break
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


