#!/usr/bin/env python3
"""One command for every performance figure of landapproval; prints one table.

    .venv/bin/python bench/run.py            # full: N=10,000, memory over 100,000 evaluations
    .venv/bin/python bench/run.py --quick    # ~1 min: smaller N, smaller geometry and HTTP runs
    .venv/bin/python bench/run.py --json figures.json   # also write the figures as JSON

What it measures (bench/README.md says what each figure means):
  machine       nproc, CPU model, Python, git commit, load average before and after
  throughput    landapproval.evaluate(dict) of cases/review/complete-approvable.yaml (read once):
                evaluations/s, p50/p99 latency; then 2 processes, each with its own engine
  breakdown     the same evaluation cut into its parts (validation, engine stages, JSON)
  profile       cProfile over 2,000 evaluations: top 10 functions by own time, and own time by package
  cold start    a whole `landapproval evaluate` process (median of 10); heavy imports after it
  geometry      bench/geo_overlay.py (1,000 parcels x 200,000 PBF polygons, index vs naive)
  HTTP          bench/http_load.py when present
  ZEN           bench/zen_compare.py: GoRules ZEN's routing-only rate beside the full evaluation, same corpus
  memory        RSS before/after 100,000 evaluations (--quick: 20,000) in a fresh process
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import multiprocessing as mp
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CASE = ROOT / "cases" / "review" / "complete-approvable.yaml"
HEAVY = ("shapely", "pyproj", "pyogrio", "numpy", "fastapi", "starlette", "uvicorn", "jinja2", "httpx", "pandas")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- helpers

def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


def pct(sorted_values: list[float], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))]


def load_case() -> dict:
    from landapproval.core.reader import read_document
    return read_document(CASE)


def timed_evaluations(data: dict, n: int, warmup: int) -> dict:
    """n full evaluations of `data`, each timed; evaluations/s over the whole loop."""
    import landapproval

    for _ in range(warmup):
        landapproval.evaluate(data)
    lat = [0.0] * n
    clock = time.perf_counter
    gc.collect()
    cpu = time.process_time()
    start = clock()
    for i in range(n):
        t = clock()
        landapproval.evaluate(data)
        lat[i] = clock() - t
    total = clock() - start
    cpu = time.process_time() - cpu
    lat.sort()
    # per CPU-second: what one core does when nothing else competes for it (wall-clock figures
    # drop when other work shares the machine; this one much less)
    return {"n": n, "seconds": total, "cpu_seconds": cpu, "per_s": n / total, "per_cpu_s": n / cpu if cpu else 0.0,
            "p50_ms": pct(lat, 50) * 1e3, "p99_ms": pct(lat, 99) * 1e3, "max_ms": lat[-1] * 1e3,
            "start": start, "end": start + total, "latencies": lat}


def cli_command() -> list[str]:
    script = Path(sys.executable).parent / "landapproval"
    if script.exists():
        return [str(script)]
    found = shutil.which("landapproval")
    return [found] if found else [sys.executable, "-m", "landapproval.cli"]


# --------------------------------------------------------------------------- sections

def machine() -> dict:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        nproc = str(len(os.sched_getaffinity(0)))
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                           cwd=ROOT).stdout.strip()
    versions = {}
    for dist in ("durable-rules", "pydantic", "pydantic-core", "PyYAML", "click"):
        try:
            from importlib.metadata import version
            versions[dist] = version(dist)
        except Exception:
            versions[dist] = "?"
    import yaml
    return {"nproc": nproc, "cpu": model, "python": platform.python_version(),
            "python_impl": f"{platform.python_implementation()} {sys.version.split()[0]} ({platform.machine()})",
            "git": rev + (" +uncommitted changes" if dirty else ""), "versions": versions,
            "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3]}


def throughput(n: int, rounds: int = 5) -> dict:
    """n evaluations as `rounds` back-to-back rounds: the figures are over all n; the best round is
    reported beside them (the one least disturbed by other work on the machine)."""
    log(f"throughput: {n:,} evaluations in this process")
    data = load_case()
    parts = [timed_evaluations(data, n // rounds, warmup=min(1_000, n // 5) if i == 0 else 0) for i in range(rounds)]
    lat = sorted(x for p in parts for x in p["latencies"])
    seconds = sum(p["seconds"] for p in parts)
    cpu = sum(p["cpu_seconds"] for p in parts)
    return {"n": len(lat), "seconds": seconds, "per_s": len(lat) / seconds, "per_cpu_s": len(lat) / cpu,
            "p50_ms": pct(lat, 50) * 1e3, "p99_ms": pct(lat, 99) * 1e3, "max_ms": lat[-1] * 1e3,
            "rounds": [p["per_s"] for p in parts], "best_round_per_s": max(p["per_s"] for p in parts)}


def corpus_paths() -> list[Path]:
    return sorted(ROOT.glob("cases/review/*.yaml")) + sorted(ROOT.glob("cases/*.yaml"))


def corpus(n: int) -> dict:
    """Full evaluations over every example case (routes, review outcomes, findings), in turn."""
    import landapproval
    from landapproval.core.reader import read_document

    paths = corpus_paths()
    log(f"throughput: {n:,} evaluations over the {len(paths)} example cases")
    data = [read_document(p) for p in paths]
    decisions = [landapproval.evaluate(d) for d in data]
    for i in range(min(1_000, n)):
        landapproval.evaluate(data[i % len(data)])
    gc.collect()
    clock = time.perf_counter
    cpu, start = time.process_time(), clock()
    for i in range(n):
        landapproval.evaluate(data[i % len(data)])
    seconds, cpu = clock() - start, time.process_time() - cpu
    routes = {tuple((a.level, a.mode) if a else None for a in (d.conversion, d.expropriation)) for d in decisions}
    outcomes = {tuple(c.status for c in d.checks) for d in decisions}
    findings = {f.code for d in decisions for c in (*d.checks, *d.steps) for f in c.findings}
    return {"n": n, "cases": len(paths), "per_s": n / seconds, "per_cpu_s": n / cpu if cpu else 0.0,
            "routes": len(routes), "review_outcomes": len(outcomes), "finding_codes": len(findings),
            "approvable": sum(d.approvable for d in decisions)}


def yaml_read(n: int) -> dict:
    """Reading the complete example's YAML (safe loader, every refusal kept) into plain data."""
    from landapproval.core import reader as loading

    log(f"YAML: {n:,} reads of {CASE.name}")
    raw = CASE.read_bytes()
    for _ in range(200):
        loading.parse_bytes(raw, str(CASE))
    times = []
    clock = time.perf_counter
    for _ in range(n):
        t = clock()
        loading.parse_bytes(raw, str(CASE))
        times.append(clock() - t)
    times.sort()
    file_times = []
    for _ in range(max(1, n // 4)):
        t = clock()
        loading.read_document(CASE)
        file_times.append(clock() - t)
    file_times.sort()
    return {"n": n, "bytes": len(raw), "median_ms": pct(times, 50) * 1e3, "p99_ms": pct(times, 99) * 1e3,
            "file_median_ms": pct(file_times, 50) * 1e3}


def _worker(n: int, barrier, queue) -> None:
    # a spawned process: imports landapproval afresh and builds its own engine
    data = load_case()
    import landapproval
    for _ in range(500):
        landapproval.evaluate(data)
    barrier.wait()
    result = timed_evaluations(data, n, warmup=0)
    del result["latencies"]
    queue.put(result)


def parallel(n: int, processes: int = 2) -> dict:
    log(f"throughput: {processes} processes x {n:,} evaluations")
    ctx = mp.get_context("spawn")
    barrier, queue = ctx.Barrier(processes), ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(n, barrier, queue)) for _ in range(processes)]
    for w in workers:
        w.start()
    results = [queue.get(timeout=900) for _ in workers]
    for w in workers:
        w.join()
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)  # CLOCK_MONOTONIC: one clock
    total = sum(r["n"] for r in results)
    return {"processes": processes, "n_each": n, "per_s": total / wall, "seconds": wall,
            "each_per_s": [r["per_s"] for r in results], "each_per_cpu_s": [r["per_cpu_s"] for r in results],
            "p50_ms": max(r["p50_ms"] for r in results),
            "p99_ms": max(r["p99_ms"] for r in results)}


