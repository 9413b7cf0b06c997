"""A layers file's errors speak Chinese by default and English with describe("en"), each naming the
file, the field path and what was expected (issue 9 item 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from shapely.geometry import box

from landapproval.cli import main
from landapproval.core.errors import EXIT_BAD_INPUT, InputError
from landapproval.geo import LayerSet

from .helpers import E0, N0, write_layer
from .test_postgis import pg, pg_layers_file  # noqa: F401  (pg is a fixture)

ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def refused(path, **options) -> InputError:
    with pytest.raises(InputError) as err:
        LayerSet.load(path, **options)
    return err.value


def layers_yaml(tmp_path, text: str) -> Path:
    path = tmp_path / "layers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def assert_bilingual(error: InputError, where: str, zh_words: tuple[str, ...], en_words: tuple[str, ...]):
    zh, en = error.describe(), error.describe("en")
    assert str(error) == zh and CJK.search(zh), zh
    assert all(word in zh for word in zh_words), zh
    assert all(word in en for word in en_words), en
    # a field path is followed by the line it is on: "path（第 2 行）: …" / "path (line 2): …"
    assert (where and re.search(rf": {re.escape(where)}（第 \d+ 行）: ", zh)
            and re.search(rf": {re.escape(where)} \(line \d+\): ", en)) or not where
    assert error.source in zh and error.source in en


def test_a_missing_layers_file(tmp_path):
    error = refused(tmp_path / "nope.yaml")
    assert_bilingual(error, "", ("文件不存在", "请检查路径和文件名"), ("no such file", "check the path"))


def test_a_layers_file_that_is_not_yaml(tmp_path):
    error = refused(layers_yaml(tmp_path, "layers:\n  construction_scale: {source: s.gpkg\n"))
    assert_bilingual(error, "", ("不是有效的 YAML", "第 2 行第 23 列的括号没有配对", "{ }"), ("not valid YAML",))
    error = refused(layers_yaml(tmp_path, "layers：\n  x: 1\n"))  # a full-width colon
    assert "全角冒号" in error.describe()
    error = refused(layers_yaml(tmp_path, "crs: EPSG:4525\ncrs: EPSG:4526\nlayers: {}\n"))  # a repeated key
    assert_bilingual(error, "", ("第 2 行", "字段“crs”在同一层写了两次"), ("line 2", "appears twice"))


def test_a_layers_file_that_is_not_a_mapping(tmp_path):
    error = refused(layers_yaml(tmp_path, "- pbf.gpkg\n"))
    assert_bilingual(error, "", ("图层文件应为一组", "crs", "layers", "permanent_basic_farmland: {source: pbf.gpkg, layer: pbf}"),
                     ("expected a mapping with `crs` and `layers`",))
    error = refused(layers_yaml(tmp_path, "layers: [pbf.gpkg]\n"))
    assert_bilingual(error, "layers", ("layers 应为一组图层", "{source: pbf.gpkg, layer: pbf}"),
                     ("expected a mapping of layer entries",))


def test_unknown_keys_get_a_did_you_mean(tmp_path):
    error = refused(layers_yaml(tmp_path, "layer:\n  construction_scale: {source: s.gpkg}\n"))
    assert_bilingual(error, "layer", ("不认识的字段“layer”", "是否想写 layers？"), ("unknown key; did you mean layers?",))
    error = refused(layers_yaml(tmp_path, "layers:\n  permanent_basic_farmlands: {source: s.gpkg}\n"))
    assert_bilingual(error, "layers.permanent_basic_farmlands",
                     ("不认识的图层", "是否想写 permanent_basic_farmland？", "永久基本农田"),
                     ("unknown layer; known: permanent_basic_farmland", "did you mean permanent_basic_farmland?"))
    error = refused(layers_yaml(tmp_path, "layers:\n  construction_scale: {source: s.gpkg, layr: a}\n"))
    assert_bilingual(error, "layers.construction_scale.layr", ("不认识的字段“layr”", "是否想写 layer？"),
                     ("unknown key; did you mean layer?",))
    # nothing near: no suggestion, in neither language
    error = refused(layers_yaml(tmp_path, "layers:\n  xyz: {source: s.gpkg}\n"))
    assert "是否想写" not in error.describe() and "did you mean" not in error.describe("en")


def test_an_entry_without_source_or_a_required_column(tmp_path):
    error = refused(layers_yaml(tmp_path, "layers:\n  permanent_basic_farmland: pbf.gpkg\n"))
    assert_bilingual(error, "layers.permanent_basic_farmland",
                     ("图层应写为", "permanent_basic_farmland: {source: pbf.gpkg, layer: pbf}"),
                     ("expected {source: FILE or postgresql://URL, ...}",))
    error = refused(layers_yaml(tmp_path, "layers:\n  development_zones: {source: z.gpkg, name: MC}\n"))
    assert_bilingual(error, "layers.development_zones.level", ("缺少必填项“level”", "例如 level: JB"),
                     ("required: the column that holds it",))


def test_a_missing_column_names_the_columns_there_are(tmp_path):
    write_layer(tmp_path / "z.gpkg", [box(E0, N0, E0 + 1, N0 + 1)], {"NAME": ["x"]})
    error = refused(layers_yaml(tmp_path, "layers:\n  development_zones: {source: z.gpkg, name: NAME, level: LEVEL}\n"))
    assert_bilingual(error, "layers.development_zones", ("中没有列 LEVEL", "现有的列：NAME"),
                     ("has no column LEVEL; it has NAME",))


def test_a_layer_in_the_wrong_crs(tmp_path):
    write_layer(tmp_path / "s.gpkg", [box(E0 - 37e6, N0, E0 - 37e6 + 10, N0 + 10)], crs="EPSG:4525")
    error = refused(layers_yaml(tmp_path, "layers:\n  construction_scale: {source: s.gpkg}\n"))
    assert_bilingual(error, "layers.construction_scale", ("与临汾市不重叠", "按 EPSG:4525 读取", "坐标系", "crs: EPSG:4525"),
                     ("does not overlap Linfen", "is its CRS right?"))


def test_an_unreadable_source(tmp_path):
    error = refused(layers_yaml(tmp_path, "layers:\n  construction_scale: {source: nope.gpkg}\n"))
    assert_bilingual(error, "layers.construction_scale", ("无法读取", "nope.gpkg", "请检查 source: 的文件路径"),
                     ("cannot read", "nope.gpkg"))
    (tmp_path / "garbage.gpkg").write_bytes(b"not a geopackage")
    error = refused(layers_yaml(tmp_path, "layers:\n  construction_scale: {source: garbage.gpkg}\n"))
    assert_bilingual(error, "layers.construction_scale", ("无法读取", "garbage.gpkg"), ("cannot read",))


def test_an_unreachable_postgis_server_without_the_password(tmp_path):
    """No server needed: nothing listens on port 1."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[dev]'")
    path = pg_layers_file(tmp_path, "postgresql://gis:s3cret@127.0.0.1:1/gis", "public",
                          {"permanent_basic_farmland": {"layer": "pbf"}})
    error = refused(path)
    assert_bilingual(error, "layers.permanent_basic_farmland",
                     ("无法连接 postgresql://gis:***@127.0.0.1:1/gis", "请检查地址、端口"),
                     ("cannot connect to postgresql://gis:***@127.0.0.1:1/gis",))
    assert "s3cret" not in error.describe() + error.describe("en")


def test_a_missing_postgis_table(tmp_path, pg):  # noqa: F811
    url, schema = pg
    error = refused(pg_layers_file(tmp_path, url, schema, {"permanent_basic_farmland": {"layer": "no_such_table"}}))
    assert_bilingual(error, "layers.permanent_basic_farmland.layer",
                     (f"中没有带几何列的表 {schema}.no_such_table", "例如 layer: public.pbf"),
                     (f"has no table {schema}.no_such_table with a geometry column",))


def test_the_cli_prints_one_chinese_line_and_exits_2(tmp_path):
    bad = layers_yaml(tmp_path, "layers:\n  permanent_basic_farmland: pbf.gpkg\n")
    case = ROOT / "cases" / "gis" / "qw-2024-03.yaml"
    for lang, words in (("zh", "图层应写为"), ("en", "expected {source: FILE")):
        result = CliRunner().invoke(main, ["evaluate", str(case), "--layers", str(bad), "--lang", lang])
        output = result.output.strip()
        assert result.exit_code == EXIT_BAD_INPUT, output
        assert len(output.splitlines()) == 1 and "Traceback" not in output, output
        assert words in output and "layers.permanent_basic_farmland" in output and str(bad) in output
