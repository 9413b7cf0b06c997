"""Reading case files safely: YAML or JSON in, a validated `Case` or an `InputError` out.

Why not plain `yaml.safe_load`: it turns `5.1234` into a binary float, `2024-02-30` into a crash,
a repeated key into a silent overwrite, and an alias bomb into exponential work downstream.
Here numbers stay exact (Decimal), dates stay text until pydantic checks them, repeated keys and
anchors/aliases are refused, and the file size is capped before anything is parsed.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError

MAX_FILE_BYTES = 4 * 1024 * 1024  # a 10,000-parcel case is ~1.5 MB; more is not a case file
MAX_DEPTH = 32                    # the contract nests 5 deep; deeper is an attack or an accident


# libyaml (C) when PyYAML was built with it: the pure-Python parser is ~20x slower, and reading
# the rule files with it dominated the CLI's start-up.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SafeLoader(_Base):
    """SafeLoader without timestamps, floats as Decimal, no repeated keys (aliases: see parse_yaml)."""


# Drop the implicit timestamp resolver: dates stay strings and pydantic validates them
# (so 2024-02-30 is a field error, not a ValueError from inside the YAML library).
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_decimal(loader: _SafeLoader, node: yaml.ScalarNode) -> Decimal | str:
    raw = loader.construct_scalar(node)
    text = raw.replace("_", "")
    for candidate in (text, text.lower().replace(".inf", "Infinity").replace(".nan", "NaN")):
        try:
            return Decimal(candidate)  # .inf/.nan are then refused by the models, with a field path
        except InvalidOperation:
            continue
    # YAML 1.1 also reads sexagesimal "1:30.5" as a float; keep the text, the models decide
    return raw


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, bool, Decimal)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain name", key_node.start_mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} appears twice in one mapping", key_node.start_mark)
        seen[key] = True
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


def _construct_int(loader: _SafeLoader, node: yaml.ScalarNode) -> int | str:
    """Whole numbers in plain decimal only. YAML 1.1 would read `036` as octal 30, `0x24` as 36 and
    `1:00` as 60 — a typo must never silently change an area — so anything but plain digits stays
    text: `036` and `0042` then reach the models as text ("036" ha is 36 ha; an id keeps its zeros),
    and `0x24` or `1:00` as an area is a field error."""
    raw = loader.construct_scalar(node)
    digits = raw.lstrip("+-")
    if digits.isdigit() and digits.isascii() and (digits == "0" or not digits.startswith("0")):
        try:
            return int(raw)
        except ValueError:  # more digits than Python converts: the models reject it by size
            return raw
    return raw


_SafeLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
# an explicit !!timestamp stays text too: the models validate dates
_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_scalar)
_SafeLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_SafeLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _refuse_anchors(text: str) -> None:
    """A case file needs no anchors; refusing them makes alias bombs ("billion laughs") harmless.

    Checked on the event stream, before any node is built, so the refusal costs one linear pass."""
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "YAML anchors and aliases (&, *) are not accepted in case files", event.start_mark)


def parse_yaml(text: str, source: str) -> Any:
    try:
        _refuse_anchors(text)
        return yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise InputError(source, [("", f"not valid YAML ({where}): {error.problem or error}")]) from None
    except yaml.YAMLError as error:
        raise InputError(source, [("", f"not valid YAML: {error}")]) from None
    except RecursionError:
        raise InputError(source, [("", f"nested more than {MAX_DEPTH} levels deep")]) from None
    except Exception as error:  # PyYAML's constructors raise plain errors on odd explicit tags
        raise InputError(source, [("", f"not valid YAML: a value could not be read ({type(error).__name__}: {error})")]) from None


def parse_json(text: str, source: str) -> Any:
    def no_repeats(pairs):
        result = {}
        for key, value in pairs:
            if key in result:
                raise ValueError(f"the key {key!r} appears twice in one object")
            result[key] = value
        return result

    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=no_repeats,
                          parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(source, [("", f"not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}")]) from None
    except ValueError as error:
        raise InputError(source, [("", f"not valid JSON: {error}")]) from None
    except RecursionError:
        raise InputError(source, [("", f"nested more than {MAX_DEPTH} levels deep")]) from None


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number")


def read_document(path: Path | str) -> Any:
    """Read one YAML or JSON file into plain Python data, refusing anything unsafe."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(source, [("", f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}")])
        raw = path.read_bytes()
    except InputError:
        raise
    except IsADirectoryError:
        raise InputError(source, [("", "is a directory, not a case file")]) from None
    except OSError as error:
        raise InputError(source, [("", f"cannot be read: {error.strerror or error}")]) from None
    return parse_bytes(raw, source, json_first=path.suffix.lower() == ".json")


def parse_bytes(raw: bytes, source: str, json_first: bool = False) -> Any:
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(source, [("", f"document is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(source, [("", f"not UTF-8 text (byte {error.start}): save the file as UTF-8")]) from None
    if "\x00" in text:
        raise InputError(source, [("", "contains NUL characters: not a text file")])
    data = parse_json(text, source) if json_first else parse_yaml(text, source)
    _check_depth(data, source)
    return data


def _check_depth(data: Any, source: str) -> None:
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(source, [("", f"nested more than {MAX_DEPTH} levels deep")])
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def field_path(loc: tuple) -> str:
    """pydantic's ('parcels', 2, 'land', 'cultivated') → 'parcels[2].land.cultivated'."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part in ("str", "ZoneRef"):
            continue  # union-branch labels pydantic adds to the location
        else:
            path += f".{part}" if path else str(part)
    return path


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    problems = []
    for item in error.errors(include_url=False):
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (not in the landapproval/v1 contract; check the spelling)"
        elif item["type"] == "missing":
            message = "required field is missing"
        elif "input" in item and item["type"] not in ("model_type",):
            shown = repr(item["input"])
            if len(shown) > 60:
                shown = shown[:57] + "..."
            message = f"{message} (got {shown})"
        problems.append((field_path(item["loc"]), message))
    return problems
