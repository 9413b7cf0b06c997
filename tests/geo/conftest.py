"""Fixtures that write files the way real ones arrive (encodings, CRLF, BOM)."""

from __future__ import annotations

import pytest


@pytest.fixture
def write(tmp_path):
    def _write(name, text, encoding="gbk", crlf=True, bom=False):
        path = tmp_path / name
        if crlf:
            text = text.replace("\n", "\r\n")
        data = text.encode(encoding)
        if bom:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)
        return path
    return _write
