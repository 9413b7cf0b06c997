"""Every problem of a file in one run, in the order of the file, each with a diagnosis that is true
and a location as the official wrote it (issue 17, Build 3 and 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

import landapproval
from landapproval.core.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
COMPLETE = (ROOT / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8")


def _errors(tmp_path, text: str) -> InputError:
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        landapproval.validate(path)
    return caught.value


def test_four_mistakes_come_in_one_run_in_the_order_of_the_file(tmp_path):
    """批量, 8月32日, 亩 and 洪同县 used to come in two rounds: the county only after the rest was fixed."""
    text = (COMPLETE.replace("county: 曲沃县", "county: 洪同县").replace("kind: batch", "kind: 批量")
            .replace("filed_on: 2024-09-10", "filed_on: 2024年8月32日").replace("cultivated: 1.7114,", "cultivated: 25亩,"))
    error = _errors(tmp_path, text)
    assert [p.path for p in error.problems] == ["county", "kind", "filed_on", "parcels[1].land.cultivated"]
    assert [p.line for p in error.problems] == sorted(p.line for p in error.problems)
    lines = error.describe().splitlines()
    assert "县（市、区），第 10 行" in lines[0] and "洪洞县" in lines[0]          # did you mean
    assert lines[3].split(": ")[1] == "地块 QW-2024-03-2（第 2 个地块）的 耕地（永久基本农田以外），第 22 行"


def test_a_colon_without_its_space_is_said_so(tmp_path):
    error = _errors(tmp_path, COMPLETE.replace("cultivated: 1.7114,", "cultivated:21.5,"))
    said = error.describe()
    assert "冒号后缺少空格" in said and "cultivated: 21.5" in said and "全角" not in said
    block = COMPLETE.replace("    land: {permanent_basic_farmland: 0, cultivated: 1.7114, other_agricultural: 0.4000, construction: 0, unused: 0}",
                             "    land:\n      permanent_basic_farmland: 0\n      cultivated:1.7114\n      other_agricultural: 0.4\n"
                             "      construction: 0\n      unused: 0")
    said = _errors(tmp_path, "# 说明：注释里的全角冒号不是错误\n" + block).describe()
    assert "冒号后缺少空格" in said and "cultivated: 1.7114" in said and "全角" not in said


def test_a_full_width_colon_is_still_named(tmp_path):
    said = _errors(tmp_path, COMPLETE.replace("county: 曲沃县", "county：曲沃县")).describe()
    assert "全角冒号" in said


def test_hao_for_ri_is_named_with_the_date_to_write(tmp_path):
    said = _errors(tmp_path, COMPLETE.replace("filed_on: 2024-09-10", "filed_on: 2024年8月20号")).describe()
    assert "日期写“日”，不写“号”：请写 2024年8月20日 或 2024-08-20" in said and "不是真实存在" not in said


def test_a_period_where_one_date_is_asked(tmp_path):
    said = _errors(tmp_path, COMPLETE.replace("filed_on: 2024-09-10", "filed_on: 2024年7月1日至2024年7月31日")).describe()
    assert "这里填一个日期，不填期间" in said and "2024-07-31" in said and "不是真实存在" not in said


def test_a_real_impossible_day_is_still_called_so(tmp_path):
    said = _errors(tmp_path, COMPLETE.replace("filed_on: 2024-09-10", "filed_on: 2024年2月30日")).describe()
    assert "不是真实存在的日期" in said


def test_wu_for_a_yes_no_question_suggests_fou_and_explains_null(tmp_path):
    error = _errors(tmp_path, COMPLETE.replace("    disputed: false", "    disputed: 无"))
    (problem,) = error.problems
    said = problem.message()
    assert "没有这种情况写 否" in said and "null" in said and "disputed: 否" in said and "disputed: 是" not in said
    assert problem.suggestions == ("否",)
    assert problem.where().startswith("权属地类（C3）的 权属存在争议，第 ")


def test_english_keeps_the_field_path(tmp_path):
    error = _errors(tmp_path, COMPLETE.replace("cultivated: 1.7114,", "cultivated: 25亩,"))
    assert "parcels[1].land.cultivated (line 22)" in error.describe("en")
    assert "parcels[1]" not in error.describe("zh")
