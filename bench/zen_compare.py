#!/usr/bin/env python3
"""GoRules ZEN's routing-only rate beside landapproval's full-evaluation rate, from one run.

    .venv/bin/python bench/zen_compare.py                 # ~30 s: 5 interleaved rounds
    .venv/bin/python bench/zen_compare.py --seconds 8     # shorter (bench/run.py --quick)
    .venv/bin/python bench/zen_compare.py --n 5000        # exactly 5,000 calls per phase and round
    .venv/bin/python bench/zen_compare.py --json zen.json # also write the figures as JSON

The corpus is every example case, cases/*.yaml and cases/review/*.yaml (not cases/gis), each read
once with the project's safe reader (`landapproval.read_case_text`) into a plain dict.

ZEN side (routing only): a JSON decision model, built below, with two decision tables
("hitPolicy": "first") that reproduce rules/authority.yaml's tables `conversion` and
`expropriation` rule for rule (the ids are checked against the file). Its input per case is a small
object of routing facts (kind, county delegated, as-of day, within the construction-land scale,
zone level, areas in whole square metres, the thresholds in force), computed once per case OUTSIDE
the timed loop; only ZEN's evaluate call is timed, in two ways (zen-engine's Python API has both):
  - `engine.evaluate(key, input)`, the engine's loader returning the model compiled once
    (`zen.ZenDecisionContent`): ZEN's fast path, the figure the goal is read against;
  - `decision.evaluate(input)` on `engine.create_decision(json)`: in zen-engine 2.1.3 this call
    starts a fresh async runtime each time (strace: it reads the cgroup CPU quota, creates an
    epoll instance and spawns threads, two per call on a 2-CPU VM), about 10x slower; shown for
    reference.

landapproval side (the whole work each call, from the plain dict): `landapproval.evaluate(dict)` —
validation, county/zone/date resolution, authority (stage 1), C1–C8 and S1–S6 (stage 2) — and
`decision.to_dict("zh")`, where the findings' figures are computed. A second row times
`evaluate(dict)` alone.

Before timing, every case is decided by both: ZEN's level, mode and rule must equal
landapproval's `decision.conversion` / `decision.expropriation` (None where not involved); any
mismatch is printed and the script exits 2 without timing (both ZEN calls are checked). The
phases run in interleaved rounds (ZEN fast path, ZEN decision.evaluate, full, evaluate-only; the
next round in reverse order), so other load on the machine hits all of them alike; the table gives
the median and the best round of each.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import functools
import gc
import json
import os
import platform
import re
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import landapproval  # noqa: E402  (only names the package root exports)
import zen  # noqa: E402

RULES = Path(os.environ.get("LANDAPPROVAL_RULES") or ROOT / "rules")
DEFAULT_SECONDS = 18.0   # measured time of a default run (+ ~2 s of reading, checking, warm-up)
ZONES_IN_SCOPE = ("none", "county", "municipal")   # authority.yaml delegated_scope: zone_level in [...]
MODEL_KEY = "linfen-routing.json"   # the name the engine's loader knows the model by


def log(message: str) -> None:
    print(f"[zen_compare] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- corpus

def corpus_paths() -> list[Path]:
    return sorted(ROOT.glob("cases/*.yaml")) + sorted(ROOT.glob("cases/review/*.yaml"))


def read(path: Path) -> dict:
    return landapproval.read_case_text(path.read_bytes(), source=str(path.relative_to(ROOT)))


# --------------------------------------------------------------------------- the ZEN model

def _day(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _m2(hectares) -> int:
    """Hectares (at most 4 decimals) as whole square metres, as landapproval's facts do."""
    return int(Decimal(str(hectares)).scaleb(4))


def _in_force(parameter: dict, day: dt.date):
    """The value of a dated parameter (rules/parameters.yaml) in force on `day`, or None."""
    current = None
    for start, entry in sorted(((_day(k), v) for k, v in parameter["values"].items()), key=lambda kv: kv[0]):
        if start <= day:
            current = entry["value"]
    return current


