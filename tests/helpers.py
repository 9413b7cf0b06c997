"""Shared test data, written from the law and the official division codes — never read from rules/.

The tests compare the engine with these tables; if the engine's data and these tables disagree,
one of them is wrong and a test says which case shows it.
"""

from __future__ import annotations

import copy
import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "cases"
EXPECTED_FILE = Path(__file__).resolve().parent / "legal" / "expected_decisions.yaml"

# 临政发〔2024〕7号 was issued on 2024-06-22; from that day the city holds the delegated powers.
DELEGATION_START = dt.date(2024, 6, 22)
DAY_BEFORE = dt.date(2024, 6, 21)

# GB/T 2260 codes of 临汾市's 17 county-level divisions: (code, full name, short name, pinyin).
# 临政发〔2024〕7号 三: "全市除尧都区外 16 个县（市）" — 尧都区 (a city district) is the one left out.
COUNTIES = [
    ("141002", "尧都区", "尧都", "yaodu"),
    ("141021", "曲沃县", "曲沃", "quwo"),
    ("141022", "翼城县", "翼城", "yicheng"),
    ("141023", "襄汾县", "襄汾", "xiangfen"),
    ("141024", "洪洞县", "洪洞", "hongtong"),
    ("141025", "古县", "古县", "guxian"),
    ("141026", "安泽县", "安泽", "anze"),
    ("141027", "浮山县", "浮山", "fushan"),
    ("141028", "吉县", "吉县", "jixian"),
    ("141029", "乡宁县", "乡宁", "xiangning"),
    ("141030", "大宁县", "大宁", "daning"),
    ("141031", "隰县", "隰县", "xixian"),
    ("141032", "永和县", "永和", "yonghe"),
    ("141033", "蒲县", "蒲县", "puxian"),
    ("141034", "汾西县", "汾西", "fenxi"),
    ("141081", "侯马市", "侯马", "houma"),
    ("141082", "霍州市", "霍州", "huozhou"),
]
NOT_DELEGATED = {"141002"}
DELEGATED_CODES = [c[0] for c in COUNTIES if c[0] not in NOT_DELEGATED]

# Approving levels, lowest first; "no approval needed" (null) is lowest of all.
LEVEL_RANK = {None: 0, "county": 1, "city": 2, "province": 3, "state_council": 4}


def case_files() -> list[Path]:
    """The example cases: top level of cases/ only (cases/gis and cases/review are other suites)."""
    return sorted(p for p in CASES_DIR.glob("*.yaml") if p.is_file())


def parcel(pid: str = "P1", ownership: str = "collective", expropriate: bool | None = None,
           **land: Any) -> dict:
    out: dict[str, Any] = {"id": pid, "ownership": ownership,
                           "land": {k: str(v) if isinstance(v, Decimal) else v for k, v in land.items()}}
    if expropriate is not None:
        out["expropriate"] = expropriate
    return out


def make_case(*, county: str = "141021", kind: str = "batch", within: bool = True, zone: Any = None,
              parcels: list[dict] | None = None, filed_on: str | None = "2024-09-10",
              case_id: str = "T-2024-01", **extra: Any) -> dict:
    """A minimal valid case as a dict (the shape of a case file)."""
    case: dict[str, Any] = {
        "schema": "landapproval/v1",
        "id": case_id,
        "county": county,
        "kind": kind,
        "scope": {"within_construction_scale": within, "development_zone": zone},
        "parcels": copy.deepcopy(parcels) if parcels is not None else [parcel(cultivated="1.0000")],
    }
    if filed_on is not None:
        case["filed_on"] = filed_on
    case.update(extra)
    return case


def route(decision) -> tuple:
    """(conversion level, mode), (expropriation level, mode) or None, together."""
    def one(entry):
        return None if entry is None else (entry.level, entry.mode)
    return one(decision.conversion), one(decision.expropriation), decision.together


def level(entry) -> str | None:
    return None if entry is None else entry.level


