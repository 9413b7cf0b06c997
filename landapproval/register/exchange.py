"""Export and import a whole register as JSON lines (one row a line: {"table": …, "row": {…}}), in
a fixed order, so export → import → export gives the same text; and `reevaluate`: every stored
case decided again under another rule book, listing the decisions that would change."""

from __future__ import annotations

import base64
import datetime as dt
from typing import IO, TYPE_CHECKING, Any, Iterator

import orjson
from sqlalchemy import Column, Date, DateTime, LargeBinary, func, select, text

from landapproval.core.errors import InputError, Text
from landapproval.core.jsonout import dumps_text
from landapproval.decision.model import Decision
from landapproval.law import Law
from landapproval.register.db import is_sqlite, write
from landapproval.register.schema import HEAD, cases, decisions, events, parcels, quota, versions

if TYPE_CHECKING:
    from landapproval.register.store import Register

TABLES = (cases, versions, decisions, events, quota, parcels)
BY_NAME = {t.name: t for t in TABLES}


def export_lines(register: Register) -> Iterator[str]:
    yield dumps_text({"register": "landapproval", "schema": HEAD})
    with register.engine.connect() as conn:
        for table in TABLES:
            for row in conn.execute(select(table).order_by(table.c.id)):
                yield dumps_text({"table": table.name, "row": {str(c.name): _out(row._mapping[c.name]) for c in table.c}})


def _out(value: Any) -> Any:  # a column's value as JSON (bytes as base64, times in UTC)
    if isinstance(value, (bytes, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).isoformat() if value.tzinfo else value.replace(tzinfo=dt.timezone.utc).isoformat()
    return value


def import_lines(register: Register, stream: IO[str], source: str = "import") -> int:
    """Load an export into an EMPTY register (ids kept); refused, nothing written, otherwise."""
    rows: dict[str, list[dict[str, Any]]] = {t.name: [] for t in TABLES}
    for number, line in enumerate(stream, 1):
        if not line.strip():
            continue
        try:
            record = orjson.loads(line)
        except orjson.JSONDecodeError as error:
            raise InputError(source, [(f"line {number}", Text(f"第 {number} 行不是 JSON：{error}", f"line {number} is not JSON: {error}"))]) from None
        if number == 1:
            if record.get("register") != "landapproval" or record.get("schema") != HEAD:
                raise InputError(source, [("line 1", Text(f"不是本版本（结构 {HEAD}）导出的登记库：{record}",
                                                          f"not a register export of schema {HEAD}: {record}"))])
            continue
        table = BY_NAME.get(record.get("table"))
        if table is None:
            raise InputError(source, [(f"line {number}", Text(f"第 {number} 行：未知的表 {record.get('table')!r}",
                                                              f"line {number}: unknown table {record.get('table')!r}"))])
        rows[table.name].append({str(c.name): _in(c, record["row"].get(str(c.name))) for c in table.c})
    with write(register.engine) as conn:
        if any(conn.execute(select(func.count()).select_from(t)).scalar() for t in TABLES):
            raise InputError(source, [("", Text("只能导入到空的登记库", "import goes into an empty register only"))])
        total = 0
        for table in TABLES:
            if rows[table.name]:
                conn.execute(table.insert(), rows[table.name])
                total += len(rows[table.name])
                if not is_sqlite(register.engine):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                      f"(SELECT max(id) FROM {table.name}))"))
    return total


def _in(column: Column[Any], value: Any) -> Any:  # an exported JSON value back to the column's type
    if value is None:
        return None
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value["base64"])
    if isinstance(column.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return dt.date.fromisoformat(value)
    return value


def reevaluate(register: Register, other_law: Law, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Each stored case's latest version decided under the register's law and under `other_law`;
    the cases whose authority, verdict or checks differ, with both fingerprints."""
    changed: list[dict[str, Any]] = []
    for county, case_id, number, normalised in register.stored_cases():
        before = register.decide(normalised, source=f"{county}/{case_id}", today=today)
        after = register.decide(normalised, source=f"{county}/{case_id}", today=today, law=other_law)
        a, b = _summary(before), _summary(after)
        if a != b:
            changed.append({"county": county, "case": case_id, "version": number,
                            "before": {**a, "rules_sha256": before.law["rules_sha256"]},
                            "after": {**b, "rules_sha256": after.law["rules_sha256"]},
                            "differs": sorted(k for k in a if a[k] != b[k])})
    return changed


def _summary(decision: Decision) -> dict[str, Any]:
    return {"conversion": decision.conversion and f"{decision.conversion.level}/{decision.conversion.mode}",
            "expropriation": decision.expropriation and f"{decision.expropriation.level}/{decision.expropriation.mode}",
            "approvable": decision.approvable,
            "checks": {c.id: c.status for c in decision.checks}}
