"""Fuzzing the command line: whatever a case file holds, `landapproval evaluate` answers properly.

The property, for every input: no traceback and no exception other than SystemExit escapes the
CLI; the exit code is either 2 with a message on stderr naming the file (and, where it applies,
the field), or 0/1 with a decision on stdout that parses as JSON, carries the contract's keys
(C1–C8 and S1–S6 in order) and agrees with the exit code (0 exactly when approvable).

Inputs (hypothesis, written to temporary files):
- the example cases with random mutations: wrong types, huge numbers (1e400, 10**30, 5,000
  digits), YAML 1.1 number spellings and explicit tags, deep nesting, unicode in strings and keys
  (RTL marks, emoji, NUL and control characters, lone surrogates — as JSON/YAML escapes, or raw,
  which makes the file invalid UTF-8), missing and extra keys;
- serialised cases truncated at a random point;
- cases re-encoded (GBK, GB18030, UTF-16/32, Latin-1), random bytes, random text.

Most runs go through click's CliRunner (in process, fast); a handful go through a real
subprocess, where stdout/stderr encodings and the exit status are the operating system's.
`test_inputs_that_crashed_the_cli` pins the inputs that broke the CLI at ae5ab3c (tracebacks from
the YAML loader and from date arithmetic near 9999; fixed in aabfdb1), so they stay fixed.
`test_yaml_1_1_integer_spellings_are_not_reinterpreted` asserts that a number is never silently
read in another base (YAML 1.1 reads `036` as octal 30, `0x24` as 36, `1:00` as 60).

Default run ~60 s (derandomized, so it is reproducible); `--run-slow` / LANDAPPROVAL_SLOW=1
runs ten times as many examples with a fresh random seed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from landapproval.cli import main
from landapproval.core.reader import read_document

REPO = Path(__file__).resolve().parents[2]
BASE_FILES = sorted((REPO / "cases" / "review").glob("*.yaml"))
BASES = [read_document(p) for p in BASE_FILES]
COMPLETE = read_document(REPO / "cases" / "review" / "complete-approvable.yaml")
CONTRACT_KEYS = {"case", "as_of", "totals", "authority", "checks", "workflow", "blocking", "approvable"}


def _slow() -> bool:
    # tests/conftest.py (owned elsewhere) may define --run-slow; pytest options are not visible at
    # import time, where hypothesis settings are built, so the environment variable decides here
    return os.environ.get("LANDAPPROVAL_SLOW") == "1" or "--run-slow" in sys.argv


SCALE = 10 if _slow() else 1
FUZZ = settings(deadline=None, derandomize=not _slow(), database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture])


def fuzz(examples: int) -> settings:
    return settings(FUZZ, max_examples=examples * SCALE)


# --------------------------------------------------------------------------- writing case files

class Raw:
    """A token written verbatim (a number spelling, a YAML tag or flow node), not as a string."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Raw({self.text!r})"


def _json_text(node, ascii_only: bool) -> str:
    if isinstance(node, Raw):
        return node.text
    if isinstance(node, bool) or node is None:
        return json.dumps(node)
    if isinstance(node, (int, Decimal)):
        return str(node)
    if isinstance(node, dt.date):
        return json.dumps(node.isoformat())
    if isinstance(node, str):
        return json.dumps(node, ensure_ascii=ascii_only)
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_json_key(k, ascii_only)}: {_json_text(v, ascii_only)}"
                               for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_json_text(v, ascii_only) for v in node) + "]"
    raise TypeError(type(node))


def _json_key(key, ascii_only: bool) -> str:
    return json.dumps(key if isinstance(key, str) else str(getattr(key, "text", key)), ensure_ascii=ascii_only)


def _yaml_scalar(node) -> str:
    if isinstance(node, Raw):
        return node.text
    if node is None:
        return "null"
    if isinstance(node, bool):
        return "true" if node else "false"
    if isinstance(node, (int, Decimal)):
        return str(node)
    if isinstance(node, dt.date):
        return node.isoformat()
    # JSON string syntax is valid YAML double-quoted syntax (\uXXXX escapes included)
    return json.dumps(node, ensure_ascii=False)


