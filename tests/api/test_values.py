"""Issue 21 item 1: a decision is a value. Nothing an embedder does to one result reaches the
engine, the rule book or another result (before: `d.checks[3].findings[0].message["en"] = "X"`
changed every later decision, because messages were the rule book's own dicts)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from pathlib import Path

import pytest

import landapproval
from landapproval import Message

REPO = Path(__file__).resolve().parents[2]
C4 = REPO / "cases" / "review" / "c4-supplement-short.yaml"
GIS = REPO / "cases" / "gis" / "qw-2024-03.yaml"
LAYERS = REPO / "cases" / "gis" / "layers.yaml"


def _parts(value, path="d"):
    """Every container reachable from a decision, with its path."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        yield path, value
        for f in dataclasses.fields(value):
            yield from _parts(getattr(value, f.name), f"{path}.{f.name}")
    elif isinstance(value, Message):
        yield path, value
    elif isinstance(value, dict) or hasattr(value, "keys"):
        yield path, value
        for key in list(value.keys()):
            yield from _parts(value[key], f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        yield path, value
        for i, item in enumerate(value):
            yield from _parts(item, f"{path}[{i}]")


def _vandalise(value) -> list[str]:
    """Try every way of changing a part in place; return those that succeeded."""
    changed = []
    attempts = []
    if dataclasses.is_dataclass(value):
        for f in dataclasses.fields(value):
            attempts.append((f"setattr {f.name}", lambda f=f: setattr(value, f.name, "X")))
    if isinstance(value, Message) or hasattr(value, "keys"):
        keys = list(value.keys())
        for key in keys:
            attempts.append((f"[{key!r}] =", lambda key=key: value.__setitem__(key, "X")))
        attempts += [("new key", lambda: value.__setitem__("vandal", "X")),
                     ("update", lambda: value.update({"vandal": "X"})),
                     ("clear", lambda: value.clear()),
                     ("setdefault", lambda: value.setdefault("vandal2", "X"))]
        if keys:
            attempts += [("pop", lambda: value.pop(keys[0])), ("del", lambda: value.__delitem__(keys[0]))]
        attempts.append(("setattr zh", lambda: setattr(value, "zh", "X")))
    if isinstance(value, list):
        attempts += [("append", lambda: value.append("X")), ("extend", lambda: value.extend(["X"])),
                     ("[0] =", lambda: value.__setitem__(0, "X")), ("clear", lambda: value.clear()),
                     ("sort", lambda: value.sort(key=str)), ("insert", lambda: value.insert(0, "X"))]
    for name, attempt in attempts:
        try:
            attempt()
        except (TypeError, AttributeError, dataclasses.FrozenInstanceError, KeyError, IndexError):
            continue
        changed.append(name)
    return changed


@pytest.mark.parametrize("path, kwargs", [(C4, {}), (GIS, {"layers": LAYERS})], ids=["c4", "gis"])
def test_mutating_every_part_of_a_decision_changes_nothing_else(path, kwargs):
    pytest.importorskip("shapely") if kwargs else None
    first = landapproval.evaluate(path, **kwargs)
    reference = landapproval.evaluate(path, **kwargs)
    expected = {lang: reference.to_json(lang) for lang in ("zh", "en")}
    assert first == reference
    succeeded = {}
    parts = list(_parts(first))
    assert len(parts) > 50  # the walk reaches findings, messages, facts, parcels, geometry
    for where, part in parts:
        done = _vandalise(part)
        if done:
            succeeded[where] = done
    # every part refuses a change in place
    assert succeeded == {}
    again = landapproval.evaluate(path, **kwargs)
    assert again == reference
    assert {lang: again.to_json(lang) for lang in ("zh", "en")} == expected
    # the engine's own texts are untouched: a finding's message is the rule book's text
    finding = next(f for c in again.checks for f in c.findings)
    assert "X" not in (finding.message.zh, finding.message.en)


def test_message_is_a_frozen_mapping():
    decision = landapproval.evaluate(C4)
    finding = decision.check("C4").findings[0]
    message = finding.message
    assert isinstance(message, Message)
    assert message["zh"] == message.zh and message["en"] == message.en and message("en") == message.en
    assert dict(message) == {"zh": message.zh, "en": message.en}
    with pytest.raises(TypeError):
        message["en"] = "X"  # type: ignore[index]
    with pytest.raises(AttributeError):
        message.en = "X"  # type: ignore[misc]


def test_a_decision_survives_pickle_and_deepcopy_equal_and_still_frozen():
    """Process pools send decisions back pickled: they arrive equal and still immutable."""
    decision = landapproval.evaluate(C4)
    for other in (pickle.loads(pickle.dumps(decision)), copy.deepcopy(decision)):
        assert other == decision
        assert other.to_json("en") == decision.to_json("en")
        assert _vandalise(other.facts) == []
        assert _vandalise(other.check("C4").findings[0].message) == []
