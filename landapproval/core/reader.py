"""Reading case files safely: YAML or JSON in, a validated `Case` or an `InputError` out.

Why not plain `yaml.safe_load`: it turns `5.1234` into a binary float, `2024-02-30` into a crash,
a repeated key into a silent overwrite, and an alias bomb into exponential work downstream.
Here numbers stay exact (Decimal), dates stay text until pydantic checks them, repeated keys and
anchors/aliases are refused, and the file size is capped before anything is parsed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable, NoReturn

import yaml

from landapproval.core import sentences as messages
from landapproval.core.errors import InputError, Problem, Text

MAX_FILE_BYTES = 4 * 1024 * 1024  # a 10,000-parcel case is ~1.5 MB; more is not a case file
MAX_DEPTH = 32                    # the contract nests 5 deep; deeper is an attack or an accident


# libyaml (C) when PyYAML was built with it: the pure-Python parser is ~20x slower, and reading
# the rule files with it dominated the CLI's start-up.
_Base: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Refused(Exception):
    """A YAML document this reader refuses, with the sentence to show and where."""

    def __init__(self, text: Text, mark: Any = None):
        super().__init__(text.en)
        self.text, self.mark = text, mark


class _SafeLoader(_Base):  # type: ignore[valid-type,misc]  # (CSafeLoader when libyaml is there)
    """SafeLoader without timestamps, floats as Decimal, no repeated keys (aliases: see parse_yaml)."""

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        # A plain scalar's tag depends on its text alone (no path resolvers here); case files
        # repeat the same keys and values, and the regex matching was a third of a read.
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = str(super().resolve(kind, value, implicit))
                if len(_PLAIN_TAGS) < 4096:  # bounded: untrusted text must not grow it without end
                    _PLAIN_TAGS[value] = tag
            return tag
        return str(super().resolve(kind, value, implicit))


_PLAIN_TAGS: dict[str, str] = {}


# Drop the implicit timestamp resolver: dates stay strings and pydantic validates them
# (so 2024-02-30 is a field error, not a ValueError from inside the YAML library).
_SafeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _construct_decimal(loader: _SafeLoader, node: yaml.Node) -> Decimal | str:
    raw = str(loader.construct_scalar(node))
    text = raw.replace("_", "")
    for candidate in (text, text.lower().replace(".inf", "Infinity").replace(".nan", "NaN")):
        try:
            return Decimal(candidate)  # .inf/.nan are then refused by the models, with a field path
        except InvalidOperation:
            continue
    # YAML 1.1 also reads sexagesimal "1:30.5" as a float; keep the text, the models decide
    return raw


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, bool] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, bool, Decimal)) and key is not None:
            raise _Refused(messages.file_problem("bad_key"), key_node.start_mark)
        if key in seen:
            raise _Refused(messages.file_problem("repeated_key", key=key), key_node.start_mark)
        seen[key] = True
    return dict(yaml.SafeLoader.construct_mapping(loader, node, deep=deep))


def _construct_int(loader: _SafeLoader, node: yaml.Node) -> int | str:
    """Whole numbers in plain decimal only. YAML 1.1 would read `036` as octal 30, `0x24` as 36 and
    `1:00` as 60 — a typo must never silently change an area — so anything but plain digits stays
    text: `036` and `0042` then reach the models as text ("036" ha is 36 ha; an id keeps its zeros),
    and `0x24` or `1:00` as an area is a field error."""
    raw = str(loader.construct_scalar(node))
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

    Checked on the event stream, before any node is built, so the refusal costs one linear pass;
    a text without `&` and `*` has no anchor or alias, and skips that pass."""
    if "&" not in text and "*" not in text:
        return
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise _Refused(messages.file_problem("anchors"), event.start_mark)


