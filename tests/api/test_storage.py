"""Issue 21 item 6 (build item 5): a decision stored as JSON is rebuilt equal, with both languages,
its facts, parcels and figures, and renders (report, text, xlsx) byte for byte as the original
(before: no from_json, and the JSON carried one language without facts or parcels)."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pytest

import landapproval
from landapproval import Decision, StoredDecisionError
from landapproval.api import rules_for

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (REPO / "cases").rglob("*.yaml") if p.name != "layers.yaml")
GIS = REPO / "cases" / "gis"
DAY = dt.date(2026, 12, 1)


def _decide(path: Path) -> Decision:
    layers = GIS / "layers.yaml" if path.parent == GIS else None
    return landapproval.evaluate(path, layers=layers)


def test_the_examples_are_all_here():
    assert len(EXAMPLES) >= 25


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(REPO / "cases")))
def test_every_example_round_trips_equal_and_renders_the_same(path):
    from landapproval.batch import Outcome
    from landapproval.views import report, text, workbook

    decision = _decide(path)
    stored = decision.to_json(langs=("zh", "en"))
    rebuilt = Decision.from_json(stored)
    assert rebuilt == decision
    # the fields equality leaves out are rebuilt too
    assert rebuilt.parcels == decision.parcels and rebuilt.engine_facts == decision.engine_facts
    assert rebuilt.to_json(langs=("zh", "en")) == stored
    for lang in ("zh", "en"):
        assert rebuilt.to_json(lang) == decision.to_json(lang)
        assert text.text(rebuilt, lang) == text.text(decision, lang)
        assert (report.html_report(rebuilt, lang, generated=DAY).encode()
                == report.html_report(decision, lang, generated=DAY).encode())
    # types survive: exact areas, dates, tuples
    assert all(type(rebuilt.facts[k]) is type(v) for k, v in decision.facts.items())
    for before, after in zip(decision.findings, rebuilt.findings):
        assert after.figures == before.figures and after.message.en == before.message.en
    first = workbook.workbook_bytes([Outcome(str(path), decision=decision)], "zh")
    second = workbook.workbook_bytes([Outcome(str(path), decision=rebuilt)], "zh")
    assert _cells(first) == _cells(second)


def _cells(data: bytes) -> list:
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    return [[[c.value for c in row] for row in sheet.iter_rows()] for sheet in book.worksheets]


def test_the_storage_form_carries_both_languages_facts_parcels_and_figures():
    decision = landapproval.evaluate(REPO / "cases" / "review" / "c4-supplement-short.yaml")
    data = json.loads(decision.to_json(langs=("zh", "en")))
    assert data["format"] == "landapproval.decision/1" and data["langs"] == ["zh", "en"]
    assert {"facts", "parcels", "engine_facts", "law", "checks", "steps"} <= set(data)
    text = json.dumps(data, ensure_ascii=False)
    finding = decision.check("C4").findings[0]
    for lang in ("zh", "en"):
        assert finding.message[lang] in text
        assert all(shown in text for shown in finding.figures[lang])
    assert data["facts"]["$map"]["conversion.cultivated_incl_pbf"] == {"$dec": str(decision.facts["conversion.cultivated_incl_pbf"])}


def test_a_decision_stored_in_one_language_rebuilds_with_that_language():
    decision = landapproval.evaluate(REPO / "cases" / "review" / "c4-supplement-short.yaml")
    rebuilt = Decision.from_json(decision.to_json(langs=("en",)))
    assert rebuilt.to_json("en") == decision.to_json("en")
    assert rebuilt.check("C4").findings[0].message.zh == decision.check("C4").findings[0].message.en


@pytest.mark.parametrize("text, field", [
    ("not json", ""),
    ("[1, 2]", "format"),
    ('{"case": "X"}', "format"),  # the one-language output is not the storage form
    ('{"format": "landapproval.decision/1", "langs": ["zh"]}', "case"),
    ('{"format": "landapproval.decision/2"}', "format"),
    ("[" * 100_000 + "]" * 100_000, ""),
])
def test_what_is_not_a_stored_decision_is_a_typed_error(text, field):
    with pytest.raises(StoredDecisionError) as caught:
        Decision.from_json(text)
    assert caught.value.field == field and caught.value.exit_code == 2


@pytest.mark.parametrize("field, value", [("facts", {"$dc": "Nothing"}), ("checks", {"$dec": "x"}),
                                          ("as_of", {"$date": "2024-13-40"}), ("checks", {"$t": [{"$dc": "Check"}]})])
def test_a_stored_field_that_does_not_read_is_named(field, value):
    decision = landapproval.evaluate(REPO / "cases" / "city-authorized-batch.yaml")
    data = json.loads(decision.to_json(langs=("zh", "en")))
    data[field] = value
    with pytest.raises(StoredDecisionError) as caught:
        Decision.from_json(json.dumps(data))
    assert caught.value.field in (field, "")


def test_the_one_language_output_is_refused_with_how_to_store():
    decision = landapproval.evaluate(REPO / "cases" / "city-authorized-batch.yaml")
    with pytest.raises(StoredDecisionError) as caught:
        Decision.from_json(decision.to_json("zh"))
    assert 'to_json(langs=("zh", "en"))' in str(caught.value)


def test_rules_for_finds_the_law_of_the_stored_fingerprint_or_says_it_is_not_at_hand(tmp_path):
    from tests.review_helpers import rules_folder

    decision = landapproval.evaluate(REPO / "cases" / "city-authorized-batch.yaml")
    law, note = rules_for(decision)
    assert law.fingerprint == decision.law["rules_sha256"] and note is None
    with rules_folder(tmp_path) as folder:
        (folder / "review.yaml").write_text((folder / "review.yaml").read_text(encoding="utf-8") + "\n# edited\n",
                                            encoding="utf-8")
        other = landapproval.Law.default()
        assert other.fingerprint != decision.law["rules_sha256"]
        law, note = rules_for(decision, other)
        assert law is other
        assert decision.law["rules_sha256"][:12] in note.en and other.fingerprint[:12] in note.en
        assert "不在" in note.zh
        # the views say so when they take their texts from another rule book, and only then
        from landapproval.views import report, text

        rebuilt = Decision.from_json(decision.to_json(langs=("zh", "en")))
        for lang in ("zh", "en"):
            assert note[lang] in text.text(rebuilt, lang, law=other)
            assert html.escape(note[lang]) in report.html_report(rebuilt, lang, law=other)
            shipped = landapproval.Law.from_dir(REPO / "rules")
            said = {"zh": "不在手边", "en": "not at hand"}[lang]
            assert said not in text.text(rebuilt, lang, law=shipped)
            assert said not in report.html_report(rebuilt, lang, law=shipped)
        # the stored law, when given, is found among several
        law, note = rules_for(decision, other, landapproval.Law.from_dir(REPO / "rules"))
        assert law.fingerprint == decision.law["rules_sha256"] and note is None
