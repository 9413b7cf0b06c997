"""Shared helpers for the review (C1–C8) and workflow (S1–S6) tests.

Every case in these tests is the complete example (cases/review/complete-approvable.yaml, which
passes all eight review items and has finished all six steps) with one readable change:

    case = variant({"review.annual_plan.quota_requested": D("25.0001")})

Paths are dotted, with list indices in brackets (`parcels[0].land.cultivated`); DELETE removes
the key (evidence absent = unknown). Dates are ISO text, as a case file gives them.

The `Pair` tables at the bottom name, for every finding code of rules/review.yaml and
rules/workflow.yaml, one change that makes it fire and a neighbouring change that does not.
test_review.py and test_workflow.py run them; a test there checks that every code of the rule
files has a pair, so a new rule without a test fails.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
import re
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

import yaml

from unittest import mock

import landapproval
from landapproval.law import Law
from landapproval.law.jurisdiction import default_rules_dir
from landapproval.law.rulebook import rules_sha256
from landapproval.core.reader import read_document

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"
CASES = REPO / "cases" / "review"
COMPLETE = CASES / "complete-approvable.yaml"

D = Decimal
DELETE = object()  # remove the key: the evidence is not given


# --- building cases -------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _complete_raw() -> Any:
    return read_document(COMPLETE)


def complete() -> dict:
    """A fresh deep copy of the complete, approvable case."""
    return copy.deepcopy(_complete_raw())


_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _parts(path: str) -> list:
    return [int(index) if index else key for key, index in _PART.findall(path)]


def set_path(case: dict, path: str, value: Any) -> dict:
    """Set (or with DELETE remove) one field; missing parent mappings are created."""
    parts = _parts(path)
    node = case
    for part in parts[:-1]:
        if isinstance(part, int):
            node = node[part]
        else:
            if node.get(part) is None:
                node[part] = {}
            node = node[part]
    last = parts[-1]
    if value is DELETE:
        if isinstance(last, int):
            del node[last]
        else:
            node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)
    return case


def get_path(case: dict, path: str) -> Any:
    node = case
    for part in _parts(path):
        node = node[part]
    return node


def variant(changes: dict[str, Any] | None = None, base: dict | str | None = None) -> dict:
    """The complete case (or `base`) with `changes` applied, in order."""
    if base is None:
        case = complete()
    elif isinstance(base, str):
        case = BASES[base]()
    else:
        case = copy.deepcopy(base)
    for path, value in (changes or {}).items():
        set_path(case, path, value)
    return case


def village_housing() -> dict:
    """Rural housing in 曲沃县 on collective land, converted but not expropriated (三(一), 五(一)):
    the county approves the conversion; the collective decided and the township approved."""
    case = complete()
    case["id"] = "QW-2024-VH"
    case["title"] = "曲沃县2024年度村民住宅用地"
    case["kind"] = "village_housing"
    case["review"].pop("public_interest")
    case["review"].pop("expropriation_procedure")
    case["review"]["collective_decision"] = {"decided_on": "2024-08-20", "township_approved_on": "2024-08-27"}
    case["workflow"] = {}
    return case


def construction_land_only() -> dict:
    """The batch with only existing (collective and state) construction land: no conversion,
    no new construction land; the city still approves the expropriation (三(二))."""
    case = complete()
    for parcel in case["parcels"]:
        parcel["land"] = {"construction": parcel["land"]["construction"] or D("0.5000")}
    return case


def state_land_only() -> dict:
    """The batch with every parcel state-owned: nothing is expropriated."""
    case = complete()
    for parcel in case["parcels"]:
        parcel["ownership"] = "state"
        parcel.pop("expropriate", None)
    return case


def village_housing_in_yaodu() -> dict:
    """Rural housing in 尧都区 (never delegated): the province approves the conversion, not the county;
    the pair's quiet side moves it to 曲沃县, where the county approves."""
    case = village_housing()
    case["county"] = "尧都区"
    return case


BASES: dict[str, Callable[[], dict]] = {
    "complete": complete,
    "village_housing": village_housing,
    "village_housing_in_yaodu": village_housing_in_yaodu,
    "construction_land_only": construction_land_only,
    "state_land_only": state_land_only,
}


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def shifted(text: str, days: int) -> str:
    return (day(text) + dt.timedelta(days=days)).isoformat()