def breakdown(n: int) -> list[tuple[str, float]]:
    """Microseconds per call of each part of an evaluation (run alone, so they overlap a little)."""
    log(f"breakdown: {n:,} calls of each part")
    import landapproval
    from landapproval import api
    from landapproval.decision import facts as factlib

    data = load_case()
    model, _ = api.load_case(data)
    decision = landapproval.evaluate(model)
    law = landapproval.Law.default()
    engine, book, juris = law.engine, law.book, law.jurisdiction
    afacts, rfacts = decision.engine_facts["authority"], decision.engine_facts["review"]

    def stage_facts():
        ctx = factlib.resolve(model, juris, "bench")
        sums = factlib.totals(model)
        factlib.authority_facts(model, ctx, sums, juris)
        factlib.review_facts(model, ctx, sums, law, "city", "city")

    arules, rrules = book.stage("authority"), book.stage("review")
    parts = [
        ("full evaluate(dict)", lambda: landapproval.evaluate(data)),
        ("  validate: Case.model_validate(dict)", lambda: api.load_case(data)),
        ("  evaluate(validated model)", lambda: landapproval.evaluate(model)),
        ("    facts (resolve, totals, both stages)", stage_facts),
        (f"    engine.fire authority ({len(arules)} rules, {len(decision.engine_facts['authority'])} facts)",
         lambda: engine.fire("authority", afacts)),
        (f"    engine.fire review ({len(rrules)} rules, {len(rfacts)} facts)", lambda: engine.fire("review", rfacts)),
        ("  [not in evaluate] decision.to_dict() + json.dumps", lambda: json.dumps(decision.to_dict(), ensure_ascii=False)),
        ("  [compare] plain-Python evaluator, both stages",
         lambda: ([r for r in arules if r.condition.evaluate(afacts)], [r for r in rrules if r.condition.evaluate(rfacts)])),
    ]
    out = []
    for label, fn in parts:
        for _ in range(min(200, n)):
            fn()
        t = time.perf_counter()
        for _ in range(n):
            fn()
        out.append((label, (time.perf_counter() - t) / n * 1e6))
    return out


