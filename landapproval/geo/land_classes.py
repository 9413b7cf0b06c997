"""三调 地类编码 to the contract's five land classes; the table itself is data (land_classes.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from landapproval.core.reader import read_document

CLASSES = ("cultivated", "other_agricultural", "construction", "unused")
TABLE_PATH = Path(__file__).with_name("land_classes.yaml")


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], dict[str, str]]:
    data = read_document(TABLE_PATH)  # the one reader: codes such as 0101 stay text, never octal
    groups, codes = data["groups"], data["codes"]
    for value in (*groups.values(), *codes.values()):
        if value not in CLASSES:
            raise ValueError(f"{TABLE_PATH}: unknown class {value!r}")
    return groups, codes


def land_class(code: object) -> str | None:
    """The class of a 地类编码 (e.g. '0103', '0201K', '1104A', '05H1'), or None if unknown."""
    if code is None:
        return None
    text = str(code).strip().upper()
    if not text:
        return None
    groups, codes = _table()
    for key in (text, text[:4]):
        if key in codes:
            return codes[key]
    # only a code that starts with a known 一级类 is trusted to belong to it
    if len(text) >= 4 and text[:2] in groups:
        return groups[text[:2]]
    return None