# --- reading decisions ----------------------------------------------------------------------

def evaluate(case: dict, **kwargs):
    return landapproval.evaluate(case, **kwargs)


def all_findings(decision) -> list:
    return [f for item in (*decision.checks, *decision.steps) for f in item.findings]


def codes(decision) -> set[str]:
    return {f.code for f in all_findings(decision)}


def item(decision, item_id: str):
    for entry in (*decision.checks, *decision.steps):
        if entry.id == item_id:
            return entry
    raise KeyError(item_id)


def finding(decision, code: str):
    hits = [f for f in all_findings(decision) if f.code == code]
    assert hits, f"{code} did not fire; findings: {sorted(codes(decision))}"
    return hits[0]


def statuses(decision) -> dict[str, str]:
    return {entry.id: entry.status for entry in (*decision.checks, *decision.steps)}


def missing_fields(decision, item_id: str) -> set[str]:
    return {m for f in item(decision, item_id).findings for m in f.missing}


# --- files, the CLI and a temporary rules folder -------------------------------------------

class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value)))


def write_case(path: Path, case: dict) -> Path:
    """Write a case as YAML the way a user would (areas stay exact decimals)."""
    path.write_text(yaml.dump(case, Dumper=_Dumper, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@contextmanager
def rules_folder(tmp_path: Path):
    """A copy of rules/ in tmp_path that the law of this block is read from.

    Inside the block `Law.default()` is the law of the copy, rebuilt whenever its files change
    (a test edits the copy, then evaluates); LANDAPPROVAL_RULES points at it for the CLI and
    subprocesses. Nothing in the package is cleared: the override ends with the block."""
    source = default_rules_dir()
    target = tmp_path / "rules"
    if not target.exists():
        shutil.copytree(source, target)
    built: dict[str, Law] = {}

    def current(cls) -> Law:
        key = rules_sha256(target)
        if key not in built:
            built.clear()
            built[key] = Law.from_dir(target)
        return built[key]

    before = os.environ.get("LANDAPPROVAL_RULES")
    os.environ["LANDAPPROVAL_RULES"] = str(target)
    try:
        with mock.patch.object(Law, "default", classmethod(current)):
            yield target
    finally:
        if before is None:
            os.environ.pop("LANDAPPROVAL_RULES", None)
        else:
            os.environ["LANDAPPROVAL_RULES"] = before


def add_suspension(rules: Path, county: str, start: str, until: str | None = None) -> None:
    """七(三): the city suspends a county's new construction-land filings (data, not code)."""
    state_file = rules / "jurisdiction-state.yaml"
    state = yaml.safe_load(state_file.read_text(encoding="utf-8")) or {}
    entry = {"county": county, "from": start, "until": until,
             "reference": "临汾市规划和自然资源局 通报（测试数据）"}
    state["suspensions"] = [*(state.get("suspensions") or []), entry]
    state_file.write_text(yaml.safe_dump(state, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- the rule files themselves --------------------------------------------------------------

def rule_items(name: str) -> list[dict]:
    data = read_document(RULES / name)
    return data["checks"] if name == "review.yaml" else data["steps"]


def finding_codes_in_rules() -> dict[str, str]:
    """Every finding code the rule files can produce → its severity as written.

    That is each `findings[].code`, and `<item>.missing.<fact>` for each `requires` entry (the
    rule book turns those into findings that make the item incomplete)."""
    found = {}
    for name in ("review.yaml", "workflow.yaml"):
        for node in rule_items(name):
            for entry in node.get("requires", []):
                fact = entry if isinstance(entry, str) else entry["fact"]
                found[f"{node['id']}.missing.{fact}"] = "missing"
            for spec in node.get("findings", []):
                found[spec["code"]] = spec["severity"]
    return found


@lru_cache(maxsize=1)
def rule_messages() -> dict[str, dict]:
    return {spec["code"]: spec["message"] for name in ("review.yaml", "workflow.yaml")
            for node in rule_items(name) for spec in node.get("findings", [])}


# --- one change that fires a finding, one neighbouring change that does not -----------------

@dataclass(frozen=True)
class Pair:
    code: str
    why: str
    fires: dict[str, Any]
    quiet: dict[str, Any]
    base: str = "complete"
    # 七(三) suspensions to write into a temporary rules folder ({county, from, until})
    fires_suspension: dict | None = None
    quiet_suspension: dict | None = None

    def __str__(self) -> str:
        return self.code


P = "review.expropriation_procedure."
W = "workflow."
PLAN = "review.planning."

REVIEW_PAIRS = [
    # C1 四(一)
    Pair("C1.not_conforming_to_plan", "does not conform to the plan",
         {"review.planning.conforms_to_plan": False}, {"review.planning.conforms_to_plan": True}),
    # issue 12 item 4: red-line occupation blocks only when not shown to be a permitted activity
    Pair("C1.ecological_red_line", "occupies the red line, the province found it not permitted / permitted",
         {"review.planning.occupies_ecological_red_line": True, "review.planning.red_line_activity_permitted": False},
         {"review.planning.occupies_ecological_red_line": True, "review.planning.red_line_activity_permitted": True}),
    Pair("C1.ecological_red_line_permitted", "occupies the red line as a permitted / not permitted activity",
         {"review.planning.occupies_ecological_red_line": True, "review.planning.red_line_activity_permitted": True},
         {"review.planning.occupies_ecological_red_line": True, "review.planning.red_line_activity_permitted": False}),
    # issue 12 item 11: a zone named by the case lies in the case's county (三(一)); its level's confidence
    Pair("C1.zone_not_in_county", "曲沃县 names 侯马经济开发区 (侯马市) / 曲沃经济技术开发区 (曲沃县)",
         {"scope.development_zone": "侯马经济开发区"}, {"scope.development_zone": "曲沃经济技术开发区"}),
    Pair("C1.zone_level_uncertain", "曲沃经济技术开发区 by name (level inferred) / declared with its level",
         {"scope.development_zone": "曲沃经济技术开发区"},
         {"scope.development_zone": {"name": "曲沃经济技术开发区", "level": "provincial"}}),
    Pair("C1.phase_total_exceeded", "phase total exceeded, without / with the city's written approval",
         {"review.planning.exceeds_development_boundary_phase_total": True,
          "review.planning.city_coordination_approved": False},
         {"review.planning.exceeds_development_boundary_phase_total": True,
          "review.planning.city_coordination_approved": True}),
    # issue 19 items 2, 3, 7: permanent basic farmland only for a key project that cannot avoid it,
    # never for rural housing; a national major project in the red line goes to the State Council
    Pair("C1.permanent_basic_farmland", "0.0001 ha vs no permanent basic farmland, for a key project",
         {"parcels[0].land.permanent_basic_farmland": D("0.0001"), PLAN + "permanent_basic_farmland_key_project": True},
         {"parcels[0].land.permanent_basic_farmland": D("0"), PLAN + "permanent_basic_farmland_key_project": True}),
    Pair("C1.permanent_basic_farmland_not_key_project", "0.0001 ha of PBF, not / a key project",
         {"parcels[0].land.permanent_basic_farmland": D("0.0001"), PLAN + "permanent_basic_farmland_key_project": False},
         {"parcels[0].land.permanent_basic_farmland": D("0.0001"), PLAN + "permanent_basic_farmland_key_project": True}),
    Pair("C1.village_housing_on_permanent_basic_farmland", "rural housing on 0.0001 ha / on no PBF",
         {"parcels[0].land.permanent_basic_farmland": D("0.0001")},
         {"parcels[0].land.permanent_basic_farmland": D("0")}, base="village_housing"),
    Pair("C1.red_line_major_project", "a national major project in / out of the red line, with the opinion",
         {PLAN + "occupies_ecological_red_line": True, PLAN + "red_line_national_major_project": True,
          PLAN + "red_line_unavoidability_opinion": True},
         {PLAN + "occupies_ecological_red_line": False, PLAN + "red_line_national_major_project": True,
          PLAN + "red_line_unavoidability_opinion": True}),
    Pair("C1.red_line_no_unavoidability_opinion", "a national major project in the red line without / with the opinion",
         {PLAN + "occupies_ecological_red_line": True, PLAN + "red_line_national_major_project": True,
          PLAN + "red_line_unavoidability_opinion": False},
         {PLAN + "occupies_ecological_red_line": True, PLAN + "red_line_national_major_project": True,
          PLAN + "red_line_unavoidability_opinion": True}),
    # C2 四(二): 20 available + 5 granted = 25
    Pair("C2.quota_exceeded", "25.0001 vs 25.0000 ha requested with 20 + 5 available",
         {"review.annual_plan.quota_available": D("20"), "review.annual_plan.additional_quota_granted": D("5"),
          "review.annual_plan.quota_requested": D("25.0001")},
         {"review.annual_plan.quota_available": D("20"), "review.annual_plan.additional_quota_granted": D("5"),
          "review.annual_plan.quota_requested": D("25.0000")}),
    # issue 12 item 2: the quota requested covers the 6.2234 ha of new construction land
    Pair("C2.quota_below_new_construction", "6.2233 vs 6.2234 ha requested for 6.2234 ha of new construction land",
         {"review.annual_plan.quota_requested": D("6.2233")}, {"review.annual_plan.quota_requested": D("6.2234")}),
    # C3 四(三)
    Pair("C3.registration_mismatch", "does not match the registration",
         {"review.ownership.matches_registration": False}, {"review.ownership.matches_registration": True}),
    Pair("C3.change_survey_mismatch", "does not match the change survey",
         {"review.ownership.matches_change_survey": False}, {"review.ownership.matches_change_survey": True}),
    Pair("C3.ownership_disputed", "ownership disputed",
         {"review.ownership.disputed": True}, {"review.ownership.disputed": False}),
    Pair("C3.land_type_not_traced", "land type not traced",
         {"review.ownership.land_type_traced": False}, {"review.ownership.land_type_traced": True}),
    # C4 四(四): 5.1234 ha of cultivated land occupied
    Pair("C4.no_supplement", "no supplement vs the reclamation fee",
         {"review.cultivated_compensation.method": "none"}, {"review.cultivated_compensation.method": "fee"}),
    Pair("C4.supplement_short", "5.1233 vs 5.1234 ha supplemented for 5.1234 ha occupied",
         {"review.cultivated_compensation.supplemented": D("5.1233")},
         {"review.cultivated_compensation.supplemented": D("5.1234")}),
    Pair("C4.quality_not_matched", "quality not matched",
         {"review.cultivated_compensation.quality_matched": False},
         {"review.cultivated_compensation.quality_matched": True}),
    # C5 四(五), LAL Art. 45
    Pair("C5.not_in_development_plan", "not in the development plan",
         {"review.public_interest.in_development_plan": False},
         {"review.public_interest.in_development_plan": True}),
    Pair("C5.not_in_annual_plan", "affordable housing not in / in the annual plan",
         {"review.public_interest.category": "poverty_relocation_housing", "review.public_interest.in_annual_plan": False},
         {"review.public_interest.category": "poverty_relocation_housing", "review.public_interest.in_annual_plan": True}),
    Pair("C5.not_in_development_scheme", "comprehensive development outside / inside an approved scheme",
         {"review.public_interest.category": "comprehensive_development",
          "review.public_interest.in_approved_development_scheme": False},
         {"review.public_interest.category": "comprehensive_development",
          "review.public_interest.in_approved_development_scheme": True}),
    Pair("C5.development_outside_scale", "comprehensive development outside / inside the construction scale",
         {"review.public_interest.category": "comprehensive_development", "scope.within_construction_scale": False},
         {"review.public_interest.category": "comprehensive_development", "scope.within_construction_scale": True}),
    # issue 12 item 5: LAL Art. 45(二)–(五) government-organised; (五) scheme approved by the province
    Pair("C5.not_government_organised", "infrastructure not organised / organised by the government",
         {"review.public_interest.government_organised": False}, {"review.public_interest.government_organised": True}),
    Pair("C5.scheme_not_approved_by_province", "development scheme not approved / approved by the province",
         {"review.public_interest.category": "comprehensive_development",
          "review.public_interest.development_scheme_approved_by_province": False},
         {"review.public_interest.category": "comprehensive_development",
          "review.public_interest.development_scheme_approved_by_province": True}),
    Pair("C5.other_by_law", "'other cases provided by law' vs infrastructure",
         {"review.public_interest.category": "other_by_law"}, {"review.public_interest.category": "infrastructure"}),
    # C6 四(六)
    Pair("C6.no_consent", "overlaps a protected area without / with consent",
         {"review.protected_areas": [{"name": "曲沃县沸泉饮用水水源保护区", "consent": False}]},
         {"review.protected_areas": [{"name": "曲沃县沸泉饮用水水源保护区", "consent": True}]}),
    Pair("C6.missing.consent", "overlaps a protected area, consent not stated / stated",
         {"review.protected_areas": [{"name": "曲沃县沸泉饮用水水源保护区"}]},
         {"review.protected_areas": [{"name": "曲沃县沸泉饮用水水源保护区", "consent": True}]}),
    # C7 四(七), LAL Art. 47, Regs Arts. 26–32. Complete timeline: pre 05-06, survey 05-27,
    # risk 06-03, announcement 06-10, registration 07-15, agreements 07-25, filed 09-10.
    Pair("C7.social_security_not_funded", "social insurance not funded",
         {P + "social_security_funded": False}, {P + "social_security_funded": True}),
    Pair("C7.costs_not_predeposited", "costs not pre-deposited",
         {P + "costs_predeposited": False}, {P + "costs_predeposited": True}),
    Pair("C7.survey_before_pre_announcement", "survey the day before / the day of the pre-announcement",
         {P + "status_survey": "2024-05-05"}, {P + "status_survey": "2024-05-06"}),
    Pair("C7.risk_assessment_before_pre_announcement", "assessment the day before / the day of the pre-announcement",
         {P + "risk_assessment": "2024-05-05"}, {P + "risk_assessment": "2024-05-06"}),
    Pair("C7.announcement_before_survey", "announcement the day before / the day of the survey",
         {P + "status_survey": "2024-06-11"}, {P + "status_survey": "2024-06-10"}),
    Pair("C7.announcement_before_risk_assessment", "announcement the day before / the day of the assessment",
         {P + "risk_assessment": "2024-06-11"}, {P + "risk_assessment": "2024-06-10"}),
    Pair("C7.hearing_before_announcement", "hearing the day before / the day of the announcement",
         {P + "hearing_required": True, P + "hearing": "2024-06-09"},
         {P + "hearing_required": True, P + "hearing": "2024-06-10"}),
    Pair("C7.registration_before_announcement", "registration the day before / the day of the announcement",
         {P + "compensation_registration": "2024-06-09"}, {P + "compensation_registration": "2024-06-10"}),
    # Regs Art. 29: the plan is settled after the announcement period (last day 2024-07-10, the
    # 30th day after 06-10) and after any hearing; only then are the agreements signed.
    Pair("C7.agreements_during_announcement", "agreements on / the day after the announcement's last day (07-10)",
         {P + "agreements_signed": "2024-07-10"}, {P + "agreements_signed": "2024-07-11"}),
    Pair("C7.agreements_before_hearing", "agreements on the day of / the day after the hearing",
         {P + "hearing_required": True, P + "hearing": "2024-07-25"},
         {P + "hearing_required": True, P + "hearing": "2024-07-24"}),
    # Regs Art. 29, LAL Art. 47 ¶4: agreements not reached are stated truthfully in the application
    Pair("C7.unsigned_not_explained", "9 of 10 agreements, not explained / explained",
         {P + "agreements_required": 10, P + "agreements_reached": 9, P + "unsigned_explained": False},
         {P + "agreements_required": 10, P + "agreements_reached": 9, P + "unsigned_explained": True}),
    # 晋政办发〔2023〕72号 (unconfirmed 90 %): 10 to sign → at least 9; a warning only
    Pair("C7.agreements_below_provincial_share", "8 / 9 of 10 agreements signed (72号 share 90 %, unconfirmed)",
         {P + "agreements_required": 10, P + "agreements_reached": 8, P + "unsigned_explained": True},
         {P + "agreements_required": 10, P + "agreements_reached": 9, P + "unsigned_explained": True}),
    Pair("C7.steps_after_filing", "agreements signed the day after / the day of the filing",
         {P + "agreements_signed": "2024-09-11"}, {P + "agreements_signed": "2024-09-10"}),
    # 10 working days after 2024-09-20: 09-23..27 (5), 09-29 make-up Sunday (6), 09-30 (7),
    # National Day 10-01..07, 10-08 (8), 10-09 (9), 10-10 (10) = the last day. Mon–Fri counting
    # would end 10-04. Filing on the last day is filing during the pre-announcement.
    Pair("C7.pre_announcement_too_short", "filed on the last (10th) working day / the day after",
         {P + "pre_announcement": "2024-09-20", "filed_on": "2024-10-10"},
         {P + "pre_announcement": "2024-09-20", "filed_on": "2024-10-11"}),
    # 民法典 201/203: announced 08-11, the 30th day 09-10 is its last day (a Tuesday); announced
    # 08-10, the last day is 09-09 and filing on 09-10 is after it
    Pair("C7.compensation_announcement_too_short", "filed on / the day after the announcement's last day",
         {P + "compensation_announcement": "2024-08-11", P + "compensation_registration": "2024-08-20",
          P + "agreements_signed": "2024-09-10"},
         {P + "compensation_announcement": "2024-08-10", P + "compensation_registration": "2024-08-20",
          P + "agreements_signed": "2024-09-10"}),
    # C8 四(八)
    Pair("C8.illegal_land_use_unhandled", "illegal land use not dealt with / dealt with",
         {"review.violations.illegal_land_use": [{"id": "曲自然资违〔2024〕17号", "handled": False}]},
         {"review.violations.illegal_land_use": [{"id": "曲自然资违〔2024〕17号", "handled": True}]}),
    Pair("C8.open_petitions", "an open / a resolved petition",
         {"review.violations.petitions": [{"id": "XF-2024-0815", "resolved": False}]},
         {"review.violations.petitions": [{"id": "XF-2024-0815", "resolved": True}]}),
]


def _missing(item_id: str, fact: str, path: str, fires: dict | None = None, quiet: dict | None = None) -> Pair:
    """Evidence absent (DELETE) vs given; `fires`/`quiet` add the condition a `{fact, when}` needs."""
    if fires is None:
        return Pair(f"{item_id}.missing.{fact}", f"{path} absent / given", {path: DELETE}, {})
    return Pair(f"{item_id}.missing.{fact}", f"{path} absent, needed / not needed", {**fires, path: DELETE},
                {**(quiet or {}), path: DELETE})


PL, AP, OW, CC, PI = ("review.planning.", "review.annual_plan.", "review.ownership.",
                      "review.cultivated_compensation.", "review.public_interest.")

MISSING_PAIRS = [
    _missing("C1", "planning.conforms_to_plan", PL + "conforms_to_plan"),
    _missing("C1", "planning.occupies_ecological_red_line", PL + "occupies_ecological_red_line"),
    _missing("C1", "planning.red_line_activity_permitted", PL + "red_line_activity_permitted",
             fires={PL + "occupies_ecological_red_line": True}, quiet={PL + "occupies_ecological_red_line": False}),
    _missing("C1", "planning.exceeds_phase_total", PL + "exceeds_development_boundary_phase_total"),
    _missing("C1", "planning.red_line_unavoidability_opinion", PL + "red_line_unavoidability_opinion",
             fires={PL + "occupies_ecological_red_line": True, PL + "red_line_national_major_project": True},
             quiet={PL + "occupies_ecological_red_line": True, PL + "red_line_national_major_project": False,
                    PL + "red_line_activity_permitted": True}),
    _missing("C1", "planning.permanent_basic_farmland_key_project", PL + "permanent_basic_farmland_key_project",
             fires={"parcels[0].land.permanent_basic_farmland": D("0.0001")},
             quiet={"parcels[0].land.permanent_basic_farmland": D("0")}),
    # issue 19 item 1 (五(一)、五(二)): collective land converted without expropriation needs the
    # collective's decision and the township's approval on file; expropriated land does not
    *(Pair(f"C3.missing.collective.{name}", f"rural housing, {name} absent / the land expropriated after all",
           {f"review.collective_decision.{name}": DELETE},
           {f"review.collective_decision.{name}": DELETE, "parcels[0].expropriate": True,
            "parcels[1].expropriate": True}, base="village_housing")
      for name in ("decided_on", "township_approved_on")),
    _missing("C1", "planning.city_coordination_approved", PL + "city_coordination_approved",
             fires={PL + "exceeds_development_boundary_phase_total": True},
             quiet={PL + "exceeds_development_boundary_phase_total": False}),
    _missing("C2", "annual_plan.quota_available", AP + "quota_available"),
    _missing("C2", "annual_plan.quota_requested", AP + "quota_requested"),
    _missing("C2", "annual_plan.additional_quota_granted", AP + "additional_quota_granted",
             fires={AP + "quota_available": D("20"), AP + "quota_requested": D("20.0001")},
             quiet={AP + "quota_available": D("20"), AP + "quota_requested": D("20.0000")}),
    _missing("C3", "ownership.matches_registration", OW + "matches_registration"),
    _missing("C3", "ownership.matches_change_survey", OW + "matches_change_survey"),
    _missing("C3", "ownership.disputed", OW + "disputed"),
    _missing("C3", "ownership.land_type_traced", OW + "land_type_traced"),
    _missing("C4", "compensation.method", CC + "method"),
    _missing("C4", "compensation.supplemented", CC + "supplemented",
             fires={CC + "method": "self_reclaim"}, quiet={CC + "method": "none"}),
    _missing("C4", "compensation.quality_matched", CC + "quality_matched",
             fires={CC + "method": "fee"}, quiet={CC + "method": "none"}),
    _missing("C5", "public_interest.category", PI + "category"),
    _missing("C5", "public_interest.in_development_plan", PI + "in_development_plan"),
    _missing("C5", "public_interest.in_annual_plan", PI + "in_annual_plan",
             fires={PI + "category": "comprehensive_development"}, quiet={PI + "category": "public_utility"}),
    _missing("C5", "public_interest.in_approved_development_scheme", PI + "in_approved_development_scheme",
             fires={PI + "category": "comprehensive_development"},
             quiet={PI + "category": "poverty_relocation_housing"}),
    _missing("C5", "public_interest.government_organised", PI + "government_organised",
             fires={PI + "category": "public_utility"}, quiet={PI + "category": "military_diplomatic"}),
    _missing("C5", "public_interest.within_urban_construction_area", PI + "within_urban_construction_area",
             fires={PI + "category": "comprehensive_development"}, quiet={PI + "category": "infrastructure"}),
    _missing("C5", "public_interest.development_scheme_approved_by_province",
             PI + "development_scheme_approved_by_province",
             fires={PI + "category": "comprehensive_development", PI + "in_approved_development_scheme": True},
             quiet={PI + "category": "comprehensive_development", PI + "in_approved_development_scheme": False}),
    _missing("C6", "protected.list_given", "review.protected_areas"),
    *(_missing("C7", f"procedure.{name}", P + name)
      for name in ("pre_announcement", "status_survey", "risk_assessment", "compensation_announcement",
                   "hearing_required", "compensation_registration", "agreements_signed",
                   "social_security_funded", "costs_predeposited")),
    _missing("C7", "workflow.filed_on", "filed_on"),
    # a required hearing with no date is unrecorded evidence (incomplete), as agreements with no date
    _missing("C7", "procedure.hearing", P + "hearing",
             fires={P + "hearing_required": True}, quiet={P + "hearing_required": False}),
    _missing("C7", "procedure.unsigned_explained", P + "unsigned_explained",
             fires={P + "agreements_required": 10, P + "agreements_reached": 9},
             quiet={P + "agreements_required": 10, P + "agreements_reached": 10}),
    _missing("C8", "violations.illegal_list_given", "review.violations.illegal_land_use"),
    _missing("C8", "violations.petitions_list_given", "review.violations.petitions"),
]

# Workflow pairs. Complete dates: filed 09-10, accepted 09-12, reviewed 09-20, decided 09-25,
# fee notice and payment 09-26, approval 09-27, archived 10-10 (its 5th working day).
WORKFLOW_PAIRS = [
    Pair("S1.township_before_collective_decision", "township approved the day before / the day of the decision",
         {"review.collective_decision.decided_on": "2024-08-20",
          "review.collective_decision.township_approved_on": "2024-08-19"},
         {"review.collective_decision.decided_on": "2024-08-20",
          "review.collective_decision.township_approved_on": "2024-08-20"},
         base="village_housing"),
    Pair("S2.county_filing_suspended", "filed on the first day / the day before a suspension",
         {}, {}, fires_suspension={"county": "141021", "from": "2024-09-10"},
         quiet_suspension={"county": "141021", "from": "2024-09-11"}),
    Pair("S2.filed_before_collective_decision", "filed the day before / the day of the collective's decision",
         {"review.collective_decision.decided_on": "2024-09-11",
          "review.collective_decision.township_approved_on": "2024-09-11"},
         {"review.collective_decision.decided_on": "2024-09-10",
          "review.collective_decision.township_approved_on": "2024-09-10"},
         base="village_housing"),
    # issue 12 item 3 (土地管理法 第七十九条): a decision or approval recorded by a level without the power
    Pair("S2.county_approved_without_power", "county approval of rural housing in 尧都区 (province) / in 曲沃县 (county)",
         {W + "county_approved_on": "2024-08-30"}, {"county": "曲沃县", W + "county_approved_on": "2024-08-30"},
         base="village_housing_in_yaodu"),
    Pair("S3.decided_without_power", "city decision recorded, outside / inside the construction-land scale",
         {"scope.within_construction_scale": False}, {"scope.within_construction_scale": True}),
    Pair("S5.issued_without_power", "approval issued by the city, outside / inside the construction-land scale",
         {"scope.within_construction_scale": False}, {"scope.within_construction_scale": True}),
    Pair("S3.accepted_before_filing", "accepted the day before / the day of the filing",
         {W + "accepted_on": "2024-09-09"}, {W + "accepted_on": "2024-09-10"}),
    Pair("S3.reviewed_before_accepted", "reviewed the day before / the day of the acceptance",
         {W + "reviewed_on": "2024-09-11"}, {W + "reviewed_on": "2024-09-12"}),
    Pair("S3.decided_before_review", "decided the day before / the day of the joint review",
         {W + "decided_on": "2024-09-19"}, {W + "decided_on": "2024-09-20"}),
    Pair("S4.fee_notice_before_decision", "fee notice the day before / the day of the decision",
         {W + "fee_notice_on": "2024-09-24"}, {W + "fee_notice_on": "2024-09-25"}),
    # unknown is not false: a date the step needs and the file lacks is a missing-evidence finding
    Pair("S4.missing.workflow.decided_on", "fee notice without / with a recorded decision",
         {W + "decided_on": None}, {W + "decided_on": "2024-09-25"}),
    Pair("S5.issued_before_decision", "approval issued the day before / the day of the decision",
         {W + "approval_issued_on": "2024-09-24"}, {W + "approval_issued_on": "2024-09-25"}),
    Pair("S5.missing.workflow.decided_on", "approval issued, the decision not recorded / recorded",
         {W + "decided_on": None}, {}),
    Pair("S5.issued_before_fee_paid", "approval issued the day before / the day the fee was paid",
         {W + "fee_paid_on": "2024-09-28"}, {W + "fee_paid_on": "2024-09-27"}),
    Pair("S5.missing.workflow.fee_paid_on", "approval issued, fee due, payment not recorded / no fee due",
         {W + "fee_paid_on": None}, {W + "fee_paid_on": None, W + "fee_due": False}),
    Pair("S6.missing.workflow.approval_issued_on", "archived, the approval date not recorded / recorded",
         {W + "approval_issued_on": None}, {}),
    Pair("S6.archived_late", "archived the day after / on the 5th working day (2024-10-10)",
         {W + "archived_on": "2024-10-11"}, {W + "archived_on": "2024-10-10"}),
    Pair("S6.archived_before_approval", "archived the day before / the day of the approval",
         {W + "archived_on": "2024-09-26"}, {W + "archived_on": "2024-09-27"}),
]


def run_pair_side(pair: Pair, side: str, tmp_path: Path):
    """Evaluate one side ("fires" or "quiet") of a pair, in a temporary rules folder if it needs one."""
    case = variant(getattr(pair, side), base=pair.base)
    suspension = getattr(pair, f"{side}_suspension")
    if suspension is None:
        return evaluate(case)
    with rules_folder(tmp_path / side) as rules:
        add_suspension(rules, suspension["county"], suspension["from"], suspension.get("until"))
        return evaluate(case)
