"""Issue 21 items 3, 4 and 5: what an embedder passes is read or refused with a typed error that
names what to fix, and every failure is a LandApprovalError (before: bare TypeError for a datetime
or ISO as_of, the CLI's --as-of named in the Python API, ModuleNotFoundError('numpy') for a
boundary without the geo extra, no line numbers from evaluate_text, text taken for a path)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import landapproval
from landapproval import InputError, LandApprovalError, UnknownLanguageError
from landapproval.core.errors import ArgumentError, MissingExtraError

REPO = Path(__file__).resolve().parents[2]
CITY = REPO / "cases" / "city-authorized-batch.yaml"
# no approving act on file: the evaluation day given is the day whose law applies (issue 19 item 4)
UNDECIDED = REPO / "cases" / "yaodu-district.yaml"
GIS = REPO / "cases" / "gis" / "qw-2024-03.yaml"


@pytest.mark.parametrize("as_of", [dt.date(2024, 9, 10), dt.datetime(2024, 9, 10, 12), dt.datetime(2024, 9, 10, 0, 0),
                                   "2024-09-10", " 2024-09-10 ", "2024-09-10T12:00:00"])
def test_as_of_takes_a_date_a_datetime_or_iso_text(as_of):
    decision = landapproval.evaluate(UNDECIDED, as_of=as_of)
    assert decision.as_of == dt.date(2024, 9, 10) and type(decision.as_of) is dt.date
    assert decision == landapproval.evaluate(UNDECIDED, as_of=dt.date(2024, 9, 10))


def test_the_date_of_a_datetime_is_its_own_calendar_day():
    """A datetime late in the evening is still its own day, not the next."""
    late = landapproval.evaluate(UNDECIDED, as_of=dt.datetime(2024, 9, 9, 23, 59))
    assert late.as_of == dt.date(2024, 9, 9)
    assert late == landapproval.evaluate(UNDECIDED, as_of="2024-09-09")


@pytest.mark.parametrize("parameter", ["as_of", "today"])
@pytest.mark.parametrize("value, said", [("10/09/2024", "ISO"), ("yesterday", "ISO"), (20240910, "int"),
                                         (1.5, "float"), ([2024, 9, 10], "list")])
def test_other_dates_are_refused_naming_the_parameter(parameter, value, said):
    with pytest.raises(ArgumentError) as caught:
        landapproval.evaluate(CITY, **{parameter: value})
    error = caught.value
    assert isinstance(error, InputError) and isinstance(error, LandApprovalError) and error.exit_code == 2
    assert error.parameter == parameter and error.value == value
    assert error.problems[0].path == parameter
    assert said in error.describe("en") and parameter in error.describe("en")
    assert "--" not in error.describe("en") + error.describe("zh")  # no CLI flag in the Python API


def test_a_date_before_the_covered_period_names_the_python_parameter_not_the_cli_flag():
    with pytest.raises(InputError) as caught:
        landapproval.evaluate(UNDECIDED, as_of=dt.date(2020, 2, 29))
    assert [p.path for p in caught.value.problems] == ["as_of"]
    assert "--as-of" not in caught.value.describe("en") + caught.value.describe("zh")
    # the first day the rule book covers is accepted (rules/parameters.yaml law_covered_from)
    assert landapproval.evaluate(UNDECIDED, as_of="2020-03-01").as_of == dt.date(2020, 3, 1)


BROKEN = CITY.read_text(encoding="utf-8").replace("kind: batch", "kind: bach").replace(
    "cultivated: 2.6071", "cultivated: lots").replace("filed_on: 2024-08-26", "filed_on: someday")


def test_evaluate_text_gives_the_line_numbers_a_file_gives(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError) as as_file:
        landapproval.evaluate(path)
    with pytest.raises(InputError) as as_text:
        landapproval.evaluate_text(BROKEN)
    with pytest.raises(InputError) as as_bytes:
        landapproval.evaluate_text(BROKEN.encode("utf-8"))
    lines = [(p.path, p.line) for p in as_file.value.problems]
    assert {line for _, line in lines} >= {17, 18, 28}
    assert [(p.path, p.line) for p in as_text.value.problems] == lines
    assert [(p.path, p.line) for p in as_bytes.value.problems] == lines


def test_evaluate_text_resolution_problems_carry_lines_too():
    text = CITY.read_text(encoding="utf-8").replace('county: "141021"', 'county: "999999"')
    with pytest.raises(InputError) as caught:
        landapproval.evaluate_text(text)
    assert [(p.path, p.line) for p in caught.value.problems] == [("county", 16)]


@pytest.mark.parametrize("text", [CITY.read_text(encoding="utf-8"), '{"id": "X", "county": "141021"}',
                                  "id: X\ncounty: 曲沃县", "x" * 5000])
def test_evaluate_given_text_says_to_use_evaluate_text(text):
    with pytest.raises(ArgumentError) as caught:
        landapproval.evaluate(text)
    assert caught.value.parameter == "case"
    assert "evaluate_text" in caught.value.describe("en") and "evaluate_text" in caught.value.describe("zh")


def test_a_path_is_still_a_path_and_a_missing_file_is_an_input_error():
    assert landapproval.evaluate(str(CITY)).case == "QW-2024-05"
    with pytest.raises(InputError) as caught:
        landapproval.evaluate("no/such/case.yaml")
    assert not isinstance(caught.value, ArgumentError)


@pytest.mark.parametrize("lang", ["fr", "ZH", ""])
def test_an_unknown_language_is_a_typed_error(lang):
    decision = landapproval.evaluate(CITY)
    for call in (lambda: decision.to_dict(lang), lambda: decision.to_json(lang),
                 lambda: decision.to_json(langs=("zh", lang))):
        with pytest.raises(UnknownLanguageError) as caught:
            call()
        assert caught.value.lang == lang and caught.value.exit_code == 2
        assert isinstance(caught.value, ValueError)  # callers that caught ValueError still do


# --- a boundary without the geo extra ---------------------------------------------------------

_WITHOUT_GEO = textwrap.dedent("""
    import sys
    class _NoGeo:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("numpy", "shapely", "pyproj", "pyogrio"):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
    sys.meta_path.insert(0, _NoGeo())
    for name in [m for m in sys.modules if m.split(".")[0] in ("numpy", "shapely", "pyproj", "pyogrio")]:
        del sys.modules[name]