def profile(n: int) -> dict:
    log(f"profile: cProfile over {n:,} evaluations")
    import landapproval

    data = load_case()
    for _ in range(200):
        landapproval.evaluate(data)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        landapproval.evaluate(data)
    prof.disable()
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # own time, all functions
    rows = []
    for (file, line, func), (cc, nc, tt, ct, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:10]:
        rows.append({"function": _short(file, line, func), "calls": nc, "own_s": tt, "own_pct": tt / total * 100,
                     "cum_s": ct})
    groups: dict[str, float] = {}
    for (file, line, func), (cc, nc, tt, ct, _) in stats.stats.items():
        groups[_group(file, func)] = groups.get(_group(file, func), 0.0) + tt
    by_group = sorted(((g, t / total * 100) for g, t in groups.items()), key=lambda x: -x[1])
    # where an evaluation spends its time, by the parts of api.evaluate (cumulative, incl. callees)
    parts = {"engine.fire (both stages)": ("engine.py", "fire"),
             "api.load_case (pydantic validation of the dict)": ("api.py", "load_case"),
             "facts.resolve": ("facts.py", "resolve"),
             "facts.authority_facts": ("facts.py", "authority_facts"),
             "facts.review_facts": ("facts.py", "review_facts"),
             "api._check (C1-C8 from fired rules)": ("api.py", "_check"),
             "api._steps (S1-S6)": ("api.py", "_steps"),
             "api._decide_table (authority)": ("api.py", "_decide_table")}
    evaluate_cum = next((ct for (f, l, fn), (cc, nc, tt, ct, _) in stats.stats.items()
                         if f.endswith("landapproval/api.py") and fn == "evaluate"), total)
    cumulative = []
    for label, (file, func) in parts.items():
        ct = sum(v[3] for (f, l, fn), v in stats.stats.items() if f.endswith("landapproval/" + file) and fn == func)
        cumulative.append((label, ct / evaluate_cum * 100))
    return {"n": n, "total_own_s": total, "top": rows, "groups": by_group, "cumulative": cumulative,
            "evaluate_cum_s": evaluate_cum}