class RoutingData:
    """rules/jurisdiction.yaml and rules/parameters.yaml, read with the same safe reader."""

    def __init__(self) -> None:
        jur = landapproval.read_case_text((RULES / "jurisdiction.yaml").read_bytes(), source="rules/jurisdiction.yaml")
        self.parameters = landapproval.read_case_text((RULES / "parameters.yaml").read_bytes(),
                                                      source="rules/parameters.yaml")
        self.counties: dict[str, dict] = {}
        for c in jur["counties"]:
            for key in (str(c["code"]), c["name"], c["short"], c["pinyin"].lower()):
                self.counties[key] = c
        self.zones = {name: z for z in jur["zones"] for name in (z["name"], *z.get("aliases", ()))}
        starts = self.parameters["delegation_start"]["values"]
        self.delegation_start = _day(next(iter(starts.values()))["value"])

    def county(self, text: str) -> dict:
        key = str(text).strip()
        return self.counties.get(key) or self.counties[key.lower().replace(" ", "")]

    def routing_input(self, case) -> dict:
        """The ZEN input of a validated case (`landapproval.validate`): what the routing reads."""
        zone = case.scope.development_zone
        if zone is None:
            zone_level = "none"
        elif isinstance(zone, str):
            zone_level = self.zones[zone.strip()]["level"]
        else:   # declared {name, level}
            zone_level = zone.level
        as_of = case.workflow.decided_on or case.filed_on or dt.date.today()
        conv = dict(agricultural=0, pbf=0)
        expr = dict(cultivated=0, other=0, pbf=0)
        for parcel in case.parcels:
            land = parcel.land
            conv["agricultural"] += _m2(land.permanent_basic_farmland + land.cultivated + land.other_agricultural)
            conv["pbf"] += _m2(land.permanent_basic_farmland)
            if case.expropriates(parcel):
                expr["cultivated"] += _m2(land.cultivated)
                expr["other"] += _m2(land.other_agricultural + land.construction + land.unused)
                expr["pbf"] += _m2(land.permanent_basic_farmland)
        return {
            "kind": case.kind,
            "county_delegated": bool(self.county(case.county)["delegated"]),
            "as_of_day": as_of.toordinal(),
            "within_construction_scale": bool(case.scope.within_construction_scale),
            "zone_level": zone_level,
            "conversion_agricultural_m2": conv["agricultural"],
            "conversion_pbf_m2": conv["pbf"],
            "expropriation_total_m2": expr["cultivated"] + expr["other"] + expr["pbf"],
            "expropriation_pbf_m2": expr["pbf"],
            "expropriation_cultivated_m2": expr["cultivated"],
            "expropriation_other_m2": expr["other"],
            "threshold_cultivated_m2": _m2(_in_force(self.parameters["expropriation_cultivated_threshold_ha"], as_of)),
            "threshold_other_m2": _m2(_in_force(self.parameters["expropriation_other_threshold_ha"], as_of)),
        }


# Columns: (column id, input field). A cell is a ZEN unary test against the column's value ("" = any).
COLUMNS = [("kind", "kind"), ("county_delegated", "county_delegated"), ("in_force", "as_of_day"),
           ("within_scale", "within_construction_scale"), ("zone_level", "zone_level")]


def _scope(kind: str, start_day: int) -> dict:
    """authority.yaml `ref: delegated_scope` (with the case kind) as cells."""
    return {"kind": f'"{kind}"', "county_delegated": "true", "in_force": f">= {start_day}",
            "within_scale": "true", "zone_level": ", ".join(f'"{z}"' for z in ZONES_IN_SCOPE)}


def tables(start_day: int) -> dict[str, tuple[list, list]]:
    """The two tables of rules/authority.yaml, rule for rule, in order: {name: (columns, rules)}.
    A rule is (id, {column: cell}, level, mode); the first rule that holds decides."""
    sc = ("state_council", "statutory")
    conversion = (COLUMNS + [("agricultural", "conversion_agricultural_m2"), ("pbf", "conversion_pbf_m2")], [
        ("conversion.none", {"agricultural": "0"}, None, None),
        ("conversion.state_council.permanent_basic_farmland", {"pbf": "> 0"}, *sc),
        ("conversion.county.village_housing", _scope("village_housing", start_day), "county", "authorized"),
        ("conversion.city.batch", _scope("batch", start_day), "city", "authorized"),
        ("conversion.province.within_scale", {"within_scale": "true"}, "province", "statutory"),
        ("conversion.province.outside_scale", {"within_scale": "false"}, "province", "statutory"),
    ])
    expropriation = (COLUMNS + [("total", "expropriation_total_m2"), ("pbf", "expropriation_pbf_m2"),
                                ("cultivated", "expropriation_cultivated_m2"), ("other", "expropriation_other_m2"),
                                ("conversion_pbf", "conversion_pbf_m2")], [
        ("expropriation.none", {"total": "0"}, None, None),
        ("expropriation.state_council.permanent_basic_farmland", {"pbf": "> 0"}, *sc),
        ("expropriation.state_council.cultivated_over_threshold", {"cultivated": "> threshold_cultivated_m2"}, *sc),
        ("expropriation.state_council.other_over_threshold", {"other": "> threshold_other_m2"}, *sc),
        ("expropriation.state_council.with_conversion", {"conversion_pbf": "> 0"}, *sc),
        ("expropriation.city.entrusted", {**_scope("batch", start_day), "cultivated": "<= threshold_cultivated_m2",
                                          "other": "<= threshold_other_m2"}, "city", "entrusted"),
        ("expropriation.province.statutory", {}, "province", "statutory"),
    ])
    return {"conversion": conversion, "expropriation": expropriation}


