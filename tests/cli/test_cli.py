"""The command line: exit code 2 with a one-line-per-problem message for every bad-input class,
and the shapes of `schema`, `rules` and `evaluate --format json`."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from landapproval.law import Law
from landapproval.cli import main
from landapproval.core.reader import MAX_FILE_BYTES

from helpers import BAD_INPUTS, CASES_DIR, GOOD_YAML, ROOT, case_files

CONTRACT_KEYS = ["case", "as_of", "totals", "authority", "checks", "workflow", "blocking", "approvable"]
AREA = re.compile(r"^\d+\.\d{4}$")
CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def _write(tmp_path, name, content: bytes):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def named(field: str) -> str:
    """The Chinese name a location in words gives a field (地块 …的 耕地…), or an unknown key as written."""
    from landapproval.law import Law

    info = Law.default().catalogue.field_info(field)
    return info.label.zh if info else field.rsplit(".", 1)[-1]


def _assert_clean_error(result, path, field="", prefixed=True):
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert str(path) in result.stderr, result.stderr
    if field:   # English names the field path; Chinese the field as the official knows it (its label)
        assert field in result.stderr or named(field) in result.stderr, result.stderr
    if prefixed:  # our own messages, one "error: " line per problem (click's usage errors have their own form)
        assert all(line.startswith("error: ") for line in result.stderr.strip().splitlines()), result.stderr


# --- bad input: exit 2, the file and the field named, no traceback ----------------------------------

@pytest.mark.parametrize("name, content, field, words", [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
@pytest.mark.parametrize("fmt, lang", [("text", "zh"), ("json", "en")])
def test_evaluate_bad_input_exits_2(tmp_path, name, content, field, words, fmt, lang):
    path = _write(tmp_path, name, content)
    result = run("evaluate", path, "--format", fmt, "--lang", lang)
    _assert_clean_error(result, path, field)
    if lang == "en":
        for word in words:
            assert word.lower() in result.stderr.lower()
    else:  # Chinese by default: the sentence, not only the path, is Chinese
        assert CJK.search(result.stderr.replace(str(path), "")), result.stderr
    assert result.stdout.strip() == ""


@pytest.mark.parametrize("name, content, field, words", [b[1:] for b in BAD_INPUTS], ids=[b[0] for b in BAD_INPUTS])
def test_validate_bad_input_exits_2(tmp_path, name, content, field, words):
    path = _write(tmp_path, name, content)
    _assert_clean_error(run("validate", path), path, field)


def test_file_above_the_size_cap_exits_2(tmp_path):
    path = _write(tmp_path, "huge.yaml", GOOD_YAML.encode("utf-8") + b"# " + b"x" * MAX_FILE_BYTES)
    _assert_clean_error(run("evaluate", path), path)


def test_missing_file_exits_2(tmp_path):
    path = tmp_path / "no-such-case.yaml"
    _assert_clean_error(run("evaluate", path), path)
    _assert_clean_error(run("validate", path), path)


def test_directory_without_cases_exits_2(tmp_path):
    folder = tmp_path / "empty-folder"
    folder.mkdir()
    _assert_clean_error(run("evaluate", folder), folder)
    _assert_clean_error(run("validate", folder), folder)


def test_unknown_county_and_zone_exit_2_naming_the_fields(tmp_path):
    path = _write(tmp_path, "c.yaml", GOOD_YAML.replace("county: 曲沃县", "county: 临汾")
                  .replace("development_zone: null", "development_zone: 不存在的园区").encode("utf-8"))
    result = run("evaluate", path)
    _assert_clean_error(result, path, f"{path}: 县（市、区）")
    assert f"{path}: 所在开发区（示范区）" in result.stderr


def test_bad_as_of_date_exits_2():
    result = run("evaluate", CASES_DIR / "city-authorized-batch.yaml", "--as-of", "2024-02-30")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "2024-02-30" in result.output


def test_one_bad_file_among_several_exits_2_and_the_others_are_still_decided(tmp_path):
    bad = _write(tmp_path, "bad.yaml", GOOD_YAML.replace("kind: batch\n", "").encode("utf-8"))
    good = [CASES_DIR / "city-authorized-batch.yaml", CASES_DIR / "yaodu-district.yaml"]
    result = run("evaluate", good[0], bad, good[1], "--format", "json")
    assert result.exit_code == 2
    assert f"{bad}: 用地类型" in result.stderr
    assert "Traceback" not in result.stderr
    decisions = json.loads(result.stdout)   # one entry per file, in order, the failed one included (issue 18)
    assert [d.get("case") for d in decisions] == ["QW-2024-05", None, "YD-2024-04"]
    assert decisions[1]["file"] == str(bad) and "kind" in decisions[1]["error"]


def test_real_process_bad_input_exits_2_without_traceback(tmp_path):
    bad = _write(tmp_path, "typo.yaml", GOOD_YAML.replace("other_agricultural:", "other_agricultral:").encode("utf-8"))
    exe = Path(sys.executable).parent / "landapproval"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "landapproval.cli"]
    proc = subprocess.run([*command, "evaluate", str(bad), str(CASES_DIR / "single-site.yaml"), "--format", "json"],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "（第 1 个地块）的 “other_agricultral”" in proc.stderr, proc.stderr
    assert [d.get("case", d.get("file")) for d in json.loads(proc.stdout)] == [str(bad), "JX-2024-DX-02"]


# --- good input ------------------------------------------------------------------------------------

def test_evaluate_json_keys_are_in_the_contract_order_and_areas_have_4_decimals():
    result = run("evaluate", CASES_DIR / "city-authorized-batch.yaml", "--format", "json")
    assert result.exit_code in (0, 1), result.output
    decision = json.loads(result.stdout)
    assert list(decision)[:len(CONTRACT_KEYS)] == CONTRACT_KEYS
    for part in ("conversion", "expropriation"):
        assert decision["totals"][part], part
        for value in decision["totals"][part].values():
            assert isinstance(value, str) and AREA.match(value), value
    assert list(decision["totals"]["conversion"]) == ["agricultural", "cultivated", "permanent_basic_farmland"]
    assert list(decision["totals"]["expropriation"]) == ["cultivated", "other", "permanent_basic_farmland"]
    assert list(decision["authority"]) == ["conversion", "expropriation", "together"]
    assert [c["id"] for c in decision["checks"]][:8] == [f"C{i}" for i in range(1, 9)]
    assert [s["id"] for s in decision["workflow"]["steps"]][:6] == [f"S{i}" for i in range(1, 7)]
    assert decision["as_of"] == "2024-09-12"
    assert isinstance(decision["approvable"], bool)


def test_every_example_case_evaluates_with_exit_0_or_1():
    for path in case_files():
        result = run("evaluate", path)
        assert result.exit_code in (0, 1), (path.name, result.output)
        assert "Traceback" not in result.output


def test_lang_en_text_is_english():
    zh = run("evaluate", CASES_DIR / "city-authorized-batch.yaml")
    en = run("evaluate", CASES_DIR / "city-authorized-batch.yaml", "--lang", "en")
    assert en.exit_code in (0, 1) and zh.exit_code in (0, 1)
    assert "Linfen city government" in en.stdout
    assert "authorized by the province" in en.stdout
    assert "entrusted by the province" in en.stdout
    assert "临汾市人民政府" in zh.stdout and "临汾市人民政府" not in en.stdout
    assert "农用地转用" not in en.stdout and "土地征收" not in en.stdout
    # what is left in Chinese is names and citations, never the reasons
    decision = json.loads(run("evaluate", CASES_DIR / "city-authorized-batch.yaml", "--lang", "en",
                              "--format", "json").stdout)
    for part in ("conversion", "expropriation"):
        for reason in decision["authority"][part]["reasons"]:
            assert not CJK.search(reason), reason


def test_multiple_files_give_a_json_list_in_the_order_given():
    files = [CASES_DIR / "yaodu-district.yaml", CASES_DIR / "city-authorized-batch.yaml",
             CASES_DIR / "state-land-only.yaml"]
    result = run("evaluate", *files, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    decisions = json.loads(result.stdout)
    assert isinstance(decisions, list)
    assert [d["case"] for d in decisions] == ["YD-2024-04", "QW-2024-05", "AZ-2024-02"]
    assert decisions[2]["authority"]["expropriation"] is None


def test_as_of_option_changes_the_law_applied():
    # --as-of is the evaluation day: it chooses the law of a case with no approving act on file (a fresh
    # filing); a recorded decision is judged on its own day (issue 19 item 4)
    path = CASES_DIR / "review" / "incomplete-new-filing.yaml"
    before = json.loads(run("evaluate", path, "--format", "json", "--as-of", "2024-06-21").stdout)
    after = json.loads(run("evaluate", path, "--format", "json", "--as-of", "2024-06-22").stdout)
    assert before["as_of"] == "2024-06-21" and after["as_of"] == "2024-06-22"
    assert before["authority"]["conversion"]["level"] == "province"
    assert after["authority"]["conversion"]["level"] == "city"


def test_validate_good_files():
    result = run("validate", *case_files())
    assert result.exit_code == 0, result.output
    assert result.stdout.count(": 文件格式正确") == len(case_files())


def test_schema_is_json_schema_of_the_contract():
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert "parcels" in schema["properties"]
    parcels = schema["properties"]["parcels"]
    assert parcels["type"] == "array" and parcels.get("minItems") == 1
    assert {"id", "county", "kind", "scope", "parcels"} <= set(schema["required"])
    assert schema.get("additionalProperties") is False           # unknown keys are errors
    assert "schema" in schema["properties"]                       # the alias, not schema_
    defs = schema.get("$defs", {})
    text = json.dumps(schema)
    for ref in set(re.findall(r'"\$ref": "#/\$defs/([^"]+)"', text)):
        assert ref in defs, ref
    for name, definition in defs.items():
        if "properties" in definition:
            assert definition.get("additionalProperties") is False, name
    land = next(d for d in defs.values() if "other_agricultural" in d.get("properties", {}))
    assert set(land["properties"]) == {"permanent_basic_farmland", "cultivated", "other_agricultural",
                                       "construction", "unused"}
    for top in ("review", "workflow", "filed_on", "title"):
        assert top in schema["properties"]


def _authority_rule_ids():
    data = yaml.safe_load((ROOT / "rules" / "authority.yaml").read_text(encoding="utf-8"))
    return [rule["id"] for table in data["decisions"].values() for rule in table["rules"]]


def test_rules_lists_every_rule_with_a_citation():
    result = run("rules")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    blocks = {}
    for index, line in enumerate(lines):
        if line and not line.startswith(" "):
            blocks[line.strip()] = lines[index + 1] if index + 1 < len(lines) else ""
    ids = list(Law.default().book.rules)
    assert set(_authority_rule_ids()) <= set(ids)
    missing = [i for i in ids if i not in blocks]
    assert not missing, missing
    for rule_id in ids:
        citation = blocks[rule_id].strip()
        assert re.match(r"^\S+ \S+", citation), (rule_id, citation)
        assert any(doc in citation for doc in ("土地管理法", "临政发〔2024〕7号", "国发〔2020〕4号", "晋政办发〔2023〕72号", "自然资发〔2022〕142号")), (rule_id, citation)
    assert "临政发〔2024〕7号 三(一)" in blocks["conversion.city.batch"]
    assert "临政发〔2024〕7号 三(一)" in blocks["conversion.county.village_housing"]
    assert "临政发〔2024〕7号 三(二)" in blocks["expropriation.city.entrusted"]
    assert "第四十四条第二款" in blocks["conversion.state_council.permanent_basic_farmland"]
    assert "第四十六条" in blocks["expropriation.state_council.cultivated_over_threshold"]


def test_rules_json_gives_every_rule_a_citation():
    result = run("rules", "--format", "json")
    assert result.exit_code == 0
    rules = json.loads(result.stdout)
    assert {r["id"] for r in rules} >= set(_authority_rule_ids())
    assert all(r["citation"].strip() for r in rules)
    assert len({r["id"] for r in rules}) == len(rules)