def _short(file: str, line: int, func: str) -> str:
    if file == "~":
        return func.replace("<built-in method ", "<").replace("<method ", "<")
    if "site-packages/" in file:
        file = file.split("site-packages/", 1)[1]
    elif "/landapproval/" in file:
        file = "landapproval/" + file.rsplit("/landapproval/", 1)[1]
    else:
        file = re.sub(r"^.*/python3\.\d+/", "", file)
    return f"{file}:{line}({func})"


def _group(file: str, func: str) -> str:
    if file == "~":
        if "durable_rules_engine" in func or any(k in func for k in ("assert_fact", "delete_state", "update_state",
                                                                      "start_action", "complete_and_start")):
            return "durable_rules C core"
        if "pydantic_core" in func or "validate_python" in func:
            return "pydantic-core (Rust)"
        if "json" in func or "encode" in func:
            return "json (C)"
        return "other built-ins"
    if "/landapproval/" in file:
        return "landapproval/" + file.rsplit("/landapproval/", 1)[1].split("/")[0]
    if "site-packages/" in file:
        return file.split("site-packages/", 1)[1].split("/")[0]
    return "stdlib:" + Path(file).stem


def cold_start(runs: int = 10) -> dict:
    log(f"cold start: {runs} whole processes")
    cmd = cli_command() + ["evaluate", str(CASE)]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        proc = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        if proc.returncode not in (0, 1):
            raise SystemExit(f"cold start: {' '.join(cmd)} failed: {proc.stderr.decode()}")
    bare = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        bare.append(time.perf_counter() - t)
    # heavy modules left in sys.modules after a real evaluate
    probe = ("import sys, json, time\nt0 = time.perf_counter()\nfrom landapproval.cli import main\n"
             "t1 = time.perf_counter()\n"
             "try:\n    main(['evaluate', sys.argv[1], '--format', 'json'], standalone_mode=False)\n"
             "except SystemExit:\n    pass\n"
             "t2 = time.perf_counter()\n"
             f"print(json.dumps({{'heavy': [m for m in {HEAVY!r} if m in sys.modules], 'modules': len(sys.modules), "
             "'import_s': t1 - t0, 'first_evaluate_s': t2 - t1}), file=sys.stderr)")
    proc = subprocess.run([sys.executable, "-c", probe, str(CASE)], cwd=ROOT, capture_output=True, text=True)
    loaded = json.loads(proc.stderr.strip().splitlines()[-1])
    # where the import time goes
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "landapproval.cli", "evaluate", str(CASE)],
                          cwd=ROOT, capture_output=True, text=True)
    top = []
    for line in proc.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m and len(m.group(3)) <= 1:  # top-level imports only
            top.append((int(m.group(2)) / 1e6, m.group(4)))
    top.sort(reverse=True)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times),
            "python_bare_s": statistics.median(bare), "heavy": loaded["heavy"], "modules": loaded["modules"],
            "import_s": loaded["import_s"], "first_evaluate_s": loaded["first_evaluate_s"],
            "import_top": top[:6], "import_total_s": sum(t for t, _ in top)}


