"""One `Law` per rules folder: two laws live side by side in one process without touching each other."""

from __future__ import annotations

import datetime as dt
import shutil
import threading
from pathlib import Path

import yaml

import landapproval
from landapproval.law import Law
from landapproval.law.jurisdiction import default_rules_dir

ROOT = Path(__file__).resolve().parents[2]
NEAR = ROOT / "cases" / "city-entrusted-near-threshold.yaml"  # 34.9899 ha of cultivated land expropriated


def _stricter_law(tmp_path: Path) -> Law:
    """rules/ copied, with the cultivated-land threshold of LAL Art. 46 lowered to 30 ha from 2020."""
    folder = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), folder)
    params = yaml.safe_load((folder / "parameters.yaml").read_text(encoding="utf-8"))
    params["expropriation_cultivated_threshold_ha"]["values"][dt.date(2020, 1, 1)]["value"] = 30
    (folder / "parameters.yaml").write_text(yaml.safe_dump(params, allow_unicode=True), encoding="utf-8")
    return Law.from_dir(folder)


def test_two_laws_decide_side_by_side(tmp_path):
    stricter, shipped = _stricter_law(tmp_path), Law.default()
    assert stricter.fingerprint != shipped.fingerprint
    for _ in range(3):  # interleaved: neither law's engine, book or texts leak into the other
        city = landapproval.evaluate(NEAR, law=shipped)
        state = landapproval.evaluate(NEAR, law=stricter)
        assert (city.expropriation.level, city.expropriation.mode) == ("city", "entrusted")
        assert state.expropriation.level == "state_council"
        assert city.law["rules_sha256"] == shipped.fingerprint
        assert state.law["rules_sha256"] == stricter.fingerprint
        # each law's texts name its own threshold
        assert "30" in " ".join(state.expropriation.reasons[0].values())
    assert landapproval.evaluate(NEAR).expropriation.level == "city"  # the default law is untouched


def test_two_laws_in_threads_at_once(tmp_path):
    stricter, shipped = _stricter_law(tmp_path), Law.default()
    wrong: list[str] = []

    def run(law: Law, level: str) -> None:
        for _ in range(50):
            got = landapproval.evaluate(NEAR, law=law).expropriation.level
            if got != level:
                wrong.append(got)

    threads = [threading.Thread(target=run, args=(shipped, "city")),
               threading.Thread(target=run, args=(stricter, "state_council"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []


def test_default_law_is_built_once():
    assert Law.default() is Law.default()
