"""Findings the geometry layer reports: one dict shape, shared with the decision's findings.

A finding is a fact a reviewer must see (a sliver that was ignored, a file that disagrees with
itself, a declared area that disagrees with the map); it is never an exception. Bad input that
cannot be measured at all is an InputError instead.
"""

from __future__ import annotations

from typing import TypedDict

SEVERITIES = ("blocking", "correctable", "warning")

# Citations used by more than one finding.
CITE_LAND_TYPE_AREA = "临政发〔2024〕7号 四(三)"      # 确保地类、面积准确，权属清晰
CITE_EXCHANGE_FORMAT = "勘测定界界址点坐标交换文件格式 [地块坐标]"


class Finding(TypedDict):
    """One finding as the geometry layer reports it (and `geometry.findings[]` shows it)."""
    code: str
    severity: str
    message_zh: str
    message_en: str
    citation: str
    remedy: str


def finding(code: str, severity: str, zh: str, en: str, citation: str, remedy: str) -> Finding:
    if severity not in SEVERITIES:
        raise ValueError(f"unknown severity {severity!r}")
    return {"code": code, "severity": severity, "message_zh": zh, "message_en": en,
            "citation": citation, "remedy": remedy}