def geometry(quick: bool) -> dict:
    script = ROOT / "bench" / "geo_overlay.py"
    if not script.exists():
        return {"available": False}
    args = ["--parcels", "250", "--polygons", "50000", "--naive-sample", "2"] if quick else []
    log("geometry: bench/geo_overlay.py " + " ".join(args))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    out = {"available": True, "args": " ".join(args) or "(defaults)", "ok": proc.returncode == 0,
           "seconds": time.perf_counter() - t, "lines": proc.stdout.strip().splitlines(),
           "error": proc.stderr.strip()[-800:] if proc.returncode else ""}
    text = proc.stdout
    patterns = {
        "layer": r"layer: (.+)",
        "index_build_s": r"index build \(STRtree, [\d,]+ polygons\): ([\d.]+) s",
        "indexed_parcels_per_s": r"indexed measure\(\): .* = ([\d,]+) parcels/s",
        "indexed_total_s": r"indexed measure\(\): [\d,]+ parcels in ([\d.]+) s",
        "naive_s_per_parcel": r"naive loop \(no index\): ([\d.]+) s per parcel",
        "naive_extrapolated_min": r"extrapolated to [\d,]+ parcels: ([\d.]+) min",
        "brute_ms_per_parcel": r"vectorised brute force \(no index\): ([\d,]+) ms per parcel",
        "speedup_vs_naive": r"over the naive loop: ([\d,]+)×",
        "speedup_vs_brute": r"over the vectorised brute force: ([\d,]+)×",
    }
    for key, pattern in patterns.items():
        m = re.search(pattern, text)
        out[key] = m.group(1) if m else None
    return out


def http(quick: bool) -> dict:
    script = ROOT / "bench" / "http_load.py"
    if not script.exists():
        return {"available": False}
    args = ["--json"] + (["--requests", "400", "--seconds", "15", "--warmup", "50"] if quick else [])
    log("HTTP: bench/http_load.py " + " ".join(args))
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=1800)
    out = {"available": True, "ok": proc.returncode == 0, "seconds": time.perf_counter() - t,
           "lines": proc.stdout.strip().splitlines(), "error": proc.stderr.strip()[-800:] if proc.returncode else ""}
    text = proc.stdout
    start = text.find("\n{")
    if start >= 0:
        try:
            out["figures"] = json.loads(text[start + 1:])
        except ValueError:
            pass
    head = [line for line in out["lines"] if line.startswith("POST ")]
    out["setup"] = head[0] if head else ""
    return out


def zen_compare(quick: bool) -> dict:
    """bench/zen_compare.py in its own process (it imports zen-engine); its figures from --json."""
    import tempfile
    script = ROOT / "bench" / "zen_compare.py"
    if not script.exists():
        return {"available": False}
    log("ZEN: bench/zen_compare.py" + (" --seconds 8" if quick else ""))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "zen.json"
        proc = subprocess.run([sys.executable, str(script), "--json", str(out), *(["--seconds", "8"] if quick else [])],
                              cwd=ROOT, capture_output=True, text=True, timeout=600)
        figures = json.loads(out.read_text()) if proc.returncode == 0 and out.exists() else None
    return {"available": True, "ok": figures is not None, "figures": figures,
            "error": (proc.stdout + proc.stderr).strip()[-800:] if figures is None else ""}


def _memory_child(n: int, queue) -> None:
    data = load_case()
    import landapproval
    for _ in range(2_000):
        landapproval.evaluate(data)
    gc.collect()
    before = rss_bytes()
    t = time.perf_counter()
    for _ in range(n):
        landapproval.evaluate(data)
    seconds = time.perf_counter() - t
    gc.collect()
    after = rss_bytes()
    queue.put({"n": n, "before": before, "after": after, "growth": (after - before) / before,
               "peak": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024, "per_s": n / seconds})


def memory(n: int) -> dict:
    log(f"memory: RSS before/after {n:,} evaluations in a fresh process")
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    p = ctx.Process(target=_memory_child, args=(n, queue))
    p.start()
    result = queue.get(timeout=3600)
    p.join()
    return result


# --------------------------------------------------------------------------- the table

