"""Rings to polygons, strictly: every defect is reported with the parcel and point names.

A boundary file is legal evidence of what is applied for; a ring that crosses itself, does not
close or has too few points is sent back to whoever drew it, never repaired here (shapely's
make_valid would silently change the area being approved).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from landapproval.core.errors import Text


@dataclass
class RawRing:
    """One ring as read: point names and coordinates (source and EPSG:4525), in file order."""
    label: str                      # e.g. "圈1", "polygon 1 ring 2"
    names: list[str]                # point names (点号, or the vertex number)
    texts: list[str]                # each point's coordinates as written, for messages
    xy_src: np.ndarray              # (n, 2) in the file's CRS, (east, north) order
    # (n, 2) in EPSG:4525, filled in after CRS detection (boundary._locate); empty until then
    xy: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))

    def point(self, i: int) -> str:
        return f"{self.names[i]} ({self.texts[i]})"


def check_ring(parcel: str, ring: RawRing) -> list[Text]:
    """Problems of one ring on its own: closure, point count, self-intersection."""
    xy, n = ring.xy, len(ring.names)
    where = f"parcel {parcel} {ring.label}"
    zh_where = f"地块 {parcel} {ring.label}"
    if n == 0:
        return [Text(f"{zh_where}：该圈没有界址点；每圈至少应有 3 个不同的拐点再加闭合点（共 4 个点）",
                     f"{where}: ring has no points")]
    problems = []
    closed = n >= 2 and np.array_equal(ring.xy_src[0], ring.xy_src[-1])
    if not closed:
        problems.append(Text(
            f"{zh_where}：该圈未闭合：首点 {ring.point(0)} 与末点 {ring.point(n - 1)} 不同；"
            "应在末尾重复首点，例如 J1 … J4, J1",
            f"{where}: ring is not closed: first point {ring.point(0)} differs from "
            f"last point {ring.point(n - 1)}; repeat the first point at the end"))
    distinct = _dedupe(xy)[0]
    corners = len(distinct) - (1 if closed else 0)
    if n < 4 or corners < 3:
        problems.append(Text(
            f"{zh_where}：该圈只有 {n} 个点（{corners} 个不同拐点）；每圈至少应有 3 个不同的拐点"
            "再加闭合点（共 4 个点）",
            f"{where}: ring has {n} points ({corners} distinct corners); a ring needs "
            "at least 3 distinct corners plus the closing point (4 points)"))
    if problems:
        return problems
    crossings = _self_intersections(ring)
    if crossings:
        shown = crossings[:5]
        more = len(crossings) - 5
        problems.append(Text(
            f"{zh_where}：该圈自相交（边界线不得交叉，应按顺时针或逆时针依次排列界址点）："
            + "；".join(c.zh for c in shown) + (f"（另有 {more} 处）" if more > 0 else ""),
            f"{where}: ring crosses itself: " + "; ".join(c.en for c in shown)
            + (f" (and {more} more)" if more > 0 else "")))
    return problems


def _dedupe(xy: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """Drop consecutive repeated points (valid in GEOS, but noise for the crossing search)."""
    keep = [0] + [i for i in range(1, len(xy)) if not np.array_equal(xy[i], xy[i - 1])]
    return xy[keep], keep


def _self_intersections(ring: RawRing) -> list[Text]:
    if shapely.is_valid(Polygon(ring.xy)):
        return []
    xy, idx = _dedupe(ring.xy)
    segs = shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))
    m = len(segs)
    tree = shapely.STRtree(segs)
    left, right = tree.query(segs, predicate="intersects")
    out = []
    for i, j in zip(left.tolist(), right.tolist()):
        if j <= i:
            continue
        inter = shapely.intersection(segs[i], segs[j])
        adjacent = j == i + 1 or (i == 0 and j == m - 1)
        if adjacent and inter.geom_type == "Point":
            continue  # consecutive segments share their common vertex
        a0, a1, b0, b1 = idx[i], idx[i + 1], idx[j], idx[j + 1]
        pt = inter.representative_point()
        out.append(Text(f"边 {ring.names[a0]}–{ring.names[a1]} 与边 {ring.names[b0]}–{ring.names[b1]} "
                        f"相交于 ({pt.x:.3f}, {pt.y:.3f})（EPSG:4525）",
                        f"segment {ring.names[a0]}–{ring.names[a1]} meets segment "
                        f"{ring.names[b0]}–{ring.names[b1]} at ({pt.x:.3f}, {pt.y:.3f}) in EPSG:4525"))
    if not out:  # GEOS saw something our search did not: still report it, with its location
        out.append(_reason_with_points(shapely.is_valid_reason(Polygon(ring.xy)), [ring]))
    return out


def assemble_by_containment(parcel: str, rings: list[RawRing]) -> tuple[BaseGeometry | None, list[Text]]:
    """Polygon/MultiPolygon from rings whose roles are unknown: a ring inside an odd number of
    other rings is a hole of the smallest one containing it; otherwise it is a separate part.
    Ring numbers in exchange files are not reliable for this, containment is."""
    polys = [Polygon(r.xy) for r in rings]
    order = sorted(range(len(rings)), key=lambda i: -polys[i].area)
    problems = []
    parent: dict[int, int] = {}  # a ring's smallest container, for the rings inside another
    depth: dict[int, int] = {}
    for pos, i in enumerate(order):
        containers = []
        for j in order[:pos]:
            if polys[j].equals(polys[i]):
                problems.append(Text(f"地块 {parcel}：{rings[i].label} 与 {rings[j].label} 是同一个圈，"
                                     "应删除重复的一圈",
                                     f"parcel {parcel}: {rings[i].label} and {rings[j].label} are the "
                                     "same ring"))
            elif polys[j].contains(polys[i]):
                containers.append(j)
            elif polys[j].overlaps(polys[i]):
                problems.append(Text(f"地块 {parcel}：{rings[i].label} 与 {rings[j].label} 相互重叠"
                                     "（两圈应互不相交，或一圈完全位于另一圈内作为内环）",
                                     f"parcel {parcel}: {rings[i].label} and {rings[j].label} overlap "
                                     "(neither lies inside the other)"))
        depth[i] = len(containers)
        if containers:
            parent[i] = containers[-1]  # last = smallest container
    if problems:
        return None, problems
    shells: dict[int, list[int]] = {i: [] for i in order if depth[i] % 2 == 0}
    for i in order:
        if depth[i] % 2 == 1:
            shells[parent[i]].append(i)
    parts = [Polygon(rings[s].xy, [rings[h].xy for h in holes]) for s, holes in shells.items()]
    geom = parts[0] if len(parts) == 1 else MultiPolygon(parts)
    return geom, check_assembled(parcel, geom, rings)


def check_assembled(parcel: str, geom: BaseGeometry, rings: list[RawRing]) -> list[Text]:
    reason = shapely.is_valid_reason(geom)
    if reason == "Valid Geometry":
        return []
    why = _reason_with_points(reason, rings)
    return [Text(f"地块 {parcel}：各圈不能构成有效的面（外环应包含内环，各圈互不交叉）：{why.zh}",
                 f"parcel {parcel}: the rings do not form a valid area: {why.en}")]


#: GEOS's reasons in Chinese (any other is shown in GEOS's words)
_GEOS_ZH = {"Self-intersection": "自相交", "Ring Self-intersection": "圈自相交",
            "Hole lies outside shell": "内环位于外环之外", "Nested holes": "内环相互嵌套",
            "Interior is disconnected": "面内部被分割为不连通的部分", "Nested shells": "外环相互嵌套",
            "Duplicate Rings": "重复的圈", "Too few points in geometry component": "点数过少"}
_LOCATION = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\]")


def _reason_with_points(reason: str, rings: list[RawRing]) -> Text:
    """GEOS says e.g. 'Self-intersection[37542010 3945120]'; name the nearest file point."""
    m = _LOCATION.search(reason)
    if not m:
        return Text(_GEOS_ZH.get(reason, reason), reason)
    loc = np.array([float(m.group(1)), float(m.group(2))])
    best: tuple[float, RawRing, int] | None = None
    for ring in rings:
        d = np.hypot(*(ring.xy - loc).T)
        k = int(np.argmin(d))
        if best is None or d[k] < best[0]:
            best = (float(d[k]), ring, k)
    text = _LOCATION.sub("", reason).strip()
    if best is None:  # no ring to name a point of: the location as GEOS gave it
        return Text(f"{_GEOS_ZH.get(text, text)}，位于 ({loc[0]:.3f}, {loc[1]:.3f})（EPSG:4525）",
                    f"{text} at ({loc[0]:.3f}, {loc[1]:.3f}) in EPSG:4525")
    _, ring, k = best
    return Text(f"{_GEOS_ZH.get(text, text)}，位于 ({loc[0]:.3f}, {loc[1]:.3f})（EPSG:4525），靠近 {ring.label} 的界址点 "
                f"{ring.point(k)}",
                f"{text} at ({loc[0]:.3f}, {loc[1]:.3f}) in EPSG:4525, near point {ring.point(k)} of "
                f"{ring.label}")
