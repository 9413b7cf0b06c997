#!/usr/bin/env python3
"""Load test of the HTTP service on loopback: requests/s and p50/p99 latency at 1, 10, 100 clients.

Starts its own server the way a deployment does (`landapproval serve --workers N` on a free
127.0.0.1 port, in a child process, access log off), then for each concurrency level opens that
many keep-alive connections and sends POST /v1/evaluate with the example cases
(cases/review/*.yaml, cases/*.yaml) in turn, as JSON (or YAML with --yaml). Each `--workers`
value gets its own server and runs every level. Every level is bounded by a request count and a
time limit; the server is stopped at the end, whatever happens. Only 127.0.0.1 is contacted.

The client is plain asyncio over sockets (no HTTP library), so that on a small machine the load
generator takes as little CPU as possible from the server it measures. Before measuring, one
answer per case is checked against `api.evaluate(...).to_dict()`; during the run every response
must be a 200 or it is counted as an error. For scale, the in-process rate of the *server path*
on the same bodies is measured first in this process: `server._evaluate(body)` = parse the bytes
with the safe loader, validate, evaluate, encode the JSON answer (what one request costs without
HTTP, the event loop and the thread hop); the ratio HTTP / server path is the cost of serving.

    .venv/bin/python bench/http_load.py [--levels 1,10,100] [--workers 1,2] [--requests 2000] [--seconds 60] [--yaml]
                                        [--wrk SECONDS]

With `--wrk SECONDS` each level is also run by `wrk` (Debian package `wrk`, a load generator in C,
one thread) for that many seconds, cycling through the same bodies: on 2 cores the Python client
takes CPU from the server it measures, wrk much less, so its rows are the closer figure of what
serving costs; any non-2xx answer counts as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import landapproval
from landapproval import api
from landapproval.core import reader as loading
from landapproval.serve import v1 as service  # noqa: E402

HOST = "127.0.0.1"


def to_json(data) -> bytes:
    """Case data as JSON with every decimal digit kept (no binary float on the way)."""
    marked = json.dumps(data, ensure_ascii=False,
                        default=lambda v: f"@@{v}@@" if isinstance(v, Decimal) else str(v))
    return re.sub(r'"@@([^"@]+)@@"', r"\1", marked).encode()


def request_bytes(body: bytes, content_type: str, port: int) -> bytes:
    head = (f"POST /v1/evaluate HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n")
    return head.encode() + body


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, raw: bytes) -> tuple[int, bytes]:
    writer.write(raw)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = None
    chunked = False
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    if chunked:
        body = b""
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                break
            body += chunk[:-2]
    else:
        body = await reader.readexactly(length or 0)
    return status, body


async def run_level(port: int, requests: list[bytes], clients: int, total: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    issued = 0
    deadline = time.monotonic() + seconds

    async def client(index: int) -> None:
        nonlocal issued, errors
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            while issued < total and time.monotonic() < deadline:
                raw = requests[issued % len(requests)]
                issued += 1
                start = time.perf_counter()
                try:
                    status, _ = await asyncio.wait_for(exchange(reader, writer, raw), timeout=30)
                except (asyncio.TimeoutError, asyncio.IncompleteReadError, ConnectionError):
                    errors += 1
                    writer.close()
                    reader, writer = await asyncio.open_connection(HOST, port)
                    continue
                latencies.append(time.perf_counter() - start)
                if status != 200:
                    errors += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(round(p / 100 * (len(latencies) - 1))))] * 1000

    return {"clients": clients, "requests": len(latencies), "errors": errors, "seconds": elapsed,
            "rps": len(latencies) / elapsed if elapsed else 0.0,
            "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": latencies[-1] * 1000,
            "mean_ms": statistics.fmean(latencies) * 1000}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_server(port: int, workers: int, plain_uvicorn: bool = False) -> subprocess.Popen:
    if plain_uvicorn:  # for comparison: `uvicorn --workers N` as documented (loses TCP_NODELAY, #3149)
        command = [sys.executable, "-m", "uvicorn", "landapproval.serve.app:create_app", "--factory", "--host", HOST, "--port", str(port),
                   "--workers", str(workers), "--no-access-log", "--log-level", "warning"]
    else:
        command = [sys.executable, "-m", "landapproval.cli", "serve", "--host", HOST, "--port", str(port),
                   "--workers", str(workers), "--max-in-flight", "1000", "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited: {process.stderr.read().decode()}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as s:
                s.sendall(f"GET /readyz HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode())
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the server did not come up within 30 s")


WRK_SCRIPT = """
local bodies, n, count = {}, 0, %d
for i = 1, count do
  local f = io.open("%s/" .. i .. ".body", "rb"); bodies[i] = f:read("*a"); f:close()