def table(fig: dict) -> str:
    rows: list[tuple[str, str, str]] = []   # (figure, value, goal / note)

    def section(title: str) -> None:
        rows.append((f"== {title}", "", ""))

    def row(name: str, value: str, note: str = "") -> None:
        rows.append((name, value, note))

    m = fig["machine"]
    section("machine")
    row("nproc", m["nproc"])
    row("CPU", m["cpu"])
    row("Python", m["python_impl"])
    row("git HEAD", m["git"])
    row("durable-rules / pydantic / PyYAML",
        f"{m['versions']['durable-rules']} / {m['versions']['pydantic']} / {m['versions']['PyYAML']}"
        f" (libyaml {'yes' if m['libyaml'] else 'no'})")
    row("load average (start -> end)", f"{' '.join(m['loadavg'])} -> {' '.join(fig.get('loadavg_end', []))}",
        "other work on the machine skews every figure")

    t = fig["throughput"]
    section(f"in-process throughput (evaluate(dict), complete case, N={t['n']:,})")
    row("evaluations/s (1 process, wall clock)", f"{t['per_s']:,.0f}", _goal(t["per_s"] >= 3000, "goal >= 3,000/s on one core"))
    row("evaluations per CPU-second (1 process)", f"{t['per_cpu_s']:,.0f}",
        _goal(t["per_cpu_s"] >= 3000, "the same goal, less sensitive to other load"))
    row(f"best of {len(t['rounds'])} rounds of {t['n'] // len(t['rounds']):,}", f"{t['best_round_per_s']:,.0f}",
        "rounds: " + ", ".join(f"{x:,.0f}" for x in t["rounds"]))
    row("latency p50 / p99 / max", f"{t['p50_ms']:.3f} / {t['p99_ms']:.3f} / {t['max_ms']:.1f} ms")
    co = fig["corpus"]
    row(f"evaluations/s over the {co['cases']} example cases (1 process)", f"{co['per_s']:,.0f}",
        _goal(co["per_s"] >= 3000 and co["cases"] >= 25, "goal >= 3,000/s on >= 25 different cases")
        + f"; {co['routes']} routes, {co['review_outcomes']} review outcomes, {co['finding_codes']} finding codes")
    row(f"  per CPU-second", f"{co['per_cpu_s']:,.0f}")
    y = fig["yaml"]
    row(f"YAML case read, complete example ({y['bytes']:,} bytes), median", f"{y['median_ms']:.3f} ms",
        _goal(y["median_ms"] <= 0.3, "goal <= 0.3 ms, safe loader with every refusal")
        + f"; p99 {y['p99_ms']:.3f} ms; from the file {y['file_median_ms']:.3f} ms")
    p = fig["parallel"]
    row(f"evaluations/s ({p['processes']} processes, own engine each)", f"{p['per_s']:,.0f}",
        f"per process: {', '.join(f'{x:,.0f}' for x in p['each_per_s'])}; per CPU-second: "
        f"{', '.join(f'{x:,.0f}' for x in p['each_per_cpu_s'])}")
    row("scaling factor (2 processes / 1)", f"{p['per_s'] / t['per_s']:.2f}x",
        f"ideal {min(p['processes'], int(m['nproc']) if m['nproc'].isdigit() else p['processes'])}.00x on {m['nproc']} CPUs")
    row("latency p50 / p99 (2 processes, worst)", f"{p['p50_ms']:.3f} / {p['p99_ms']:.3f} ms")

    section("breakdown (us per call, each part timed alone)")
    for label, us in fig["breakdown"]:
        row(label, f"{us:,.1f} us", f"{1e6 / us:,.0f}/s")

    pr = fig["profile"]
    section(f"profile: cProfile, {pr['n']:,} evaluations, top 10 by own time (total own {pr['total_own_s']:.2f} s)")
    for r in pr["top"]:
        row(r["function"][:78], f"{r['own_pct']:.1f} %", f"{r['own_s']:.3f} s own, {r['calls']:,} calls, cum {r['cum_s']:.3f} s")
    row("own time by package:", "", "")
    for group, share in pr["groups"][:8]:
        row(f"  {group}", f"{share:.1f} %")
    row("share of evaluate() (cumulative, incl. callees):", "", "")
    for label, share in pr["cumulative"]:
        row(f"  {label}", f"{share:.1f} %")

    c = fig["cold_start"]
    section("cold start: `landapproval evaluate complete-approvable.yaml` as a whole process")
    row("wall time, median of 10", f"{c['median_s']:.3f} s", _goal(c["median_s"] < 0.5, "goal < 0.5 s")
        + f"; min {c['min_s']:.3f}, max {c['max_s']:.3f}")
    row("bare `python -c pass`, median", f"{c['python_bare_s']:.3f} s", "interpreter start-up alone")
    row("  import landapproval.cli (one probe run)", f"{c['import_s']:.3f} s")
    row("  first evaluate (rule book, engine, calendar, output)", f"{c['first_evaluate_s']:.3f} s")
    row("heavy modules imported", ", ".join(c["heavy"]) or "none",
        _goal(not c["heavy"], "none of " + "/".join(HEAVY[:6]) + "…"))
    row("modules in sys.modules after evaluate", f"{c['modules']}")
    row("-X importtime, top-level imports", f"{c['import_total_s']:.3f} s", "cumulative, incl. nested")
    for secs, name in c["import_top"]:
        row(f"  import {name}", f"{secs * 1000:.0f} ms")

    g = fig["geometry"]
    section("geometry: bench/geo_overlay.py " + (g.get("args", "") if g["available"] else ""))
    if not g["available"]:
        row("geo_overlay", "not available")
    elif not g["ok"]:
        row("geo_overlay", "FAILED", g["error"].splitlines()[-1] if g["error"] else "")
    else:
        row("data", g["layer"] or "")
        row("STRtree build", f"{g['index_build_s']} s")
        row("indexed measure()", f"{g['indexed_parcels_per_s']} parcels/s", f"{g['indexed_total_s']} s in all")
        row("naive loop, no index", f"{g['naive_s_per_parcel']} s/parcel",
            f"extrapolated {g['naive_extrapolated_min']} min for all parcels")
        row("vectorised brute force, no index", f"{g['brute_ms_per_parcel']} ms/parcel")
        row("speed-up vs naive / vs brute force", f"{g['speedup_vs_naive']}x / {g['speedup_vs_brute']}x")

    h = fig["http"]
    section("HTTP: bench/http_load.py")
    if not h["available"]:
        row("http_load", "not available")
    elif not h["ok"]:
        row("http_load", "FAILED", h["error"].splitlines()[-1] if h["error"] else "")
    else:
        if h.get("setup"):
            row("setup", h["setup"][:90])
        f = h.get("figures") or {}
        path_rate = f.get("server_path_per_s") or f.get("in_process_per_s")
        if path_rate:
            row("in-process server path (parse + evaluate + encode)", f"{path_rate:,.0f}/s",
                "the same bodies, no HTTP: what the ratios below compare with")
        levels = f.get("levels", [])
        for level in levels:
            workers = level.get("workers", 1)
            ratio = level["rps"] / path_rate if path_rate else 0
            note = (f"{ratio:.2f}x the server path; p50 {level['p50_ms']:.1f} ms, p99 {level['p99_ms']:.1f} ms, "
                    f"{level['requests']:,} req, {level['errors']} errors")
            if workers == 1 and level["clients"] == 10:
                note = _goal(ratio >= 0.6, "goal >= 0.6x the server path") + "; " + note
            if workers == 2 and level["clients"] == 100:
                note = _goal(level["p99_ms"] < 100, "goal p99 < 100 ms") + "; " + note
            row(f"{workers} worker(s), {level['clients']} client(s)", f"{level['rps']:,.0f} req/s", note)
        one = {lv.get("workers", 1): lv for lv in levels if lv["clients"] == 1}
        if 1 in one and 2 in one:
            row("one keep-alive client: 2 workers / 1 worker, p50", f"{one[2]['p50_ms'] / one[1]['p50_ms']:.2f}x",
                _goal(one[2]["p50_ms"] < 2 * one[1]["p50_ms"] + 1, "same latency as one worker (TCP_NODELAY kept)"))
        if not f:
            for line in h["lines"][-6:]:
                row("  " + line[:90], "")

    zc = fig["zen"]
    section("GoRules ZEN vs landapproval: bench/zen_compare.py (same corpus, interleaved rounds, medians)")
    if not zc["available"] or not zc["ok"]:
        error = zc.get("error", "").splitlines()
        row("zen_compare", "FAILED" if zc["available"] else "not available", error[-1] if error else "")
    else:
        z = zc["figures"]
        row(f"ZEN routing only, engine.evaluate ({z['cases']} cases, {z['routes']} routes)",
            f"{z['zen']['median_per_s']:,.0f}/s", f"decision.evaluate: {z['zen_decision']['median_per_s']:,.0f}/s; "
            f"{z['mismatches']} routing mismatches")
        row("landapproval full: evaluate(dict) + to_dict", f"{z['full']['median_per_s']:,.0f}/s",
            _goal(z["full"]["ratio_median"] >= 1.0, f"goal >= 1.0x ZEN: {z['full']['ratio_median']:.2f}x") +
            f"; {z['full']['ratio_median_vs_decision']:.2f}x decision.evaluate; evaluate alone "
            f"{z['bare']['median_per_s']:,.0f}/s")

    mem = fig["memory"]
    mb = 1024 * 1024
    section(f"memory: fresh process, complete case, {mem['n']:,} evaluations after a 2,000 warm-up")
    row("RSS before -> after", f"{mem['before'] / mb:.1f} -> {mem['after'] / mb:.1f} MB",
        _goal(mem["growth"] < 0.10, f"growth {mem['growth']:+.2%}, goal < 10 %"))
    row("peak RSS (ru_maxrss)", f"{mem['peak'] / mb:.1f} MB", f"{mem['per_s']:,.0f} evaluations/s during the run")

    width_name = min(60, max(len(r[0]) for r in rows if not r[0].startswith("== ")))
    width_value = max(len(r[1]) for r in rows if len(r[1]) <= 24)
    lines = []
    for name, value, note in rows:
        if name.startswith("== "):
            lines.append("")
            lines.append(name[3:])
            lines.append("-" * (width_name + width_value + 50))
        elif len(value) > 24:  # long text: left-aligned, not padded
            lines.append(f"{name:<{width_name}}  {value}  {note}".rstrip())
        else:
            lines.append(f"{name:<{width_name}}  {value:>{width_value}}  {note}".rstrip())
    return "\n".join(lines).lstrip("\n")


