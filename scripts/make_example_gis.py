#!/usr/bin/env python3
"""Generate the small example GIS data set under cases/gis/ (synthetic, at real Linfen coordinates).

Writes, in EPSG:4525 (CGCS2000 3° Gauss-Krüger zone 37, easting with the 37 prefix):
  cases/gis/gis.gpkg           layers dltb (三调 land survey), pbf, red_line, scale, zones, protected
  cases/gis/layers.yaml        the layers file (CONTRACT.md "Geometry") pointing at them
  cases/gis/qw-2024-03.txt     a GBK, CRLF 界址点坐标 exchange file with two parcels, one with a hole
  cases/gis/qw-2024-03.yaml    a case that uses both boundaries, declared areas as measured

The area is a 2 km × 2 km square south-west of 曲沃县城 (≈111.46° E, 35.63° N). All features are
invented (the land survey is a jittered grid of 图斑 with plausible 地类编码); only the place, the
CRS and the zone's name and level (rules/jurisdiction.yaml) are real. Deterministic: the same
seed gives the same coordinates. Run: .venv/bin/python scripts/make_example_gis.py
"""

from __future__ import annotations

import random
import sys
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import numpy as np
import shapely
from pyogrio import raw
from pyproj import Transformer
from shapely.geometry import Polygon, box

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "cases" / "gis"
E0, N0 = 37_541_000.0, 3_944_000.0   # south-west corner of the example square
CELL, GRID = 250.0, 8                # 8 × 8 图斑 of about 250 m
CRS = "EPSG:4525"

# 地类编码 weights: 曲沃's plain is mostly 旱地/水浇地 with orchards, villages and roads
CODES = [("0103", 30), ("0102", 20), ("0201", 8), ("0702", 10), ("1006", 4), ("0601", 8),
         ("1104", 2), ("0404", 2), ("0307", 3), ("1004", 3)]
STATE_CODES = {"0601"}               # industrial land is state land here; the rest is collective


def lattice(rng):
    """Jittered lattice points; cells between them tile the square without gaps or overlaps."""
    pts = np.zeros((GRID + 1, GRID + 1, 2))
    for i in range(GRID + 1):
        for j in range(GRID + 1):
            jitter = 0 if i in (0, GRID) or j in (0, GRID) else 1
            pts[i, j] = (E0 + i * CELL + jitter * rng.uniform(-40, 40),
                         N0 + j * CELL + jitter * rng.uniform(-40, 40))
    return np.round(pts, 3)


def survey(rng):
    pts = lattice(rng)
    codes = [c for c, w in CODES for _ in range(w)]
    geoms, dlbm, qsxz, names = [], [], [], []
    for i in range(GRID):
        for j in range(GRID):
            ring = [pts[i, j], pts[i + 1, j], pts[i + 1, j + 1], pts[i, j + 1]]
            code = rng.choice(codes)
            geoms.append(Polygon(ring))
            dlbm.append(code)
            qsxz.append("10" if code in STATE_CODES else "30")
            names.append(f"图斑{i * GRID + j + 1:03d}")
    return geoms, dlbm, qsxz, names


def write(layer, geoms, fields=None):
    fields = fields or {}
    raw.write(str(OUT / "gis.gpkg"), shapely.to_wkb(np.asarray(geoms, dtype=object)),
              [np.asarray(v, dtype=object) for v in fields.values()], fields=list(fields),
              geometry_type="Polygon", crs=CRS, layer=layer, driver="GPKG")


def ring_lines(ring, ring_no, start):
    pts = list(ring.coords)
    lines = []
    for k, (e, n) in enumerate(pts):
        label = f"J{start + (k % (len(pts) - 1))}"
        lines.append(f"{label},{ring_no},{n:.3f},{e:.3f}")  # X = northing, Y = easting (37 prefix)
    return lines, start + len(pts) - 1


def ha(m2: float) -> str:
    return str((Decimal(repr(m2)) / 10_000).quantize(Decimal("0.0001"), ROUND_HALF_EVEN))


def boundary_file(parcels) -> str:
    lines = ["[属性描述]", "格式版本号=1.01", "数据产生单位=曲沃县规划和自然资源局（示例数据）",
             "数据产生日期=2024-9-10", "坐标系=2000国家大地坐标系", "几度分带=3", "投影类型=高斯克吕格",
             "计量单位=米", "带号=37", "精度=0.001", "转换参数=,,,,,,", "[地块坐标]"]
    for code, name, poly in parcels:
        body, start = [], 1
        for ring_no, ring in enumerate([poly.exterior, *poly.interiors], start=1):
            more, start = ring_lines(ring, ring_no, start)
            body += more
        lines.append(f"{len(body)},{ha(poly.area)},{code},{name},面,,城镇建设用地,,@")
        lines += body
    return "\r\n".join(lines) + "\r\n"


