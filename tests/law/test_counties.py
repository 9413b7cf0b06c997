"""The 17 county-level divisions of 临汾市, in every accepted spelling.

临政发〔2024〕7号 三: "全市除尧都区外 16 个县（市）" are delegated; 尧都区 (141002) is not. The table
of codes and names is tests/helpers.py (GB/T 2260), not the engine's jurisdiction data.
"""

from __future__ import annotations

import pytest

import landapproval
from landapproval import InputError
from landapproval.law import Law

from helpers import COUNTIES, DAY_BEFORE, NOT_DELEGATED, make_case, parcel

SPELLINGS = []
for code, name, short, pinyin in COUNTIES:
    for label, spelling in (("code", code), ("name", name), ("short", short), ("pinyin", pinyin),
                            ("PINYIN", pinyin.upper()), ("Pinyin", pinyin.capitalize())):
        SPELLINGS.append(pytest.param(code, name, spelling, id=f"{code}-{label}-{spelling}"))


def _case(county):
    return make_case(county=county, kind="batch", within=True, filed_on="2024-09-10",
                     parcels=[parcel(cultivated="3.2100", other_agricultural="0.4000")])


def test_seventeen_divisions_sixteen_delegated():
    assert len(COUNTIES) == 17
    assert len({c[0] for c in COUNTIES}) == 17
    assert len([c for c in COUNTIES if c[0] not in NOT_DELEGATED]) == 16


@pytest.mark.parametrize("code, name, spelling", SPELLINGS)
def test_every_spelling_of_every_county_routes_by_the_law(code, name, spelling):
    decision = landapproval.evaluate(_case(spelling))
    assert decision.county == {"code": code, "name": name}
    if code in NOT_DELEGATED:
        # 尧都区 is outside 三's "除尧都区外 16 个县（市）": the province approves both (LAL Arts. 44 ¶3, 46 ¶2)
        assert (decision.conversion.level, decision.conversion.mode) == ("province", "statutory")
        assert (decision.expropriation.level, decision.expropriation.mode) == ("province", "statutory")
    else:
        assert (decision.conversion.level, decision.conversion.mode) == ("city", "authorized")
        assert (decision.expropriation.level, decision.expropriation.mode) == ("city", "entrusted")
    assert decision.together is True


@pytest.mark.parametrize("code", [c[0] for c in COUNTIES])
def test_code_given_as_a_yaml_integer(code, tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(f"id: T-1\ncounty: {code}\nkind: batch\nfiled_on: 2024-09-10\n"
                    "scope: {within_construction_scale: true}\n"
                    "parcels: [{id: P1, ownership: collective, land: {cultivated: 1.5}}]\n", encoding="utf-8")
    decision = landapproval.evaluate(path)
    assert decision.county["code"] == code
    assert decision.conversion.level == ("province" if code in NOT_DELEGATED else "city")


@pytest.mark.parametrize("code", [c[0] for c in COUNTIES])
def test_no_county_is_delegated_before_2024_06_22(code):
    decision = landapproval.evaluate(_case(code), as_of=DAY_BEFORE)
    assert decision.conversion.level == "province"
    assert decision.expropriation.level == "province"


@pytest.mark.parametrize("code, name, short, pinyin", COUNTIES)
def test_village_housing_goes_to_the_county_only_in_the_sixteen(code, name, short, pinyin):
    case = make_case(county=name, kind="village_housing", parcels=[parcel(cultivated="0.2000")])
    decision = landapproval.evaluate(case)
    assert decision.conversion.level == ("province" if code in NOT_DELEGATED else "county")
    assert decision.expropriation is None


def test_jurisdiction_data_agrees_with_the_official_codes():
    data = {c.code: (c.name, c.short, c.pinyin.lower(), c.delegated_from is not None)
            for c in Law.default().jurisdiction.counties}
    expected = {code: (name, short, pinyin, code not in NOT_DELEGATED) for code, name, short, pinyin in COUNTIES}
    assert data == expected


@pytest.mark.parametrize("county", ["临汾", "临汾市", "141000", "141099", "140100", "太原市", "quwo county",
                                    "曲沃县县", "", "   ", "yaoduqu"])
def test_unknown_county_is_an_input_error_naming_county(county):
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(_case(county), source="bad-county.yaml")
    assert "county" in [path for path, _ in caught.value.problems]
    assert "bad-county.yaml" in str(caught.value)


def test_unknown_county_and_unknown_zone_are_reported_together():
    case = make_case(county="临汾", zone="不存在的开发区", parcels=[parcel(cultivated="1.0000")])
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(case)
    assert {path for path, _ in caught.value.problems} == {"county", "scope.development_zone"}