def _yaml_text(node, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(node, dict) and node:
        lines = []
        for key, value in node.items():
            k = _yaml_scalar(key) if not isinstance(key, Raw) else key.text
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{k}:\n{_yaml_text(value, indent + 1)}")
            else:
                lines.append(f"{pad}{k}: {_yaml_flow(value)}")
        return "\n".join(lines)
    if isinstance(node, list) and node:
        lines = []
        for value in node:
            if isinstance(value, (dict, list)) and value:
                inner = _yaml_text(value, indent + 1).lstrip()
                lines.append(f"{pad}- {inner}")
            else:
                lines.append(f"{pad}- {_yaml_flow(value)}")
        return "\n".join(lines)
    return pad + _yaml_flow(node)


def _yaml_flow(node) -> str:
    if isinstance(node, dict):
        return "{" + ", ".join(f"{_yaml_scalar(k)}: {_yaml_flow(v)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_yaml_flow(v) for v in node) + "]"
    return _yaml_scalar(node)


def serialise(doc, fmt: str, ascii_only: bool = False) -> str:
    return _json_text(doc, ascii_only) if fmt == "json" else _yaml_text(doc) + "\n"


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")  # raw lone surrogates → invalid UTF-8, on purpose
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- the property

def check_cli_result(exit_code: int, stdout: str, stderr: str, path: Path, fmt: str,
                     exception: BaseException | None = None) -> None:
    """The contract of `landapproval evaluate` for one file, whatever it held."""
    shown = f"\n--- file {path.name}:\n{_preview(path)}\n--- stdout:\n{stdout[:2000]}\n--- stderr:\n{stderr[:3000]}"
    if exception is not None and not isinstance(exception, SystemExit):
        # re-raised as it is, so that hypothesis tells distinct bugs apart by where they were raised
        exception.add_note(f"an exception escaped the CLI{shown}")
        raise exception
    assert "Traceback" not in stdout + stderr, f"a traceback was printed{shown}"
    assert exit_code in (0, 1, 2), f"exit code {exit_code}{shown}"
    if exit_code == 2:
        assert stderr.strip(), f"exit code 2 without a message{shown}"
        for line in stderr.strip().splitlines():
            assert line.startswith("error: "), f"an error line without the error: prefix{shown}"
        assert str(path) in stderr or path.name in stderr, f"the message does not name the file{shown}"
        assert not stdout.strip() or fmt != "json", f"exit code 2 but a decision on stdout{shown}"
        return
    if fmt != "json":
        assert stdout.strip(), f"exit code {exit_code} without output{shown}"
        return
    try:
        decision = json.loads(stdout)
    except ValueError as error:
        raise AssertionError(f"exit code {exit_code} but stdout is not JSON ({error}){shown}") from None
    assert isinstance(decision, dict) and CONTRACT_KEYS <= set(decision), f"contract keys missing{shown}"
    assert [c["id"] for c in decision["checks"]][:8] == [f"C{i}" for i in range(1, 9)], shown
    assert [s["id"] for s in decision["workflow"]["steps"]] == [f"S{i}" for i in range(1, 7)], shown
    assert {"conversion", "expropriation", "together"} <= set(decision["authority"]), shown
    assert decision["approvable"] is (exit_code == 0), f"exit code disagrees with approvable{shown}"


def _preview(path: Path) -> str:
    raw = path.read_bytes()
    return repr(raw[:1500]) + (f" … ({len(raw)} bytes)" if len(raw) > 1500 else "")


def run_cli(path: Path, fmt: str = "json") -> None:
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", fmt], catch_exceptions=True)
    check_cli_result(result.exit_code, result.stdout, result.stderr, path, fmt, result.exception)


def run_subprocess(path: Path, fmt: str = "json") -> None:
    proc = subprocess.run([sys.executable, "-m", "landapproval.cli", "evaluate", str(path), "--format", fmt],
                          capture_output=True, cwd=REPO, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": ""})
    stdout = proc.stdout.decode("utf-8", "replace")
    stderr = proc.stderr.decode("utf-8", "replace")
    check_cli_result(proc.returncode, stdout, stderr, path, fmt)


# --------------------------------------------------------------------------- strategies

UNICODE_BITS = ["\u202e", "\u202b", "\u200f", "\u05d0\u05d1", "\u0627\u0644", "😀", "👨‍👩‍👧", "\U0010ffff",
                "\x00", "\x07", "\x1b[31m", "\r", "\n", "\t", "\ufeff", "\ud800", "\udfff", "曲沃县", "尧都区",
                "\u0301", "\uffff", "\\", '"', "'", ": ", "- ", "#", "&a", "*a", "!!", "%", "@", "`", "{", "["]
text_values = st.one_of(
    st.text(max_size=40),
    st.lists(st.sampled_from(UNICODE_BITS), min_size=1, max_size=6).map("".join),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=20),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
)
YAML_SPELLINGS = ["190:20:30.15", "190:20:30", "0x1F", "0o17", "017", "0b101", "1_000.5", "1_000", ".inf",
                  "-.Inf", ".NaN", "1e400", "-1e400", "1E+999999999", "1e-999999999", "10" + "0" * 30,
                  "9" * 5000, "~", "-0", "+5.1234", "5.12345", "1.", ".5", "0.0001", "Yes", "off", "y",
                  "!!float abc", "!!float 1:2:3.5", "!!int abc", "!!int 0x", "!!timestamp nope",
                  "!!timestamp 2024-09-10", "!!timestamp 2024-09-10T10:00:00Z", "2024-09-10T10:00:00Z",
                  "!!binary '@@@'", "!!binary aGVsbG8=", "!!set {a: null}", "!!omap [a: 1]", "!!pairs [a: 1]",
                  "!!str 5", "!!null ''", "!!bool yes", "!!python/object:os.system x", "!!python/tuple [1]",
                  "!custom 1", "&anchor 1", "*alias", "{? [a, b]: 1}", "{? {a: 1}: 1}", "{[1]: 2}", "[", "{",
                  "'unterminated", "\"\\ud800\"", "\"\\x00\"", "|\n  block", "0000-00-00", "2024-02-30",
                  "9999-12-31", "0001-01-01", "2024-13-01"]
number_values = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.sampled_from([10**30, -1, 0, 2_100_000, 2_100_001, 10**18, 2**63, 2**64]),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-10**7, max_value=10**7),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.sampled_from(["1e400", "-1e400", "1E+999999", "1e-400", "NaN", "Infinity", "-0.0", "1e3", "0.00001"]).map(Raw),
)
date_values = st.one_of(
    st.dates(),
    st.dates().map(dt.date.isoformat),
    st.sampled_from([dt.date.min, dt.date.max, dt.date(9999, 12, 30), dt.date(1998, 12, 31),
                     dt.date(2003, 12, 31), dt.date(2027, 1, 4), dt.date(2024, 6, 21), dt.date(2024, 6, 22)]),
    st.sampled_from(["2024-02-30", "2024-9-1", "20240910", "0000-01-01", "2024-09-10 10:00"]),
)
scalars = st.one_of(st.none(), st.booleans(), number_values, date_values, text_values,
                    st.sampled_from(YAML_SPELLINGS).map(Raw))


