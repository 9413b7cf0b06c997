"""The officials' table as an Excel workbook: the same rows as the CSV, plus a summary sheet
(cases by approving authority, areas by county). openpyxl is imported only here, so the CLI's
other commands start without it.
"""

from __future__ import annotations

import io
from collections import Counter
from decimal import Decimal
from typing import Any, Iterable

from landapproval.batch import Outcome
from landapproval.decision.words import verdict_kind
from landapproval.law import Law
from landapproval.views.table import COLUMNS, CSV_COLUMNS, Row, table_row

AREA_COLUMNS = ("permanent_basic_farmland", "cultivated", "other_agricultural", "construction", "unused",
                "conversion_agricultural", "expropriation_total")
_WORDS = {
    "zh": {"cases": "审查结果", "summary": "汇总", "authority": "审批机关", "conversion": "农用地转用（件）",
           "expropriation": "土地征收（件）", "county": "县（市、区）", "count": "案件数", "total": "合计",
           "approvable": "可以批准", "to_file": "可以报批（报上级批准）", "not_approvable": "暂不能批准", "unreadable": "无法读取",
           "by_authority": "按审批机关统计", "by_county": "按县（市、区）统计面积（公顷）", "counts": "案件"},
    "en": {"cases": "Decisions", "summary": "Summary", "authority": "approving authority",
           "conversion": "conversions (cases)", "expropriation": "expropriations (cases)", "county": "county",
           "count": "cases", "total": "total", "approvable": "approvable", "to_file": "ready to file with a higher authority",
           "not_approvable": "not approvable yet",
           "unreadable": "unreadable", "by_authority": "Cases by approving authority",
           "by_county": "Areas by county (ha)", "counts": "Cases"},
}


def workbook_bytes(outcomes: list[Outcome], lang: str = "zh", *, law: Law | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    w = _WORDS[lang]
    header = [column[1 if lang == "zh" else 2] for column in COLUMNS]
    book = Workbook()
    sheet = book.active
    sheet.title = w["cases"]
    sheet.append(header)
    rows = [table_row(outcome, lang, law=law) for outcome in outcomes]
    for row in rows:
        sheet.append([_cell(key, row[key]) for key in CSV_COLUMNS])
    _finish(sheet, Font)
    _text_cells(sheet)
    _number_format(sheet, [CSV_COLUMNS.index(key) + 1 for key in AREA_COLUMNS])

    summary = book.create_sheet(w["summary"])
    decided = [o for o in outcomes if o.decision is not None]
    kinds = Counter(verdict_kind(o.decision) for o in decided if o.decision is not None)
    summary.append([w["counts"], w["count"]])
    summary.append([w["total"], len(outcomes)])
    summary.append([w["approvable"], kinds["approve"]])
    summary.append([w["to_file"], kinds["file"]])
    summary.append([w["not_approvable"], kinds["hold"]])
    summary.append([w["unreadable"], len(outcomes) - len(decided)])
    summary.append([])
    summary.append([w["by_authority"]])
    summary.append([w["authority"], w["conversion"], w["expropriation"]])
    headers = [1, summary.max_row]
    counts = {part: Counter(_text(row, f"{part}_authority") for row, o in zip(rows, outcomes) if o.decision)
              for part in ("conversion", "expropriation")}
    for authority in sorted(set(counts["conversion"]) | set(counts["expropriation"])):
        summary.append([authority, counts["conversion"][authority], counts["expropriation"][authority]])
    summary.append([])
    summary.append([w["by_county"]])
    area_headers = [header[CSV_COLUMNS.index(key)] for key in AREA_COLUMNS]
    summary.append([w["county"], w["count"], *area_headers])
    headers.append(summary.max_row)
    first_area_row = summary.max_row + 1
    by_county: dict[str, list[int | Decimal]] = {}  # [cases, areas…] by county name
    for row, outcome in zip(rows, outcomes):
        if outcome.decision is None:
            continue
        entry = by_county.setdefault(_text(row, "county"), [0] + [Decimal(0)] * len(AREA_COLUMNS))
        entry[0] += 1
        for index, key in enumerate(AREA_COLUMNS, 1):
            entry[index] += Decimal(_text(row, key))
    for county in sorted(by_county, key=lambda name: next(_text(r, "county_code") for r in rows if r["county"] == name)):
        summary.append([county, *by_county[county]])
    _finish(summary, Font, header_rows=headers)
    _text_cells(summary)
    for row in summary.iter_rows(min_row=first_area_row, min_col=3):
        for cell in row:
            cell.number_format = "0.0000"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(row: Row, key: str) -> str:
    """A cell of a decided case's row: always text (only an undecided outcome's error may be None)."""
    value = row[key]
    assert value is not None, key
    return value


def _cell(key: str, value: str | None) -> Decimal | str | None:
    """Areas as numbers (they sum in the sheet), everything else as text."""
    if key in AREA_COLUMNS and value is not None and value != "":  # (an area is never None)
        return Decimal(value)
    return value


def _text_cells(sheet: Any) -> None:  # an openpyxl worksheet (openpyxl has no type stubs)
    """A text cell stays text: openpyxl would store "=…" as a formula (spreadsheet injection)."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _number_format(sheet: Any, columns: list[int]) -> None:  # an openpyxl worksheet
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.column in columns:
                cell.number_format = "0.0000"


def _finish(sheet: Any, font: Any, header_rows: Iterable[int] = (1,)) -> None:  # openpyxl worksheet, Font
    for number in header_rows:
        for cell in sheet[number]:
            cell.font = font(bold=True)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, longest * 1.6))
