"""A case read and validated: YAML/JSON in, a `Case` or an `InputError` out.

The contract's own spellings are validated first (they cost nothing); only when that fails are the
words officials type read (`contract.normalise`) and the case validated again. Problems carry the
field path, the line of the file and a sentence in both languages (`intake.messages`).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from landapproval.contract import walker
from landapproval.contract.models import Case
from landapproval.contract.normalise import normalise
from landapproval.core.errors import MAX_PROBLEMS, InputError, NotACaseError, Problem, Text
from landapproval.core.reader import parse_bytes, read_file, with_lines
from landapproval.core.sentences import file_problem
from landapproval.intake import messages
from landapproval.law.catalogue import Catalogue

CaseInput = Case | dict[str, Any] | str | Path
CASE_KEYS = frozenset({"schema", "id", "county", "kind", "scope", "parcels"})
_TOP_LEVEL_KEYS = 2 * len(Case.model_fields)


def validation_problems(catalogue: Catalogue, error: ValidationError, text: str = "") -> list[Problem]:
    problems = list(messages.from_validation(catalogue, error))
    return with_lines(problems, text) if text else problems


def unknown_keys(catalogue: Catalogue, data: Any, limit: int = MAX_PROBLEMS) -> tuple[list[Problem], int]:
    """Keys the contract does not have, found by one walk over the data along the catalogue —
    up to `limit` described, the rest counted. Cheap, so a flood of unknown keys is answered
    before pydantic builds one error object per key. (Runs on every case: paths are spelt out
    only for a key that is reported.)"""
    found: list[Problem] = []
    extra = 0
    stack: list[tuple[Any, tuple[Any, ...], str]] = [(data, (), "")]
    while stack:
        node, where, canon = stack.pop()
        if node.__class__ is not dict:
            continue
        fields, nested = _layout(canon)
        unknown_here = len(node) - sum(1 for key in fields if key in node)  # a look per field, not per key
        if unknown_here:
            listed_here = 0
            for key in node:  # sentences for the first ones only: stops at the limit
                if len(found) >= limit or listed_here == unknown_here:
                    break
                if not isinstance(key, str) or key not in fields:
                    found.append(messages.unknown_field(catalogue, _spelt(where + (key,)), key))
                    listed_here += 1
            extra += unknown_here - listed_here
        for key, inner, is_list in nested:
            value = node.get(key)
            if value.__class__ is dict:
                stack.append((value, where + (key,), inner))
            elif is_list and value.__class__ is list:
                stack.extend((item, where + (key, index), inner) for index, item in enumerate(value)
                             if item.__class__ is dict)
    return found, extra


@cache  # from the models (code): the same for the life of the process
def _layout(canon: str) -> tuple[frozenset[str], tuple[tuple[str, str, bool], ...]]:
    """The keys of the group at path `canon`, and its nested groups: (key, inner path, list?)."""
    fields = walker.children(canon)
    nested = tuple((key, f.inner, f.kind == "list") for key, f in fields.items()
                   if f.inner is not None and walker.children(f.inner))
    return frozenset(fields), nested


def _spelt(parts: tuple[Any, ...]) -> str:
    """('parcels', 0, 'land', 'x') → 'parcels[0].land.x'."""
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path


def read_case_text(text: str | bytes, *, format: Literal["yaml", "json"] = "yaml", source: str = "text") -> dict[str, Any]:
    """Untrusted case text (YAML or JSON) → plain data, with the same safe loader as case files.

    The text is only ever parsed: never taken for a path (a bare ``/etc/passwd`` is a YAML string
    and refused as "not a mapping"), and a `parcels[].boundary` naming a file is refused, so text
    from a request can never make this process read its own files. Inline boundaries (mappings)
    are data and pass."""
    if format not in ("yaml", "json"):
        raise ValueError(f"unknown format {format!r}: use 'yaml' or 'json'")
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return case_mapping(parse_bytes(raw, source, json_first=format == "json"), source)


def case_mapping(data: Any, source: str) -> dict[str, Any]:
    """Parsed untrusted text → the case mapping, or InputError: not a mapping, or a boundary that
    names a file (see read_case_text)."""
    if not isinstance(data, dict):
        raise InputError(source, [("", _not_mapping(data))])
    parcels = data.get("parcels")
    if isinstance(parcels, list):
        refusal = Text("不从外部传来的文本中读取界址文件（请求中指名的文件一律不打开）：请直接写入界址数据，或对案件文件本身评估",
                       "boundary files are not read from untrusted text (nothing a request names is opened): "
                       "give the boundary inline, or evaluate the case file itself")
        problems = [Problem(f"parcels[{i}].boundary", refusal)
                    for i, parcel in enumerate(parcels)
                    if isinstance(parcel, dict) and isinstance(parcel.get("boundary"), str)]
        if problems:
            raise InputError(source, problems)
    return data


def _not_mapping(data: Any) -> Text:
    got = (("列表", "a list") if isinstance(data, list) else ("空文件", "empty") if data is None
           else ("一段文字", "text") if isinstance(data, str) else (type(data).__name__,) * 2)
    return file_problem("not_mapping", got_zh=got[0], got_en=got[1])


def load_case(catalogue: Catalogue, case: CaseInput, source: str | None = None,
              notes: list[Text] | None = None) -> tuple[Case, str]:
    """Read and validate a case; InputError names the file, field path (and line) and problem.

    `notes`, when given, receives what the reader noted on the way (e.g. a GBK file)."""
    model, source, _ = load_with_text(catalogue, case, source, notes)
    return model, source


def place_problems(jurisdiction: Any, data: dict[str, Any]) -> list[Problem]:
    """The county and a development zone named by the file, checked against the jurisdiction on the
    case as written, so that a file's every error comes in one run (with the field errors, not after
    they are fixed)."""
    if jurisdiction is None:
        return []
    problems = []
    county = data.get("county")
    if isinstance(county, (str, int)) and not isinstance(county, bool) and str(county).strip() \
            and jurisdiction.county(str(county)) is None:
        problems.append(messages.unknown_county(str(county), jurisdiction.counties))
    scope = data.get("scope")
    zone = scope.get("development_zone") if isinstance(scope, dict) else None
    if isinstance(zone, str) and zone.strip() and jurisdiction.zone(zone) is None:
        problems.append(messages.unknown_zone(zone, jurisdiction.zones))
    return problems


def _by_line(problems: list[Problem]) -> list[Problem]:
    """In the order of the file (a problem without a line where it falls by path)."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0))