def nested(depth: int, leaf):
    """Nested mappings and lists; past 60 levels as one flow token (keeps our own writers shallow)."""
    if depth > 60:
        return Raw("[{k: " * depth + "1" + "}]" * depth)
    node = leaf
    for i in range(depth):
        node = [node] if i % 2 else {"k": node}
    return node


any_value = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.one_of(text_values, st.integers()), children, max_size=4)),
    max_leaves=12,
)
deep_values = st.builds(nested, st.one_of(st.integers(1, 40), st.sampled_from([31, 32, 33, 61, 200, 2000, 100_000])), scalars)


def _paths(node, prefix=()):
    """Every path into the document, down to 8 levels (mutations stay near the contract's fields)."""
    yield prefix
    if len(prefix) >= 8:
        return
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, prefix + (key,))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, prefix + (index,))


def _copy(node):
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy(v) for v in node]
    return node


@st.composite
def mutated_cases(draw):
    doc = _copy(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 5))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        last = path[-1]
        action = draw(st.sampled_from(["replace", "replace", "replace", "delete", "extra", "deep", "spelling",
                                       "duplicate"]))
        if action == "replace":
            parent[last] = draw(any_value)
        elif action == "spelling":
            parent[last] = Raw(draw(st.sampled_from(YAML_SPELLINGS)))
        elif action == "deep":
            parent[last] = draw(deep_values)
        elif action == "delete":
            del parent[last]
        elif action == "extra":
            target = parent[last] if isinstance(parent[last], dict) else parent
            if isinstance(target, dict):
                target[draw(st.one_of(text_values, st.sampled_from(["id", "schema", "parcels", "Id", "id "])))] = \
                    draw(any_value)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(_copy(parent[last]))
    return doc


