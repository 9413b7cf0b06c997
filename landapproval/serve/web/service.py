"""What the workbench's endpoints do, apart from HTTP: read a case, evaluate it, write it back out.

Every case goes through the same reader and `api` as on the command line and /v1, with the
application's one `Law` (each function takes it first). A refusal is raised as `errors.Reject`:
the same body as /v1 errors (error, message, problems with their field paths).
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from fastapi.responses import Response

from landapproval import api, batch as batchlib
from landapproval.contract.models import Case
from landapproval.contract.normalise import normalise
from landapproval.contract.words import AREA_UNITS
from landapproval.core import reader
from landapproval.core.errors import CalendarError, InputError, Problem, Text
from landapproval.decision.model import Decision
from landapproval.decision.words import (LEVEL, MODE, SEVERITY, STATUS, WORDS, authority_words, deciding_facts, next_words, verdict,
                                         verdict_kind, verdict_short)
from landapproval.intake.validation import case_mapping
from landapproval.law import Law
from landapproval.serve import body
from landapproval.serve.errors import Reject, input_error, json_response, problem, rejected
from landapproval.serve.web.form import form
from landapproval.views import text as views_text

MAX_CASE_BYTES = body.MAX_BODY_BYTES         # one case, as on disk and over /v1
BATCH_MAX_BYTES = 24 * 1024 * 1024           # a batch upload (base64 inside JSON)
BATCH_MAX_FILES = 500                        # case files in one batch, zips unpacked
BATCH_MAX_UNPACKED = 64 * 1024 * 1024        # bytes unpacked from zips in one batch
SOURCE = {"zh": "表单", "en": "form"}
PATH_REFUSED = Text("服务器不读取文件路径：请为该地块上传边界文件（界址点 txt、GeoJSON 或 WKT）",
                    "a boundary file path is not read by the server: upload the boundary file "
                    "(界址点 txt, GeoJSON or WKT) for this parcel")


def form_payload(law: Law, has_layers: bool) -> dict[str, Any]:
    """What the page builds itself from: the form, the words of a decision, the caps, the names."""
    return {**form(law.catalogue), "words": {"level": LEVEL, "mode": MODE, "status": STATUS,
                                             "severity": SEVERITY, "text": WORDS},
            "limits": {"case_bytes": MAX_CASE_BYTES, "batch_bytes": BATCH_MAX_BYTES,
                       "batch_files": BATCH_MAX_FILES},
            "layers": has_layers,
            # the units an area may carry (contract.words): the page's 合计 reads a cell as the server does
            "area_units": list(AREA_UNITS),
            # the names the law knows (rules/jurisdiction.yaml): offered as the fields' suggestions
            "lists": {"county": [c.name for c in law.jurisdiction.counties],
                      "scope.development_zone.name": [z.name for z in law.jurisdiction.zones]}}


# ---------------------------------------------------------------------------------------------
# One case

def _mapping(data: Any, source: str) -> dict[str, Any]:
    """Parsed text as a case mapping; anything else is refused as the loader refuses it."""
    return data if isinstance(data, dict) else case_mapping(data, source)  # (raises: not a mapping)


def _parse(raw: bytes, lang: str, json_first: bool) -> dict[str, Any]:
    data = body.parse(raw, SOURCE[lang], lang, json_first=json_first)
    with rejected(lang):
        return _mapping(data, SOURCE[lang])


def _path_boundaries(data: dict[str, Any]) -> list[Problem]:
    """A boundary given as a path: the server opens no file a page names; the page uploads content."""
    parcels = data.get("parcels")
    if not isinstance(parcels, list):
        return []
    return [Problem(f"parcels[{i}].boundary", PATH_REFUSED)
            for i, parcel in enumerate(parcels) if isinstance(parcel, dict) and isinstance(parcel.get("boundary"), str)]


def _validated(law: Law, data: dict[str, Any], lang: str) -> Case:
    source = SOURCE[lang]
    paths = _path_boundaries(data)
    try:
        model = api.validate(data, source=source, law=law)
    except InputError as err:
        refused = {p.path for p in paths}
        others = [p for p in err.problems if p.path not in refused]
        raise input_error(422, InputError(source, paths + others, more=err.more), lang) from None
    if paths:
        raise input_error(422, InputError(source, paths), lang)
    return model


def _echoable(value: Any) -> Any:
    """Parsed case text as the page gets it back: keys as text (YAML allows ``1: x``), whole numbers
    beyond 64 bits as their digits (the JSON encoder, like the page's numbers, stops there)."""
    if isinstance(value, dict):
        return {_key(k): _echoable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_echoable(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**64:
        return str(value)
    return value


def _key(key: Any) -> str:
    """A mapping key as JSON writes one: true, false, null, or the text of the value."""
    if key is None or isinstance(key, bool):
        return "null" if key is None else "true" if key else "false"
    return str(key)


def open_case(law: Law, raw: bytes, lang: str) -> Response:
    """A case file's text → its data for the form, with every problem the CLI would report."""
    data = _parse(raw, lang, json_first=raw.lstrip()[:1] in (b"{", b"["))
    problems: list[dict[str, Any]] = []
    try:
        _validated(law, data, lang)
    except Reject as refused:
        problems = refused.problems
    # the form shows the case as the engine reads it: the words officials type (是/否, 批次, 2024年9月10日,
    # 5.1234公顷 …) read by the contract's one normalisation, never by a second reading in the page
    return json_response({"case": _echoable(normalise(data)), "problems": problems})


# `layers`: None or the server's opened layer set, as `api.evaluate` takes it (typed Any there)
def _decide(law: Law, raw: bytes, lang: str, layers: Any) -> tuple[Case, Decision]:
    model = _validated(law, _parse(raw, lang, json_first=True), lang)
    with rejected(lang, SOURCE[lang]):
        decision = api.evaluate(model, source=SOURCE[lang], layers=layers, law=law)
    return model, decision


def _map(model: Case, layers: Any, lang: str = "zh") -> str | None:
    if not any(p.boundary for p in model.parcels):
        return None
    from landapproval.decision.mapfacts import layer_set_of, read_parcel_boundary
    from landapproval.views.svg import parcels_svg

    parcels = [(p.id, read_parcel_boundary(p.boundary, Path("."), SOURCE["zh"], f"parcels[{i}].boundary").geometry)
               for i, p in enumerate(model.parcels) if p.boundary]
    return parcels_svg(parcels, layer_set_of(layers), lang=lang)


def evaluate(law: Law, raw: bytes, lang: str, layers: Any) -> Response:
    model, decision = _decide(law, raw, lang, layers)
    # the verdict in words from decision.words, as the CLI's text, the CSV and the report say it
    return json_response({"decision": decision.to_dict(lang), "map": _map(model, layers, lang),
                          "deciding": deciding_facts(decision, lang),
                          "verdict": verdict(decision, lang), "verdict_short": verdict_short(decision, lang),
                          "next_words": next_words(decision, lang),
                          "authority_words": {part: authority_words(getattr(decision, part), lang, decision.county["name"])
                                              for part in ("conversion", "expropriation")},
                          "as_of_words": views_text.as_of_words(decision, lang, law.as_of(decision.as_of))})


def report(law: Law, raw: bytes, lang: str, layers: Any, appendix: bool = False) -> Response:
    from landapproval.views import report as reportlib

    model, decision = _decide(law, raw, lang, layers)
    page = reportlib.html_report(decision, lang, title=model.title, svg=_map(model, layers, lang), law=law,
                                 appendix=appendix)
    return Response(page.encode("utf-8"), media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": disposition("inline", _file_name(model.id) + ".html")})


class _Dumper(yaml.SafeDumper):
    """Decimals as plain numbers (never floats), multi-line text (an inline 界址点 file) as a block."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    return dumper.represent_scalar("tag:yaml.org,2002:" + ("float" if "." in text else "int"), text)


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(str, lambda d, v: d.represent_scalar("tag:yaml.org,2002:str", v,
                                                             style="|" if "\n" in v else None))


def _pruned(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v != {}}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def case_yaml(law: Law, raw: bytes, lang: str) -> Response:
    """The validated case as a case file: what the CLI reads back to the same decision."""
    model = _validated(law, _parse(raw, lang, json_first=True), lang)
    data = _pruned(model.model_dump(mode="python", by_alias=True, exclude_none=True))
    data = {"schema": "landapproval/v1", **{k: v for k, v in data.items() if k != "schema"}}
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    header = "# landapproval/v1 — 用地审批工作台导出 (landapproval evaluate 本文件)\n"
    return Response((header + text).encode("utf-8"), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": disposition("attachment", _file_name(model.id) + ".yaml")})


def _file_name(case_id: str) -> str:
    """A case number as a file name: letters of any script (临汾-2024-07), digits, - _ . kept."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case_id)[:80].strip(".") or "case"


def disposition(kind: str, name: str) -> str:
    """Content-Disposition with a Chinese file name (RFC 6266 / RFC 5987 ``filename*``), and an
    ASCII ``filename`` for clients that know only that (non-ASCII letters as _)."""
    from urllib.parse import quote

    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _batch_name(files: list[tuple[str, bytes]], suffix: str) -> str:
    """审查结果_<first file>等3件.xlsx: the download says which batch it is."""
    first = Path(files[0][0].split("/")[-1]).stem if files else "batch"
    more = f"等{len(files)}件" if len(files) > 1 else ""
    return f"审查结果_{_file_name(first)}{more}.{suffix}"


# ---------------------------------------------------------------------------------------------
# A batch

def _refused(status: int, code: str, message: str, path: str | None = None) -> Reject:
    return Reject(status, code, message, problems=[problem(path, message)] if path is not None else [])


BOUNDARY_SUFFIXES = {".txt": "jzd", ".geojson": "geojson", ".wkt": "wkt"}


def _batch_files(raw: bytes, attached: dict[str, bytes] | None = None) -> list[tuple[str, bytes]]:
    """{"files": [{"name", "content" (base64)}]} → (name, bytes) case files, zips unpacked in order.
    Boundary files in a zip (界址点 .txt, .geojson, .wkt) go into `attached` by their name in the
    zip, for the cases beside them that name them."""
    data = _parse(raw, "zh", json_first=True)
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise _refused(422, "invalid_input", "没有收到案件文件：请选择案件文件（YAML / JSON）或 zip 压缩包", "files")
    out: list[tuple[str, bytes]] = []
    unpacked = 0
    for index, item in enumerate(files):
        name = str(item.get("name", f"file{index + 1}")) if isinstance(item, dict) else f"file{index + 1}"
        try:
            content = base64.b64decode(item["content"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise Reject(422, "invalid_input", f"{name}：文件内容无法读取（不是 base64 编码），请重新选择文件",
                         problems=[problem(f"files[{index}]", "文件内容无法读取（不是 base64 编码）")]) from None
        if not name.lower().endswith(".zip"):
            out.append((name, content))
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = [m for m in archive.infolist()
                       if not m.is_dir() and m.filename.lower().endswith(batchlib.CASE_SUFFIXES)
                       and not m.filename.split("/")[-1].startswith(".")]
            boundary_members = [m for m in archive.infolist() if not m.is_dir() and attached is not None
                                and Path(m.filename).suffix.lower() in BOUNDARY_SUFFIXES]
            for member in boundary_members:
                unpacked += member.file_size
                if unpacked > BATCH_MAX_UNPACKED:
                    break
                with archive.open(member) as stream:
                    if attached is not None:   # always: boundary_members is empty without it
                        attached[f"{name}/{member.filename}"] = stream.read(MAX_CASE_BYTES + 1)
            for member in members:
                unpacked += member.file_size
                if unpacked > BATCH_MAX_UNPACKED or len(out) >= BATCH_MAX_FILES:
                    break
                with archive.open(member) as stream:  # read no more than the cap, whatever the header says
                    content_of_member = stream.read(MAX_CASE_BYTES + 1)
                out.append((f"{name}/{member.filename}", content_of_member))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError) as err:
            out.append((name, b"\x00" + str(err).encode()))  # reported as that file's error below
        if unpacked > BATCH_MAX_UNPACKED:
            raise _refused(413, "too_large", f"zip 压缩包解压后超过 {BATCH_MAX_UNPACKED:,} 字节：请分批审查")
        if len(out) > BATCH_MAX_FILES:
            break
    if len(out) > BATCH_MAX_FILES:
        raise _refused(413, "too_large", f"一次批量审查最多 {BATCH_MAX_FILES} 个案件文件：请分批审查")
    return out


def _attach_boundaries(data: dict[str, Any], name: str, attached: dict[str, bytes]) -> dict[str, Any]:
    """A case from a zip whose parcels name boundary files in the same zip (qw.txt#P1): each such
    boundary given inline ({format, data, id}), as the page's upload gives it; the server still
    opens no path."""
    import posixpath

    parcels = data.get("parcels")
    if not attached or not isinstance(parcels, list):
        return data
    folder = posixpath.dirname(name)
    changed: list[Any] = []
    for parcel in parcels:
        spec = parcel.get("boundary") if isinstance(parcel, dict) else None
        if isinstance(spec, str):
            file, _, parcel_id = spec.partition("#")
            found = attached.get(posixpath.normpath(posixpath.join(folder, file)))
            fmt = BOUNDARY_SUFFIXES.get(Path(file).suffix.lower())
            if found is not None and fmt is not None:
                text, _ = reader.decode(found, file, legacy_encodings=True)   # 界址点 files are often GBK
                inline = {"format": fmt, "data": text}
                if parcel_id:
                    inline["id"] = parcel_id
                parcel = {**parcel, "boundary": inline}
        changed.append(parcel)
    return {**data, "parcels": changed}


def _batch_outcome(law: Law, name: str, content: bytes, lang: str, layers: Any,
                   attached: dict[str, bytes] | None = None) -> batchlib.Outcome:
    if content.startswith(b"\x00"):
        return batchlib.Outcome(name, error=f"{name}：不是可以读取的 zip 压缩包（{content[1:].decode(errors='replace')}）")
    try:
        # a file of the batch is read as the CLI reads a file: UTF-8, or GBK as Notepad saves it
        data = _mapping(reader.parse_document(content, name, json_first=name.lower().endswith(".json"),
                                              legacy_encodings=True).data, name)
        data = _attach_boundaries(data, name, attached or {})
        paths = _path_boundaries(data)
        if paths:
            raise InputError(name, paths)
        return batchlib.Outcome(name, decision=api.evaluate(data, source=name, layers=layers, law=law))
    except InputError as err:
        return batchlib.Outcome(name, error=err.describe(lang))
    except (CalendarError, OverflowError) as err:
        return batchlib.Outcome(name, error=f"{name}: {err}")


def batch(law: Law, raw: bytes, lang: str, fmt: str, layers: Any) -> Response:
    """One row per case: the officials' table of `landapproval evaluate --format csv|xlsx`."""
    if fmt not in ("json", "csv", "xlsx"):
        raise Reject(422, "invalid_input", "下载格式应为 json、csv 或 xlsx",
                     problems=[problem("format", "json | csv | xlsx")])
    from landapproval.views import table

    attached: dict[str, bytes] = {}
    files = _batch_files(raw, attached)
    outcomes = [_batch_outcome(law, name, content, lang, layers, attached) for name, content in files]
    if fmt == "csv":
        text = "\n".join([table.csv_header(lang), *(table.csv_line(o, lang, law=law) for o in outcomes)]) + "\n"
        return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": disposition("attachment", _batch_name(files, "csv"))})
    if fmt == "xlsx":
        from landapproval.views.workbook import workbook_bytes

        return Response(workbook_bytes(outcomes, lang, law=law),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": disposition("attachment", _batch_name(files, "xlsx"))})
    summary = batchlib.Summary()
    for outcome in outcomes:
        summary.add(outcome)
    columns = [{"key": key, "label": zh if lang == "zh" else en} for key, zh, en in table.COLUMNS]
    rows = [{**table.table_row(o, lang, law=law), "approvable": None if o.decision is None else o.decision.approvable,
             "verdict_kind": None if o.decision is None else verdict_kind(o.decision)}
            for o in outcomes]
    return json_response({"columns": columns, "rows": rows, "summary": summary.table(lang)})
