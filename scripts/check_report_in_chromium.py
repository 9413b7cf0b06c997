"""Render HTML decision reports in real headless Chromium and check what a reader would see.

    apt-get install -y chromium fonts-noto-cjk      # once (Debian packages)
    .venv/bin/python scripts/check_report_in_chromium.py [--keep DIR]

For two example cases (one with a map) it writes the report, lets Chromium lay it out, and checks
(1) the rendered DOM: the verdict, every review item C1–C8, every step S1–S6, the clause of the
approving authority, and the SVG map; (2) the screenshot: the verdict box is drawn in its colour
and CJK text is rendered with a real font (not blank boxes), by counting pixels. Exit 0 when
every check passes; it prints each check and the screenshot paths.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CASES = [
    ("cases/review/c4-supplement-short.yaml", None, (127, 29, 29)),        # not approvable: dark red
    ("cases/review/complete-approvable.yaml", None, (20, 83, 45)),         # approvable: dark green
    ("cases/gis/qw-2024-03.yaml", "cases/gis/layers.yaml", (127, 29, 29)),
]


def png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB(A) non-interlaced PNG (what Chromium writes) without extra packages."""
    data = path.read_bytes()
    pos, chunks = 8, []
    width = height = 0
    channels = 4
    while pos < len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height = int.from_bytes(body[:4], "big"), int.from_bytes(body[4:8], "big")
            channels = {2: 3, 6: 4}[body[9]]
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        filter_type = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            up_left = previous[i - channels] if i >= channels else 0
            if filter_type == 1:
                line[i] = (line[i] + left) & 255
            elif filter_type == 2:
                line[i] = (line[i] + up) & 255
            elif filter_type == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif filter_type == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 255
        rows.append(bytes(line))
        previous = line
    return width, channels, rows


def count_colour(path: Path, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    width, channels, rows = png_pixels(path)
    hits = 0
    for row in rows:
        for x in range(0, width * channels, channels):
            if all(abs(row[x + k] - rgb[k]) <= tolerance for k in range(3)):
                hits += 1
    return hits


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="folder to keep the reports and screenshots in")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        print("chromium is not installed: apt-get install -y chromium fonts-noto-cjk", file=sys.stderr)
        return 2
    out = Path(args.keep or tempfile.mkdtemp(prefix="landapproval-report-"))
    out.mkdir(parents=True, exist_ok=True)
    failures = 0
    for case, layers, verdict_rgb in CASES:
        command = [sys.executable, "-m", "landapproval.cli", "evaluate", str(REPO / case), "--format", "html",
                   "--out", str(out)]
        if layers:
            command += ["--layers", str(REPO / layers)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode not in (0, 1):
            print(f"FAIL {case}: evaluate exited {done.returncode}: {done.stderr}")
            failures += 1
            continue
        html = Path(done.stderr.strip().splitlines()[-1])
        profile = tempfile.mkdtemp(prefix="chromium-")
        dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
                             capture_output=True, text=True, timeout=120).stdout
        shot = html.with_suffix(".png")
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1000,1400",
                        f"--screenshot={shot}", html.as_uri()], capture_output=True, timeout=120)
        checks = {
            "verdict": ("结论：" in dom),
            "C1–C8": all(f">C{i} " in dom or f">C{i}<" in dom for i in range(1, 9)),
            "S1–S6": all(f"S{i} " in dom for i in range(1, 7)),
            "authority clause": ("土地管理法" in dom or "临政发〔2024〕7号 三" in dom),
            "map": (not layers) or "<svg" in dom,
            "screenshot written": shot.is_file() and shot.stat().st_size > 10_000,
        }
        if shot.is_file():
            checks["verdict colour drawn"] = count_colour(shot, verdict_rgb) > 200
            # CJK glyphs in a real font put many dark pixels in the title line; tofu boxes are outlines
            checks["text rendered"] = count_colour(shot, (34, 34, 34), tolerance=40) > 2_000
        for name, ok in checks.items():
            print(f"{'ok  ' if ok else 'FAIL'} {case}: {name}")
            failures += not ok
        print(f"     report {html}\n     screenshot {shot}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
