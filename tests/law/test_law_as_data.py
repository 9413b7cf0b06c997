"""Issue 12 item 13: no parameter frozen into text, one source for the delegation date, `together`
compiled from its rule-file key, and every key of every rule file read by the loaders."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

import landapproval
from landapproval.law import jurisdiction as jurisdiction_module
from landapproval.law import Law, rulebook, workdays
from landapproval.core.errors import RuleError

from helpers import make_case, parcel
from review_helpers import rules_folder

RULES = Path(__file__).resolve().parents[2] / "rules"


def _texts(book: rulebook.RuleBook):
    """Every text a reader sees, except the quotations of the law (citations)."""
    for rule in book.rules.values():
        yield rule.id, rule.reason
        yield rule.id, {"id": rule.id}
        if rule.extra.get("remedy"):
            yield rule.id, rule.extra["remedy"]
    for item in book.checks + book.steps:
        yield item.id, item.title
    for table in book.tables.values():
        yield table.name, table.title
    for name, meta in book.catalogue.items():
        yield name, {"zh": meta["zh"], "en": meta["en"]}
    for name, meta in book.definitions.items():
        yield name, {"zh": meta["zh"], "en": meta["en"]}


def _frozen_forms(name: str, value) -> list[str]:
    """How a value would read if someone typed it into a text instead of `{name}`."""
    from cn2an import an2cn

    if isinstance(value, dt.date) or re.fullmatch(r"\d{4}-\d\d-\d\d", str(value)):
        return [str(value)]
    number = str(value)
    if name.endswith("_ha"):
        return [f"{number}公顷", f"{number} 公顷", f"{number} ha", f"{an2cn(int(value))}公顷"]
    zh = an2cn(int(value))
    return [f"{number}个工作日", f"{zh}个工作日", f"{number} working day", f"{number}th working day",
            f"{zh}日", f"{number} days", f"{number}日", f"第{number}个"]


def test_no_text_freezes_a_parameter_value():
    """Issue 12 item 13: messages, titles, descriptions and ids name parameters, never their values."""
    book = Law.default().book
    frozen = []
    for name, values in book.parameters.items():
        for value in values:
            for form in _frozen_forms(name, value.value):
                frozen += [(where, form) for where, text in _texts(book) for t in text.values() if form in t]
    assert frozen == []


def test_texts_carry_the_value_in_force_on_the_case_date(tmp_path):
    """A new dated value of the 35 ha threshold (土地管理法 第四十六条) changes the routing and the
    words of the reason from its start date, and not before."""
    case = make_case(county="曲沃县", parcels=[parcel(cultivated="33.0000")])
    with rules_folder(tmp_path) as rules:
        params = yaml.safe_load((rules / "parameters.yaml").read_text(encoding="utf-8"))
        params["expropriation_cultivated_threshold_ha"]["values"][dt.date(2025, 1, 1)] = {
            "value": 30, "reference": "test: a hypothetical amendment"}
        (rules / "parameters.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        before = landapproval.evaluate(case, as_of=dt.date(2024, 12, 31))
        after = landapproval.evaluate(case, as_of=dt.date(2025, 1, 1))
    assert before.expropriation.level == "city" and "不超过35公顷" in before.expropriation.reasons[0]["zh"]
    assert after.expropriation.rule == "expropriation.state_council.cultivated_over_threshold"
    assert "超过30公顷" in after.expropriation.reasons[0]["zh"]
    assert "more than 30 ha" in after.to_dict("en")["authority"]["expropriation"]["reasons"][0]


def test_chinese_numerals_in_the_period_messages():
    """土地管理法实施条例 第二十六条 「不少于十个工作日」: the Chinese text reads 十, the English 10."""
    book = Law.default().as_of(dt.date(2024, 9, 10))
    rule = book.rules["C7.pre_announcement_too_short"]
    assert "十个工作日" in rule.reason["zh"] and "10 working days" in rule.reason["en"]
    assert "三十日" in book.rules["C7.compensation_announcement_too_short"].reason["zh"]


def test_a_placeholder_must_name_a_parameter(tmp_path):
    with rules_folder(tmp_path) as rules:
        text = (rules / "review.yaml").read_text(encoding="utf-8")
        (rules / "review.yaml").write_text(text.replace("{pre_announcement_working_days|zh}", "{ten_days|zh}", 1),
                                           encoding="utf-8")
        with pytest.raises(RuleError, match="ten_days"):
            Law.default().book


@pytest.mark.parametrize("start, delegated", [("2024-06-22", True), ("2024-07-01", False)])
def test_one_delegation_date_for_every_county(tmp_path, start, delegated):
    """临政发〔2024〕7号 三: the date is delegation_start in parameters.yaml, not 16 copies."""
    assert "2024-06-22" not in (RULES / "jurisdiction.yaml").read_text(encoding="utf-8")
    with rules_folder(tmp_path) as rules:
        params = yaml.safe_load((rules / "parameters.yaml").read_text(encoding="utf-8"))
        params["delegation_start"]["values"] = {dt.date.fromisoformat(start): {
            "value": dt.date.fromisoformat(start), "reference": "test"}}
        (rules / "parameters.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
        juris = Law.default().jurisdiction
        assert {c.delegated_on(dt.date(2024, 6, 25)) for c in juris.counties if c.code != "141002"} == {delegated}
        decision = landapproval.evaluate(make_case(county="曲沃县", parcels=[parcel(cultivated="1.0000")]),
                                         as_of=dt.date(2024, 6, 25))
    assert decision.conversion.level == ("city" if delegated else "province")


def test_together_is_compiled_from_its_rule_file_key(tmp_path):
    """土地管理法 第四十六条第三款: `together.when` in authority.yaml decides, not Python."""
    case = make_case(county="尧都区", parcels=[parcel(cultivated="1.0000")])  # province for both
    assert landapproval.evaluate(case).together is True
    with rules_folder(tmp_path) as rules:
        text = (rules / "authority.yaml").read_text(encoding="utf-8")
        text = text.replace("authority.expropriation: {eq: {fact: authority.conversion}}",
                            "authority.expropriation: {eq: {fact: authority.conversion}}\n    authority.conversion: city")
        (rules / "authority.yaml").write_text(text, encoding="utf-8")
        assert landapproval.evaluate(case).together is False


# --- every key of every rule file is read -------------------------------------------------------

class _Seen:
    def __init__(self):
        self.read: set[tuple] = set()


class _Dict(dict):
    def __init__(self, data, path, seen):
        super().__init__({k: _wrap(v, path + (k,), seen) for k, v in data.items()})
        self._path, self._seen = path, seen

    def _mark(self, key):
        self._seen.read.add(self._path + (key,))

    def __getitem__(self, key):
        self._mark(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._mark(key)
        return super().get(key, default)

    def items(self):
        for key in self:
            self._mark(key)
        return super().items()

    def values(self):
        return [v for _, v in self.items()]


class _List(list):
    def __init__(self, data, path, seen):
        super().__init__(_wrap(v, path + (i,), seen) for i, v in enumerate(data))


def _wrap(value, path, seen):
    if isinstance(value, dict):
        return _Dict(value, path, seen)
    if isinstance(value, list):
        return _List(value, path, seen)
    return value


def _keys(value, path=()):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield path + (key,)
            yield from _keys(inner, path + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _keys(inner, path + (index,))


def test_every_key_of_every_rule_file_is_read(monkeypatch):
    """A key the loaders ignore is law nobody applies (as `together.when` once was)."""
    seen = _Seen()
    original = jurisdiction_module.read_rule_file
    documents = {}

    def tracked(folder, name):
        documents[name] = original(folder, name)
        return _wrap(documents[name], (name,), seen)

    for module in (jurisdiction_module, rulebook, workdays):
        monkeypatch.setattr(module, "read_rule_file", tracked)
    law = Law.from_dir(RULES)  # a fresh law: every rule file is read again, through `tracked`
    law.jurisdiction
    for path in sorted((RULES / "calendar").glob("*.yaml")):
        law.calendar.supplied_year(int(path.stem))
    files = {p.relative_to(RULES).as_posix() for p in RULES.rglob("*.yaml")}
    assert files - set(documents) == set(), "rule files no loader reads"
    unread = [".".join(map(str, path)) for name, doc in documents.items()
              for path in _keys(doc, (name,)) if path not in seen.read]
    assert unread == [], "\n".join(unread)


def test_chinese_numerals_read_as_cn2an_does():
    """`{name|zh}` (十个工作日, 三十日) reads every whole number as cn2an.an2cn does; the engine
    does not import cn2an (0.34 s of each CLI start), so its reading is checked here."""
    from cn2an import an2cn

    numbers = [*range(0, 20_001), 35, 70, 100_000, 100_010, 110_001, 1_000_000, 10_010_010, 99_999_999]
    assert [rulebook.chinese_numeral(n) for n in numbers] == [an2cn(n) for n in numbers]
    with pytest.raises(ValueError):
        rulebook.chinese_numeral(-1)
