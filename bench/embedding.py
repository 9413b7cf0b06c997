"""What embedding landapproval costs: threads, process pools (fork / spawn / forkserver), asyncio
and storage. The numbers in docs/embedding.md come from this script:

    python bench/embedding.py            # ~1 minute on 2 cores
"""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASE = str(REPO / "cases" / "review" / "c4-supplement-short.yaml")


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def cold_start() -> None:
    code = ("import time; t=time.perf_counter(); import landapproval; a=time.perf_counter();"
            "landapproval.Law.default().engine; b=time.perf_counter();"
            f"landapproval.evaluate({CASE!r}); c=time.perf_counter();"
            "print(a-t, b-a, c-b)")
    runs = [list(map(float, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                           check=True).stdout.split())) for _ in range(3)]
    imp, law, first = (statistics.median(col) for col in zip(*runs))
    print(f"cold start: import {_ms(imp)}, law + engine {_ms(law)}, first evaluation {_ms(first)}")


def _job(_: int) -> str:
    import landapproval

    return landapproval.evaluate(CASE).case


def threads(model, n_calls: int = 4000) -> None:
    import landapproval

    for workers in (1, 8):
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(lambda _: landapproval.evaluate(model), range(50)))
            start = time.perf_counter()
            list(pool.map(lambda _: landapproval.evaluate(model), range(n_calls)))
            took = time.perf_counter() - start
        print(f"threads={workers}: {n_calls / took:,.0f} evaluations/s")


def pools(n_calls: int = 400) -> None:
    for method in ("fork", "forkserver", "spawn"):
        context = multiprocessing.get_context(method)
        start = time.perf_counter()
        with ProcessPoolExecutor(2, mp_context=context) as pool:
            pool.submit(_job, 0).result()
            ready = time.perf_counter() - start
            begin = time.perf_counter()
            list(pool.map(_job, range(n_calls), chunksize=20))
            rate = n_calls / (time.perf_counter() - begin)
        print(f"pool {method:10s}: first result after {_ms(ready)}; then {rate:,.0f} evaluations/s with 2 workers")


async def _asyncio(model, n_calls: int) -> None:
    import landapproval

    lags: list[float] = []
    stop = False

    async def ticker() -> None:  # how late the loop wakes up: what other requests would wait
        while not stop:
            before = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - before - 0.001)

    for mode in ("in the loop", "asyncio.to_thread"):
        lags.clear()
        stop = False
        tick = asyncio.create_task(ticker())
        latencies = []
        for _ in range(n_calls):
            begin = time.perf_counter()
            if mode == "in the loop":
                landapproval.evaluate(model)
                await asyncio.sleep(0)
            else:
                await asyncio.to_thread(landapproval.evaluate, model)
            latencies.append(time.perf_counter() - begin)
        stop = True
        await tick
        latencies.sort()
        lags.sort()
        print(f"asyncio, {mode:18s}: latency median {_ms(latencies[len(latencies) // 2])}, "
              f"p99 {_ms(latencies[int(len(latencies) * 0.99)])}; loop lag p99 {_ms(lags[int(len(lags) * 0.99)])}")


def storage(model) -> None:
    import landapproval
    from landapproval import Decision

    decision = landapproval.evaluate(model)
    stored = decision.to_json(langs=("zh", "en"))
    start = time.perf_counter()
    for _ in range(500):
        decision.to_json(langs=("zh", "en"))
    dump = (time.perf_counter() - start) / 500
    start = time.perf_counter()
    for _ in range(500):
        Decision.from_json(stored)
    load = (time.perf_counter() - start) / 500
    print(f"storage: {len(stored.encode()):,} bytes (both languages) vs {len(decision.to_json('zh').encode()):,} "
          f"(one language, contract form); to_json {_ms(dump)}, from_json {_ms(load)}")


def main() -> None:
    import landapproval

    cold_start()
    model = landapproval.load_case(CASE)[0]
    start = time.perf_counter()
    for _ in range(2000):
        landapproval.evaluate(model)
    print(f"one evaluation (validated Case, one thread): {_ms((time.perf_counter() - start) / 2000)}")
    threads(model)
    pools()
    asyncio.run(_asyncio(model, 1000))
    storage(model)
    print(f"threads alive at the end: {threading.active_count()}")


if __name__ == "__main__":
    main()
