#!/usr/bin/env python3
"""Benchmark: one `landapproval evaluate --layers` against a city-scale 三调 (issue 11, item 3/4).

Generates (once; cached under bench/.cache/, gitignored) a GeoPackage with 1,000,000 land-survey
polygons (dltb) and 250,000 permanent-basic-farmland polygons (pbf) — about one city's 三调 — over
a 40 × 40 km square around 曲沃县. The example data set of cases/gis/ (64 + 18 polygons in a 2 km
square) is kept as it is inside it, and the synthetic grid fills the rest, so the example case
cases/gis/qw-2024-03.yaml must give the very decision it gives on the small example: the benchmark
checks that too. The other four layers come from the small example.

Then it runs the CLI as a user would (a fresh process each time, output to a pipe) and reports
wall time and peak RSS (the child's ru_maxrss):
  before  every layer read whole (what LayerSet.load did before: IN_MEMORY_MAX raised to ∞)
  after   the default: city-scale layers read by the parcels' boxes through the R-tree
With --pg URL (default: $LANDAPPROVAL_TEST_PG) the same two layers are loaded into PostGIS (schema
bench_city, GiST indexes; cached too) and the same runs are made against them, plus the SQL
alternative that pushes the overlay into the database (ST_Intersection areas by 地类编码), timed
against the box fetch the code uses.

    .venv/bin/python bench/geo_city.py [--survey 1000000] [--pbf 250000] [--runs 3] [--pg URL | --no-pg]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import shapely
import yaml
from pyogrio import raw

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
EXAMPLE = ROOT / "cases" / "gis"
CASE = EXAMPLE / "qw-2024-03.yaml"
CELL = 40.0
#: the grid's south-west corner: the example square (37541000–37543000, 3944000–3946000) lies inside
GRID_E, GRID_N = 37_521_000.0, 3_924_000.0
EXAMPLE_BOX = (37_541_000.0, 3_944_000.0, 37_543_000.0, 3_946_000.0)
CODES = np.array(["0103", "0102", "0101", "0201", "0301", "0307", "0404", "0601", "0702", "1003",
                  "1006", "1104", "1107", "1202", "1206"], dtype=object)
WEIGHTS = np.array([30, 14, 4, 8, 6, 3, 2, 5, 10, 2, 4, 2, 3, 1, 1], dtype=float)


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def grid_cells(n: int) -> tuple[np.ndarray, np.ndarray]:
    """South-west corners of the first n cells of a 1000-column grid, skipping the example square."""
    cols = 1000
    k = np.arange(int(n * 1.01) + 5000)
    x, y = GRID_E + (k % cols) * CELL, GRID_N + (k // cols) * CELL
    e0, n0, e1, n1 = EXAMPLE_BOX
    outside = (x + CELL <= e0) | (x >= e1) | (y + CELL <= n0) | (y >= n1)
    return x[outside][:n], y[outside][:n]


def survey_polygons(x, y, rng) -> np.ndarray:
    """One 图斑 per cell: the cell with its corners cut at random (8 vertices), a gap of 0–1.5 m to
    the neighbours, so polygons never overlap, like a topologically clean 三调 layer."""
    n = len(x)
    inset = rng.uniform(0.0, 1.5, (n, 4))
    cut = rng.uniform(0.5, 8.0, (n, 4))
    x0, y0, x1, y1 = x + inset[:, 0], y + inset[:, 1], x + CELL - inset[:, 2], y + CELL - inset[:, 3]
    ring = np.stack([
        np.column_stack([x0 + cut[:, 0], y0]), np.column_stack([x1 - cut[:, 1], y0]),
        np.column_stack([x1, y0 + cut[:, 1]]), np.column_stack([x1, y1 - cut[:, 2]]),
        np.column_stack([x1 - cut[:, 2], y1]), np.column_stack([x0 + cut[:, 3], y1]),
        np.column_stack([x0, y1 - cut[:, 3]]), np.column_stack([x0, y0 + cut[:, 0]]),
        np.column_stack([x0 + cut[:, 0], y0])], axis=1)
    return shapely.polygons(np.round(ring, 3))


def generate(path: Path, n_survey: int, n_pbf: int, seed: int = 11) -> None:
    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    _, _, ex_wkb, (ex_codes, ex_owner) = raw.read(EXAMPLE / "gis.gpkg", layer="dltb", columns=["DLBM", "QSXZ"])
    _, _, ex_pbf, _ = raw.read(EXAMPLE / "gis.gpkg", layer="pbf", columns=[])
    x, y = grid_cells(n_survey - len(ex_wkb))
    survey = survey_polygons(x, y, rng)
    codes = rng.choice(CODES, size=len(survey), p=WEIGHTS / WEIGHTS.sum())
    owner = np.where(np.isin(codes, ["0601", "1003", "1006"]), "10", "30").astype(object)
    # PBF on cultivated cells: a rectangle inside the 图斑, as 永久基本农田 follows the survey
    cultivated = np.flatnonzero(np.isin(codes, ["0101", "0102", "0103"]))
    pick = np.sort(rng.choice(cultivated, size=n_pbf - len(ex_pbf), replace=False))
    pbf = shapely.box(x[pick] + 6, y[pick] + 6, x[pick] + CELL - 6, y[pick] + CELL - 6)
    log(f"  built {len(survey):,} + {len(pbf):,} polygons in {time.perf_counter() - t:.1f} s")
    tmp = path.with_suffix(".tmp.gpkg")
    tmp.unlink(missing_ok=True)
    t = time.perf_counter()
    raw.write(tmp, np.concatenate([ex_wkb, shapely.to_wkb(survey)]),
              [np.concatenate([ex_codes, codes]), np.concatenate([ex_owner, owner])], fields=["DLBM", "QSXZ"],
              layer="dltb", geometry_type="Polygon", crs="EPSG:4525", promote_to_multi=False)
    raw.write(tmp, np.concatenate([ex_pbf, shapely.to_wkb(pbf)]), [], fields=[], layer="pbf",
              geometry_type="Polygon", crs="EPSG:4525", promote_to_multi=False, append=False)
    tmp.rename(path)
    log(f"  wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB, R-tree indexed) in {time.perf_counter() - t:.1f} s")


def layers_file(path: Path, big: dict[str, dict]) -> Path:
    """The example's layers file with the two big layers swapped in."""
    doc = yaml.safe_load((EXAMPLE / "layers.yaml").read_text(encoding="utf-8"))
    for key, entry in doc["layers"].items():
        entry["source"] = str(EXAMPLE / entry["source"])
    for key, entry in big.items():
        doc["layers"][key] = {**doc["layers"][key], **entry}
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


