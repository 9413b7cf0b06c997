"""The case register at a city's scale (issue 20, Build 8): 10,000 cases over 10 years and 17
counties, generated straight into the tables (with their parcels, boundaries and events), then

- the milliseconds the cross-case checks add to one evaluation (the same new cases evaluated with
  and without the register; their projects, parcels and counties meet the generated ones), and
- the time of one year's 七(三) report over all counties,

on SQLite and, when a PostgreSQL address is given (--pg or LANDAPPROVAL_TEST_PG), on PostgreSQL in
the same run (a database of its own, dropped at the end). Goals: ≤ 5 ms added, ≤ 2 s per report.

    .venv/bin/python bench/register_scale.py [--cases 10000] [--pg postgresql://…] [--json out.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import orjson
from shapely.geometry import box

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landapproval.api import evaluate  # noqa: E402
from landapproval.law import Law  # noqa: E402
from landapproval.register import Register  # noqa: E402
from landapproval.register import report as reports  # noqa: E402
from landapproval.register.db import write  # noqa: E402
from landapproval.register.schema import cases, decisions, events, parcels, quota, versions  # noqa: E402

YEARS = list(range(2015, 2025))
X0, Y0 = 37_440_000, 3_920_000


def generate(reg: Register, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    counties = [c.code for c in reg.law.jurisdiction.counties]
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    case_rows, version_rows, decision_rows, event_rows, parcel_rows = [], [], [], [], []
    event_id = 0
    for pk in range(1, n + 1):
        county = counties[pk % len(counties)]
        year = YEARS[pk % len(YEARS)]
        filed = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))
        case_id = f"{county}-{year}-{pk:05d}"
        project = f"P-{pk // 3:05d}" if pk % 10 == 0 else None   # one case in ten shares a project code
        cultivated = rng.randrange(1, 200_000)                    # m²
        other = rng.randrange(0, 100_000)
        x, y = X0 + (pk % 100) * 1_500, Y0 + (pk // 100) * 1_500  # parcels 1.5 km apart, no overlaps
        geometry = box(x, y, x + 300, y + 300)
        normalised = {"id": case_id, "county": county, "kind": "batch", "filed_on": filed.isoformat(),
                      "scope": {"within_construction_scale": True},
                      "parcels": [{"id": f"{case_id}-1", "ownership": "collective",
                                   "land": {"cultivated": f"{cultivated / 10_000:.4f}", "other_agricultural": f"{other / 10_000:.4f}"},
                                   "boundary": {"format": "wkt", "data": geometry.wkt, "crs": "EPSG:4525"}}]}
        if project:
            normalised["project"] = {"code": project}
        text = orjson.dumps(normalised).decode()
        case_rows.append(dict(id=pk, county_code=county, case_id=case_id, kind="batch", title=None, project_code=project,
                              project_name=None, project_applicant=None, first_filed_on=filed, created_at=now, created_by="bench"))
        version_rows.append(dict(id=pk, case_pk=pk, number=1, sha256=hashlib.sha256(text.encode()).hexdigest(), raw=None,
                                 normalised=text, changes="[]", recorded_at=now, recorded_by="bench"))
        decision_rows.append(dict(id=pk, version_pk=pk, rules_sha256=reg.law.fingerprint, package_version="bench",
                                  as_of=filed, approvable=True, conversion_level="city", expropriation_level="city",
                                  decision="{}", recorded_at=now))
        parcel_rows.append(dict(version_pk=pk, case_pk=pk, current=True, parcel_id=f"{case_id}-1", expropriated=True,
                                pbf_m2=0, cultivated_m2=cultivated, other_agricultural_m2=other, construction_m2=0,
                                unused_m2=0, wkb=geometry.wkb, minx=x, miny=y, maxx=x + 300, maxy=y + 300))
        day = filed
        kinds = ["受理"] + ["补正"] * rng.choice([0, 0, 0, 1, 2])
        kinds += ["退件"] if rng.random() < 0.05 else ["会审", "审定", "批复"] + (["备案"] if rng.random() < 0.9 else [])
        for kind in kinds:
            day += dt.timedelta(days=rng.randrange(1, 8))
            event_id += 1
            event_rows.append(dict(id=event_id, county_code=county, case_pk=pk, kind=kind, day=day, recorded_at=now,
                                   recorded_by="bench", note="C3 权属" if kind in ("补正", "退件") else None, corrects=None))
    with write(reg.engine) as conn:
        for table, rows in ((cases, case_rows), (versions, version_rows), (decisions, decision_rows),
                            (events, event_rows), (parcels, parcel_rows)):
            for start in range(0, len(rows), 2_000):
                conn.execute(table.insert(), rows[start:start + 2_000])
        conn.execute(quota.insert(), [dict(county_code=c, year=y, area_m2=2_000_000, kind="quota", source="bench",
                                           recorded_at=now, recorded_by="bench") for c in counties for y in YEARS])
        if reg.engine.dialect.name == "postgresql":
            from sqlalchemy import text as sql
            for table in ("cases", "versions", "decisions", "events"):
                conn.execute(sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def new_cases(law: Law, count: int) -> list[dict]:
    """Cases to evaluate: each meets the register — a shared project, an overlapping parcel, a county
    with a quota ledger for its year."""
    rng = random.Random(11)
    counties = [c.code for c in law.jurisdiction.counties]
    out = []
    for i in range(count):
        pk = rng.randrange(1, 9_000)
        x, y = X0 + (pk % 100) * 1_500 + 150, Y0 + (pk // 100) * 1_500
        out.append({"id": f"NEW-{i}", "county": counties[i % len(counties)], "kind": "batch", "filed_on": "2024-06-10",
                    "project": {"code": f"P-{(i * 10) // 3:05d}", "phases_in_feasibility_study": False},
                    "scope": {"within_construction_scale": True},
                    "parcels": [{"id": f"NEW-{i}-1", "ownership": "collective",
                                 "land": {"cultivated": "2.0000", "other_agricultural": "0.5000"},
                                 "boundary": {"format": "wkt", "data": box(x, y, x + 300, y + 300).wkt, "crs": "EPSG:4525"}}],
                    "review": {"annual_plan": {"quota_available": "100", "quota_requested": "2.5"}}})
    return out


def measure(label: str, url: str, n: int, evaluations: int) -> dict:
    law = Law.default()
    reg = Register.open(url, law=law)
    started = time.perf_counter()
    generate(reg, n)
    loaded = time.perf_counter() - started
    print(f"[{label}] {n:,} cases generated in {loaded:.1f} s", file=sys.stderr)
    # a register in use has its statistics (autovacuum / SQLite's optimize); a bulk load does not yet
    with reg.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    samples = new_cases(law, evaluations)
    for sample in samples[:3]:  # warm both paths
        evaluate(sample, law=law)
        reg.decide(sample)
    plain, crossed, cpu_added = [], [], []
    findings = 0
    for sample in samples:
        t0, c0 = time.perf_counter(), time.process_time()
        evaluate(sample, law=law)
        t1, c1 = time.perf_counter(), time.process_time()
        decision = reg.decide(sample)
        t2, c2 = time.perf_counter(), time.process_time()
        plain.append(t1 - t0)
        crossed.append(t2 - t1)
        cpu_added.append(((c2 - c1) - (c1 - c0)) * 1e3)
        findings += sum(code.startswith("register.") for code in decision.blocking)
    added = [(c - p) * 1e3 for p, c in zip(plain, crossed)]
    report_times = []
    for _ in range(3):
        t0 = time.perf_counter()
        built = reports.build(reg, 2024, today=dt.date(2024, 12, 31))
        reports.to_xlsx(built)
        report_times.append(time.perf_counter() - t0)
    load = open("/proc/loadavg").read().split()[0]
    reg.close()
    return {"database": label, "cases": n, "evaluations": evaluations,
            "evaluate_ms_median": round(statistics.median(plain) * 1e3, 2),
            "with_register_ms_median": round(statistics.median(crossed) * 1e3, 2),
            "added_ms_median": round(statistics.median(added), 2),
            "added_ms_p90": round(sorted(added)[int(0.9 * len(added))], 2),
            # this process's CPU only (not the run queue of a loaded machine; not the PostgreSQL server's CPU)
            "added_cpu_ms_median": round(statistics.median(cpu_added), 2),
            "blocking_cross_case_findings": findings,
            "report_2024_s_best": round(min(report_times), 3),
            "report_counties": len(built["counties"]), "load_1min_after": load}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--evaluations", type=int, default=100)
    parser.add_argument("--pg", default=os.environ.get("LANDAPPROVAL_TEST_PG"))
    parser.add_argument("--json")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results.append(measure("SQLite", str(Path(folder) / "bench.sqlite"), args.cases, args.evaluations))
    if args.pg:
        import psycopg
        name = f"la_register_bench_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            results.append(measure("PostgreSQL", f"{args.pg.rsplit('/', 1)[0]}/{name}", args.cases, args.evaluations))
        finally:
            with psycopg.connect(args.pg, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    keys = list(results[0])
    print(" | ".join(keys))
    for r in results:
        print(" | ".join(str(r[k]) for k in keys))
    print(f"load average: {open('/proc/loadavg').read().strip()} (2 vCPUs shared: read the figures with it)")
    if args.json:
        Path(args.json).write_text(orjson.dumps(results, option=orjson.OPT_INDENT_2).decode(), encoding="utf-8")


if __name__ == "__main__":
    main()