formats = st.sampled_from(["yaml", "yaml", "json"])
outputs = st.sampled_from(["json", "json", "json", "text"])


# --------------------------------------------------------------------------- property tests

@fuzz(600)
@given(doc=mutated_cases(), fmt=formats, ascii_only=st.booleans(), out=outputs)
def test_mutated_cases_never_crash(tmp_path_factory, doc, fmt, ascii_only, out):
    path = write(tmp_path_factory.mktemp("mut"), f"case.{fmt}", serialise(doc, fmt, ascii_only))
    run_cli(path, out)


@fuzz(300)
@given(base=st.sampled_from(BASES), fmt=formats, data=st.data())
def test_truncated_files_never_crash(tmp_path_factory, base, fmt, data):
    text = serialise(base, fmt)
    cut = data.draw(st.integers(0, len(text)), label="cut")
    path = write(tmp_path_factory.mktemp("cut"), f"case.{fmt}", text[:cut])
    run_cli(path)


@fuzz(120)
@given(base=st.sampled_from(BASE_FILES),
       encoding=st.sampled_from(["gbk", "gb18030", "big5", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                 "latin-1", "utf-8-sig", "utf-7", "shift_jis"]),
       suffix=st.sampled_from(["yaml", "json", "yml"]))
def test_other_encodings_never_crash(tmp_path_factory, base, encoding, suffix):
    text = base.read_text(encoding="utf-8")
    if suffix == "json":
        text = serialise(read_document(base), "json")
    path = write(tmp_path_factory.mktemp("enc"), f"case.{suffix}", text.encode(encoding, "replace"))
    run_cli(path)


@fuzz(300)
@given(raw=st.one_of(st.binary(max_size=3000),
                     st.builds(lambda b, cut, junk: b[:cut] + junk,
                               st.sampled_from([p.read_bytes() for p in BASE_FILES]),
                               st.integers(0, 3000), st.binary(min_size=1, max_size=40))),
       suffix=st.sampled_from(["yaml", "json"]))
def test_random_bytes_never_crash(tmp_path_factory, raw, suffix):
    path = write(tmp_path_factory.mktemp("bytes"), f"case.{suffix}", raw)
    run_cli(path)


@fuzz(300)
@given(text=st.one_of(st.text(max_size=400),
                      st.lists(st.sampled_from(YAML_SPELLINGS + UNICODE_BITS + [": ", "\n", "- ", "? ", "id: x\n"]),
                               max_size=30).map("".join)),
       suffix=st.sampled_from(["yaml", "json"]))
def test_random_text_never_crashes(tmp_path_factory, text, suffix):
    path = write(tmp_path_factory.mktemp("text"), f"case.{suffix}", text)
    run_cli(path)