#: the CLI as a user runs it; "before" is the same code with every layer read whole. PROBE writes
#: the process's VmHWM (peak resident set of its own image) at exit: ru_maxrss from wait4 would
#: include the pre-exec image of the forking benchmark process, which holds the generated layer.
PROBE = ("import atexit, os\n"
         "def _peak():\n"
         "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
         "    open(os.environ['BENCH_PEAK_FILE'], 'w').write(hwm)\n"
         "atexit.register(_peak)\n")
AFTER = PROBE + "from landapproval.cli import main; main()"
BEFORE = PROBE + "import landapproval.geo.layers as L; L.IN_MEMORY_MAX = 10**12\nfrom landapproval.cli import main; main()"


def run_cli(code: str, layers: Path) -> tuple[float, float, float, dict]:
    """(wall s, CPU s, peak RSS MB, decision JSON) of one CLI process. CPU time (user + system,
    from the reaped child's rusage) moves less than wall time when the machine is shared."""
    cmd = [sys.executable, "-c", code, "evaluate", str(CASE), "--layers", str(layers), "--format", "json"]
    peak_file = CACHE / "cli-peak.txt"
    env = {**os.environ, "BENCH_PEAK_FILE": str(peak_file)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, cwd=ROOT, env=env)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"CLI failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return wall, cpu, int(peak_file.read_text()) / 1024, json.loads(proc.stdout)