_TAG = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ, _MERGE = (
    _TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq", "merge"))


def _load(text: str) -> Any:
    """yaml.load with _SafeLoader, building the plain data in one walk over the composed nodes.

    PyYAML's generic construction (a generator per node, recursion bookkeeping) cost more than
    parsing; the common tags are built here with the same constructors and the same refusals, and
    anything else (explicit !!binary, !!set, merge keys …) goes through the loader as before."""
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _build(loader, node)
    finally:
        loader.dispose()


def _build(loader: _SafeLoader, node: yaml.Node) -> Any:
    tag, kind = node.tag, type(node)
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag == _INT:
            return _construct_int(loader, node)
        if tag == _FLOAT:
            return _construct_decimal(loader, node)
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return yaml.constructor.SafeConstructor.bool_values[node.value.lower()]
    elif kind is yaml.MappingNode and tag == _MAP and not any(k.tag == _MERGE for k, _ in node.value):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _build(loader, key_node)
            if not isinstance(key, (str, int, bool, Decimal)) and key is not None:
                raise _Refused(messages.file_problem("bad_key"), key_node.start_mark)
            if key in out:
                raise _Refused(messages.file_problem("repeated_key", key=key), key_node.start_mark)
            out[key] = _build(loader, value_node)
        return out
    elif kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(loader, item) for item in node.value]
    return loader.construct_object(node, deep=True)


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


def parse_yaml(text: str, source: str, notes: Iterable[Text] = ()) -> Any:
    try:
        _refuse_anchors(text)
        return _load(text)
    except _Refused as refused:
        line = _line(refused.mark)
        text_at = refused.text if line is None else Text(f"第 {line} 行：{refused.text.zh}", f"line {line}: {refused.text.en}")
        raise InputError(source, [Problem("", text_at, line)], notes=notes) from None
    except yaml.MarkedYAMLError as error:
        context = str(error.context or "")
        if context.startswith("while parsing a flow") and error.context_mark is not None:
            # an unclosed { or [: say where it opens (the parser stops at the end of the file)
            opened, pair = error.context_mark, ("{ }" if "mapping" in context else "[ ]")
            at = (opened.line + 1, opened.column + 1)
            raise InputError(source, [Problem("", Text(
                f"不是有效的 YAML：第 {at[0]} 行第 {at[1]} 列的括号没有配对：{pair} 应成对出现",
                f"not valid YAML (line {at[0]}, column {at[1]}): a bracket {pair} is not closed"), at[0])],
                notes=notes) from None
        mark = error.problem_mark or error.context_mark
        if "quoted scalar" in str(error.context or "") and error.context_mark is not None:
            mark = error.context_mark  # where the unclosed quote opens, not the end of the file
        line = _line(mark)
        lines = text.splitlines()
        # the parser often stops on the line after the mistake: the sentence looks at both
        rows = [(n + 1, lines[n]) for n in ((mark.line - 1, mark.line) if mark else ()) if 0 <= n < len(lines)]
        sentence, line = messages.yaml_problem(str(error.problem or error), rows, line, mark.column + 1 if mark else None)
        raise InputError(source, [Problem("", sentence, line)], notes=notes) from None
    except RecursionError:
        raise InputError(source, [("", messages.file_problem("depth", limit=MAX_DEPTH))], notes=notes) from None
    except (yaml.YAMLError, Exception):  # PyYAML's constructors raise plain errors on odd explicit tags
        raise InputError(source, [Problem("", Text("不是有效的 YAML：有一个值无法读取（请去掉 !! 开头的类型标记）",
                                                   "not valid YAML: a value could not be read (remove !! type tags)"))],
                         notes=notes) from None


