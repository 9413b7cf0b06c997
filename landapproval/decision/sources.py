"""Which facts the code computes: the check that a fact declared in rules/facts.yaml has a source.

A fact a rule reads must come from somewhere: a case-file field (`field:` in rules/facts.yaml) or
the Python that computes facts (decision.facts for the authority and the review, decision.mapfacts
for the map). A declared fact with neither would never be sent to the engine, and every rule
reading it would silently never fire. So the facts are not listed twice by hand: this module runs
the fact code once on a probe case and collects the names it sets, and every `Law` checks its
catalogue against them when it is loaded (`landapproval.law.register_fact_source`).
"""

from __future__ import annotations

import datetime as dt
import sys
from types import SimpleNamespace
from typing import Any

from landapproval.contract.models import Case
from landapproval.decision import facts as factlib
from landapproval.law import Law, register_fact_source


def _probe_case(law: Law) -> Case:
    county = law.jurisdiction.counties[0]
    return Case.model_validate({
        "id": "probe", "county": county.code, "kind": "batch",
        "scope": {"within_construction_scale": True},
        "parcels": [{"id": "p", "ownership": "collective",
                     "land": {"cultivated": "1", "other_agricultural": "1", "construction": "1", "unused": "1",
                              "permanent_basic_farmland": "0"}}],
    })


def computed_facts(law: Law) -> frozenset[str]:
    """The names the fact code sets for a case (authority and review stages, and the map's when
    the geo extra is installed)."""
    case = _probe_case(law)
    day = law.jurisdiction.delegation_start() or dt.date.today()
    ctx = factlib.resolve(case, law.jurisdiction, "probe", as_of=day)
    sums = factlib.totals(case)
    names: set[str] = set()
    for facts in (factlib.authority_facts(case, ctx, sums, law.jurisdiction),
                  factlib.review_facts(case, ctx, sums, law, "city", "city")):
        names.update(facts.values)
        names.update(facts.shown)
    names.update(_map_facts(case, ctx))
    return frozenset(names)


def _map_facts(case: Case, ctx: Any) -> set[str]:
    """The map's facts, when the geo stack is already loaded in this process (importing it here
    would add half a second to every start of a process that never reads a map; without the geo
    extra the map's rules never run). Otherwise "map.*": the map's facts are taken as given."""
    if "landapproval.geo.sources.base" not in sys.modules:
        return {"map.*"}
    from landapproval.decision import mapfacts
    from landapproval.geo.sources.base import LAYER_KEYS

    layers = set(LAYER_KEYS)
    raw: dict[str, Any] = {"outside_construction_scale": 0.0, "ecological_red_line": 0.0,
                           "development_zones": {}, "protected_areas": {}}
    names: set[str] = set()
    facts = mapfacts._case_facts(case, ctx, SimpleNamespace(raw=raw), layers, 0)
    names.update(facts.values, facts.shown)
    parcel_raw = {c: 0.0 for c in mapfacts.CLASSES} | {"survey_covered": 0.0, "ownership": {}}
    measured = SimpleNamespace(raw=parcel_raw, area_plane_m2=0.0, area_ellipsoid_m2=0.0, id="p")
    facts = mapfacts._parcel_facts(case.parcels[0], measured, layers, 0)
    names.update(facts.values, facts.shown)
    return names


register_fact_source(computed_facts)

__all__ = ["computed_facts"]