def comparable(decision: dict) -> dict:
    """The decision without what names the layer files (paths differ between the data sets)."""
    text = json.dumps(decision, ensure_ascii=False, sort_keys=True)
    for folder in (str(EXAMPLE), str(CACHE)):
        text = text.replace(folder, "")
    return json.loads(text)


def measure_runs(label: str, layers: Path, runs: int, reference: dict, rows: list) -> None:
    for mode, code, n in (("before (whole layers)", BEFORE, 1), ("after (read by box)", AFTER, runs)):
        results = [run_cli(code, layers) for _ in range(n)]
        walls, cpus, rss = [r[0] for r in results], [r[1] for r in results], [r[2] for r in results]
        same = all(comparable(r[3]) == reference for r in results)
        rows.append((label, mode, statistics.median(walls), min(walls), statistics.median(cpus), max(rss), same))
        log(f"  {label:<10} {mode:<22} wall {statistics.median(walls):6.2f} s   CPU {statistics.median(cpus):6.2f} s   "
            f"peak RSS {max(rss):6.0f} MB   same decision as the small example: {same}")


def load_postgis(url: str, gpkg: Path, signature: str) -> None:
    import psycopg

    from landapproval.geo.sources.postgis import write_table

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE SCHEMA IF NOT EXISTS bench_city")
        conn.execute("CREATE TABLE IF NOT EXISTS bench_city.meta (signature text)")
        have = conn.execute("SELECT signature FROM bench_city.meta").fetchone()
        if have and have[0] == signature:
            log("  PostGIS tables bench_city.dltb / bench_city.pbf are cached")
            return
    for layer, cols in (("dltb", ["DLBM", "QSXZ"]), ("pbf", [])):
        t = time.perf_counter()
        _, _, wkb, values = raw.read(gpkg, layer=layer, columns=cols)
        n = write_table(url, f"bench_city.{layer}", shapely.from_wkb(wkb), dict(zip(cols, values)), srid=4525)
        log(f"  loaded bench_city.{layer}: {n:,} rows + GiST index in {time.perf_counter() - t:.1f} s")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM bench_city.meta")
        conn.execute("INSERT INTO bench_city.meta VALUES (%s)", [signature])