def parse_json(text: str, source: str, notes: Iterable[Text] = ()) -> Any:
    def no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)  # in C; only a mapping with a repeated key takes the slow path
        if len(result) != len(pairs):
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise _Refused(messages.file_problem("repeated_key", key=key))
                seen.add(key)
        return result

    try:
        return json.loads(text, parse_float=Decimal, object_pairs_hook=no_repeats, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise InputError(source, [Problem("", messages.json_problem(error.msg, error.lineno, error.colno), error.lineno)],
                         notes=notes) from None
    except _Refused as refused:
        raise InputError(source, [Problem("", refused.text)], notes=notes) from None
    except ValueError:
        # Python refuses to convert an integer of more than 4,300 digits (an internal limit with an
        # internal message); no area or code is that long
        raise InputError(source, [Problem("", Text("有一个数字位数过多（超过 4300 位）：这不是面积或代码",
                                                   "a number has too many digits (more than 4,300): no area or code is that long"))],
                         notes=notes) from None
    except RecursionError:
        raise InputError(source, [("", messages.file_problem("depth", limit=MAX_DEPTH))], notes=notes) from None


def _refuse_constant(name: str) -> NoReturn:
    raise _Refused(Text(f"JSON 中的 {name} 不是数", f"{name} is not a number"))


@dataclass
class Document:
    """A case file read into plain data, with its text (for line numbers) and what the reader noted."""
    data: Any
    text: str = ""
    notes: list[Text] = field(default_factory=list)


def read_file(path: Path | str) -> Document:
    """Read one YAML or JSON file, refusing anything unsafe; the text is kept for line numbers."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(source, [("", messages.file_problem("too_big", size=size, limit=MAX_FILE_BYTES))])
        raw = path.read_bytes()
    except InputError:
        raise
    except IsADirectoryError:
        raise InputError(source, [("", messages.file_problem("directory"))]) from None
    except FileNotFoundError:
        raise InputError(source, [("", messages.file_problem("not_found"))]) from None
    except OSError as error:
        raise InputError(source, [("", messages.file_problem("unreadable", reason=error.strerror or error))]) from None
    return parse_document(raw, source, json_first=path.suffix.lower() == ".json", legacy_encodings=True)


def read_document(path: Path | str) -> Any:
    """Read one YAML or JSON file into plain Python data, refusing anything unsafe."""
    return read_file(path).data


def parse_bytes(raw: bytes, source: str, json_first: bool = False) -> Any:
    return parse_document(raw, source, json_first).data


def decode(raw: bytes, source: str, legacy_encodings: bool = False) -> tuple[str, list[Text]]:
    """UTF-8 (with or without BOM); for files also GB18030, the superset of GBK that Windows Notepad
    saves as "ANSI" on a Chinese system — read, and noted, so the user knows which it was. (An HTTP
    body says its charset; the server takes UTF-8 only.)"""
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as error:
        if not legacy_encodings:
            raise InputError(source, [("", Text(f"不是 UTF-8 文本（第 {error.start} 字节）：请以 UTF-8 编码发送",
                                                f"not UTF-8 text (byte {error.start}): send UTF-8"))]) from None
    try:
        return raw.decode("gb18030"), [messages.file_problem("gb18030")]
    except UnicodeDecodeError:
        raise InputError(source, [("", messages.file_problem("encoding"))]) from None


def parse_document(raw: bytes, source: str, json_first: bool = False, legacy_encodings: bool = False) -> Document:
    if len(raw) > MAX_FILE_BYTES:
        raise InputError(source, [("", messages.file_problem("too_big", size=len(raw), limit=MAX_FILE_BYTES))])
    text, notes = decode(raw, source, legacy_encodings)
    if "\x00" in text:
        raise InputError(source, [("", messages.file_problem("nul"))], notes=notes)
    data = parse_json(text, source, notes) if json_first else parse_yaml(text, source, notes)
    check_depth(data, source, notes)
    return Document(data, text, notes)


def check_depth(data: Any, source: str, notes: Iterable[Text] = ()) -> None:
    """Refuse data nested deeper than MAX_DEPTH (before it reaches the models: they recurse)."""
    if not isinstance(data, (dict, list)):
        return
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InputError(source, [("", messages.file_problem("depth", limit=MAX_DEPTH))], notes=notes)
        values = node.values() if isinstance(node, dict) else node
        kinds = set(map(type, values))  # in C: a wide mapping of plain values is passed over quickly
        if dict in kinds or list in kinds:
            stack.extend((v, depth + 1) for v in values if isinstance(v, (dict, list)))


# ---------------------------------------------------------------------------------------------
# Lines of the file, for problems found after parsing

def with_lines(problems: list[Problem], text: str) -> list[Problem]:
    """Each problem with the line of the file its path points at (the nearest enclosing field
    that the file has). Only for files of a reasonable size: the position index costs a parse."""
    if not problems or len(text) > 1_000_000:
        return problems
    try:
        root = yaml.compose(text, Loader=_Base)
    except Exception:  # the text parsed as data already; a positional index is a bonus
        return problems
    return [p if p.line is not None or not p.path else
            Problem(p.path, p.text, _line_of(root, p.path), p.suggestions) for p in problems]


def _line_of(root: Any, path: str) -> int | None:
    node, line = root, None
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if isinstance(node, yaml.SequenceNode) and part.startswith("["):
            index = int(part[1:-1])
            if index >= len(node.value):
                break
            node = node.value[index]
            line = node.start_mark.line + 1
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if getattr(key, "value", None) == part:
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                break
        else:
            break
    return line  # None for a field missing at the top level: the path says enough