@fuzz(200)
@given(field=st.sampled_from([
    ("review", "expropriation_procedure", "pre_announcement"),
    ("review", "expropriation_procedure", "compensation_announcement"),
    ("review", "expropriation_procedure", "agreements_signed"),
    ("workflow", "approval_issued_on"), ("workflow", "archived_on"), ("workflow", "decided_on"),
    ("filed_on",), ("review", "collective_decision", "decided_on")]), day=st.dates())
@example(field=("review", "expropriation_procedure", "compensation_announcement"), day=dt.date(9999, 12, 30))
@example(field=("workflow", "approval_issued_on"), day=dt.date.max)
@example(field=("review", "expropriation_procedure", "pre_announcement"), day=dt.date.max)
@example(field=("review", "expropriation_procedure", "pre_announcement"), day=dt.date.min)
@example(field=("workflow", "decided_on"), day=dt.date.max)
def test_any_valid_date_in_any_date_field(tmp_path_factory, field, day):
    """Every date pydantic accepts must give a decision or a clear error (calendar years unknown…)."""
    doc = _copy(COMPLETE)
    node = doc
    for part in field[:-1]:
        node = node.setdefault(part, {})
    node[field[-1]] = day
    path = write(tmp_path_factory.mktemp("date"), "case.yaml", serialise(doc, "yaml"))
    run_cli(path)


# --------------------------------------------------------------------------- inputs that crashed the CLI
# Each of these raised an exception out of `landapproval evaluate` at ae5ab3c (fixed in aabfdb1).

