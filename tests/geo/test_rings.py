"""rings.py on its own: GEOS's reason for an invalid area, placed at the nearest file point."""

from __future__ import annotations

import numpy as np

from landapproval.geo.rings import RawRing, _reason_with_points


def _ring() -> RawRing:
    xy = np.array([[542000.0, 3945000.0], [542100.0, 3945000.0], [542100.0, 3945100.0], [542000.0, 3945000.0]])
    return RawRing("圈1", ["J1", "J2", "J3", "J1"], ["a", "b", "c", "a"], xy, xy)


def test_a_located_reason_names_the_nearest_point() -> None:
    text = _reason_with_points("Self-intersection[542099 3945098]", [_ring()])
    assert text.zh.startswith("自相交，位于 (542099.000, 3945098.000)")
    assert "J3 (c)" in text.zh and "near point J3 (c) of 圈1" in text.en


def test_a_located_reason_without_rings_keeps_the_location() -> None:
    # no ring to name a point of (mypy --strict: `best` may stay None): the reason and where GEOS put it
    text = _reason_with_points("Self-intersection[542099 3945098]", [])
    assert text.zh == "自相交，位于 (542099.000, 3945098.000)（EPSG:4525）"
    assert text.en == "Self-intersection at (542099.000, 3945098.000) in EPSG:4525"


def test_an_unlocated_reason_is_translated() -> None:
    text = _reason_with_points("Nested shells", [_ring()])
    assert (text.zh, text.en) == ("外环相互嵌套", "Nested shells")
