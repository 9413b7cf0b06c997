"""The layers file is read by the same hardened reader as case files: a repeated key is refused
with its line, a number is never read through a binary float (a name that looks like one is
refused with its line, not changed), in Chinese by default and in English on request."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("pyogrio")

from landapproval.core.errors import InputError  # noqa: E402
from landapproval.geo.layers import LayerSet  # noqa: E402

GPKG = Path(__file__).resolve().parents[2] / "cases" / "gis" / "gis.gpkg"


def _layers(tmp_path: Path, body: str) -> Path:
    shutil.copy(GPKG, tmp_path / "gis.gpkg")
    path = tmp_path / "layers.yaml"
    path.write_text("crs: EPSG:4525\nlayers:\n" + body, encoding="utf-8")
    return path


def test_repeated_key_is_refused_with_its_line(tmp_path):
    path = _layers(tmp_path, "  permanent_basic_farmland: {source: gis.gpkg, layer: pbf}\n"
                             "  permanent_basic_farmland: {source: gis.gpkg, layer: red_line}\n")
    with pytest.raises(InputError) as caught:
        LayerSet.load(path)
    assert caught.value.problems[0].line == 4
    assert "第 4 行" in caught.value.describe() and "写了两次" in caught.value.describe()
    assert "line 4" in caught.value.describe("en")


def test_a_number_is_never_read_as_a_binary_float(tmp_path):
    # plain yaml.safe_load reads 2024.10 as the float 2024.1; here it is refused at its line
    path = _layers(tmp_path, "  permanent_basic_farmland: {source: gis.gpkg, layer: pbf}\n"
                             "  ecological_red_line: {source: gis.gpkg, layer: 2024.10}\n")
    with pytest.raises(InputError) as caught:
        LayerSet.load(path)
    problem = caught.value.problems[0]
    assert (problem.path, problem.line) == ("layers.ecological_red_line.layer", 4)
    assert '"2024.10"' in problem.message("zh")  # the value as written, never 2024.1


def test_the_example_layers_file_still_opens():
    assert set(LayerSet.load(GPKG.with_name("layers.yaml")).layers) == {
        "permanent_basic_farmland", "ecological_red_line", "construction_scale", "development_zones",
        "protected_areas", "land_survey"}