def _complete_with(old: str, new: str) -> str:
    text = (REPO / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8")
    assert old in text, old
    return text.replace(old, new, 1)


KNOWN_CRASHERS = {
    # YAML 1.1 resolves `190:20:30.15` (sexagesimal) to a float; loading._construct_decimal cannot
    # read it as a Decimal and raises decimal.InvalidOperation
    "sexagesimal-float.yaml": _complete_with("quota_available: 20.0", "quota_available: 190:20:30.15"),
    # explicit tags reach constructors that raise plain exceptions
    "float-tag.yaml": _complete_with("quota_available: 20.0", "quota_available: !!float abc"),
    "int-tag.yaml": _complete_with("quota_available: 20.0", "quota_available: !!int abc"),
    "hex-int-tag.yaml": _complete_with("quota_available: 20.0", "quota_available: !!int 0xZZ"),
    "bool-tag.yaml": _complete_with("conforms_to_plan: true", "conforms_to_plan: !!bool maybe"),
    "timestamp-tag.yaml": _complete_with("filed_on: 2024-09-10", "filed_on: !!timestamp nope"),
    # an integer of more than 4,300 digits: ValueError (int max str digits) from the YAML constructor
    "5000-digit-int.yaml": _complete_with("quota_available: 20.0", "quota_available: " + "9" * 5000),
    "5000-digit-key.yaml": "? " + "9" * 5000 + "\n: 1\n",
    # a complex (unhashable) mapping key: TypeError in loading._construct_mapping's repeat check
    "list-key.yaml": _complete_with("title:", "? [a, b]\n: 1\ntitle:"),
    "dict-key.yaml": "? {a: 1}\n: 1\nid: x\n",
    # dates pydantic accepts, arithmetic past 9999-12-31: OverflowError in facts / workdays
    "announcement-9999.yaml": _complete_with("compensation_announcement: 2024-06-10",
                                             "compensation_announcement: 9999-12-30"),
    "issued-9999-12-31.yaml": _complete_with("approval_issued_on: 2024-09-27", "approval_issued_on: 9999-12-31"),
}


@pytest.mark.parametrize("name", sorted(KNOWN_CRASHERS))
def test_inputs_that_crashed_the_cli(tmp_path, name):
    path = write(tmp_path, name, KNOWN_CRASHERS[name])
    run_cli(path)


@pytest.mark.parametrize("name", ["sexagesimal-float.yaml", "list-key.yaml", "announcement-9999.yaml"])
def test_inputs_that_crashed_the_cli_in_a_real_process(tmp_path, name):
    path = write(tmp_path, name, KNOWN_CRASHERS[name])
    run_subprocess(path)


# --------------------------------------------------------------------------- numbers read in another base

# (spelling in the case file, the decimal number a person means by it, or None where there is none)
YAML_11_INTEGERS = [("036", "36"), ("0036", "36"), ("0x24", None), ("0:36", None), ("1:00", None), ("0b100100", None)]


@pytest.mark.parametrize("spelling, meant", YAML_11_INTEGERS, ids=[s for s, _ in YAML_11_INTEGERS])
def test_yaml_1_1_integer_spellings_are_not_reinterpreted(tmp_path, spelling, meant):
    """Hectares are decimal. YAML 1.1 (PyYAML) reads a leading zero as octal, `0x`/`0b` as hex and
    binary, and `a:b` as base 60; the loader keeps those resolutions for integers (floats became
    field errors in aabfdb1), so `cultivated: 036` — 36 ha, over the 35 ha State Council threshold
    — is read as 30 ha and the city approves the expropriation. Correct: either a field error
    naming parcels[0].land.cultivated (exit 2), or the decimal reading of the digits."""
    path = write(tmp_path, "case.yaml", _complete_with("cultivated: 3.4120", f"cultivated: {spelling}"))
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json", "--lang", "en"])
    check_cli_result(result.exit_code, result.stdout, result.stderr, path, "json", result.exception)
    if result.exit_code == 2:
        assert "parcels[0].land.cultivated" in result.stderr, result.stderr
        return
    read = Decimal(json.loads(result.stdout)["totals"]["expropriation"]["cultivated"]) - Decimal("1.7114")
    assert meant is not None and read == Decimal(meant), (
        f"`cultivated: {spelling}` was read as {read} ha "
        + (f"(meant: {meant} ha)" if meant else "(no decimal reading: should be a field error)"))


def test_a_zero_padded_case_id_keeps_its_digits(tmp_path):
    """`id: 0042` is the case 0042 (or a field error), never case 34 (octal)."""
    path = write(tmp_path, "case.yaml", _complete_with("id: QW-2024-03\n", "id: 0042\n"))
    result = CliRunner().invoke(main, ["evaluate", str(path), "--format", "json"])
    check_cli_result(result.exit_code, result.stdout, result.stderr, path, "json", result.exception)
    if result.exit_code != 2:
        assert json.loads(result.stdout)["case"] == "0042"


# --------------------------------------------------------------------------- a real process

REAL_PROCESS = {
    "complete.yaml": (REPO / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8"),
    "rtl-emoji-id.yaml": _complete_with("id: QW-2024-03\n", 'id: "\u202e\u05d0😀\u200f\\x1b[31m"\n'),
    "nul-escape-title.yaml": _complete_with("title: 曲沃县2024年度第3批次城镇建设用地", 'title: "a\\0b"'),
    "surrogate-escape.json": '{"id": "\\ud800", "county": "quwo"}',
    "raw-surrogate.yaml": _complete_with("title: 曲沃县2024年度第3批次城镇建设用地", "title: \ud800"),
    "utf16.yaml": (REPO / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8")
                  .encode("utf-16"),
    "gbk.yaml": (REPO / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8")
                .encode("gbk"),
    "huge.yaml": _complete_with("cultivated: 3.4120", "cultivated: 1e400"),
    "deep.json": '{"id": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "truncated.yaml": (REPO / "cases" / "review" / "complete-approvable.yaml").read_text(encoding="utf-8")[:777],
}


@pytest.mark.parametrize("name", sorted(REAL_PROCESS))
def test_real_process(tmp_path, name):
    path = write(tmp_path, name, REAL_PROCESS[name])
    run_subprocess(path, "json")


def test_real_process_text_output_with_unicode(tmp_path):
    path = write(tmp_path, "rtl.yaml", REAL_PROCESS["rtl-emoji-id.yaml"])
    run_subprocess(path, "text")