def _goal(met: bool, text: str) -> str:
    return ("met: " if met else "NOT MET: ") + text


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller runs (~1 min)")
    ap.add_argument("--n", type=int, help="evaluations for the throughput figures (default 10,000; quick 2,000)")
    ap.add_argument("--json", metavar="FILE", help="also write every figure as JSON to FILE")
    args = ap.parse_args()
    n = args.n or (2_000 if args.quick else 10_000)
    started = time.perf_counter()

    fig: dict = {"quick": args.quick, "machine": machine()}
    fig["throughput"] = throughput(n)
    fig["corpus"] = corpus(n)
    fig["yaml"] = yaml_read(2_000 if args.quick else 10_000)
    fig["parallel"] = parallel(n)
    fig["breakdown"] = breakdown(1_000 if args.quick else 3_000)
    fig["profile"] = profile(2_000)
    fig["cold_start"] = cold_start(10)
    fig["geometry"] = geometry(args.quick)
    fig["http"] = http(args.quick)
    fig["zen"] = zen_compare(args.quick)
    fig["memory"] = memory(20_000 if args.quick else 100_000)
    fig["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    fig["seconds"] = time.perf_counter() - started

    print(table(fig))
    print(f"\n(bench/run.py{' --quick' if args.quick else ''}: {fig['seconds']:.0f} s)")
    if args.json:
        Path(args.json).write_text(json.dumps(fig, indent=2, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
