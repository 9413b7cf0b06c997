"""The committed example (cases/gis/, made by scripts/make_example_gis.py) reads and measures cleanly."""

from __future__ import annotations

from pathlib import Path

import yaml

import landapproval
from landapproval.geo import LayerSet, measure, read_boundary

GIS = Path(__file__).resolve().parents[2] / "cases" / "gis"


def test_example_case_measures_as_declared():
    raw = (GIS / "qw-2024-03.txt").read_bytes()
    assert b"\r\n" in raw and "二号地块".encode("gbk") in raw        # GBK, CRLF, as delivered
    case = yaml.safe_load((GIS / "qw-2024-03.yaml").read_text(encoding="utf-8"))
    bounds = [read_boundary(p["boundary"], GIS) for p in case["parcels"]]
    assert len(bounds[1].geometry.interiors) == 1                    # parcel 2 has a hole
    result = measure([(p["id"], b) for p, b in zip(case["parcels"], (b.geometry for b in bounds))],
                     LayerSet.load(GIS / "layers.yaml"))
    assert result.findings == []
    assert result.to_json()["measured"]["development_zones"][0]["name"] == "曲沃经济技术开发区"
    decision = landapproval.evaluate(GIS / "qw-2024-03.yaml", layers=GIS / "layers.yaml")
    assert [f.code for c in decision.checks for f in c.findings if f.code.startswith("map.")] == []
    assert sum(p.stat().st_size for p in GIS.iterdir()) < 1_000_000
