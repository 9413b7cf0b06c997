"""Properties of the review that must hold for any case, not just the examples (hypothesis).

A blocking finding means the law forbids approval until it is cured (rules/review.yaml). So
adding a blocking defect to an approvable case can never leave it approvable, and curing
nothing can never make an existing blocking finding disappear.
"""

from __future__ import annotations

from typing import Callable

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review_helpers import D, P, codes, evaluate, get_path, set_path, shifted, variant

W = "workflow."
PI = "review.public_interest."


# --- approvable variants of the complete case: each a set of benign changes -----------------------

CATEGORIES = {
    "infrastructure": {},
    "military_diplomatic": {PI + "category": "military_diplomatic"},
    "public_utility": {PI + "category": "public_utility"},
    "poverty_relocation_housing": {PI + "category": "poverty_relocation_housing", PI + "in_annual_plan": True},
    "comprehensive_development": {PI + "category": "comprehensive_development", PI + "in_annual_plan": True,
                                  PI + "in_approved_development_scheme": True,
                                  PI + "within_urban_construction_area": True,  # LAL Art. 45(五)
                                  PI + "development_scheme_approved_by_province": True},
    "other_by_law": {PI + "category": "other_by_law"},                      # a warning
}

BENIGN = {
    "open petition (warning)": {"review.violations.petitions": [{"id": "XF-2024-0815", "resolved": False}]},
    "resolved petition": {"review.violations.petitions": [{"id": "XF-2024-0816", "resolved": True}]},
    "handled illegal land use": {"review.violations.illegal_land_use": [{"id": "曲自然资违〔2023〕52号", "handled": True}]},
    "protected area with consent": {"review.protected_areas": [{"name": "某县饮用水水源保护区", "consent": True}]},
    "archived late (warning)": {W + "archived_on": "2024-10-11"},
    "hearing held on the day of the announcement": {P + "hearing_required": True, P + "hearing": "2024-06-10"},
    "self-reclaimed": {"review.cultivated_compensation.method": "self_reclaim"},
    "more supplemented than occupied": {"review.cultivated_compensation.supplemented": D("6.0000")},
    "additional quota granted": {"review.annual_plan.quota_available": D("5"),
                                 "review.annual_plan.additional_quota_granted": D("1.2234")},
    "phase total exceeded with the city's approval": {
        "review.planning.exceeds_development_boundary_phase_total": True,
        "review.planning.city_coordination_approved": True},
    # same-day steps are lawful; the agreements wait for the plan to be settled (Regs Art. 29): the
    # day after the announcement's last day (06-10 + 30 = 07-10) is the earliest
    "same-day steps": {P + "status_survey": "2024-05-06", P + "risk_assessment": "2024-05-06",
                       P + "compensation_registration": "2024-06-10", P + "agreements_signed": "2024-07-11"},
    "filed on the day the agreements were signed": {"filed_on": "2024-07-25", W + "accepted_on": "2024-07-26"},
    "later city review": {W + "reviewed_on": "2024-09-24", W + "decided_on": "2024-09-24",
                          W + "fee_notice_on": "2024-09-24"},
}


@st.composite
def approvable_variants(draw) -> dict:
    changes = dict(CATEGORIES[draw(st.sampled_from(sorted(CATEGORIES)))])
    for name in draw(st.lists(st.sampled_from(sorted(BENIGN)), unique=True, max_size=6)):
        changes.update(BENIGN[name])
    extra = draw(st.integers(min_value=0, max_value=20))  # hectares of cultivated land added to parcel 1
    case = variant(changes)
    if extra:
        cultivated = get_path(case, "parcels[0].land.cultivated") + extra
        set_path(case, "parcels[0].land.cultivated", cultivated)
        supplemented = get_path(case, "review.cultivated_compensation.supplemented") + extra
        set_path(case, "review.cultivated_compensation.supplemented", supplemented)
        for quota in ("quota_requested", "quota_available"):  # 四(二): quota for the new construction land
            set_path(case, f"review.annual_plan.{quota}", get_path(case, f"review.annual_plan.{quota}") + extra)
    return case


# --- blocking defects: one-field changes, each producing its own blocking finding -----------------

def _later(path: str, days: int, anchor: str) -> Callable[[dict], None]:
    def change(case: dict) -> None:
        set_path(case, path, shifted(get_path(case, anchor), days))
    return change


def _set(path: str, value) -> Callable[[dict], None]:
    return lambda case: set_path(case, path, value)


def _append(path: str, entry: dict) -> Callable[[dict], None]:
    return lambda case: set_path(case, path, [*(get_path(case, path) or []), entry])


DEFECTS: dict[str, tuple[str, Callable[[dict], None]]] = {
    "not in the plan": ("C1.not_conforming_to_plan", _set("review.planning.conforms_to_plan", False)),
    "red line": ("C1.ecological_red_line", lambda case: (
        _set("review.planning.occupies_ecological_red_line", True)(case),
        _set("review.planning.red_line_activity_permitted", False)(case))),
    "quota far exceeded": ("C2.quota_exceeded", _set("review.annual_plan.quota_requested", D("2000000"))),
    "ownership disputed": ("C3.ownership_disputed", _set("review.ownership.disputed", True)),
    "nothing supplemented": ("C4.supplement_short", _set("review.cultivated_compensation.supplemented", D("0"))),
    "quality not matched": ("C4.quality_not_matched", _set("review.cultivated_compensation.quality_matched", False)),
    "not in the development plan": ("C5.not_in_development_plan", _set(PI + "in_development_plan", False)),
    "protected area without consent": ("C6.no_consent", _append("review.protected_areas",
                                                                {"name": "某自然保护区", "consent": False})),
    "social insurance unfunded": ("C7.social_security_not_funded", _set(P + "social_security_funded", False)),
    "costs not deposited": ("C7.costs_not_predeposited", _set(P + "costs_predeposited", False)),
    "agreements after filing": ("C7.steps_after_filing", _later(P + "agreements_signed", 1, "filed_on")),
    "illegal land use unhandled": ("C8.illegal_land_use_unhandled",
                                   _append("review.violations.illegal_land_use", {"id": "违-1", "handled": False})),
    "approval before the fee": ("S5.issued_before_fee_paid", _later(W + "fee_paid_on", 1, W + "approval_issued_on")),
}


@settings(max_examples=100, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=approvable_variants(),
       defects=st.lists(st.sampled_from(sorted(DEFECTS)), min_size=1, max_size=5, unique=True))
def test_adding_blocking_defects_never_makes_a_case_approvable_nor_hides_a_blocking_finding(case, defects):
    decision = evaluate(case)
    assert decision.approvable, f"the variant should be approvable: {sorted(codes(decision))}"
    blocking = set(decision.blocking)
    for name in defects:
        code, apply = DEFECTS[name]
        apply(case)
        decision = evaluate(case)
        assert code in decision.blocking, f"{name}: {code} did not block ({sorted(decision.blocking)})"
        assert not decision.approvable
        assert blocking <= set(decision.blocking), f"{name} removed {sorted(blocking - set(decision.blocking))}"
        blocking = set(decision.blocking)


@settings(max_examples=30, deadline=None, database=None)
@given(case=approvable_variants())
def test_evaluation_is_deterministic(case):
    assert evaluate(case).to_dict("en") == evaluate(case).to_dict("en")


def test_every_defect_alone_blocks_the_complete_case():
    for name, (code, apply) in DEFECTS.items():
        case = variant()
        apply(case)
        decision = evaluate(case)
        assert code in decision.blocking, name
        assert decision.approvable is False, name