def main() -> int:
    rng = random.Random(20240910)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "gis.gpkg").unlink(missing_ok=True)
    geoms, dlbm, qsxz, names = survey(rng)
    write("dltb", geoms, {"DLBM": dlbm, "QSXZ": qsxz, "TBMC": names})
    # PBF: the 耕地 图斑 of the western half, as 划定 on the survey
    pbf = [g for g, c in zip(geoms, dlbm) if c in ("0101", "0102", "0103") and g.centroid.x < E0 + 900]
    write("pbf", pbf, {"BH": [f"PBF{k + 1:03d}" for k in range(len(pbf))]})
    # ecological red line: a strip along a (fictional) gully in the north-west
    write("red_line", [box(E0, N0 + 1700, E0 + 600, N0 + 1800)], {"MC": ["曲沃县示例生态保护红线"]})
    # construction-land scale: the eastern part of the square
    scale = Polygon([(E0 + 800, N0), (E0 + 2000, N0), (E0 + 2000, N0 + 2000), (E0 + 1000, N0 + 2000)])
    write("scale", [scale], {"GHYT": ["城镇建设用地规模"]})
    write("zones", [box(E0 + 1200, N0, E0 + 2000, N0 + 900)],
          {"ZONE_NAME": ["曲沃经济技术开发区"], "ZONE_LEVEL": ["provincial"]})
    write("protected", [box(E0 + 300, N0 + 300, E0 + 500, N0 + 450)],
          {"NAME": ["曲沃县示例饮用水水源二级保护区"], "KIND": ["饮用水水源保护区"]})

    p1 = Polygon([(E0 + 950.123, N0 + 520.456), (E0 + 1410.250, N0 + 505.118),
                  (E0 + 1455.902, N0 + 790.337), (E0 + 1190.004, N0 + 865.771),
                  (E0 + 990.520, N0 + 760.209)])
    hole = Polygon([(E0 + 1620.500, N0 + 1240.250), (E0 + 1680.500, N0 + 1240.250),
                    (E0 + 1680.500, N0 + 1290.750), (E0 + 1620.500, N0 + 1290.750)])
    shell = Polygon([(E0 + 1500.000, N0 + 1150.000), (E0 + 1820.375, N0 + 1150.000),
                     (E0 + 1820.375, N0 + 1380.625), (E0 + 1500.000, N0 + 1380.625)])
    p2 = Polygon(shell.exterior.coords, [hole.exterior.coords[::-1]])
    parcels = [("QW-2024-03-1", "一号地块", shapely.orient_polygons(p1)),
               ("QW-2024-03-2", "二号地块（扣除现状宅基地）", shapely.orient_polygons(p2))]
    (OUT / "qw-2024-03.txt").write_bytes(boundary_file(parcels).encode("gbk"))

    (OUT / "layers.yaml").write_text(LAYERS_YAML, encoding="utf-8")
    check_in_linfen([*geoms, p1, p2])
    write_case(parcels)
    size = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {OUT.relative_to(ROOT)}: {', '.join(sorted(p.name for p in OUT.iterdir()))} ({size / 1024:.0f} KiB)")
    return 0


LAYERS_YAML = """\
# Example layers (synthetic data at real 曲沃县 coordinates; scripts/make_example_gis.py).
crs: EPSG:4525
layers:
  permanent_basic_farmland: {source: gis.gpkg, layer: pbf}
  ecological_red_line:      {source: gis.gpkg, layer: red_line}
  construction_scale:       {source: gis.gpkg, layer: scale}
  development_zones:        {source: gis.gpkg, layer: zones, name: ZONE_NAME, level: ZONE_LEVEL}
  protected_areas:          {source: gis.gpkg, layer: protected, name: NAME, kind: KIND}
  land_survey:              {source: gis.gpkg, layer: dltb, land_type: DLBM, ownership: QSXZ}
"""


def check_in_linfen(geoms):
    """Every vertex must fall inside Linfen's bounding box (the same check the reader applies)."""
    sys.path.insert(0, str(ROOT))
    from landapproval.geo.crs import LINFEN_BBOX
    xy = shapely.get_coordinates(np.asarray(geoms, dtype=object))
    lon, lat = Transformer.from_crs(CRS, "EPSG:4490", always_xy=True).transform(xy[:, 0], xy[:, 1])
    lon_min, lat_min, lon_max, lat_max = LINFEN_BBOX
    assert lon_min <= lon.min() and lon.max() <= lon_max and lat_min <= lat.min() and lat.max() <= lat_max
    print(f"lon {lon.min():.4f}–{lon.max():.4f} E, lat {lat.min():.4f}–{lat.max():.4f} N (曲沃县, 临汾市)")


def write_case(parcels):
    """A case file whose declared land classes are the measured ones (so compare() is silent)."""
    from landapproval.geo import LayerSet, measure
    result = measure([(f"P{k + 1}", p) for k, (_, _, p) in enumerate(parcels)],
                     LayerSet.load(OUT / "layers.yaml"))
    lines = ["# Example case with measured boundaries (scripts/make_example_gis.py); run with",
             "#   landapproval evaluate cases/gis/qw-2024-03.yaml --layers cases/gis/layers.yaml",
             "id: QW-2024-03-GIS", "title: 曲沃县2024年度第3批次城镇建设用地（示例，含界址点与图层）",
             "county: 曲沃县", "kind: batch", "filed_on: 2024-09-10", "scope:",
             "  within_construction_scale: true",
             "  development_zone: {name: 曲沃经济技术开发区, level: provincial}", "parcels:"]
    for k, ((code, _, _), pr) in enumerate(zip(parcels, result.parcels)):
        lines += [f"  - id: {pr.id}", "    ownership: collective",
                  f"    boundary: qw-2024-03.txt#{code}", "    land:"]
        lines += [f"      {key}: {value}" for key, value in pr.land.items()]
    (OUT / "qw-2024-03.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