end
request = function()
  n = n %% count + 1
  return wrk.format("POST", "/v1/evaluate", {["Content-Type"] = "%s"}, bodies[n])
end
"""


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def parse_wrk(out: str, clients: int, seconds: float) -> dict:
    """The figures of one `wrk --latency` report. Every figure is read from its own line (anchored
    at the line's start): the thread-stats line `Latency  avg  stdev  max  +/-stdev%` ends in a
    percentage such as `71.50%`, which a bare search for `50%` used to take for the median."""
    def line(pattern: str) -> re.Match:
        found = re.search(pattern, out, re.MULTILINE)
        if found is None:
            raise SystemExit(f"wrk's report has no line matching {pattern!r}:\n{out}")
        return found

    distribution = out.split("Latency Distribution", 1)
    if len(distribution) != 2:
        raise SystemExit(f"wrk's report has no latency distribution (run with --latency):\n{out}")
    tail = distribution[1]

    def percentile(p: int) -> float:
        found = re.search(rf"^\s*{p}%\s+(\S+)\s*$", tail, re.MULTILINE)
        if found is None:
            raise SystemExit(f"wrk's latency distribution has no {p}% line:\n{out}")
        return _ms(found.group(1))

    bad = re.search(r"^\s*Non-2xx or 3xx responses: (\d+)", out, re.MULTILINE)
    errors = re.search(r"^\s*Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out, re.MULTILINE)
    return {"clients": clients, "requests": int(line(r"^\s*(\d+) requests in").group(1)), "client": "wrk",
            "errors": (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0),
            "seconds": seconds, "rps": float(line(r"^Requests/sec:\s+([\d.]+)").group(1)),
            "p50_ms": percentile(50), "p99_ms": percentile(99),
            "max_ms": _ms(line(r"^\s*Latency\s+\S+\s+\S+\s+(\S+)").group(1))}


def run_wrk(port: int, bodies: list[bytes], content_type: str, clients: int, seconds: float) -> dict:
    """One level by wrk (C, one thread, `clients` keep-alive connections) for `seconds`."""
    with tempfile.TemporaryDirectory() as folder:
        for index, body in enumerate(bodies, 1):
            Path(folder, f"{index}.body").write_bytes(body)
        script = Path(folder, "cycle.lua")
        script.write_text(WRK_SCRIPT % (len(bodies), folder, content_type))
        out = subprocess.run(["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--latency", "-s", str(script),
                              f"http://{HOST}:{port}/v1/evaluate"], capture_output=True, text=True,
                             timeout=seconds + 60).stdout
    return parse_wrk(out, clients, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", default="1,10,100", help="concurrent clients per level (comma-separated)")
    parser.add_argument("--workers", default="1,2", help="server processes; one server per value (comma-separated)")
    parser.add_argument("--plain-uvicorn", action="store_true",
                        help="start `uvicorn --workers N` instead of `landapproval serve` (for comparison)")
    parser.add_argument("--requests", type=int, default=2000, help="requests per level (at most)")
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit per level")
    parser.add_argument("--warmup", type=int, default=100, help="requests sent before measuring")
    parser.add_argument("--yaml", action="store_true", help="send the case files as YAML instead of JSON")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--wrk", type=float, metavar="SECONDS",
                        help="also run each level with wrk (C load generator) for SECONDS")
    args = parser.parse_args()
    if args.wrk is not None and (not shutil.which("wrk") or not 0 < args.wrk <= 120):
        parser.error("--wrk needs the `wrk` program (apt-get install wrk) and 0 < SECONDS <= 120")
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    worker_counts = [int(x) for x in args.workers.split(",") if x.strip()]
    if not all(0 < n <= 8 for n in worker_counts):
        parser.error("workers must be 1..8")
    if not all(0 < n <= 500 for n in levels) or not 0 < args.requests <= 100_000 or not 0 < args.seconds <= 600:
        parser.error("levels must be 1..500 clients, requests 1..100000, seconds at most 600")

    paths = sorted(ROOT.glob("cases/review/*.yaml")) + sorted(ROOT.glob("cases/*.yaml"))
    content_type = "application/yaml" if args.yaml else "application/json"
    bodies = [p.read_bytes() if args.yaml else to_json(loading.parse_bytes(p.read_bytes(), str(p)))
              for p in paths]

    # the in-process server path, for scale: the same bodies through parse, evaluate and encode
    media = content_type
    law = landapproval.Law.default()
    for body in bodies:
        service._evaluate(law, body, media, None, "zh")
    n = 0
    started = time.perf_counter()
    while n < 5000 and time.perf_counter() - started < 10:
        service._evaluate(law, bodies[n % len(bodies)], media, None, "zh")
        n += 1
    inproc = n / (time.perf_counter() - started)

    runs = []
    for workers in worker_counts:
        port = free_port()
        server = start_server(port, workers, args.plain_uvicorn)
        results = []
        try:
            requests = [request_bytes(b, content_type, port) for b in bodies]

            async def check_and_warm() -> None:
                reader, writer = await asyncio.open_connection(HOST, port)
                try:
                    for path, raw in zip(paths, requests):
                        status, body = await exchange(reader, writer, raw)
                        want = json.loads(api.evaluate(path).to_json("zh"))
                        got = json.loads(body) if status == 200 else {}
                        got.get("law", {}).pop("request_id", None)     # the request's own id, in the audit block
                        if status != 200 or got != want:
                            raise SystemExit(f"{path.name}: the service answered {status}, not the API's decision")
                finally:
                    writer.close()
                if args.warmup:
                    await run_level(port, requests, min(10, max(levels)), args.warmup * workers, 30)

            asyncio.run(check_and_warm())
            for clients in levels:
                result = asyncio.run(run_level(port, requests, clients, args.requests, args.seconds))
                result["workers"] = workers
                result["vs_server_path"] = result["rps"] / inproc
                results.append(result)
                if args.wrk:
                    result = run_wrk(port, bodies, content_type, clients, args.wrk)
                    result["workers"] = workers
                    result["vs_server_path"] = result["rps"] / inproc
                    results.append(result)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        runs.extend(results)

    print(f"POST /v1/evaluate on {HOST}, {len(paths)} example cases as {content_type}, "
          f"keep-alive connections, `{'uvicorn' if args.plain_uvicorn else 'landapproval serve'} --workers N`, "
          "access log off")
    print(f"in-process server path (parse + evaluate + encode, same bodies): {inproc:,.0f} requests/s")
    print(f"{'workers':>7} {'client':>6} {'clients':>7} {'requests':>8} {'errors':>6} {'seconds':>7} {'req/s':>8} {'x path':>6} "
          f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}")
    for r in runs:
        print(f"{r['workers']:>7} {r.get('client', 'python'):>6} {r['clients']:>7} {r['requests']:>8} {r['errors']:>6} {r['seconds']:>7.2f} "
              f"{r['rps']:>8.0f} {r['vs_server_path']:>6.2f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['max_ms']:>7.2f}")
    if args.json:
        print(json.dumps({"in_process_per_s": inproc, "server_path_per_s": inproc, "content_type": content_type,
                          "levels": runs}, indent=2))
    if any(r["errors"] for r in runs):
        sys.exit(1)


if __name__ == "__main__":
    main()