# ---------------------------------------------------------------------------------------------
# Bad input, one entry per class: (id, file name, bytes, field path ("" = the whole file), words
# the message must contain). Used by test_loading.py (API) and test_cli.py (exit code 2).
# ---------------------------------------------------------------------------------------------

GOOD_YAML = """\
# 曲沃县2024年度第7批次城镇建设用地
schema: landapproval/v1
id: QW-2024-07
title: 曲沃县2024年度第7批次城镇建设用地
county: 曲沃县
kind: batch
filed_on: 2024-09-10
scope:
  within_construction_scale: true
  development_zone: null
parcels:
  - id: QW-2024-07-1
    ownership: collective
    land:
      cultivated: 5.1234
      other_agricultural: 1.0
  - id: QW-2024-07-2
    ownership: collective
    land:
      cultivated: 0.8766
"""


def _variant(old: str, new: str) -> bytes:
    assert old in GOOD_YAML, old
    return GOOD_YAML.replace(old, new, 1).encode("utf-8")


def _alias_bomb() -> bytes:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(ord("b"), ord("j") + 1):
        prev = chr(i - 1)
        lines.append(f"{chr(i)}: &{chr(i)} [" + ",".join([f"*{prev}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _json_case(**changes) -> dict:
    case = {"id": "QW-2024-07", "county": "quwo", "kind": "batch", "filed_on": "2024-09-10",
            "scope": {"within_construction_scale": True},
            "parcels": [{"id": "P1", "ownership": "collective", "land": {"cultivated": 5.1234}}]}
    case.update(changes)
    return case


CULT = "parcels[0].land.cultivated"

BAD_INPUTS = [
    # (id, file name, content, field path, words in the message)
    ("unknown-key-typo", "typo.yaml", _variant("other_agricultural:", "other_agricultral:"),
     "parcels[0].land.other_agricultral", ["unknown field"]),
    ("unknown-top-level-key", "typo2.yaml", _variant("filed_on:", "filed_0n:"), "filed_0n", ["unknown field"]),
    ("missing-required", "missing.yaml", _variant("kind: batch\n", ""), "kind", ["missing"]),
    ("missing-nested-required", "missing2.yaml", _variant("    ownership: collective\n", ""),
     "parcels[0].ownership", ["missing"]),
    ("impossible-date", "date.yaml", _variant("filed_on: 2024-09-10", "filed_on: 2024-02-30"), "filed_on", []),
    ("five-decimals", "decimals.yaml", _variant("cultivated: 5.1234", "cultivated: 5.12345"), CULT,
     ["4 decimal"]),
    ("negative-area", "negative.yaml", _variant("cultivated: 5.1234", "cultivated: -1.5"), CULT, []),
    ("boolean-area", "bool.yaml", _variant("cultivated: 5.1234", "cultivated: true"), CULT, []),
    ("area-in-mu", "string.yaml", _variant("cultivated: 5.1234", "cultivated: 5.1 亩"), CULT, ["0.34 ha"]),
    ("string-area-words", "string2.yaml", _variant("cultivated: 5.1234", 'cultivated: "five"'), CULT, []),
    ("nan-area", "nan.yaml", _variant("cultivated: 5.1234", "cultivated: .nan"), CULT, []),
    ("inf-area", "inf.yaml", _variant("cultivated: 5.1234", "cultivated: .inf"), CULT, []),
    ("minus-inf-area", "minf.yaml", _variant("cultivated: 5.1234", "cultivated: -.Inf"), CULT, []),
    ("json-nan", "nan.json", b'{"id": "X", "county": "quwo", "kind": "batch", "scope": '
     b'{"within_construction_scale": true}, "parcels": [{"id": "P1", "ownership": "collective", '
     b'"land": {"cultivated": NaN}}]}', "", ["NaN"]),
    ("list-document", "list.yaml", b"- id: QW-2024-07\n- county: quwo\n", "", ["mapping"]),
    ("scalar-document", "scalar.yaml", b"just some text\n", "", ["mapping"]),
    ("empty-file", "empty.yaml", b"", "", ["mapping"]),
    ("comment-only-file", "comment.yaml", b"# nothing here\n", "", ["mapping"]),
    ("invalid-yaml", "broken.yaml", _variant("scope:\n", "scope: [\n"), "", ["YAML"]),
    ("invalid-json", "broken.json", b'{"id": "X", "county": "quwo",}', "", ["JSON"]),
    ("duplicate-key-yaml", "dup.yaml", _variant("kind: batch\n", "kind: batch\nkind: single_site\n"), "",
     ["kind", "twice"]),
    ("duplicate-key-json", "dup.json",
     b'{"id": "X", "id": "Y", "county": "quwo", "kind": "batch", "scope": {"within_construction_scale": true},'
     b' "parcels": [{"id": "P1", "ownership": "collective", "land": {"cultivated": 1}}]}', "", ["id", "twice"]),
    ("state-land-expropriated", "state.yaml",
     _variant("    ownership: collective\n", "    ownership: state\n    expropriate: true\n"),
     "parcels[0]", ["expropriate"]),
    ("neither-utf8-nor-gbk", "latin1.yaml",
     GOOD_YAML.encode("utf-8").replace(b"title: ", b"title: caf\xe9 ", 1), "", ["UTF-8", "GB18030"]),
    ("alias-bomb", "bomb.yaml", _alias_bomb(), "", ["alias"]),
    ("deep-nesting", "deep.yaml", b"id: X\ntitle: " + b"[" * 20000 + b"]" * 20000 + b"\n", "", ["nest"]),
    ("moderate-nesting", "deep2.yaml", _variant("title: 曲沃县2024年度第7批次城镇建设用地",
                                               "title: " + "[" * 40 + "]" * 40), "", ["nest"]),
    ("deep-json", "deep.json", b'{"id": ' + b"[" * 20000 + b"]" * 20000 + b"}", "", ["nest"]),
    ("wrong-schema", "schema.yaml", _variant("schema: landapproval/v1", "schema: landapproval/v2"), "schema", []),
    ("bad-kind", "kind.yaml", _variant("kind: batch", "kind: batches"), "kind", []),
    ("no-parcels", "noparcels.yaml", GOOD_YAML.split("parcels:")[0].encode("utf-8") + b"parcels: []\n",
     "parcels", []),
    ("duplicate-parcel-id", "dupparcel.yaml", _variant("id: QW-2024-07-2", "id: QW-2024-07-1"), "", ["QW-2024-07-1"]),
    ("bad-zone-level", "zone.yaml",
     _variant("development_zone: null", "development_zone: {name: 某开发区, level: prefectural}"),
     "scope.development_zone.level", []),
]


def all_case_files() -> list[Path]:
    """Every case file under cases/, subfolders included (the CLI's own folder listing, less layer files and other data)."""
    from landapproval.batch import expand
    from landapproval.core.reader import read_document

    found = []
    for name in expand([str(CASES_DIR)]):
        data = read_document(name)
        if isinstance(data, dict) and "parcels" in data and "id" in data:
            found.append(Path(name))
    return found


def flood(size: int = 4 * 1024 * 1024) -> bytes:
    """A JSON case of ~`size` bytes that is nearly all unknown keys (the abuse-limit tests)."""
    keys, length, n = [], 2, 0
    while length < size - 64:
        key = f'"k{n}": 1'
        keys.append(key)
        length += len(key) + 2
        n += 1
    return ("{" + ", ".join(keys) + ', "id": "X", "county": "quwo"}').encode()


def wait_until_ready(process, url: str, output, what: str = "landapproval serve", seconds: float = 60) -> None:
    """Wait for a `serve` subprocess to answer /readyz 200; fail with its output (`output()`) if it dies."""
    import time

    import httpx

    deadline = time.monotonic() + seconds
    while True:
        assert process.poll() is None, output()
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{what} did not come up within {seconds:.0f} s"
        time.sleep(0.1)
