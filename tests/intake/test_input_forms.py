"""Issue 9, the way in: Chinese messages with the expected form and "did you mean", the forms officials
type read exactly (same decision as the canonical spelling), `init`, `validate` completeness, exit codes,
batches that do not trip, and the capped problem list."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import landapproval
from landapproval import InputError, api
from landapproval.law import Law
from landapproval.core import reader as loading
from landapproval.cli import main
from landapproval.core.errors import MAX_PROBLEMS

from helpers import CASES_DIR, flood

COMPLETE = CASES_DIR / "review" / "complete-approvable.yaml"
BASE = COMPLETE.read_text(encoding="utf-8")
CANONICAL = landapproval.evaluate(COMPLETE).to_dict("zh")


def catalogue():
    """The field catalogue of the shipped rule book."""
    return Law.default().catalogue


CJK = re.compile(r"[\u4e00-\u9fff]")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def _variant(old: str, new: str, count: int = 1) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, count)


def _write(tmp_path: Path, text: str | bytes, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


# --- every accepted form gives the decision of the canonical spelling -----------------------------

ACCEPTED = [
    ("date-slashes", "filed_on: 2024-09-10", "filed_on: 2024/9/10"),
    ("date-dots", "filed_on: 2024-09-10", "filed_on: 2024.9.10"),
    ("date-chinese", "filed_on: 2024-09-10", "filed_on: 2024年9月10日"),
    ("date-digits", "filed_on: 2024-09-10", "filed_on: 20240910"),
    ("date-full-width", "filed_on: 2024-09-10", "filed_on: ２０２４－０９－１０"),
    ("date-unpadded", "archived_on: 2024-10-10", "archived_on: 2024-10-10"),
    ("date-chinese-in-procedure", "pre_announcement: 2024-05-06", "pre_announcement: 2024年5月6日"),
    ("area-hectare-unit", "cultivated: 3.4120", "cultivated: 3.4120公顷"),
    ("area-hectare-unit-spaced", "quota_available: 20.0", "quota_available: 20.0 公顷"),
    ("area-ha", "supplemented: 5.1234", "supplemented: 5.1234 ha"),
    ("area-full-width", "cultivated: 1.7114", "cultivated: １．７１１４"),
    ("kind-chinese", "kind: batch", "kind: 批次"),
    ("ownership-chinese", "ownership: collective", "ownership: 集体"),
    ("ownership-state-chinese", "ownership: state", "ownership: 国有"),
    ("method-chinese", "method: fee", "method: 缴纳耕地开垦费"),
    ("category-chinese", "category: infrastructure", "category: 基础设施"),
    ("bool-yes", "conforms_to_plan: true", "conforms_to_plan: 是"),
    ("bool-no", "disputed: false", "disputed: 否"),
    ("bool-full-width-space", "within_construction_scale: true", "within_construction_scale: 是\u3000"),
    ("empty-list-wu", "protected_areas: []", "protected_areas: 无"),
    ("empty-list-meiyou", "petitions: []", "petitions: 没有"),
    ("zone-wu", "development_zone: null", "development_zone: 无"),
    ("county-full-width-code", "county: 曲沃县", "county: １４１０２１"),
]


@pytest.mark.parametrize("old, new", [a[1:] for a in ACCEPTED], ids=[a[0] for a in ACCEPTED])
def test_an_accepted_form_decides_as_the_canonical_spelling(tmp_path, old, new):
    decision = landapproval.evaluate(_write(tmp_path, _variant(old, new)))
    assert decision.to_dict("zh") == CANONICAL


def test_every_accepted_form_at_once_decides_the_same_and_the_json_shows_the_contract_forms(tmp_path):
    text = BASE
    for _, old, new in ACCEPTED:
        if old != "county: 曲沃县":
            text = text.replace(old, new, 1)
    result = run("evaluate", _write(tmp_path, text), "--format", "json")
    assert result.exit_code == 0, result.output
    decision = json.loads(result.stdout)
    assert decision == json.loads(run("evaluate", COMPLETE, "--format", "json").stdout)
    assert decision["as_of"] == "2024-09-25"  # from workflow.decided_on, in the contract's form


def test_zone_level_and_village_housing_in_chinese(tmp_path):
    zone = _variant("development_zone: null", "development_zone: {name: 某县级园区, level: 县级}")
    canonical = _variant("development_zone: null", "development_zone: {name: 某县级园区, level: county}")
    assert (landapproval.evaluate(_write(tmp_path, zone, "a.yaml")).to_dict()
            == landapproval.evaluate(_write(tmp_path, canonical, "b.yaml")).to_dict())
    housing = (CASES_DIR / "county-village-housing.yaml").read_text(encoding="utf-8")
    assert "kind: village_housing" in housing
    assert (landapproval.evaluate(_write(tmp_path, housing.replace("kind: village_housing", "kind: 村民住宅"), "c.yaml"))
            .to_dict() == landapproval.evaluate(CASES_DIR / "county-village-housing.yaml").to_dict())


def test_a_gbk_file_is_read_and_the_note_says_so(tmp_path):
    path = _write(tmp_path, BASE.encode("gbk"))
    notes: list = []
    decision = landapproval.evaluate(path, notes=notes)
    assert decision.to_dict("zh") == CANONICAL
    assert any("GBK/GB18030" in note("zh") and "UTF-8" in note("zh") for note in notes)
    result = run("validate", path)
    assert result.exit_code == 0
    assert "已按 GBK/GB18030" in result.stderr and "文件格式正确" in result.stdout
    # a GBK file with a mistake: the error says how the file was read too
    bad = _write(tmp_path, BASE.replace("kind: batch", "kind: 批量").encode("gb18030"), "bad.yaml")
    result = run("evaluate", bad)
    assert result.exit_code == 2 and "GBK/GB18030" in result.stderr and "是否想写 批次用地" in result.stderr


# --- each mistake gives a Chinese sentence with the expected form, and the suggestion where one exists

MISTAKES = [
    # id, old, new, path, words in the Chinese message, suggestion
    ("date-not-a-date", "filed_on: 2024-09-10", "filed_on: 九月十日", "filed_on",
     ["日期应为 YYYY-MM-DD，例如 2024-09-10"], None),
    ("date-not-a-real-day", "filed_on: 2024-09-10", "filed_on: 2024-02-30", "filed_on",
     ["不是真实存在的日期", "例如 2024-09-10"], None),
    ("date-with-time", "filed_on: 2024-09-10", "filed_on: 2024-09-10 10:30", "filed_on", ["只写日期"], None),
    ("date-out-of-range", "filed_on: 2024-09-10", "filed_on: 1924-09-10", "filed_on", ["1986-01-01 至 2099-12-31"], None),
    ("area-in-mu-exact", "cultivated: 3.4120", "cultivated: 15亩", "parcels[0].land.cultivated",
     ["不自动换算", "15 亩 = 1 公顷，请写 1"], None),
    ("area-in-mu-inexact", "cultivated: 3.4120", "cultivated: 8 亩", "parcels[0].land.cultivated",
     ["8 亩 = 0.533333… 公顷", "四舍五入可能跨过审批面积门槛"], None),
    ("area-in-square-metres", "cultivated: 3.4120", "cultivated: 34120平方米", "parcels[0].land.cultivated",
     ["34120 平方米 = 3.412 公顷，请写 3.412"], None),
    ("area-words", "cultivated: 3.4120", "cultivated: 三公顷", "parcels[0].land.cultivated",
     ["面积应为公顷数，最多 4 位小数，例如 5.1234"], None),
    ("area-thousands-comma", "quota_available: 20.0", 'quota_available: "1,020.5"', "review.annual_plan.quota_available",
     ["千分位", "例如 5.1234"], None),
    ("area-negative", "cultivated: 3.4120", "cultivated: -3.4120", "parcels[0].land.cultivated", ["不能为负数"], None),
    ("area-five-decimals", "cultivated: 3.4120", "cultivated: 3.41201", "parcels[0].land.cultivated",
     ["最多 4 位小数"], None),
    ("area-too-big", "cultivated: 3.4120", "cultivated: 3412000", "parcels[0].land.cultivated", ["超过临汾市全市面积"], None),
    ("bool-other-word", "conforms_to_plan: true", "conforms_to_plan: 符合", "review.planning.conforms_to_plan",
     ["应填 是 或 否"], None),
    ("enum-kind", "kind: batch", "kind: 批量", "kind", ["应为以下之一：批次用地、单独选址用地、村民住宅用地"], "batch"),
    ("enum-ownership", "ownership: collective", "ownership: 集体土地所有", "parcels[0].ownership",
     ["应为以下之一：集体所有、国有", "是否想写 集体所有"], "collective"),
    ("enum-english-typo", "method: fee", "method: fees", "review.cultivated_compensation.method",
     ["自行开垦补充", "是否想写 缴纳耕地开垦费"], "fee"),
    ("unknown-key-typo", "other_agricultural: 0.6000", "other_agricultral: 0.6000",
     "parcels[0].land.other_agricultral", ["不认识的字段“other_agricultral”"], "other_agricultural"),
    ("chinese-label-as-key", "other_agricultural: 0.6000, construction", "other_agricultural: 0.6000, 耕地: 1, construction",
     "parcels[0].land.耕地", ["不认识的字段“耕地”", "是否想写 cultivated（耕地）"], "cultivated"),
    ("key-at-the-wrong-level", "    ownership: state\n", "    ownership: state\n    cultivated: 1\n",
     "parcels[2].cultivated", ["不认识的字段"], "parcels[].land.cultivated"),
    ("none-word-for-a-date", "filed_on: 2024-09-10", "filed_on: 无", "filed_on",
     ["“无”不能用于“县级组卷申报日期”", "写 null"], None),
    ("none-word-for-an-area", "cultivated: 3.4120", "cultivated: 无", "parcels[0].land.cultivated", ["没有：写 0"], None),
    ("missing-required", "kind: batch\n", "", "kind", ["缺少必填项“用地类型”，例如 kind: batch"], None),
    ("empty-id", "id: QW-2024-03", 'id: ""', "id", ["不能为空", "例如 id: HT-2024-01"], None),
    ("parcels-not-a-list", "parcels:\n", "parcels: P1\nunused_parcels:\n", "parcels", ["应为列表"], None),
    ("group-not-a-mapping", "  planning:\n", "  planning: 符合\n  unused_planning:\n", "review.planning",
     ["应为一组字段"], None),
    ("county-misspelt", "county: 曲沃县", "county: 洪桐县", "county", ["不是临汾市所辖的县（市、区）", "141024"], "洪洞县"),
    ("zone-misspelt", "development_zone: null", "development_zone: 侯马经济技术开发区", "scope.development_zone",
     ["不在 rules/jurisdiction.yaml 所列的开发区"], "侯马经济开发区"),
    ("state-land-expropriated", "    ownership: state\n", "    ownership: state\n    expropriate: 是\n",
     "parcels[2].expropriate", ["国有土地不征收"], None),
    ("parcel-id-repeated", "  - id: QW-2024-03-2", "  - id: QW-2024-03-1", "parcels", ["重复"], None),
]


def _problems(tmp_path, text: str | bytes) -> InputError:
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(_write(tmp_path, text))
    return caught.value


@pytest.mark.parametrize("old, new, path, words, suggestion", [m[1:] for m in MISTAKES], ids=[m[0] for m in MISTAKES])
def test_a_mistake_gets_a_chinese_sentence_with_the_expected_form(tmp_path, old, new, path, words, suggestion):
    error = _problems(tmp_path, _variant(old, new))
    problem = next((p for p in error.problems if p.path == path), None)
    assert problem is not None, [(p.path, p.message()) for p in error.problems]
    zh, en = problem.message("zh"), problem.message("en")
    for word in words:
        assert word in zh, zh
    assert CJK.search(zh) and zh != en
    for internal in ("Input should", "Value error", "pydantic", "Traceback", "type=", "Decimal("):
        assert internal not in zh and internal not in en
    if suggestion:
        # the value to write is suggested (the page writes it into the field); Chinese names an
        # enum's value by its Chinese name, which is read as that value
        from landapproval.law import Law

        named = Law.default().catalogue.value_name(canonical_path(path), suggestion) if path == "kind" or \
            path.endswith(("ownership", "method")) else suggestion
        assert suggestion in problem.suggestions and named in zh and suggestion in en
    if path != "kind":  # a missing top-level field has no line of its own
        assert problem.line is not None, zh
        where = problem.where()   # in the official's words: 地块 P1（第 1 个地块）的 耕地…，第 19 行
        assert f"{error.source}: {where}: " in error.describe() and where.endswith(f"第 {problem.line} 行")
        assert f"{error.source}: {path} (line {problem.line}): " in error.describe("en")


def canonical_path(path: str) -> str:
    import re as _re

    return _re.sub(r"\[\d+\]", "[]", path)


@pytest.mark.parametrize("bad", ["x", 5, [], {"a": 1}, "2024-13-01"])
def test_no_pydantic_or_python_text_for_any_field(bad):
    """Every field of the catalogue, given a wrong value: a Chinese sentence, no library text."""
    import copy

    leak = re.compile(r"Input should|Value error|Field required|validation error|type=|pydantic|Extra inputs|"
                      r"Traceback|Decimal\(|object at 0x")
    base = loading.read_document(COMPLETE)
    checked = 0
    for info in catalogue():
        data = copy.deepcopy(base)
        node = data
        *parents, last = info.path.replace("[]", ".0").split(".")
        for part in parents:
            if part.isdigit():  # an item of a list: the first, made when the list is empty
                node = node[0] if node else (node.append({}) or node[0])
            else:
                node = node.get(part) if isinstance(node.get(part), (dict, list)) else node.setdefault(part, {})
        if not isinstance(node, dict):
            continue
        node[last] = bad
        try:
            api.validate(data, source="t")
        except InputError as error:
            checked += 1
            for lang in ("zh", "en"):
                assert not leak.search(error.describe(lang)), error.describe(lang)
            assert CJK.search(error.describe("zh").replace(str(bad), "").replace("t: ", "")), error.describe("zh")
    assert checked >= 60


FILE_MISTAKES = [
    ("full-width-colon", _variant("county: 曲沃县", "county：曲沃县"), ["全角冒号", "county: 洪洞县"]),
    ("tab-indent", _variant("  within_construction_scale: true", "\twithin_construction_scale: true"), ["制表符"]),
    ("repeated-key", _variant("kind: batch\n", "kind: batch\nkind: single_site\n"), ["第 12 行：字段“kind”在同一层写了两次"]),
    ("unclosed-quote", _variant("id: QW-2024-03", 'id: "QW-2024-03'), ["第 8 行", "引号没有配对"]),
    ("not-a-mapping", "- 曲沃县\n- batch\n", ["案件文件应为一组“字段: 值”", "landapproval init"]),
    ("not-a-case", "crs: EPSG:4525\nlayers: {}\n", ["这不是案件文件", "--layers"]),
    ("neither-utf8-nor-gbk", BASE.encode("utf-8").replace(b"title: ", b"title: caf\xe9 ", 1), ["UTF-8", "另存为"]),
]


@pytest.mark.parametrize("content, words", [m[1:] for m in FILE_MISTAKES], ids=[m[0] for m in FILE_MISTAKES])
def test_a_file_mistake_gets_a_chinese_sentence(tmp_path, content, words):
    error = _problems(tmp_path, content)
    text = error.describe("zh")
    for word in words:
        assert word in text, text
    assert "Traceback" not in text and "yaml." not in text and "Text(" not in text
    assert "Text(" not in error.describe("en") and CJK.search(text.replace(error.source, ""))


def test_yaml_syntax_errors_carry_the_line(tmp_path):
    line = BASE.splitlines().index("county: 曲沃县") + 1
    error = _problems(tmp_path, _variant("county: 曲沃县", "county：曲沃县"))
    assert f"第 {line} 行：用了全角冒号" in error.describe(), error.describe()  # the line with the colon
    quote = BASE.splitlines().index("id: QW-2024-03") + 1
    error = _problems(tmp_path, _variant("id: QW-2024-03", 'id: "QW-2024-03'))
    assert f"第 {quote} 行第 5 列" in error.describe(), error.describe()  # where the quote opens
    assert f"line {quote}, column 5" in error.describe("en")


def test_python_internals_never_reach_a_message(tmp_path):
    # more digits than Python converts: its own message names sys.set_int_max_str_digits
    body = b'{"id": "X", "county": "quwo", "kind": "batch", "scope": {"within_construction_scale": true}, ' \
           b'"parcels": [{"id": "P", "ownership": "state", "land": {"construction": ' + b"9" * 5000 + b"}}]}"
    with pytest.raises(InputError) as caught:
        api.evaluate(loading.parse_bytes(body, "body", json_first=True), source="body")
    for lang in ("zh", "en"):
        text = caught.value.describe(lang)
        assert "set_int_max_str_digits" not in text and "Exceeds" not in text
    yaml_case = _variant("construction: 0.3500", "construction: " + "9" * 5000)
    text = _problems(tmp_path, yaml_case).describe("en")
    assert "set_int_max_str_digits" not in text and "parcels[2].land.construction" in text


# --- the problem list is capped and a flood is answered quickly ------------------------------------

def test_a_flood_of_unknown_keys_is_capped_and_answered_quickly():
    body = flood()
    assert len(body) <= 4 * 1024 * 1024

    clock = time.process_time  # CPU time: the machine running the tests is shared

    def answer() -> tuple[float, InputError]:
        started = clock()
        try:
            api.evaluate(loading.parse_bytes(body, "body", json_first=True), source="body")
        except InputError as error:
            return clock() - started, error
        raise AssertionError("a flood of unknown keys was accepted")

    def bare_parse() -> float:
        started = clock()
        json.loads(body)
        return clock() - started

    runs = [(answer(), bare_parse()) for _ in range(3)]  # interleaved, the best of three of each
    elapsed, error = min((run[0] for run in runs), key=lambda pair: pair[0])
    parse_only = min(run[1] for run in runs)
    assert len(error.problems) == MAX_PROBLEMS
    assert error.count() > 300_000 and error.more == error.count() - MAX_PROBLEMS
    assert f"还有 {error.more} 项问题未列出" in error.describe("zh")
    assert f"and {error.more} more" in error.describe("en")
    answer_body = json.dumps(error.to_json("zh"), ensure_ascii=False)
    assert len(answer_body) < 20_000, len(answer_body)
    assert error.to_json("en")["more"] == error.more
    # under 0.1 s on an idle machine; on a loaded one, never much more than reading the JSON itself
    # (the refusal of repeated keys costs a little on every mapping)
    assert elapsed < max(0.1, 2 * parse_only), (elapsed, parse_only)


def test_many_problems_from_validation_are_capped_too(tmp_path):
    parcels = "".join(f"  - {{id: P{i}, ownership: 集体土地所有, land: {{cultivated: 1亩}}}}\n" for i in range(300))
    text = _variant("parcels:\n", "parcels:\n" + parcels)
    error = _problems(tmp_path, text)
    assert len(error.problems) == MAX_PROBLEMS and error.more >= 500
    assert len(error.describe().splitlines()) == MAX_PROBLEMS + 1


def test_the_server_body_of_an_input_error():
    error = InputError("body", [("kind", "x")])
    body = error.to_json("en")
    assert set(body) == {"source", "message", "problems", "more", "notes"}
    assert body["problems"] == [{"path": "kind", "message": "x", "suggestions": []}]
    with pytest.raises(ValueError, match="unknown language"):
        error.describe("fr")


# --- the labels catalogue ---------------------------------------------------------------------------

def test_every_field_of_the_contract_has_a_chinese_and_an_english_label():
    for info in catalogue():
        assert CJK.search(info.label.zh), (info.path, info.label)
        assert info.label.en and not CJK.search(info.label.en), info.path


def test_the_catalogue_follows_the_models_and_the_rule_book():
    paths = [f.path for f in catalogue()]
    assert paths[:5] == ["schema", "id", "title", "county", "kind"]
    assert paths.index("parcels[].land.cultivated") < paths.index("review.planning.conforms_to_plan")
    assert catalogue().field_label("parcels[3].land.cultivated") == "耕地（永久基本农田以外）"
    assert catalogue().value_choices("kind") == [("batch", "批次用地"), ("single_site", "单独选址用地"),
                                            ("village_housing", "村民住宅用地")]
    assert catalogue().value_name("parcels[].ownership", "state", "en") == "state-owned"
    # evidence labels come from rules/facts.yaml, its clauses from the compiled rule book
    assert catalogue().field_label("review.planning.conforms_to_plan") == "符合国土空间规划及“三区三线”管控要求"
    assert catalogue().field_clauses("review.planning.conforms_to_plan") == ("临政发〔2024〕7号 四(一)",)
    assert catalogue().field_info("review.planning.conforms_to_plan").items == ("C1",)
    assert "写 无 或 []" in catalogue().none_form("review.protected_areas")
    assert "null" in catalogue().none_form("review.ownership.disputed")
    assert catalogue().field_help("filed_on", "en").startswith("a date")
    assert catalogue().field_info("no.such.field") is None


# --- init, validate --------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["batch", "single_site", "village_housing"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_init_template_validates_and_evaluates(tmp_path, kind, lang):
    target = tmp_path / "new.yaml"
    result = run("init", "--kind", kind, "--county", "hongtong", "--lang", lang, "--out", target)
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    for info in catalogue():  # every field is in the template, with a comment above it
        parent = catalogue().field_info(info.parent) if info.parent else None
        if parent is None or parent.kind == "group" or info.parent == "parcels[]":  # ({…} forms: in a comment)
            assert re.search(rf"^\s*(- )?{re.escape(info.key)}:", text, re.M), info.path
    assert "county: 洪洞县" in text and f"kind: {kind}" in text
    assert run("validate", target).exit_code == 0
    evaluated = run("evaluate", target, "--format", "json")
    assert evaluated.exit_code in (0, 1), evaluated.output
    assert json.loads(evaluated.stdout)["county"] == {"code": "141024", "name": "洪洞县"}
    assert run("init", "--out", target).exit_code == 2  # never overwrites


def test_init_comments_name_values_none_and_clause():
    text = run("init").stdout
    assert "依据：临政发〔2024〕7号 四(一)（C1）" in text
    assert "fee（缴纳耕地开垦费）" in text and "不涉及保护地：写 无 或 []" in text
    assert "不要填亩" in text
    assert run("init", "--county", "洪桐县").exit_code == 2
    assert "是否想写 洪洞县" in run("init", "--county", "洪桐县").stderr


def test_validate_reports_missing_evidence_grouped_by_item(tmp_path):
    path = CASES_DIR / "review" / "incomplete-new-filing.yaml"
    result = run("validate", path)
    assert result.exit_code == 0
    head, *items = result.stdout.strip().splitlines()
    assert re.search(r"文件格式正确；审查材料缺 \d+ 项：", head)
    assert items[0].startswith("  C1 严格国土空间规划管控：符合国土空间规划及“三区三线”管控要求；")
    assert "review." not in result.stdout                         # labels only: no field path in Chinese
    assert run("validate", path, "--strict").exit_code == 1
    english = run("validate", path, "--lang", "en").stdout
    assert "contract OK; review evidence missing" in english
    complete = run("validate", COMPLETE, "--strict")
    assert complete.exit_code == 0 and "审查材料齐全" in complete.stdout


def test_validate_lang_en_gives_english_errors(tmp_path):
    path = _write(tmp_path, _variant("kind: batch", "kind: 批量"))
    assert "应为以下之一" in run("validate", path).stderr
    english = run("validate", path, "--lang", "en")
    assert english.exit_code == 2 and "expected one of" in english.stderr and "did you mean batch" in english.stderr


# --- exit codes, batches ---------------------------------------------------------------------------

def test_the_repository_cases_folder_never_exits_2():
    result = run("evaluate", CASES_DIR, "--format", "jsonl")
    assert result.exit_code in (0, 1), result.stderr
    assert "layers.yaml: 不是案件文件，已跳过" in result.stderr
    assert run("validate", CASES_DIR).exit_code == 0
    # named explicitly, a layers file is an input error
    named = run("evaluate", CASES_DIR / "gis" / "layers.yaml")
    assert named.exit_code == 2 and "这不是案件文件" in named.stderr


def test_an_internal_error_exits_3_in_one_line_and_the_batch_goes_on(tmp_path, monkeypatch):
    real = api.evaluate

    def broken(path, **kwargs):
        if "single-site" in str(path):
            raise RuntimeError("engine state lost\nsecond line")
        return real(path, **kwargs)

    monkeypatch.setattr(api, "evaluate", broken)
    files = [CASES_DIR / "single-site.yaml", COMPLETE, _write(tmp_path, "kind: [", "bad.yaml")]
    result = run("evaluate", *files, "--format", "jsonl")
    assert result.exit_code == 3
    assert len(result.stdout.strip().splitlines()) == 3  # every file answered
    internal = [line for line in result.stderr.splitlines() if "内部错误" in line]
    assert len(internal) == 1 and "engine state lost second line" in internal[0]
    assert "Traceback" not in result.stderr
    validated = run("validate", *files[:2])
    assert validated.exit_code == 3 and "审查材料齐全" in validated.stdout  # the second file still checked
    # a single command: one line, exit 3, never 1
    monkeypatch.setattr(api, "evaluate", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    explained = run("explain", COMPLETE)
    assert explained.exit_code == 3 and explained.stderr.count("\n") == 1 and "boom" in explained.stderr


def test_as_of_takes_the_date_forms_of_a_case_file():
    by_form = run("evaluate", COMPLETE, "--as-of", "2024年9月25日", "--format", "json")
    assert json.loads(by_form.stdout)["as_of"] == "2024-09-25"
    refused = run("evaluate", COMPLETE, "--as-of", "九月")
    assert refused.exit_code == 2 and "日期应为 YYYY-MM-DD，例如 2024-09-10" in refused.stderr


def test_no_compensation_reads_as_not_arranged_never_as_not_needed(tmp_path):
    """四(四) / LAL 30: cultivated land taken is supplemented (占多少、垦多少). `method: none` means
    none arranged and blocks (C4.no_supplement); 未落实 is that value in Chinese, while 无需补充
    ("not needed") is a different claim, refused with the choices rather than guessed."""
    case = CASES_DIR / "review" / "c4-supplement-short.yaml"
    text = case.read_text(encoding="utf-8")
    assert "method: fee" in text
    canonical = landapproval.evaluate(_write(tmp_path, text.replace("method: fee", "method: none"), "a.yaml"))
    chinese = landapproval.evaluate(_write(tmp_path, text.replace("method: fee", "method: 未落实"), "b.yaml"))
    assert chinese.to_dict() == canonical.to_dict()
    assert "C4.no_supplement" in canonical.blocking
    with pytest.raises(InputError) as refused:
        landapproval.evaluate(_write(tmp_path, text.replace("method: fee", "method: 无需补充"), "c.yaml"))
    message = refused.value.describe("zh")
    assert "耕地占补平衡（C4）的 补充耕地方式" in message and "收到“无需补充”" in message
    assert catalogue().value_name("review.cultivated_compensation.method", "none", "zh") == "未落实补充耕地"
