"""Reading case files (API level): every bad-input class is an InputError naming the file and the
field, and what a good file says is read exactly (decimals, dates, encodings)."""

from __future__ import annotations

import datetime as dt
import json
import time
from decimal import Decimal

import pytest

import landapproval
from landapproval import InputError
from landapproval.core.reader import MAX_FILE_BYTES, read_document

from helpers import BAD_INPUTS, GOOD_YAML


def _write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def test_the_good_file_the_bad_ones_are_made_from_is_good(tmp_path):
    decision = landapproval.evaluate(_write(tmp_path, "good.yaml", GOOD_YAML.encode("utf-8")))
    assert decision.case == "QW-2024-07"
    assert decision.to_dict()["totals"]["conversion"]["agricultural"] == "7.0000"


@pytest.mark.parametrize("name, content, field, words", [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_bad_input_is_an_input_error_naming_file_and_field(tmp_path, name, content, field, words):
    path = _write(tmp_path, name, content)
    started = time.perf_counter()
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(path)
    elapsed = time.perf_counter() - started
    error = caught.value
    assert error.source == str(path)
    assert error.problems, "an InputError lists at least one problem"
    text = str(error)
    assert str(path) in text
    if field:
        paths = [p for p, _ in error.problems]
        assert any(p == field or p.startswith(field + ".") or p.startswith(field + "[") for p in paths), paths
        assert f"{path}: {field}" in error.describe("en")          # English: the field path
        assert f"{path}: {field}" not in text                         # Chinese: the field in words
    english = error.describe("en")  # the words are the English sentences; Chinese is the default
    for word in words:
        assert word.lower() in english.lower(), (word, english)
    assert elapsed < 2.0, f"refusing {name} took {elapsed:.2f} s"
    # validate() reports the same problem without evaluating
    with pytest.raises(InputError):
        landapproval.validate(path)


def test_alias_bomb_is_refused_quickly(tmp_path):
    bomb = next(b for b in BAD_INPUTS if b[0] == "alias-bomb")
    path = _write(tmp_path, "bomb.yaml", bomb[2])
    started = time.perf_counter()
    with pytest.raises(InputError):
        landapproval.evaluate(path)
    assert time.perf_counter() - started < 2.0


def test_deep_nesting_is_refused_quickly(tmp_path):
    path = _write(tmp_path, "deep.yaml", b"id: X\ntitle: " + b"[" * 100_000 + b"]" * 100_000 + b"\n")
    started = time.perf_counter()
    with pytest.raises(InputError):
        landapproval.evaluate(path)
    assert time.perf_counter() - started < 2.0


def test_file_above_the_size_cap_is_refused_before_parsing(tmp_path):
    content = GOOD_YAML.encode("utf-8") + b"# " + b"x" * MAX_FILE_BYTES + b"\n"
    path = _write(tmp_path, "huge.yaml", content)
    assert path.stat().st_size > MAX_FILE_BYTES
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(path)
    assert str(path) in str(caught.value)
    assert f"{MAX_FILE_BYTES:,}" in str(caught.value)


def test_file_just_under_the_size_cap_is_read(tmp_path):
    head = GOOD_YAML.encode("utf-8") + b"# "
    content = head + b"x" * (MAX_FILE_BYTES - len(head) - 1) + b"\n"
    assert len(content) == MAX_FILE_BYTES
    path = _write(tmp_path, "big.yaml", content)
    assert landapproval.evaluate(path).case == "QW-2024-07"


def test_missing_file(tmp_path):
    path = tmp_path / "no-such-case.yaml"
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(path)
    assert str(path) in str(caught.value)


def test_directory(tmp_path):
    folder = tmp_path / "a-folder.yaml"
    folder.mkdir()
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(folder)
    assert str(folder) in str(caught.value)
    assert "directory" in caught.value.describe("en")
    assert "文件夹" in str(caught.value)


def test_nul_bytes_are_not_a_text_file(tmp_path):
    path = _write(tmp_path, "nul.yaml", GOOD_YAML.encode("utf-8").replace(b"kind", b"ki\x00nd", 1))
    with pytest.raises(InputError):
        landapproval.evaluate(path)


def test_unknown_county_in_a_file_names_file_and_field(tmp_path):
    path = _write(tmp_path, "county.yaml", GOOD_YAML.replace("county: 曲沃县", "county: 临汾").encode("utf-8"))
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(path)
    assert f"{path}: county" in caught.value.describe("en") and f"{path}: 县（市、区）" in str(caught.value)


def test_unknown_zone_in_a_file_names_file_and_field(tmp_path):
    path = _write(tmp_path, "zone.yaml",
                  GOOD_YAML.replace("development_zone: null", "development_zone: 曲沃某某园区").encode("utf-8"))
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(path)
    assert f"{path}: scope.development_zone" in caught.value.describe("en")
    assert f"{path}: 所在开发区（示范区）" in str(caught.value)


def test_several_problems_are_reported_together(tmp_path):
    text = (GOOD_YAML.replace("kind: batch\n", "").replace("cultivated: 5.1234", "cultivated: -5")
            .replace("filed_on:", "filed_0n:"))
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(_write(tmp_path, "many.yaml", text.encode("utf-8")))
    paths = {p for p, _ in caught.value.problems}
    assert {"kind", "filed_0n", "parcels[0].land.cultivated"} <= paths


# --- what a good file says is read exactly -------------------------------------------------------

def test_yaml_numbers_are_exact_decimals_and_dates_stay_text(tmp_path):
    data = read_document(_write(tmp_path, "good.yaml", GOOD_YAML.encode("utf-8")))
    assert data["parcels"][0]["land"]["cultivated"] == Decimal("5.1234")
    assert isinstance(data["parcels"][0]["land"]["cultivated"], Decimal)
    assert data["filed_on"] == "2024-09-10"


def test_json_numbers_are_exact_decimals(tmp_path):
    path = _write(tmp_path, "case.json", b'{"a": 0.1, "b": 35.0000}')
    data = read_document(path)
    assert data == {"a": Decimal("0.1"), "b": Decimal("35.0000")}


def test_json_and_yaml_of_the_same_case_decide_the_same(tmp_path):
    case = {"id": "QW-2024-07", "county": "quwo", "kind": "batch", "filed_on": "2024-09-10",
            "scope": {"within_construction_scale": True},
            "parcels": [{"id": "P1", "ownership": "collective", "land": {"cultivated": 5.1234}}]}
    as_json = landapproval.evaluate(_write(tmp_path, "c.json", json.dumps(case).encode("utf-8")))
    yaml_text = ("id: QW-2024-07\ncounty: quwo\nkind: batch\nfiled_on: 2024-09-10\n"
                 "scope: {within_construction_scale: true}\n"
                 "parcels: [{id: P1, ownership: collective, land: {cultivated: 5.1234}}]\n")
    as_yaml = landapproval.evaluate(_write(tmp_path, "c.yaml", yaml_text.encode("utf-8")))
    assert as_json.to_dict() == as_yaml.to_dict()


def test_byte_order_mark_and_crlf_are_accepted(tmp_path):
    content = b"\xef\xbb\xbf" + GOOD_YAML.replace("\n", "\r\n").encode("utf-8")
    decision = landapproval.evaluate(_write(tmp_path, "bom.yaml", content))
    assert decision.facts["workflow.filed_on"] == dt.date(2024, 9, 10)  # read through the BOM and CRLFs


def test_a_typo_never_changes_a_decision_silently(tmp_path):
    # "other_agricultral" would drop 1.0 ha if unknown keys were ignored: it must be refused instead
    text = GOOD_YAML.replace("other_agricultural:", "other_agricultral:")
    with pytest.raises(InputError):
        landapproval.evaluate(_write(tmp_path, "typo.yaml", text.encode("utf-8")))


def test_load_case_refuses_a_non_mapping_given_directly():
    for value in ([], ["a", "b"], None, 42):
        with pytest.raises(InputError) as caught:
            landapproval.load_case(value, source="from-a-client")
        assert caught.value.source == "from-a-client"
