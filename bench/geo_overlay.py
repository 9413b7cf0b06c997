#!/usr/bin/env python3
"""Benchmark: 1,000 parcels overlaid on a 200,000-polygon permanent-basic-farmland layer.

Prints the STRtree build time, parcels/s for the full measure() (index query, intersection,
union, plane and ellipsoid areas, sliver and overlap checks), and, as the baseline, a naive loop
that tests every polygon of the layer for every parcel with no index. The naive loop is run on a
subsample of parcels (--naive-sample) and extrapolated to all of them, so the run stays short; a
vectorised brute force (shapely over the whole array, still no index) is printed too, because it
is the fair "no index" alternative in shapely 2. The baselines only intersect and sum PBF areas;
the indexed figure is the whole measure() (ellipsoid areas, unions, sliver and overlap checks),
so the speed-up is if anything understated.

    .venv/bin/python bench/geo_overlay.py [--parcels 1000] [--polygons 200000] [--naive-sample 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from landapproval.geo import LayerSet, measure  # noqa: E402

E0, N0 = 37_520_000.0, 3_920_000.0   # south-west corner: around 曲沃/侯马, EPSG:4525


def farmland(n: int, rng) -> np.ndarray:
    """n non-overlapping patches, one per cell of a ~100 m grid (like PBF 图斑)."""
    cols = int(np.ceil(np.sqrt(n * 1.25)))
    i = np.arange(n)
    x0, y0 = E0 + (i % cols) * 100.0, N0 + (i // cols) * 100.0
    w, h = rng.uniform(40, 95, n), rng.uniform(40, 95, n)
    return shapely.box(x0, y0, x0 + w, y0 + h)


def parcels(n: int, extent: tuple[float, float], rng) -> list[tuple[str, object]]:
    """n convex parcels of ~2–28 ha, one per 700 m cell of a coarse grid, so none overlap
    (overlapping parcels make measure() dissolve them, which is a different workload)."""
    cols, rows = int(extent[0] // 700), int(extent[1] // 700)
    cells = rng.choice(cols * rows, size=n, replace=False)
    out = []
    for k, cell in enumerate(cells.tolist()):
        cx, cy = E0 + (cell % cols) * 700 + 350, N0 + (cell // cols) * 700 + 350
        r = rng.uniform(80, 300)
        ang = np.sort(rng.uniform(0, 2 * np.pi, 7))
        pts = np.column_stack([cx + r * np.cos(ang), cy + r * np.sin(ang)])
        out.append((f"P{k + 1}", shapely.convex_hull(shapely.multipoints(np.round(pts, 3)))))
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--parcels", type=int, default=1000)
    ap.add_argument("--polygons", type=int, default=200_000)
    ap.add_argument("--naive-sample", type=int, default=5)
    args = ap.parse_args()
    rng = np.random.default_rng(7)

    geoms = farmland(args.polygons, rng)
    xmin, ymin, xmax, ymax = shapely.total_bounds(geoms)
    cases = parcels(args.parcels, (xmax - xmin, ymax - ymin), rng)
    print(f"layer: {len(geoms):,} polygons over {(xmax - xmin) / 1000:.0f} × {(ymax - ymin) / 1000:.0f} km; "
          f"{len(cases):,} parcels of {np.mean([g.area for _, g in cases]) / 10_000:.1f} ha on average")

    t = time.perf_counter()
    layers = LayerSet.from_geometries(permanent_basic_farmland=geoms)
    build = time.perf_counter() - t
    print(f"index build (STRtree, {len(geoms):,} polygons): {build:.3f} s")

    t = time.perf_counter()
    result = measure(cases, layers)
    full = time.perf_counter() - t
    print(f"indexed measure(): {len(cases):,} parcels in {full:.2f} s = {len(cases) / full:,.0f} parcels/s "
          f"(PBF measured: {result.land['permanent_basic_farmland']} ha)")

    # baseline 1: naive Python loop over every polygon, no index (subsample, extrapolated)
    sample = cases[: args.naive_sample]
    t = time.perf_counter()
    naive_m2 = 0.0
    for _, parcel in sample:
        for poly in geoms:
            if parcel.intersects(poly):
                naive_m2 += parcel.intersection(poly).area
    naive = (time.perf_counter() - t) / len(sample)
    print(f"naive loop (no index): {naive:.2f} s per parcel, measured on {len(sample)} parcels; "
          f"extrapolated to {len(cases):,} parcels: {naive * len(cases) / 60:.1f} min "
          f"= {1 / naive:.2f} parcels/s")

    # baseline 2: vectorised brute force over the whole array (no index)
    t = time.perf_counter()
    brute_m2 = 0.0
    for _, parcel in sample:
        hit = shapely.intersects(parcel, geoms)
        brute_m2 += shapely.area(shapely.intersection(parcel, geoms[hit])).sum()
    brute = (time.perf_counter() - t) / len(sample)
    print(f"vectorised brute force (no index): {brute * 1000:.0f} ms per parcel = {1 / brute:.1f} parcels/s")

    indexed = full / len(cases)
    check = sum(float(shapely.area(shapely.intersection(p, shapely.union_all(
        geoms[layers.get('permanent_basic_farmland').query(p)])))) for _, p in sample)
    assert abs(check - naive_m2) < 1e-3 and abs(brute_m2 - naive_m2) < 1e-3, "baselines disagree"
    print(f"speed-up of the indexed measure() over the naive loop: {naive / indexed:,.0f}×; "
          f"over the vectorised brute force: {brute / indexed:,.0f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
