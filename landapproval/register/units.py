"""Areas as whole square metres (exact: hectares carry at most 4 decimals) and stored boundaries."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def m2(hectares: Decimal | int | str | None) -> int:
    return int(Decimal(str(hectares or 0)).scaleb(4))


def ha(square_metres: int) -> Decimal:
    return Decimal(int(square_metres)).scaleb(-4).quantize(Decimal("0.0001"))


def geometries(normalised: dict[str, Any]) -> dict[str, Any]:
    """Each parcel's boundary as a shapely geometry in EPSG:4525 (boundaries are inline by now)."""
    out: dict[str, Any] = {}  # shapely geometries (shapely has no type stubs)
    for parcel in normalised["parcels"]:
        boundary = parcel.get("boundary")
        if boundary and boundary.get("format") == "wkt" and boundary.get("crs") == "EPSG:4525" and not boundary.get("id"):
            # the form the register stores (store.normalise): read straight, the full reader only if invalid
            import shapely

            try:
                geometry = shapely.from_wkt(boundary["data"])
            except Exception:  # noqa: BLE001 - the full reader below says what is wrong, in Chinese
                geometry = None
            if geometry is not None and geometry.geom_type in ("Polygon", "MultiPolygon") and geometry.is_valid:
                out[parcel["id"]] = geometry
                continue
        if boundary:
            from landapproval.geo import read_inline_boundary
            out[parcel["id"]] = read_inline_boundary(boundary["format"], boundary["data"], crs=boundary.get("crs"),
                                                     select=boundary.get("id"), case_file="register",
                                                     field_path="boundary").geometry
    return out
