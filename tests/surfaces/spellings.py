"""Every example case written the ways the README accepts, generated from the example files (never
by hand): the spellings officials type, read into the contract's values by `contract.normalise`.

- ``official``: 是/否, the Chinese names of values (批次, 集体, 省级 …), dates as 2024年9月10日,
  areas as 5.1234公顷, 无 for an empty list or no development zone — UTF-8
- ``fullwidth-gbk``: the same words, dates and areas in full-width digits (２０２４年９月１０日,
  ５．１２３４), the file saved in GBK as Windows Notepad saves it
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from landapproval.contract import walker
from landapproval.contract.words import label_data, parse_date
from landapproval.core.reader import read_document

ROOT = Path(__file__).resolve().parents[2]
_FULL = str.maketrans("0123456789.-", "０１２３４５６７８９．－")


def example_cases() -> list[Path]:
    """Every example case whose parcels carry no boundary file path (the page uploads boundaries;
    a path names a file on the official's disk): cases/*.yaml and cases/review/*.yaml."""
    found = []
    for path in sorted((ROOT / "cases").glob("*.yaml")) + sorted((ROOT / "cases" / "review").glob("*.yaml")):
        data = read_document(path)
        if isinstance(data, dict) and data.get("parcels") and \
                not any(isinstance(p.get("boundary"), str) for p in data["parcels"]):
            found.append(path)
    return found


def _kinds() -> dict[str, str]:
    return {f.path: f.kind for f in walker.fields()}


def _chinese_name(path: str, value: str) -> str | None:
    """The first Chinese alias labels.yaml gives for an enum value (批次 for batch), if any."""
    spec = label_data()["values"].get(path, {}).get(value) or {}
    for alias in spec.get("aliases", ()):
        if any("\u4e00" <= ch <= "\u9fff" for ch in alias):
            return alias
    return None


def _respell(value: Any, path: str, kinds: dict[str, str], full: bool) -> Any:
    if isinstance(value, dict):
        kind = kinds.get(path)
        if kind == "other" and path.endswith("boundary"):
            return value
        return {k: _respell(v, f"{path}.{k}" if path else str(k), kinds, full) for k, v in value.items()}
    if value == [] and kinds.get(path) == "list" and not full:
        return "无"                     # 无: none (an empty list)
    if value is None and kinds.get(path) == "zone" and not full:
        return "无"                     # 无: not in a development zone
    if isinstance(value, list):
        return [_respell(v, path + "[]", kinds, full) for v in value]
    kind = kinds.get(path)
    if kind == "bool" and isinstance(value, bool):
        return "是" if value else "否"
    if kind == "enum" and isinstance(value, str):
        return _chinese_name(path, value) or value
    if kind == "date" and value is not None:
        day = parse_date(value)
        if day is None:
            return value
        text = f"{day.year}年{day.month}月{day.day}日"
        return text.translate(_FULL) if full else text
    if kind == "area" and isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        text = format(Decimal(value), "f")
        return text.translate(_FULL) if full else text + "公顷"
    return value


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:" + ("float" if "." in format(v, "f") else "int"), format(v, "f")))
_Dumper.add_representer(dt.date, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v.isoformat()))


def variants(path: Path, folder: Path) -> list[tuple[str, Path]]:
    """(spelling, file) for one example case: as written, then each other spelling, in `folder`."""
    data = read_document(path)
    kinds = _kinds()
    out = [("written", path)]
    for name, full, encoding in (("official", False, "utf-8"), ("fullwidth-gbk", True, "gbk")):
        text = yaml.dump(_respell(data, "", kinds, full), Dumper=_Dumper, allow_unicode=True, sort_keys=False)
        target = folder / f"{path.stem}.{name}.yaml"
        target.write_bytes(text.encode(encoding))
        out.append((name, target))
    return out
