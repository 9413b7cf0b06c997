"""Square metres (floats from GEOS/pyproj) to the contract's hectares (Decimal, 4 places).

Rounding happens once, at the edge: sums are taken in square metres and only the reported figure
is quantized, with ROUND_HALF_EVEN (banker's rounding, the IEEE/`decimal` default) so that a
long list of x.xxxx5 halves does not drift upwards.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

M2_PER_HA = Decimal(10_000)
HA_PLACES = Decimal("0.0001")


def hectares(m2: float) -> Decimal:
    """Exact decimal of the float (via repr, not binary expansion) / 10,000, quantized to 4 places."""
    value = (Decimal(repr(float(m2))) / M2_PER_HA).quantize(HA_PLACES, rounding=ROUND_HALF_EVEN)
    return value + Decimal("0.0000")  # normalises -0.0000 to 0.0000


def ha_str(value: Decimal) -> str:
    return f"{value:.4f}"
