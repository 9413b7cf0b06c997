"""The verdict says who, on every surface (issue 17, Build 2): 可以批准 only when the tool's user —
the city, or the county for rural housing — may approve the whole case now."""

from __future__ import annotations

from pathlib import Path

import pytest

from landapproval import api
from landapproval.decision import words

CASES = Path(__file__).resolve().parents[2] / "cases"


@pytest.mark.parametrize("name, short, next_step", [
    ("city-authorized-batch.yaml", "可以批准", "各步骤均已完成，无待办步骤"),              # the city, both parts
    ("county-village-housing.yaml", "可以批准", "各步骤均已完成，无待办步骤"),             # the county: rural housing
    ("yaodu-village-housing.yaml", "可以报批——应报山西省人民政府批准", "报山西省人民政府批准"),   # Yaodu: not delegated
    ("provincial-zone-batch.yaml", "可以报批——应报山西省人民政府批准", "报山西省人民政府批准"),  # a provincial zone
    ("permanent-basic-farmland.yaml", "可以报批——应报国务院批准", "报国务院批准"),
    ("over-35ha-cultivated.yaml", "可以报批——土地征收应报国务院批准，农用地转用由临汾市人民政府批准", "报国务院批准"),
    ("review/c4-supplement-short.yaml", "暂不能批准——C4 不通过", "解决上述问题后重新审查"),
    ("review/incomplete-new-filing.yaml", "暂不能批准——C1、C2、C3、C4、C5、C6、C7、C8 材料不全",
     "S3 组织审查（受理、会审、市政府审定）"),
])
def test_the_verdict_and_the_next_step_say_who(name, short, next_step):
    decision = api.evaluate(CASES / name)
    assert words.verdict_short(decision) == short
    assert words.next_words(decision) == next_step
    line = words.verdict(decision)
    assert line.startswith("结论：" + short.split("——")[0])
    assert ("可以批准" in line) == (words.verdict_kind(decision) == "approve")


def test_a_step_pending_before_a_done_one_says_why_it_comes_next():
    decision = api.evaluate(CASES / "gis" / "qw-2024-03.yaml")
    statuses = {s.id: s.status for s in decision.steps}
    assert statuses["S1"] == "pending" and statuses["S2"] == "done"
    assert words.next_words(decision) == "S1 前期程序（后面的步骤已记录完成，本步骤尚缺日期或材料，请补记）"


def test_the_deciding_facts_compare_both_sides_of_the_threshold():
    over = words.deciding_facts(api.evaluate(CASES / "over-35ha-cultivated.yaml"))
    under = words.deciding_facts(api.evaluate(CASES / "city-authorized-batch.yaml"))
    assert "征收耕地 37.5468 公顷 > 35 公顷" in over
    assert "征收耕地 6.8387 公顷 ≤ 35 公顷" in under
    zone = words.deciding_facts(api.evaluate(CASES / "provincial-zone-batch.yaml"))
    assert "开发区：侯马经济开发区，省级（级别取自开发区名录，据公开报道）" in zone
    assert "开发区：不在开发区（示范区）内" in under
