"""Properties that hold for every case, checked on generated ones (hypothesis).

- Adding permanent basic farmland never lowers the approving level (LAL Arts. 44 ¶2, 46 ¶1 (1)).
- Moving a case into a provincial zone never lowers it (临政发〔2024〕7号 三: zones are carved out).
- Moving the date before the delegation never lowers it (the delegation only moves approvals down).
- The thresholds concern the whole application: splitting or reordering parcels changes nothing.
- Random cases route as LAL Arts. 44/46 and 三 say, computed here from the parcels.
- The same input always gives byte-identical JSON, in the API and through the CLI.
Levels: null < county < city < province < state_council.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import landapproval
from landapproval.cli import main

from helpers import COUNTIES, DELEGATION_START, LEVEL_RANK, NOT_DELEGATED, ROOT, case_files, level

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CLASSES = ("permanent_basic_farmland", "cultivated", "other_agricultural", "construction", "unused")

hectares = st.one_of(
    st.just(Decimal(0)),
    st.integers(min_value=0, max_value=900_000).map(lambda n: Decimal(n).scaleb(-4)),   # 0 … 90 ha
    st.sampled_from([Decimal("35.0000"), Decimal("35.0001"), Decimal("70.0000"), Decimal("70.0001")]),
)


@st.composite
def parcels(draw, index: int):
    ownership = draw(st.sampled_from(["collective", "collective", "state"]))
    expropriate = draw(st.sampled_from([None, None, False] + ([True] if ownership == "collective" else [])))
    land = {name: str(draw(hectares)) for name in CLASSES
            if draw(st.booleans()) or name == "cultivated"}
    if "permanent_basic_farmland" in land and draw(st.integers(0, 3)) > 0:
        land["permanent_basic_farmland"] = "0"     # PBF is the exception, not the rule
    out = {"id": f"P{index + 1}", "ownership": ownership, "land": land}
    if expropriate is not None:
        out["expropriate"] = expropriate
    return out


@st.composite
def cases(draw):
    code, name, short, pinyin = draw(st.sampled_from(COUNTIES))
    county = draw(st.sampled_from([code, name, short, pinyin, pinyin.upper()]))
    zone_level = draw(st.sampled_from([None, None, "county", "municipal", "provincial", "national"]))
    count = draw(st.integers(min_value=1, max_value=4))
    return {
        "id": "PROP-1",
        "county": county,
        "kind": draw(st.sampled_from(["batch", "batch", "single_site", "village_housing"])),
        "filed_on": draw(st.dates(dt.date(2024, 1, 1), dt.date(2025, 12, 31))).isoformat(),
        "scope": {"within_construction_scale": draw(st.booleans()),
                  "development_zone": None if zone_level is None else {"name": "某开发区", "level": zone_level}},
        "parcels": [draw(parcels(i)) for i in range(count)],
    }


def _levels(case):
    decision = landapproval.evaluate(case)
    return LEVEL_RANK[level(decision.conversion)], LEVEL_RANK[level(decision.expropriation)]


@SETTINGS
@given(cases(), st.data())
def test_adding_permanent_basic_farmland_never_lowers_the_level(case, data):
    before = _levels(case)
    more = copy.deepcopy(case)
    target = data.draw(st.integers(0, len(more["parcels"]) - 1))
    land = more["parcels"][target]["land"]
    extra = data.draw(st.integers(1, 50_000).map(lambda n: Decimal(n).scaleb(-4)))
    land["permanent_basic_farmland"] = str(Decimal(land.get("permanent_basic_farmland", "0")) + extra)
    after = _levels(more)
    assert after[0] >= before[0] and after[1] >= before[1], (before, after)
    assert after[0] == LEVEL_RANK["state_council"]          # Art. 44 ¶2, whoever owns the land


@SETTINGS
@given(cases(), st.sampled_from(["provincial", "national"]))
def test_moving_into_a_provincial_or_higher_zone_never_lowers_the_level(case, zone_level):
    before = _levels(case)
    moved = copy.deepcopy(case)
    moved["scope"]["development_zone"] = {"name": "某省级开发区", "level": zone_level}
    after = _levels(moved)
    assert after[0] >= before[0] and after[1] >= before[1], (before, after)
    assert not {LEVEL_RANK["county"], LEVEL_RANK["city"]} & set(after)   # nothing stays delegated


@SETTINGS
@given(cases())
def test_the_law_before_the_delegation_never_gives_a_lower_level(case):
    before = landapproval.evaluate(case, as_of=DELEGATION_START - dt.timedelta(days=1))
    after = landapproval.evaluate(case, as_of=DELEGATION_START)
    assert LEVEL_RANK[level(before.conversion)] >= LEVEL_RANK[level(after.conversion)]
    assert LEVEL_RANK[level(before.expropriation)] >= LEVEL_RANK[level(after.expropriation)]
    assert {level(before.conversion), level(before.expropriation)} <= {None, "province", "state_council"}


def _route(case):
    d = landapproval.evaluate(case)
    return [None if a is None else (a.level, a.mode, a.rule) for a in (d.conversion, d.expropriation)], d.together


@SETTINGS
@given(cases(), st.data())
def test_splitting_and_reordering_parcels_changes_nothing(case, data):
    original = _route(case)
    reordered = copy.deepcopy(case)
    reordered["parcels"].reverse()
    assert _route(reordered) == original
    split = copy.deepcopy(case)
    first = split["parcels"][0]
    half = {name: str((Decimal(value) / 2).quantize(Decimal("0.0001"))) for name, value in first["land"].items()}
    rest = {name: str(Decimal(value) - Decimal(half[name])) for name, value in first["land"].items()}
    twin = {**copy.deepcopy(first), "id": "P1-b", "land": rest}
    first["land"] = half
    split["parcels"].insert(1, twin)
    assert _route(split) == original


def _law(case):
    """LAL Arts. 44/46 and 临政发〔2024〕7号 三, from the parcels."""
    conv = dict.fromkeys(("agricultural", "pbf"), Decimal(0))
    expr = dict.fromkeys(("cultivated", "other", "pbf"), Decimal(0))
    for p in case["parcels"]:
        land = {name: Decimal(p["land"].get(name, "0")) for name in CLASSES}
        conv["agricultural"] += land["permanent_basic_farmland"] + land["cultivated"] + land["other_agricultural"]
        conv["pbf"] += land["permanent_basic_farmland"]
        expropriated = p["ownership"] == "collective" and p.get("expropriate", case["kind"] != "village_housing")
        if expropriated:
            expr["pbf"] += land["permanent_basic_farmland"]
            expr["cultivated"] += land["cultivated"]
            expr["other"] += land["other_agricultural"] + land["construction"] + land["unused"]
    code = next(c[0] for c in COUNTIES if case["county"] in c or case["county"].lower() == c[3])
    zone = case["scope"]["development_zone"]
    delegated = (code not in NOT_DELEGATED and dt.date.fromisoformat(case["filed_on"]) >= DELEGATION_START
                 and case["scope"]["within_construction_scale"]
                 and (zone is None or zone["level"] not in ("provincial", "national")))
    kind = case["kind"]
    if conv["agricultural"] == 0:
        conversion = None
    elif conv["pbf"] > 0:
        conversion = ("state_council", "statutory")
    elif delegated and kind == "village_housing":
        conversion = ("county", "authorized")
    elif delegated and kind == "batch":
        conversion = ("city", "authorized")
    elif case["scope"]["within_construction_scale"]:
        conversion = ("province", "statutory")
    else:  # outside the scale: the State Council's authorisation (国发〔2020〕4号)
        conversion = ("province", "authorized")
    if expr["cultivated"] + expr["other"] + expr["pbf"] == 0:
        expropriation = None
    elif expr["pbf"] > 0 or conv["pbf"] > 0 or expr["cultivated"] > 35 or expr["other"] > 70:
        expropriation = ("state_council", "statutory")
    elif delegated and kind == "batch":
        expropriation = ("city", "entrusted")
    else:
        expropriation = ("province", "statutory")
    together = conversion is not None and expropriation is not None and conversion[0] == expropriation[0]
    return conversion, expropriation, together


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_random_cases_route_as_the_law_says(case):
    # no approving act on file: the evaluation day chooses the law (issue 19 item 4); the drawn
    # `filed_on` is that day here
    d = landapproval.evaluate(case, as_of=dt.date.fromisoformat(case["filed_on"]))
    got = tuple(None if a is None else (a.level, a.mode) for a in (d.conversion, d.expropriation)) + (d.together,)
    assert got == _law(case)


@SETTINGS
@given(cases())
def test_same_input_gives_byte_identical_json(case):
    first = json.dumps(landapproval.evaluate(case).to_dict(), ensure_ascii=False)
    second = json.dumps(landapproval.evaluate(copy.deepcopy(case)).to_dict(), ensure_ascii=False)
    assert first == second
    assert json.dumps(landapproval.evaluate(case).to_dict("en"), ensure_ascii=False) == \
        json.dumps(landapproval.evaluate(case).to_dict("en"), ensure_ascii=False)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_same_file_gives_byte_identical_cli_output(case):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "case.yaml"
        path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")
        runs = [CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"]) for _ in range(2)]
    assert runs[0].exit_code in (0, 1), runs[0].output
    assert runs[0].stdout_bytes == runs[1].stdout_bytes
    assert runs[0].exit_code == runs[1].exit_code


def test_two_cli_processes_print_byte_identical_json():
    exe = Path(sys.executable).parent / "landapproval"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "landapproval.cli"]
    files = [str(p) for p in case_files()]
    outputs = []
    for _ in range(2):
        proc = subprocess.run([*command, "evaluate", *files, "--format", "json"], capture_output=True,
                              timeout=120, cwd=ROOT)
        assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")[-1000:]
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert len(json.loads(outputs[0])) == len(files)