""")


def test_a_boundary_without_the_geo_extra_is_a_typed_input_error():
    script = _WITHOUT_GEO + textwrap.dedent(f"""
        import landapproval
        from landapproval.core.errors import MissingExtraError
        text = open({str(GIS)!r}, encoding="utf-8").read()
        for call in (lambda: landapproval.evaluate({str(GIS)!r}),
                     lambda: landapproval.evaluate({str(REPO / 'cases/gis/qw-2024-03-inline.yaml')!r})):
            try:
                call()
            except MissingExtraError as error:
                assert error.extra == "geo" and error.exit_code == 2, error
                assert error.hint == "pip install 'landapproval[geo]'"
                assert error.module in ("numpy", "shapely", "pyproj", "pyogrio"), error.module
                assert error.problems[0].path.startswith("parcels["), error.problems
                assert error.hint in error.describe("en") and error.hint in error.describe("zh")
                print("typed", error.module)
            else:
                raise SystemExit("no error")
        # a case without boundaries needs no extra
        print(landapproval.evaluate({str(CITY)!r}).conversion.level)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["typed", out.stdout.split()[1], "typed", out.stdout.split()[3], "city"]


def test_the_cli_exits_2_with_the_install_hint_for_a_boundary_without_the_geo_extra():
    script = _WITHOUT_GEO + "from landapproval.cli import main\nmain()\n"
    out = subprocess.run([sys.executable, "-c", script, "evaluate", "--lang", "en", str(GIS)],
                         capture_output=True, text=True, timeout=120, cwd=REPO)
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "pip install 'landapproval[geo]'" in out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr


def test_a_missing_module_that_is_not_optional_stays_a_defect():
    assert MissingExtraError.__mro__[1] is InputError
    from landapproval.core.errors import extra_for
    assert extra_for("numpy") == "geo" and extra_for("shapely.geometry") == "geo"
    assert extra_for("yaml") is None and extra_for(None) is None
