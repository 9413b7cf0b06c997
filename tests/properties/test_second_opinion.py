"""Second opinion: durable_rules and the plain-Python evaluator must fire exactly the same rules.

Every rule's compiled condition (`Rule.condition`) has two evaluators: `.to_durable()`, which the
engine runs, and `.evaluate(facts)`, plain Python. They read the same flat fact set, so for any
fact set the two must name the same rules. This file generates fact sets from the catalogue
(rules/facts.yaml) with a seeded generator and compares the two answers for both stages, then
does the same for the fact sets the real case files in cases/ send to the engine.

Values are chosen where rules are most likely to disagree: areas on and around the thresholds
(349,999 / 350,000 / 350,001 m² …) and around every literal a rule compares with, dates as day
ordinals equal to or one day either side of each other, `"unknown"` for bool and enum facts, and
the unknown form of every `may_be_unknown` number (value None, `<name>.known` False). Half of the
fact sets are fully random; the other half start from a real case's facts and change a few of
them, so that long conjunctions (which random sets rarely satisfy) are exercised too.

Default run: 10,000 fact sets per stage (LANDAPPROVAL_SECOND_OPINION_N overrides). The slow run
(`--run-slow` when tests/conftest.py defines it, or LANDAPPROVAL_SLOW=1) does 200,000 per stage.
A failure prints the fact set, the rules only the engine fired and the rules only Python fired.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Any

import pytest

from landapproval import api
from landapproval.law import Law, rulebook
from landapproval.law import conditions
from landapproval.law.conditions import NUMERIC, UNKNOWN, FactRef, known_key
from landapproval.law.engine import Engine
from helpers import all_case_files as case_files

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "cases"
STAGES = ("authority", "review", "map", "map_parcel")  # map, map_parcel: rules/map.yaml
SEED = 20240622
DEFAULT_N = int(os.environ.get("LANDAPPROVAL_SECOND_OPINION_N", "10000"))
SLOW_N = 200_000

# integer square metres around the State Council thresholds (35 ha, 70 ha) and other edges
AREA_EDGES = (0, 1, 9_999, 10_000, 10_001, 349_999, 350_000, 350_001, 699_999, 700_000, 700_001,
              1_050_000, 21_000_000_000, 210_000_000_000_000)  # last two: one parcel at the
# models' cap (2,100,000 ha) and 10,000 such parcels — the largest sums a valid case can reach
INT_EDGES = (0, 1, 2, 3, 10, 1_000)
DATE_BASE = 739_139  # 2024-09-10 as an ordinal


def slow_enabled(config) -> bool:
    """`--run-slow` if tests/conftest.py defines it, else the LANDAPPROVAL_SLOW=1 environment variable."""
    try:
        if config.getoption("--run-slow"):
            return True
    except ValueError:  # the option is not defined (no tests/conftest.py yet)
        pass
    return os.environ.get("LANDAPPROVAL_SLOW") == "1"


# --------------------------------------------------------------------------- the rule book's shape

def _walk(cond):
    if isinstance(cond, conditions.Test):
        yield cond
    else:
        for item in cond.items:
            yield from _walk(item)


def _base(name: str, catalogue) -> str:
    if name not in catalogue and name.endswith(".known") and name[: -len(".known")] in catalogue:
        return name[: -len(".known")]
    return name


class Shape:
    """What the generator needs to know about one stage: its facts and the literals its rules use."""

    def __init__(self, book: rulebook.RuleBook, stage: str, real_sets: list[dict]):
        self.catalogue = book.catalogue
        self.rules = book.stage(stage)
        names: set[str] = {"case.evaluated"}
        self.literals: dict[str, set] = {}
        self.related: dict[str, set] = {}  # fact → facts it is compared with (same pool of values)
        for rule in self.rules:
            for test in _walk(rule.condition):
                fact = _base(test.fact, self.catalogue)
                names.add(fact)
                if isinstance(test.value, FactRef):
                    names.add(test.value.name)
                    self.related.setdefault(fact, set()).add(test.value.name)
                    self.related.setdefault(test.value.name, set()).add(fact)
                elif test.fact == fact:  # not a `.known` flag
                    self.literals.setdefault(fact, set()).add(test.value)
        for facts in real_sets:  # facts sent but never tested (e.g. county.code) are sent too
            names.update(_base(n, self.catalogue) for n in facts)
        unknown = sorted(n for n in names if n not in self.catalogue)
        assert not unknown, f"{stage}: facts not in rules/facts.yaml: {unknown}"
        self.names = sorted(names)
        self.real_sets = real_sets


class Generator:
    """Seeded fact sets of the catalogue's types, biased towards the edges the rules test."""

    def __init__(self, shape: Shape, seed: int):
        self.shape = shape
        self.rng = random.Random(seed)

    def value(self, name: str, sofar: dict) -> tuple[Any, bool | None]:
        """(value, known flag or None when the fact has no `.known` companion)."""
        rng, meta = self.rng, self.shape.catalogue[name]
        kind = meta["type"]
        if name == "case.evaluated":
            return True, None  # always true by definition (and the engine's session marker needs it)
        if kind in NUMERIC and meta.get("may_be_unknown") and rng.random() < 0.2:
            return None, False
        flag = True if kind in NUMERIC and meta.get("may_be_unknown") else None
        literals = sorted(v for v in self.shape.literals.get(name, ()) if not isinstance(v, bool)
                          and isinstance(v, int))
        related = [sofar[n] for n in self.shape.related.get(name, ()) if isinstance(sofar.get(n), int)
                   and not isinstance(sofar.get(n), bool)]
        if kind == "bool":
            return rng.choice((True, False, UNKNOWN)), None
        if kind == "enum":
            return rng.choice(sorted(set(meta["values"]) | {UNKNOWN})), None
        if kind == "text":
            return str(rng.choice((141021, 141002, 141081, rng.randrange(100000, 999999)))), None
        if kind == "area":
            return self._near(rng.choice(AREA_EDGES), literals, related, rng.randrange(0, 2_000_000)), flag
        if kind == "date":
            return self._near(DATE_BASE + rng.randrange(-60, 61), literals, related,
                              DATE_BASE + rng.randrange(-400, 401)), flag
        if kind in ("int", "days"):
            return self._near(rng.choice(INT_EDGES), literals, related, rng.randrange(0, 50)), flag
        raise AssertionError(f"fact {name}: type {kind} has no generator")

    def _near(self, edge: int, literals: list[int], related: list[int], anywhere: int) -> int:
        rng = self.rng
        pick = rng.random()
        if related and pick < 0.4:
            centre = rng.choice(related)          # equal to, or a day / a m² either side of, a fact it meets
        elif literals and pick < 0.7:
            centre = rng.choice(literals)         # a value a rule compares with
        elif pick < 0.9:
            centre = edge
        else:
            return anywhere
        return max(0, centre + rng.choice((-1, 0, 0, 1)))

    def random_set(self) -> dict:
        facts: dict = {}
        names = list(self.shape.names)
        self.rng.shuffle(names)  # so `related` sees earlier values in varying orders
        for name in names:
            self._put(facts, name)
        return {k: facts[k] for k in sorted(facts)}

    def mutated_set(self) -> dict:
        facts = dict(self.rng.choice(self.shape.real_sets))
        for name in self.rng.sample(self.shape.names, k=min(len(self.shape.names), self.rng.choice((1, 1, 2, 3, 5)))):
            facts.pop(known_key(name), None)
            self._put(facts, name)
        return facts

    def _put(self, facts: dict, name: str) -> None:
        value, flag = self.value(name, facts)
        facts[name] = value
        if flag is not None:
            facts[known_key(name)] = flag

    def sets(self, n: int):
        for i in range(n):
            yield self.random_set() if i % 2 == 0 else self.mutated_set()