def check_against_authority_yaml(model_tables: dict) -> None:
    """The ZEN tables must list rules/authority.yaml's rules, in its order; else it has changed."""
    book = landapproval.read_case_text((RULES / "authority.yaml").read_bytes(), source="rules/authority.yaml")
    for name, (_, rules) in model_tables.items():
        want = [r["id"] for r in book["decisions"][name]["rules"]]
        have = [r[0] for r in rules]
        if want != have:
            raise SystemExit(f"rules/authority.yaml table {name} is now {want}; the ZEN model in "
                             f"bench/zen_compare.py has {have}: update tables()")


def jdm(model_tables: dict) -> dict:
    """A JSON Decision Model: input -> both decision tables -> output."""
    nodes = [{"id": "request", "type": "inputNode", "name": "routing facts", "position": {"x": 0, "y": 0}},
             {"id": "response", "type": "outputNode", "name": "approvers", "position": {"x": 600, "y": 0}}]
    edges = []
    for i, (name, (columns, rules)) in enumerate(model_tables.items()):
        outputs = [{"id": f"{name}.{f}", "name": f, "field": f"{name}.{f}", "type": "expression"}
                   for f in ("level", "mode", "rule")]
        rows = []
        for rule_id, cells, level, mode in rules:
            row = {"_id": rule_id, **{cid: cells.get(cid, "") for cid, _ in columns}}
            row[f"{name}.level"] = json.dumps(level)   # null or "city" …: ZEN expressions
            row[f"{name}.mode"] = json.dumps(mode)
            row[f"{name}.rule"] = json.dumps(rule_id)
            rows.append(row)
        nodes.append({"id": name, "type": "decisionTableNode", "name": name, "position": {"x": 300, "y": 150 * i},
                      "content": {"hitPolicy": "first",
                                  "inputs": [{"id": cid, "name": cid, "field": field, "type": "expression"}
                                             for cid, field in columns],
                                  "outputs": outputs, "rules": rows}})
        edges += [{"id": f"in-{name}", "type": "edge", "sourceId": "request", "targetId": name},
                  {"id": f"{name}-out", "type": "edge", "sourceId": name, "targetId": "response"}]
    return {"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}


# --------------------------------------------------------------------------- correctness

def route(authority) -> tuple:
    return (authority.level, authority.mode, authority.rule) if authority else (None, None, None)


def zen_route(result: dict, name: str) -> tuple:
    out = result["result"].get(name) or {}
    level = out.get("level")
    return (level, out.get("mode"), out.get("rule") if level else None)


def compare(names: list[str], decisions: list, zen_results: list[dict]) -> list[str]:
    problems = []
    for name, decision, result in zip(names, decisions, zen_results):
        for table in ("conversion", "expropriation"):
            want, got = route(getattr(decision, table)), zen_route(result, table)
            if want != got:
                problems.append(f"{name}: {table}: landapproval {want}, ZEN {got}")
    return problems


# --------------------------------------------------------------------------- timing

def timed(fn, items: list) -> tuple[float, float]:
    """Wall and CPU seconds of fn(item) over items."""
    gc.collect()
    clock, cpu_clock = time.perf_counter, time.process_time
    cpu, start = cpu_clock(), clock()
    for item in items:
        fn(item)
    return clock() - start, cpu_clock() - cpu


def cycle(items: list, n: int) -> list:
    return [items[i % len(items)] for i in range(n)]


def zen_performance_us(text: str) -> float:
    """ZEN's own 'performance' field ('23.4µs', '1.2ms', '651.0ns') in microseconds."""
    m = re.fullmatch(r"([\d.]+)\s*(ns|µs|us|ms|s)", text.strip())
    if not m:
        return float("nan")
    scale = {"ns": 1e-3, "µs": 1.0, "us": 1.0, "ms": 1e3, "s": 1e6}[m.group(2)]
    return float(m.group(1)) * scale


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    size = ap.add_mutually_exclusive_group()
    size.add_argument("--seconds", type=float, default=DEFAULT_SECONDS,
                      help=f"measured time in all, split over the rounds and phases (default {DEFAULT_SECONDS:g})")
    size.add_argument("--n", type=int, help="calls per phase and round (rounded up to whole passes over the corpus)")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE")
    ap.add_argument("--dump-model", metavar="FILE", help="write the ZEN decision model (JDM JSON) to FILE")
    args = ap.parse_args()
    started = time.perf_counter()
    load_start = Path("/proc/loadavg").read_text().split()[:3]

    # corpus: plain dicts, read once; evaluate() does not change them (checked below)
    paths = corpus_paths()
    names = [str(p.relative_to(ROOT)) for p in paths]
    data = [read(p) for p in paths]
    if len(data) < 25:
        log(f"only {len(data)} cases under cases/ and cases/review/: the comparison needs >= 25")
        return 3
    pristine = copy.deepcopy(data)

    # ZEN: the model, checked against rules/authority.yaml; its inputs, computed once per case
    routing = RoutingData()
    model_tables = tables(routing.delegation_start.toordinal())
    check_against_authority_yaml(model_tables)
    model = jdm(model_tables)
    if args.dump_model:
        Path(args.dump_model).write_text(json.dumps(model, indent=2, ensure_ascii=False), encoding="utf-8")
    content = zen.ZenDecisionContent(json.dumps(model))   # parsed and compiled once
    engine = zen.ZenEngine({"loader": lambda key: content if key == MODEL_KEY else None})
    zen_fast = functools.partial(engine.evaluate, MODEL_KEY)
    decision = zen.ZenEngine().create_decision(json.dumps(model))
    inputs = [routing.routing_input(landapproval.validate(copy.deepcopy(d), source=n)) for d, n in zip(data, names)]

    # correctness first: the same routing for every case, or no figures
    decisions = [landapproval.evaluate(d) for d in data]
    problems = compare(names, decisions, [zen_fast(i) for i in inputs])
    problems += [f"(decision.evaluate) {p}" for p in compare(names, decisions, [decision.evaluate(i) for i in inputs])]
    if data != pristine:
        problems.append("landapproval.evaluate changed its input dicts: time it on copies")
    routes = {(route(d.conversion)[:2], route(d.expropriation)[:2]) for d in decisions}
    log(f"{len(data)} cases, {len(routes)} distinct routes, {len(problems)} routing mismatches")
    if problems:
        for p in problems:
            print("MISMATCH " + p)
        print(f"routing mismatches: {len(problems)} of {4 * len(data)} table decisions (2 tables x 2 ZEN calls): "
              "no figures (exit 2)")
        return 2

    def run_full(d, ev=landapproval.evaluate):
        ev(d).to_dict("zh")

    # the ZEN calls and the bare evaluate are timed as they are (no wrapper around them)
    phases = {"zen": (zen_fast, inputs), "zen_decision": (decision.evaluate, inputs),
              "full": (run_full, data), "bare": (landapproval.evaluate, data)}

    # warm-up, and per-call estimates to size the phases
    per_call = {}
    for key, (fn, items) in phases.items():
        fn_items = cycle(items, 3 * len(items))
        timed(fn, fn_items)
        wall, _ = timed(fn, fn_items)
        per_call[key] = wall / len(fn_items)
    count = {}
    for key in phases:
        if args.n:
            n = args.n
        else:
            n = args.seconds / (args.rounds * len(phases)) / per_call[key]
        passes = max(1, -(-int(n) // len(data)))
        count[key] = passes * len(data)   # whole passes: every case weighs the same
    log("calls per phase and round: " + ", ".join(f"{k} {v:,}" for k, v in count.items()))

    rounds: dict[str, list[dict]] = {k: [] for k in phases}
    order = list(phases)
    for r in range(args.rounds):
        for key in (order if r % 2 == 0 else order[::-1]):
            fn, items = phases[key]
            batch = cycle(items, count[key])
            wall, cpu = timed(fn, batch)
            rounds[key].append({"n": len(batch), "wall_s": wall, "cpu_s": cpu,
                                "per_s": len(batch) / wall, "per_cpu_s": len(batch) / cpu if cpu else 0.0})
        log(f"round {r + 1}/{args.rounds}: " + ", ".join(f"{k} {rounds[k][-1]['per_s']:,.0f}/s" for k in order))

    # ZEN's own time per evaluation, from its 'performance' field (not timed by us)
    own = [zen_performance_us(zen_fast(i)["performance"]) for i in cycle(inputs, 20 * len(inputs))]
    own_decision = [zen_performance_us(decision.evaluate(i)["performance"]) for i in cycle(inputs, 20 * len(inputs))]

    def summary(key: str) -> dict:
        rs = rounds[key]
        return {"calls_per_round": count[key], "rounds_per_s": [x["per_s"] for x in rs],
                "median_per_s": statistics.median(x["per_s"] for x in rs), "best_per_s": max(x["per_s"] for x in rs),
                "median_per_cpu_s": statistics.median(x["per_cpu_s"] for x in rs),
                "best_per_cpu_s": max(x["per_cpu_s"] for x in rs)}

    fig = {
        "cases": len(data), "routes": len(routes), "mismatches": 0, "rounds": args.rounds,
        "zen": summary("zen"), "zen_decision": summary("zen_decision"),
        "full": summary("full"), "bare": summary("bare"),
        "zen_own_median_us": statistics.median(own), "zen_decision_own_median_us": statistics.median(own_decision),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "zen_engine": _version("zen-engine"), "nproc": os.cpu_count(),
        "loadavg_start": load_start, "loadavg_end": Path("/proc/loadavg").read_text().split()[:3],
    }
    for key in ("full", "bare"):
        fig[key]["ratio_median"] = fig[key]["median_per_s"] / fig["zen"]["median_per_s"]
        fig[key]["ratio_best"] = fig[key]["best_per_s"] / fig["zen"]["best_per_s"]
        fig[key]["ratio_per_cpu_s"] = fig[key]["median_per_cpu_s"] / fig["zen"]["median_per_cpu_s"]
        fig[key]["ratio_median_vs_decision"] = fig[key]["median_per_s"] / fig["zen_decision"]["median_per_s"]
    fig["seconds"] = time.perf_counter() - started

    print(table(fig))
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=2), encoding="utf-8")
    return 0


def _version(dist: str) -> str:
    try:
        from importlib.metadata import version
        return version(dist)
    except Exception:
        return "?"


def table(fig: dict) -> str:
    z, zd, f, b = fig["zen"], fig["zen_decision"], fig["full"], fig["bare"]

    def rate(label: str, x: dict) -> tuple[str, str, str]:
        return (label, f"{x['median_per_s']:,.0f}",
                f"best {x['best_per_s']:,.0f}; {x['median_per_cpu_s']:,.0f}/CPU-s; {x['calls_per_round']:,} calls/round")

    rows = [
        ("corpus (cases/*.yaml, cases/review/*.yaml)", f"{fig['cases']} cases", "plain dicts, read once"),
        ("distinct routes (conversion, expropriation)", f"{fig['routes']}", ""),
        ("routing mismatches ZEN vs landapproval", f"{fig['mismatches']}",
         "level, mode and rule of both tables, both ZEN calls"),
        ("", "median/s", f"best of {fig['rounds']} interleaved rounds; per CPU-second (median)"),
        rate("ZEN routing only: engine.evaluate(key, input)", z),
        rate("ZEN routing only: decision.evaluate(input)", zd),
        rate("landapproval full: evaluate(dict) + to_dict('zh')", f),
        rate("landapproval evaluate(dict) alone", b),
        ("ratio full / ZEN engine.evaluate (median)", f"{f['ratio_median']:.2f}x",
         ("met" if f["ratio_median"] >= 1.0 else "NOT MET") + f": goal >= 1.0x; best/best {f['ratio_best']:.2f}x, "
         f"per CPU-s {f['ratio_per_cpu_s']:.2f}x"),
        ("ratio full / ZEN decision.evaluate (median)", f"{f['ratio_median_vs_decision']:.2f}x",
         "against ZEN's slow per-call path (a new runtime each call)"),
        ("ratio evaluate alone / ZEN engine.evaluate", f"{b['ratio_median']:.2f}x",
         f"vs decision.evaluate {b['ratio_median_vs_decision']:.2f}x"),
        ("ZEN's own time per evaluation ('performance')", f"{fig['zen_own_median_us']:.1f} us",
         f"median, engine.evaluate; decision.evaluate reports {fig['zen_decision_own_median_us']:.1f} us"),
        ("zen-engine / Python / CPUs", f"{fig['zen_engine']} / {fig['python']} / {fig['nproc']}", ""),
        ("load average (start -> end)", f"{' '.join(fig['loadavg_start'])} -> {' '.join(fig['loadavg_end'])}",
         "other work on the machine skews every figure"),
    ]
    w0 = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows if len(r[1]) <= 16)
    lines = [f"{name:<{w0}}  {value:>{w1}}  {note}".rstrip() for name, value, note in rows]
    lines.append(f"(bench/zen_compare.py: {fig['seconds']:.0f} s; rates are calls per wall-clock second)")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
