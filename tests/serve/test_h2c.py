"""Any HTTP/1.1 client works: a request that asks for `Upgrade: h2c` (Java's default `HttpClient`,
`curl --http2`) is answered as HTTP/1.1 with its body read (issue 18 item 1, build 2).

The service runs on the protocol class `serve` uses (httptools with `protocol._IgnoreUpgrade`);
the requests are written byte by byte on raw sockets, so the body can come with the head, after it,
chunked, or followed by the next request on the same connection.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time

import pytest

pytest.importorskip("httptools")

from landapproval import api  # noqa: E402
from landapproval.serve import app as server  # noqa: E402
from landapproval.serve.protocol import HTTP_PROTOCOL, HttpToolsWithHeaderTimeout  # noqa: E402
from test_server import APPROVABLE, answer_of, running  # noqa: E402

IN_CI = os.environ.get("CI") == "true"
BODY = APPROVABLE.read_bytes()
UPGRADE = (b"Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           b"HTTP2-Settings: AAEAAEAAAAIAAAABAAMAAABkAAQBAAAAAAUAAEAA\r\n")


@pytest.fixture(scope="module")
def port():
    assert HTTP_PROTOCOL is HttpToolsWithHeaderTimeout     # the parser `serve` runs, not h11
    with running(server.create_app(server.Settings()), http=HTTP_PROTOCOL) as url:
        yield int(url.rsplit(":", 1)[1])


@pytest.fixture(scope="module")
def decision():
    return json.loads(api.evaluate(APPROVABLE).to_json())


def head(route: str = "/v1/evaluate", length: int | None = len(BODY), extra: bytes = UPGRADE) -> bytes:
    size = b"Transfer-Encoding: chunked\r\n" if length is None else b"Content-Length: %d\r\n" % length
    return (b"POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/yaml\r\n" % route.encode()
            + extra + size + b"\r\n")


def responses(sock: socket.socket, count: int) -> list[tuple[int, dict, bytes]]:
    """`count` complete HTTP/1.1 responses (content-length framed) read from `sock`."""
    data, out = b"", []
    deadline = time.monotonic() + 20
    while len(out) < count:
        while b"\r\n\r\n" not in data:
            assert time.monotonic() < deadline, data
            chunk = sock.recv(65536)
            assert chunk, f"connection closed after {len(out)} answers: {data!r}"
            data += chunk
        top, _, data = data.partition(b"\r\n\r\n")
        lines = top.split(b"\r\n")
        status = int(lines[0].split()[1])
        assert lines[0].startswith(b"HTTP/1.1 "), lines[0]
        headers = {k.strip().lower().decode(): v.strip().decode() for k, _, v in (line.partition(b":") for line in lines[1:])}
        length = int(headers["content-length"])
        while len(data) < length:
            chunk = sock.recv(65536)
            assert chunk, "connection closed mid-body"
            data += chunk
        out.append((status, headers, data[:length]))
        data = data[length:]
    return out


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    return sock


def test_h2c_upgrade_with_the_body_in_the_same_packet_gets_the_decision(port, decision):
    with connect(port) as sock:
        sock.sendall(head() + BODY)
        [(status, headers, body)] = responses(sock, 1)
    assert status == 200, body
    assert "upgrade" not in headers      # the upgrade is declined: HTTP/1.1 as though it was not asked
    assert answer_of(body) == decision


def test_h2c_upgrade_with_the_body_in_later_packets_gets_the_decision(port, decision):
    with connect(port) as sock:
        sock.sendall(head())
        time.sleep(0.15)
        sock.sendall(BODY[:57])
        time.sleep(0.1)
        sock.sendall(BODY[57:])
        [(status, _, body)] = responses(sock, 1)
    assert status == 200, body
    assert answer_of(body) == decision


def test_h2c_upgrade_with_a_chunked_body_gets_the_decision(port, decision):
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in (BODY[:100], BODY[100:])) + b"0\r\n\r\n"
    with connect(port) as sock:
        sock.sendall(head(length=None))
        time.sleep(0.1)
        sock.sendall(chunks)
        [(status, _, body)] = responses(sock, 1)
    assert status == 200, body
    assert answer_of(body) == decision


def test_the_connection_stays_usable_after_an_h2c_request(port, decision):
    """Keep-alive and a pipelined request after the declined upgrade: each answered in order."""
    plain = head(extra=b"") + BODY
    with connect(port) as sock:
        sock.sendall(head() + BODY + plain)                     # pipelined behind the upgrade
        first, second = responses(sock, 2)
        sock.sendall(head() + BODY)                             # and again on the kept-alive connection
        [third] = responses(sock, 1)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + UPGRADE + b"\r\n")
        [fourth] = responses(sock, 1)
    assert [r[0] for r in (first, second, third, fourth)] == [200, 200, 200, 200]
    assert answer_of(first[2]) == answer_of(second[2]) == answer_of(third[2]) == decision
    assert json.loads(fourth[2])["status"] == "ok"


def test_a_broken_body_after_an_h2c_upgrade_is_a_400_not_a_hang(port):
    with connect(port) as sock:
        sock.sendall(head(length=None) + b"zz\r\nnot hex\r\n")
        data = sock.recv(65536)
    assert data.startswith(b"HTTP/1.1 400"), data


def test_curl_http2_gets_the_decision(port, decision):
    """`curl --http2` on a cleartext URL sends the upgrade, as the issue's reproduction did."""
    curl = shutil.which("curl")
    if curl is None:
        if IN_CI:
            pytest.fail("curl is not installed")
        pytest.skip("curl is not installed")
    result = subprocess.run([curl, "-s", "-i", "--http2", "-H", "Content-Type: application/yaml",
                             "--data-binary", f"@{APPROVABLE}", f"http://127.0.0.1:{port}/v1/evaluate"],
                            capture_output=True, timeout=30)
    top, _, body = result.stdout.partition(b"\r\n\r\n")
    assert top.startswith(b"HTTP/1.1 200"), result.stdout[:500]
    assert answer_of(body) == decision