# --------------------------------------------------------------------------- the two opinions

def python_opinion(rules, facts: dict) -> set[str]:
    return {r.id for r in rules if r.condition.evaluate(facts)}


def compare(engine: Engine, rules, stage: str, facts: dict, label: str) -> str | None:
    """None when both agree, else a report naming the fact set and the difference."""
    try:
        expected = python_opinion(rules, facts)
    except Exception as error:  # e.g. an ordering test on an unknown number left unguarded
        return f"{label}: the Python evaluator raised {error!r}\n  facts: {_show(facts)}"
    try:
        fired = engine.fire(stage, facts)
    except Exception as error:
        return f"{label}: the engine raised {error!r}\n  facts: {_show(facts)}"
    got = set(fired)
    problems = []
    if got != expected:
        problems.append(f"only the engine fired: {sorted(got - expected)}; "
                        f"only Python fired: {sorted(expected - got)}")
    if len(fired) != len(got):
        problems.append(f"the engine reported a rule twice: {fired}")
    if not problems:
        return None
    return f"{label} ({stage}): " + "; ".join(problems) + f"\n  facts: {_show(facts)}"


def _show(facts: dict) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)


# --------------------------------------------------------------------------- fixtures

def _layers_for(path: Path) -> Path | None:
    layers = path.parent / "layers.yaml"
    return layers if layers.exists() else None


@pytest.fixture(scope="module")
def book():
    return Law.default().book


