"""Who approves: the example cases, the thresholds on both sides, and every combination of the
routing facts against a routing table written here from the law (not from rules/authority.yaml).

The law (shared/sources/law-excerpts.md, linfen-2024-7.md 三):
- Conversion (LAL Art. 44): permanent basic farmland → State Council; otherwise inside the
  delegated scope (one of the 16 counties other than 尧都区, inside the construction-land scale,
  outside every provincial-or-higher zone, on or after 2024-06-22) a batch → city (授权, 三(一)) and
  rural housing → county (三(一)); everything else → province (Art. 44 ¶3 / ¶4).
- Expropriation (LAL Art. 46): permanent basic farmland, cultivated land over 35 ha or other land
  over 70 ha ("超过" = strictly greater) → State Council; a State-Council conversion takes the
  expropriation with it (¶3); a delegated batch within both limits → city (委托, 三(二));
  anything else → province.
- Together (Art. 46 ¶3): one authority approves both at once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json

import pytest
import yaml

import landapproval
from landapproval import InputError

from helpers import (DAY_BEFORE, DELEGATED_CODES, DELEGATION_START, EXPECTED_FILE, case_files, make_case,
                     parcel, route)

# ---------------------------------------------------------------------------------------------
# The example cases against tests/legal/expected_decisions.yaml
# ---------------------------------------------------------------------------------------------

EXPECTED = yaml.safe_load(EXPECTED_FILE.read_text(encoding="utf-8"))
FILES = case_files()


def test_there_are_enough_example_cases():
    assert len(FILES) >= 12, [f.name for f in FILES]


def test_every_case_file_has_an_expected_entry_and_every_entry_a_file():
    names = {f.name for f in FILES}
    assert sorted(names - set(EXPECTED)) == [], "case files without an entry in tests/legal/expected_decisions.yaml"
    assert sorted(set(EXPECTED) - names) == [], "entries in tests/legal/expected_decisions.yaml without a case file"


def _authority_dict(entry):
    if entry is None:
        return None
    return {"level": entry.level, "mode": entry.mode, "rule": entry.rule}


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_example_case_matches_the_law(path):
    expected = EXPECTED.get(path.name)
    assert expected is not None, f"{path.name} has no entry in tests/legal/expected_decisions.yaml"
    decision = landapproval.evaluate(path)
    assert _authority_dict(decision.conversion) == expected["conversion"]
    assert _authority_dict(decision.expropriation) == expected["expropriation"]
    assert decision.together is expected["together"]
    # issue 19 item 4: a case with no approving act on file is decided under the law of today
    assert decision.as_of == (dt.date.today() if expected["as_of"] == "today" else expected["as_of"])
    if "as_of_source" in expected:
        assert decision.as_of_source == expected["as_of_source"]
    out = decision.to_dict()
    assert out["totals"] == expected["totals"]
    assert out["authority"]["together"] is expected["together"]
    # issue 12 item 16: the whole decision, not only who approves
    assert decision.approvable is expected["approvable"]
    assert {c.id: c.status for c in decision.checks} == expected["checks"]
    assert {s.id: s.status for s in decision.steps} == expected["steps"]
    assert sorted(f.code for item in (*decision.checks, *decision.steps) for f in item.findings) == \
        sorted(expected["findings"])


@pytest.mark.parametrize("path", FILES, ids=[f.name for f in FILES])
def test_example_case_cites_the_clause_it_applies(path):
    decision = landapproval.evaluate(path)
    for entry in (decision.conversion, decision.expropriation):
        if entry is None:
            continue
        assert entry.citations and all(c.strip() for c in entry.citations)
        assert all(r.get("zh") and r.get("en") for r in entry.reasons)
        if entry.mode == "authorized" and entry.level == "province":  # the State Council's authorisation
            assert any("国发〔2020〕4号" in c for c in entry.citations)
        elif entry.mode == "authorized":
            assert any("临政发〔2024〕7号" in c and "三(一)" in c for c in entry.citations)
        if entry.mode == "entrusted":
            assert any("临政发〔2024〕7号" in c and "三(二)" in c for c in entry.citations)
        if entry.level == "state_council":
            assert any("土地管理法" in c for c in entry.citations)


def test_example_cases_use_several_county_spellings():
    spellings = {yaml.safe_load(f.read_text(encoding="utf-8"))["county"] for f in FILES}
    spellings = {str(s) for s in spellings}
    assert any(s.isdigit() for s in spellings)                       # code
    assert any(s.endswith(("县", "区", "市")) for s in spellings)     # full name
    assert any(s.isascii() and s.islower() for s in spellings)       # pinyin
    assert any(s.isascii() and not s.islower() and not s.isdigit() for s in spellings)  # other case


# ---------------------------------------------------------------------------------------------
# Thresholds, both sides
# ---------------------------------------------------------------------------------------------

def _delegated_batch(parcels, **kw):
    return make_case(county="曲沃县", kind="batch", within=True, parcels=parcels, **kw)


@pytest.mark.parametrize("cultivated, level, mode", [
    ("35.0000", "city", "entrusted"),          # 不超过 35 公顷
    ("35.0001", "state_council", "statutory"),  # 超过 35 公顷 (Art. 46 ¶1 (2))
])
def test_cultivated_threshold_35ha(cultivated, level, mode):
    decision = landapproval.evaluate(_delegated_batch([parcel(cultivated=cultivated)]))
    assert (decision.expropriation.level, decision.expropriation.mode) == (level, mode)
    assert (decision.conversion.level, decision.conversion.mode) == ("city", "authorized")
    assert decision.together is (level == "city")


@pytest.mark.parametrize("split, level", [
    (("20.0000", "15.0000"), "city"),
    (("20.0000", "15.0001"), "state_council"),
])
def test_cultivated_threshold_is_on_the_batch_total_not_per_parcel(split, level):
    parcels = [parcel("P1", cultivated=split[0]), parcel("P2", cultivated=split[1])]
    decision = landapproval.evaluate(_delegated_batch(parcels))
    assert decision.expropriation.level == level


@pytest.mark.parametrize("unused, level", [
    ("10.0000", "city"),            # other land = 40 + 20 + 10 = 70.0000: 不超过 70 公顷
    ("10.0001", "state_council"),   # 70.0001: 超过 70 公顷 (Art. 46 ¶1 (3))
])
def test_other_land_threshold_70ha(unused, level):
    parcels = [parcel("P1", other_agricultural="40.0000", cultivated="2.0000"),
               parcel("P2", construction="20.0000", unused=unused)]
    decision = landapproval.evaluate(_delegated_batch(parcels))
    assert decision.expropriation.level == level
    assert decision.conversion.level == "city"
    assert decision.to_dict()["totals"]["expropriation"]["other"] == ("70.0000" if level == "city" else "70.0001")


def test_cultivated_land_does_not_count_as_other_land():
    # 34 ha 耕地 + 70 ha other: neither limit exceeded although the total is 104 ha
    parcels = [parcel("P1", cultivated="34.0000", other_agricultural="70.0000")]
    decision = landapproval.evaluate(_delegated_batch(parcels))
    assert (decision.expropriation.level, decision.expropriation.mode) == ("city", "entrusted")


def _many_parcels_yaml(count: int, area: str) -> str:
    lines = ["id: QW-2024-09", "county: quwo", "kind: batch", "filed_on: 2024-09-10",
             "scope: {within_construction_scale: true}", "parcels:"]
    for i in range(count):
        lines.append(f"  - {{id: QW-2024-09-{i + 1}, ownership: collective, land: {{cultivated: {area}}}}}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("count, level, total", [
    (350, "city", "35.0000"),            # 350 × 0.1 ha is exactly 35 ha, not "over 35"
    (351, "state_council", "35.1000"),
])
@pytest.mark.parametrize("area", ["0.1", "0.1000"])
def test_350_parcels_of_a_tenth_of_a_hectare_are_exactly_35ha(tmp_path, count, level, total, area):
    path = tmp_path / "many.yaml"
    path.write_text(_many_parcels_yaml(count, area), encoding="utf-8")
    decision = landapproval.evaluate(path)
    assert decision.to_dict()["totals"]["expropriation"]["cultivated"] == total
    assert decision.expropriation.level == level


def test_350_parcels_from_json_floats_are_exactly_35ha(tmp_path):
    case = make_case(county="quwo", parcels=[parcel(f"P{i}", cultivated=0.1) for i in range(350)])
    path = tmp_path / "many.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    decision = landapproval.evaluate(path)
    assert decision.to_dict()["totals"]["expropriation"]["cultivated"] == "35.0000"
    assert decision.expropriation.level == "city"


@pytest.mark.parametrize("day, level", [(DAY_BEFORE, "province"), (DELEGATION_START, "city")])
def test_delegation_start_by_as_of_argument(day, level):
    decision = landapproval.evaluate(_delegated_batch([parcel(cultivated="5.0000")]), as_of=day)
    assert decision.as_of == day
    assert decision.conversion.level == level
    assert decision.expropriation.level == level
    assert decision.together is True


@pytest.mark.parametrize("decided_on, level", [("2024-06-21", "province"), ("2024-06-22", "city")])
def test_delegation_start_by_the_city_decision_date(decided_on, level):
    # issue 19 item 4: the law on the day of the approving act — the day before the delegation and its first day
    case = _delegated_batch([parcel(cultivated="5.0000")], filed_on="2024-06-18", workflow={"decided_on": decided_on})
    decision = landapproval.evaluate(case)
    assert decision.as_of.isoformat() == decided_on and decision.as_of_source == "workflow.decided_on"
    assert (decision.conversion.level, decision.expropriation.level) == (level, level)


@pytest.mark.parametrize("filed_on", ["2024-06-21", "2024-06-22"])
def test_the_filing_date_does_not_choose_the_law_of_the_approval(filed_on):
    # filed on either side of the delegation and not yet decided: the approval is made now (issue 19 item 4)
    decision = landapproval.evaluate(_delegated_batch([parcel(cultivated="5.0000")], filed_on=filed_on),
                                     as_of=dt.date(2024, 9, 1))
    assert decision.as_of == dt.date(2024, 9, 1) and decision.as_of_source == "--as-of"
    assert (decision.conversion.level, decision.expropriation.level) == ("city", "city")


def test_city_decision_date_takes_precedence_over_filing_date():
    # filed before the delegation, decided by the city after it: the law as of the decision applies
    case = _delegated_batch([parcel(cultivated="5.0000")], filed_on="2024-06-20",
                            workflow={"decided_on": "2024-06-25"})
    decision = landapproval.evaluate(case)
    assert decision.as_of == dt.date(2024, 6, 25)
    assert decision.conversion.level == "city"
    # the evaluation day (--as-of) applies only where no approving act is recorded (issue 19 item 4)
    assert landapproval.evaluate(case, as_of=DAY_BEFORE).conversion.level == "city"
    undecided = _delegated_batch([parcel(cultivated="5.0000")], filed_on="2024-06-20")
    assert landapproval.evaluate(undecided, as_of=DAY_BEFORE).conversion.level == "province"


def test_rural_housing_delegation_starts_on_the_same_day():
    case = make_case(county="翼城县", kind="village_housing", parcels=[parcel(cultivated="0.2000")])
    assert landapproval.evaluate(case, as_of=DAY_BEFORE).conversion.level == "province"
    assert landapproval.evaluate(case, as_of=DELEGATION_START).conversion.level == "county"


def test_date_before_the_earliest_law_is_an_input_error():
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(_delegated_batch([parcel(cultivated="1.0000")]), as_of=dt.date(1998, 12, 31))
    assert any(path == "as_of" for path, _ in caught.value.problems)  # the Python parameter (issue 21)


@pytest.mark.parametrize("zone_level, level", [
    ("county", "city"),          # only 省级及以上 zones are carved out
    ("municipal", "city"),
    ("provincial", "province"),
    ("national", "province"),
])
def test_declared_zone_level(zone_level, level):
    zone = {"name": "某开发区", "level": zone_level}
    decision = landapproval.evaluate(_delegated_batch([parcel(cultivated="5.0000")], zone=zone))
    assert decision.conversion.level == level
    assert decision.expropriation.level == level
    mode = "statutory" if level == "province" else "authorized"
    assert decision.conversion.mode == mode


@pytest.mark.parametrize("county, zone", [
    ("侯马市", "侯马经济开发区"),
    ("侯马市", "山西侯马经济开发区"),         # alias
    ("洪洞县", "临汾经济开发区"),             # a zone that reaches into a delegated county
    ("曲沃县", "曲沃经济技术开发区"),
    ("古县", "古县经济技术开发区"),
])
def test_zone_known_by_name_is_provincial(county, zone):
    decision = landapproval.evaluate(make_case(county=county, zone=zone, parcels=[parcel(cultivated="3.0000")]))
    assert (decision.conversion.level, decision.expropriation.level) == ("province", "province")
    assert decision.together is True


def test_unknown_zone_name_is_an_input_error_naming_the_field():
    case = make_case(county="侯马市", zone="侯马市某某新区", parcels=[parcel(cultivated="3.0000")])
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(case, source="HM-unknown-zone.yaml")
    assert [path for path, _ in caught.value.problems] == ["scope.development_zone"]
    assert "侯马市某某新区" in str(caught.value)
    assert "HM-unknown-zone.yaml" in str(caught.value)


def test_permanent_basic_farmland_on_state_land_takes_the_expropriation_to_the_state_council():
    # Art. 46 ¶3: the State Council approves the conversion (PBF, whoever owns it), and with it the
    # expropriation, although 2 ha of expropriated cultivated land alone would be the city's
    parcels = [parcel("P1", ownership="state", permanent_basic_farmland="0.5000"),
               parcel("P2", cultivated="2.0000")]
    decision = landapproval.evaluate(_delegated_batch(parcels))
    assert (decision.conversion.level, decision.expropriation.level) == ("state_council", "state_council")
    assert decision.together is True
    assert decision.to_dict()["totals"]["expropriation"]["permanent_basic_farmland"] == "0.0000"


def test_permanent_basic_farmland_kept_collective_is_converted_by_the_state_council_not_expropriated():
    case = make_case(county="翼城县", kind="village_housing",
                     parcels=[parcel(permanent_basic_farmland="0.1000", cultivated="0.1000")])
    decision = landapproval.evaluate(case)
    assert decision.conversion.level == "state_council"
    assert decision.expropriation is None
    assert decision.together is False


def test_rural_housing_that_is_expropriated_after_all_goes_to_the_province():
    # 三(二) entrusts only batch expropriation; the county converts, the province expropriates, separately
    case = make_case(county="翼城县", kind="village_housing",
                     parcels=[parcel(expropriate=True, cultivated="0.3000")])
    decision = landapproval.evaluate(case)
    assert route(decision) == (("county", "authorized"), ("province", "statutory"), False)


def test_collective_land_kept_in_a_batch_is_converted_but_not_expropriated():
    case = _delegated_batch([parcel("P1", expropriate=False, cultivated="40.0000"),
                             parcel("P2", cultivated="1.0000")])
    decision = landapproval.evaluate(case)
    assert decision.to_dict()["totals"]["expropriation"]["cultivated"] == "1.0000"
    assert route(decision) == (("city", "authorized"), ("city", "entrusted"), True)


def test_single_site_inside_the_scale_is_not_delegated():
    case = make_case(county="曲沃县", kind="single_site", within=True, parcels=[parcel(cultivated="2.0000")])
    assert route(landapproval.evaluate(case)) == (("province", "statutory"), ("province", "statutory"), True)


def test_outside_the_scale_a_batch_is_not_delegated():
    # the province converts outside the scale by the State Council's authorisation (国发〔2020〕4号): authorized
    case = make_case(county="曲沃县", kind="batch", within=False, parcels=[parcel(cultivated="2.0000")])
    assert route(landapproval.evaluate(case)) == (("province", "authorized"), ("province", "statutory"), True)


def test_nothing_to_convert_and_nothing_to_expropriate():
    case = _delegated_batch([parcel(ownership="state", construction="3.0000", unused="1.0000")])
    decision = landapproval.evaluate(case)
    assert decision.conversion is None and decision.expropriation is None
    assert decision.together is False


# ---------------------------------------------------------------------------------------------
# Every combination of the routing facts against a routing table written from the law
# ---------------------------------------------------------------------------------------------

def law_route(*, delegated_county: bool, kind: str, within: bool, zone_level: str | None, pbf: bool,
              cultivated_over: bool, other_over: bool, in_force: bool, expropriated: bool):
    """(level, mode, acceptable rule ids) for conversion and expropriation, and together.

    Written from LAL Arts. 44/46 and 临政发〔2024〕7号 三; agricultural land is always converted here."""
    delegated = delegated_county and in_force and within and zone_level not in ("provincial", "national")

    if pbf:                                                  # Art. 44 ¶2
        conversion = ("state_council", "statutory", {"conversion.state_council.permanent_basic_farmland"})
    elif delegated and kind == "village_housing":            # 三(一), rural housing
        conversion = ("county", "authorized", {"conversion.county.village_housing"})
    elif delegated and kind == "batch":                      # 三(一)
        conversion = ("city", "authorized", {"conversion.city.batch"})
    elif within:                                             # Art. 44 ¶3
        conversion = ("province", "statutory", {"conversion.province.within_scale"})
    else:                                                    # Art. 44 ¶4, 国发〔2020〕4号 (authorised)
        conversion = ("province", "authorized", {"conversion.province.outside_scale"})

    if not expropriated:
        expropriation = None
    elif pbf or cultivated_over or other_over:               # Art. 46 ¶1 (and ¶3 for PBF)
        rules = set()
        if pbf:
            rules |= {"expropriation.state_council.permanent_basic_farmland"}
        if cultivated_over:
            rules |= {"expropriation.state_council.cultivated_over_threshold"}
        if other_over:
            rules |= {"expropriation.state_council.other_over_threshold"}
        expropriation = ("state_council", "statutory", rules)
    elif delegated and kind == "batch":                      # 三(二)
        expropriation = ("city", "entrusted", {"expropriation.city.entrusted"})
    else:                                                    # Art. 46 ¶2
        expropriation = ("province", "statutory", {"expropriation.province.statutory"})

    together = expropriation is not None and conversion[0] == expropriation[0]
    return conversion, expropriation, together


KINDS = ("batch", "single_site", "village_housing")
ZONES = (None, "county", "municipal", "provincial", "national")


def _combination_case(index, delegated_county, kind, within, zone_level, pbf, cultivated_over, other_over,
                      after, ownership):
    county = DELEGATED_CODES[index % len(DELEGATED_CODES)] if delegated_county else "141002"
    land1 = {"permanent_basic_farmland": "1.5000" if pbf else "0", "cultivated": "20.0000",
             "other_agricultural": "40.0000"}
    land2 = {"cultivated": "15.0001" if cultivated_over else "15.0000", "construction": "20.0000",
             "unused": "10.0001" if other_over else "10.0000"}
    zone = None if zone_level is None else {"name": f"测试{zone_level}开发区", "level": zone_level}
    return make_case(county=county, kind=kind, within=within, zone=zone,
                     filed_on=(DELEGATION_START if after else DAY_BEFORE).isoformat(),
                     case_id=f"ENUM-{index}",
                     parcels=[parcel("P1", ownership=ownership, **land1), parcel("P2", ownership=ownership, **land2)])


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("after", [False, True], ids=["before-2024-06-22", "from-2024-06-22"])
def test_every_combination_of_routing_facts(kind, after):
    mismatches = []
    count = 0
    dimensions = itertools.product([True, False], [True, False], ZONES, [False, True], [False, True],
                                   [False, True], ["collective", "state"])
    for index, (delegated, within, zone, pbf, c_over, o_over, ownership) in enumerate(dimensions):
        case = _combination_case(index, delegated, kind, within, zone, pbf, c_over, o_over, after, ownership)
        # no approving act recorded: the evaluation day chooses the law (issue 19 item 4)
        decision = landapproval.evaluate(case, as_of=DELEGATION_START if after else DAY_BEFORE)
        count += 1
        fired = [r for r in decision.fired if r.startswith(("conversion.", "expropriation."))]
        if sum(r.startswith("conversion.") for r in fired) != 1 or sum(r.startswith("expropriation.") for r in fired) != 1:
            mismatches.append((case["id"], "not exactly one rule per table", fired))
            continue
        expropriated = ownership == "collective" and kind != "village_housing"
        conv, expr, together = law_route(delegated_county=delegated, kind=kind, within=within, zone_level=zone,
                                         pbf=pbf, cultivated_over=c_over, other_over=o_over, in_force=after,
                                         expropriated=expropriated)
        got_conv = decision.conversion
        if (got_conv.level, got_conv.mode) != conv[:2] or got_conv.rule not in conv[2]:
            mismatches.append((case["id"], "conversion", (got_conv.level, got_conv.mode, got_conv.rule), conv))
        got_expr = decision.expropriation
        if expr is None:
            if got_expr is not None:
                mismatches.append((case["id"], "expropriation", got_expr.rule, None))
        elif got_expr is None or (got_expr.level, got_expr.mode) != expr[:2] or got_expr.rule not in expr[2]:
            mismatches.append((case["id"], "expropriation",
                               got_expr and (got_expr.level, got_expr.mode, got_expr.rule), expr))
        if decision.together is not together:
            mismatches.append((case["id"], "together", decision.together, together))
    assert count == 2 * 2 * 5 * 2 * 2 * 2 * 2
    assert not mismatches, f"{len(mismatches)} of {count} combinations differ from the law, e.g. {mismatches[:10]}"


def test_routing_table_itself_covers_the_law():
    """A check of the independent table, so that a wrong table cannot hide an engine bug."""
    r = law_route
    base = dict(delegated_county=True, kind="batch", within=True, zone_level=None, pbf=False,
                cultivated_over=False, other_over=False, in_force=True, expropriated=True)
    assert r(**base)[0][:2] == ("city", "authorized") and r(**base)[1][:2] == ("city", "entrusted")
    assert r(**{**base, "delegated_county": False})[0][0] == "province"
    assert r(**{**base, "zone_level": "municipal"})[0][0] == "city"
    assert r(**{**base, "zone_level": "national"})[0][0] == "province"
    assert r(**{**base, "cultivated_over": True})[1][0] == "state_council"
    assert r(**{**base, "cultivated_over": True})[2] is False
    assert r(**{**base, "pbf": True})[2] is True
    assert r(**{**base, "kind": "village_housing", "expropriated": False})[0][:2] == ("county", "authorized")
    assert r(**{**base, "kind": "village_housing", "expropriated": False})[1] is None