def pushdown_vs_fetch(url: str, repeats: int = 5) -> tuple[float, float, float]:
    """Median ms of (a) the box fetch the code does for the case's parcels (both big layers) and
    (b) pushing the overlay into PostGIS: ST_Intersection areas of the parcels by 地类编码 and PBF;
    and the largest difference in m² between the two ways on the survey classes."""
    import psycopg

    sys.path.insert(0, str(ROOT))
    from landapproval import api
    from landapproval.geo import read_boundary
    from landapproval.geo.layers import merge_boxes

    case, source = api.load_case(str(CASE))
    parcels = [read_boundary(p.boundary, EXAMPLE, case_file=source).geometry for p in case.parcels]
    boxes = merge_boxes([g.bounds for g in parcels])
    wkb = [shapely.to_wkb(g, include_srid=False) for g in parcels]
    fetch = ("SELECT ctid::text, ST_AsBinary(geom), \"DLBM\", \"QSXZ\" FROM bench_city.dltb "
             "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4525)")
    fetch_pbf = "SELECT ctid::text, ST_AsBinary(geom) FROM bench_city.pbf WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 4525)"
    push = ("SELECT t.\"DLBM\", sum(ST_Area(ST_Intersection(t.geom, p.g))) FROM bench_city.dltb t, "
            "(SELECT ST_GeomFromWKB(%s, 4525) AS g) p WHERE ST_Intersects(t.geom, p.g) GROUP BY 1")
    push_pbf = ("SELECT sum(ST_Area(ST_Intersection(t.geom, p.g))) FROM bench_city.pbf t, "
                "(SELECT ST_GeomFromWKB(%s, 4525) AS g) p WHERE ST_Intersects(t.geom, p.g)")
    with psycopg.connect(url, autocommit=True) as conn:
        f_times, p_times = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            rows = []
            for box in boxes:
                rows += conn.execute(fetch, box, binary=True).fetchall()
                conn.execute(fetch_pbf, box, binary=True).fetchall()
            geoms = shapely.from_wkb([r[1] for r in rows])
            f_times.append(time.perf_counter() - t)
            t = time.perf_counter()
            pushed = {}
            for g in wkb:
                for code, m2 in conn.execute(push, [g]).fetchall():
                    pushed[code] = pushed.get(code, 0.0) + m2
                conn.execute(push_pbf, [g]).fetchall()
            p_times.append(time.perf_counter() - t)
    local: dict = {}
    for g in parcels:
        hit = shapely.intersects(geoms, g)
        for code, m2 in zip([r[2] for r in rows if True], shapely.area(shapely.intersection(geoms, g)) * hit):
            local[code] = local.get(code, 0.0) + m2
    diff = max(abs(local.get(c, 0.0) - pushed.get(c, 0.0)) for c in set(local) | set(pushed))
    return statistics.median(f_times) * 1000, statistics.median(p_times) * 1000, diff


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--survey", type=int, default=1_000_000)
    ap.add_argument("--pbf", type=int, default=250_000)
    ap.add_argument("--runs", type=int, default=3, help="CLI runs of the 'after' mode (median wall)")
    ap.add_argument("--pg", default=os.environ.get("LANDAPPROVAL_TEST_PG"), help="PostgreSQL URL (PostGIS)")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    gpkg = CACHE / f"city-{args.survey}-{args.pbf}.gpkg"
    if not gpkg.exists():
        log(f"generating {gpkg} (once; cached)")
        generate(gpkg, args.survey, args.pbf)
    small = comparable(run_cli(AFTER, EXAMPLE / "layers.yaml")[3])
    rows: list = []
    city = {"land_survey": {"source": str(gpkg), "layer": "dltb"},
            "permanent_basic_farmland": {"source": str(gpkg), "layer": "pbf"}}
    log("GeoPackage")
    measure_runs("GeoPackage", layers_file(CACHE / "layers-city-gpkg.yaml", city), args.runs, small, rows)
    extra = []
    if args.pg and not args.no_pg:
        log("PostGIS")
        load_postgis(args.pg, gpkg, gpkg.name)
        pg = {"land_survey": {"source": args.pg, "layer": "bench_city.dltb"},
              "permanent_basic_farmland": {"source": args.pg, "layer": "bench_city.pbf"}}
        measure_runs("PostGIS", layers_file(CACHE / "layers-city-pg.yaml", pg), args.runs, small, rows)
        fetch_ms, push_ms, diff = pushdown_vs_fetch(args.pg)
        extra.append(f"PostGIS, the case's two parcels: box fetch of both layers {fetch_ms:.1f} ms; overlay pushed "
                     f"into the database (ST_Intersection by 地类编码 + PBF) {push_ms:.1f} ms; largest class "
                     f"difference between the two {diff:.6f} m²")
    print(f"\nOne CLI evaluation of {CASE.relative_to(ROOT)} against {args.survey:,} survey + {args.pbf:,} PBF polygons")
    print(f"{'source':<11}{'mode':<23}{'wall (median)':>14}{'min':>8}{'CPU':>8}{'peak RSS':>10}  same decision")
    for label, mode, wall, low, cpu, rss, same in rows:
        print(f"{label:<11}{mode:<23}{wall:>12.2f} s{low:>6.2f} s{cpu:>6.2f} s{rss:>7.0f} MB  {'yes' if same else 'NO'}")
    for line in extra:
        print(line)
    print(f"load average: {open('/proc/loadavg').read().split()[:3]}")
    return 0 if all(r[-1] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