def load_with_text(catalogue: Catalogue, case: CaseInput, source: str | None,
                   notes: list[Text] | None, jurisdiction: Any = None) -> tuple[Case, str, str]:
    """load_case, and the file's text (for the line numbers of later problems). With the
    jurisdiction, a file that fails is also checked for its county and zone (every error at once)."""
    text = ""
    found: list[Text] = []
    if isinstance(case, Case):
        return case, source or f"case {case.id}", ""
    if isinstance(case, (str, Path)):
        source = source or str(case)
        document = read_file(case)
        case, text, found = document.data, document.text, document.notes
        if notes is not None:
            notes.extend(found)
    source = source or "<case>"
    if not isinstance(case, dict):
        raise InputError(source, [("", _not_mapping(case))], notes=found)
    # (no depth check here: the readers check it, and pydantic does not recurse past the models)
    if len(case) > _TOP_LEVEL_KEYS:
        # far more keys than the contract has: a flood (e.g. 4 MiB of unknown keys) is counted and
        # answered before pydantic builds an error for each one — validation stops early
        unknown, more = unknown_keys(catalogue, case)
        if len(unknown) + more >= MAX_PROBLEMS:
            kind = InputError if case.keys() & CASE_KEYS else NotACaseError
            raise kind(source, unknown, more=more, notes=found)
    try:  # a valid case has no unknown key (extra="forbid"): the walk below is for failures only
        return Case.model_validate(case), source, text
    except ValidationError as error:
        first = error
    unknown, more = unknown_keys(catalogue, case)
    if not case.keys() & CASE_KEYS:
        # e.g. a layers file: say so first (a folder run skips such files), then its keys
        raise NotACaseError(source, [("", file_problem("not_a_case")), *unknown], more=more, notes=found)
    if len(unknown) + more >= MAX_PROBLEMS:
        # a flood of unknown keys: answer with them, before the error list is turned into sentences
        # (pydantic itself finds them in C, faster than the walk; one sentence each was the cost)
        raise InputError(source, unknown, more=more, notes=found)
    # the forms officials type (2024年9月10日, 5.1234公顷, 批次, 是, 无 …), read exactly; what
    # cannot be read is left as written, and its field's error explains the expected form
    normalised = normalise(case)
    if normalised is not case:
        try:
            return Case.model_validate(normalised), source, text
        except ValidationError as error:
            first = error
    problems = validation_problems(catalogue, first, text)
    seen = {p.path for p in problems}
    places = [p for p in place_problems(jurisdiction, normalised) if p.path not in seen]
    if places:
        problems = _by_line(problems + (with_lines(places, text) if text else places))
    raise InputError(source, placed(catalogue, problems, case), notes=found) from None


def placed(catalogue: Catalogue, problems: list[Problem], data: Any) -> list[Problem]:
    """Each problem with where it is in the official's words (地块 P2（第 2 个地块）的 耕地)."""
    return [p if p.place is not None else replace(p, place=messages.place(catalogue, p.path, data))
            for p in problems]