@pytest.fixture(scope="module")
def engine(book):
    return Engine(book.durable_rulesets())  # a fresh engine, not the API's cached one


@pytest.fixture(scope="module")
def real_sets():
    """The fact sets the case files send, per stage (without and, where a layers file sits beside
    the case, with the map)."""
    out = {stage: [] for stage in STAGES}
    for path in case_files():
        variants = [None] + ([_layers_for(path)] if _layers_for(path) else [])
        for layers in variants:
            try:
                decision = api.evaluate(path, layers=layers)
            except Exception:  # a case that cannot be evaluated has its own tests
                continue
            for stage in STAGES:
                out[stage].extend(_fact_sets(decision, stage))
    return out


def _fact_sets(decision, stage: str) -> list[dict]:
    """The fact sets a decision sent to one stage: one for authority, review and map (none when the
    case has no boundary), one per parcel with a boundary for map_parcel."""
    sets = decision.engine_facts.get(stage)
    if sets is None:
        return []
    return sets if isinstance(sets, list) else [sets]


def _run(engine, book, real_sets, stage: str, n: int, seed: int) -> None:
    shape = Shape(book, stage, real_sets[stage] or [{}])
    rules = shape.rules
    gen = Generator(shape, seed)
    failures: list[str] = []
    seen_true: set[str] = set()
    seen_false: set[str] = set()
    for i, facts in enumerate(gen.sets(n)):
        report = compare(engine, rules, stage, facts, f"fact set #{i} (seed {seed})")
        if report:
            failures.append(report)
            if len(failures) >= 10:
                break
        else:
            fired = python_opinion(rules, facts)
            seen_true |= fired
            seen_false |= {r.id for r in rules} - fired
    assert not failures, f"{len(failures)} disagreement(s) (first 10 shown):\n" + "\n".join(failures)
    # the generator must actually exercise the rules: each should both fire and not fire somewhere
    ids = {r.id for r in rules}
    never = sorted(ids - seen_true)
    always = sorted(ids - seen_false)
    exercised = len(ids - set(never) - set(always)) / len(ids)
    print(f"\n{stage}: {n} fact sets, {len(ids)} rules; exercised both ways {exercised:.0%}; "
          f"never fired {never}; always fired {always}")
    assert exercised >= 0.9, f"the generator exercises too few {stage} rules: never {never}, always {always}"


# --------------------------------------------------------------------------- tests

@pytest.mark.parametrize("stage", STAGES)
def test_engine_agrees_with_python_on_generated_fact_sets(engine, book, real_sets, stage):
    _run(engine, book, real_sets, stage, DEFAULT_N, SEED + STAGES.index(stage))


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_engine_agrees_with_python_on_many_generated_fact_sets(request, engine, book, real_sets, stage):
    if not slow_enabled(request.config):
        pytest.skip("slow: run with --run-slow (or LANDAPPROVAL_SLOW=1)")
    _run(engine, book, real_sets, stage, SLOW_N, SEED + 100 + STAGES.index(stage))


def test_every_case_file_is_found():
    names = {p.name for p in case_files()}
    assert "complete-approvable.yaml" in names and len(names) >= 10


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)))
def test_engine_agrees_with_python_on_case_files(engine, book, path):
    for layers in [None] + ([_layers_for(path)] if _layers_for(path) else []):
        decision = api.evaluate(path, layers=layers)
        for stage in STAGES:
            expected = set()
            for facts in _fact_sets(decision, stage):
                report = compare(engine, book.stage(stage), stage, facts, f"{path.name} layers={layers}")
                assert report is None, report
                expected |= python_opinion(book.stage(stage), facts)
            # and the decision itself was built from exactly those rules
            in_decision = [r for r in decision.fired if r in {x.id for x in book.stage(stage)}]
            assert set(in_decision) == expected, path


def test_generated_values_have_the_catalogue_types(book, real_sets):
    """The generator itself: every value is of its fact's type, unknown numbers travel as None + flag."""
    for stage in STAGES:
        gen = Generator(Shape(book, stage, real_sets[stage]), SEED)
        for facts in gen.sets(500):
            for name, value in facts.items():
                base = _base(name, book.catalogue)
                meta = book.catalogue[base]
                if name != base:
                    assert isinstance(value, bool) and meta.get("may_be_unknown")
                    assert (facts[base] is None) == (value is False)
                elif meta["type"] == "bool":
                    assert value in (True, False, UNKNOWN)
                elif meta["type"] == "enum":
                    assert value in set(meta["values"]) | {UNKNOWN}
                elif meta["type"] in NUMERIC:
                    assert value is None or (type(value) is int and value >= 0)
                    if meta.get("may_be_unknown"):
                        assert known_key(base) in facts
