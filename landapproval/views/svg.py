"""An inline SVG map for the HTML report: the case's parcels over the layers they touch.

Drawn from the same boundaries and layers the decision measured (EPSG:4525 metres), framed on
the parcels with a margin; no tiles, no network, so the report stays self-contained.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from landapproval import api
from landapproval.decision.model import Decision
from landapproval.law import Law

if TYPE_CHECKING:  # the geo stack (shapely) is imported only when a map is drawn
    from landapproval.geo import LayerSet

STYLE = {  # layer key: (fill, stroke, {lang: label})
    "construction_scale": ("#e5e7eb", "#9ca3af", {"zh": "建设用地规模", "en": "construction-land scale"}),
    "development_zones": ("none", "#7c3aed", {"zh": "开发区", "en": "development zone"}),
    "ecological_red_line": ("#fecaca", "#dc2626", {"zh": "生态保护红线", "en": "ecological red line"}),
    "protected_areas": ("#bbf7d0", "#16a34a", {"zh": "保护地", "en": "protected area"}),
    "permanent_basic_farmland": ("#fde68a", "#b45309", {"zh": "永久基本农田", "en": "permanent basic farmland"}),
}
_MAP_WORDS = {"zh": {"parcel": "地块", "title": "地块与图层", "metres": "米"},
              "en": {"parcel": "parcel", "title": "parcels and layers", "metres": "m"}}


def case_svg(decision: Decision, case_path: str, layers_path: str | None = None, width: int = 640, *,
             law: Law | None = None, lang: str = "zh") -> str | None:
    from landapproval.decision.mapfacts import layer_set_of, read_parcel_boundary  # shapely & co.

    case, source = api.load_case(case_path, law=law)
    base = Path(case_path).parent
    parcels = [(p.id, read_parcel_boundary(p.boundary, base, source, f"parcels[{i}].boundary").geometry)
               for i, p in enumerate(case.parcels) if p.boundary]
    if not parcels:
        return None
    layer_set = layer_set_of(layers_path)
    return parcels_svg(parcels, layer_set, width, lang)


def parcels_svg(parcels: list[tuple[str, Any]], layer_set: LayerSet, width: int = 640, lang: str = "zh") -> str:
    """The SVG of (parcel id, shapely geometry in EPSG:4525) pairs over a loaded `geo.LayerSet`."""
    from shapely import box, intersects

    xs = [g.bounds for _, g in parcels]
    minx, miny = min(b[0] for b in xs), min(b[1] for b in xs)
    maxx, maxy = max(b[2] for b in xs), max(b[3] for b in xs)
    pad = max(maxx - minx, maxy - miny) * 0.25 + 10
    frame = box(minx - pad, miny - pad, maxx + pad, maxy + pad)
    layer_set = layer_set.around([frame])  # a city-scale layer: read the framed area only
    fx0, fy0, fx1, fy1 = frame.bounds
    scale = width / (fx1 - fx0)
    height = int((fy1 - fy0) * scale)

    def path(geom: Any) -> str:  # a shapely geometry (shapely has no type stubs)
        parts = []
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon":
                continue
            for ring in [poly.exterior, *poly.interiors]:
                pts = " L ".join(f"{(x - fx0) * scale:.1f},{(fy1 - y) * scale:.1f}" for x, y in ring.coords)
                parts.append(f"M {pts} Z")
        return " ".join(parts)

    items = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{_MAP_WORDS[lang]["title"]}">']
    legend: list[tuple[str, str, str]] = []
    for key, (fill, stroke, labels) in STYLE.items():
        layer = layer_set.get(key)
        if layer is None:
            continue
        shown = [layer.geoms[i].intersection(frame) for i in layer.tree.query(frame)
                 if intersects(layer.geoms[i], frame)]
        if not shown:
            continue
        dash = ' stroke-dasharray="6 3"' if key == "development_zones" else ""
        for geom in shown:
            items.append(f'<path d="{path(geom)}" fill="{fill}" fill-opacity="0.6" stroke="{stroke}"{dash} '
                         f'fill-rule="evenodd"/>')
        legend.append((fill if fill != "none" else "#ffffff", stroke, labels[lang]))
    for pid, geom in parcels:
        items.append(f'<path d="{path(geom)}" fill="#3b82f6" fill-opacity="0.25" stroke="#1d4ed8" '
                     f'stroke-width="2" fill-rule="evenodd"/>')
        cx, cy = geom.representative_point().coords[0]
        items.append(f'<text x="{(cx - fx0) * scale:.1f}" y="{(fy1 - cy) * scale:.1f}" font-size="13" '
                     f'text-anchor="middle" fill="#1e3a8a">{escape(pid)}</text>')
    legend.insert(0, ("#93c5fd", "#1d4ed8", _MAP_WORDS[lang]["parcel"]))
    for index, (fill, stroke, label) in enumerate(legend):
        y = 14 + index * 18
        items.append(f'<rect x="8" y="{y - 10}" width="14" height="12" fill="{fill}" stroke="{stroke}"/>'
                     f'<text x="28" y="{y}" font-size="12">{escape(label)}</text>')
    metres = 100 if (fx1 - fx0) < 2000 else 1000
    bar = metres * scale
    items.append(f'<line x1="{width - bar - 12}" y1="{height - 12}" x2="{width - 12}" y2="{height - 12}" '
                 f'stroke="#111" stroke-width="3"/><text x="{width - 12 - bar / 2}" y="{height - 18}" '
                 f'font-size="11" text-anchor="middle">{metres} {_MAP_WORDS[lang]["metres"]}</text>')
    items.append("</svg>")
    return "\n".join(items)
