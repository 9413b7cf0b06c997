"""What the workbench's endpoints do, apart from HTTP: read a case, evaluate it, write it back out.

Every case goes through `loading` and `api` exactly as on the command line. A refusal is raised as
`Refused` carrying its JSON response (the same shape as /v1 errors: error, message, problems).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import json as jsonlib
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from fastapi import Request
from fastapi.responses import Response

from landapproval import api, batch as batchlib
from landapproval.core import reader as loading
from landapproval.views import text as render
from landapproval.core.errors import CalendarError, InputError
from landapproval.contract.models import Case
from landapproval.serve.web.form import form

MAX_CASE_BYTES = loading.MAX_FILE_BYTES      # one case, as on disk and over /v1
BATCH_MAX_BYTES = 24 * 1024 * 1024           # a batch upload (base64 inside JSON)
BATCH_MAX_FILES = 500                        # case files in one batch, zips unpacked
BATCH_MAX_UNPACKED = 64 * 1024 * 1024        # bytes unpacked from zips in one batch
SOURCE = {"zh": "表单", "en": "form"}
NOT_A_CASE = {"zh": "案件文件应为字段映射（landapproval/v1）", "en": "a case is a mapping of fields (schema landapproval/v1)"}
PATH_REFUSED = {"zh": "服务器不读取文件路径：请为该地块上传边界文件（界址点 txt、GeoJSON 或 WKT）",
                "en": "a boundary file path is not read by the server: upload the boundary file "
                      "(界址点 txt, GeoJSON or WKT) for this parcel"}


class Refused(Exception):
    def __init__(self, response: Response):
        self.response = response


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json(content: Any, status: int = 200) -> Response:
    body = jsonlib.dumps(content, ensure_ascii=False, default=_plain, allow_nan=False)
    return Response(body.encode("utf-8"), status_code=status, media_type="application/json")


def error(status: int, code: str, message: str, problems: list[dict] | None = None) -> Response:
    return json({"error": code, "message": message, "problems": problems or []}, status)


def _problems(err: InputError, lang: str) -> list[dict]:
    """Each problem in the page's language, with its suggestions ("did you mean") where known."""
    out = []
    for problem in err.problems:
        if hasattr(problem, "to_json"):
            out.append(problem.to_json(lang))
        else:
            out.append({"path": problem[0], "message": problem[1]})
    return out


def _describe(err: InputError, lang: str) -> str:
    try:
        return err.describe(lang)
    except TypeError:  # an InputError without languages
        return err.describe()


def _input_error(err: InputError, lang: str = "zh", status: int = 422) -> Refused:
    problems = _problems(err, lang)
    message = problems[0]["message"] if len(problems) == 1 else f"{len(problems)} problems"
    return Refused(error(status, "invalid_input", message, problems))


async def read_body(request: Request, cap: int) -> bytes:
    """The raw body, refused (413) as soon as it passes `cap`, before anything is parsed."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        raise Refused(error(413, "too_large", f"the upload is {int(declared):,} bytes; the limit is {cap:,}"))
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise Refused(error(413, "too_large", f"the upload is more than {cap:,} bytes; the limit is {cap:,}"))
        chunks.append(chunk)
    return b"".join(chunks)


def layer_set(request: Request):
    """The layer set the server was started with (`serve --layers`), or None."""
    return getattr(request.app.state, "layers", None)


def form_payload(has_layers: bool) -> dict:
    return {**form(), "words": {"level": render.LEVEL, "mode": render.MODE, "status": render.STATUS,
                                "severity": render.SEVERITY, "text": render.WORDS},
            "limits": {"case_bytes": MAX_CASE_BYTES, "batch_bytes": BATCH_MAX_BYTES,
                       "batch_files": BATCH_MAX_FILES},
            "layers": has_layers,
            # the names the server knows (rules/jurisdiction.yaml): offered as the fields' suggestions
            "lists": {"county": [f"{c.name}" for c in api.jurisdiction().counties],
                      "scope.development_zone.name": [z.name for z in api.jurisdiction().zones]}}


# ---------------------------------------------------------------------------------------------
# One case

def _parse(raw: bytes, lang: str, json_first: bool) -> dict:
    try:
        data = loading.parse_bytes(raw, SOURCE[lang], json_first=json_first)
    except InputError as err:
        raise _input_error(err, lang, 400) from None
    if not isinstance(data, dict):
        raise _input_error(InputError(SOURCE[lang], [("", NOT_A_CASE[lang])]), lang)
    return data


def _path_boundaries(data: dict, lang: str) -> list[tuple[str, str]]:
    """A boundary given as a path: the server opens no file a page names; the page uploads content."""
    parcels = data.get("parcels")
    if not isinstance(parcels, list):
        return []
    return [(f"parcels[{i}].boundary", PATH_REFUSED[lang])
            for i, parcel in enumerate(parcels) if isinstance(parcel, dict) and isinstance(parcel.get("boundary"), str)]


def _validated(data: dict, lang: str) -> Case:
    source = SOURCE[lang]
    paths = _path_boundaries(data, lang)
    try:
        model = api.validate(data, source=source)
    except InputError as err:
        others = [p for p in err.problems if p[0] not in dict(paths)]
        raise _input_error(InputError(source, paths + others), lang) from None
    if paths:
        raise _input_error(InputError(source, paths), lang)
    return model


def open_case(raw: bytes, lang: str) -> Response:
    """A case file's text → its data for the form, with every problem the CLI would report."""
    text_start = raw.lstrip()[:1]
    data = _parse(raw, lang, json_first=text_start in (b"{", b"["))
    problems: list[dict] = []
    try:
        _validated(data, lang)
    except Refused as refused:
        problems = jsonlib.loads(refused.response.body)["problems"]
    return json({"case": data, "problems": problems})


def _decide(raw: bytes, lang: str, layers):
    model = _validated(_parse(raw, lang, json_first=True), lang)
    try:
        decision = api.evaluate(model, source=SOURCE[lang], layers=layers)
    except InputError as err:
        raise _input_error(err, lang) from None
    except (CalendarError, OverflowError) as err:
        raise Refused(error(422, "calendar_unknown", str(err), [{"path": "", "message": str(err)}])) from None
    return model, decision


def _map(model: Case, layers) -> str | None:
    if not any(p.boundary for p in model.parcels):
        return None
    from landapproval.geo import LayerSet
    from landapproval.decision.mapfacts import read_parcel_boundary
    from landapproval.views.svg import parcels_svg

    parcels = [(p.id, read_parcel_boundary(p.boundary, Path("."), SOURCE["zh"], f"parcels[{i}].boundary").geometry)
               for i, p in enumerate(model.parcels) if p.boundary]
    return parcels_svg(parcels, layers if layers is not None else LayerSet.from_geometries())


def evaluate(raw: bytes, lang: str, layers) -> Response:
    model, decision = _decide(raw, lang, layers)
    return json({"decision": decision.to_dict(lang), "map": _map(model, layers),
                 "as_of_words": render.as_of_words(decision, lang)})


def report(raw: bytes, lang: str, layers) -> Response:
    from landapproval.views import report as reportlib

    model, decision = _decide(raw, lang, layers)
    page = reportlib.html_report(decision, lang, title=model.title, svg=_map(model, layers))
    return Response(page.encode("utf-8"), media_type="text/html; charset=utf-8",
                    headers={"Content-Disposition": f'inline; filename="{_file_name(model.id)}.html"'})


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


def case_yaml(raw: bytes, lang: str) -> Response:
    """The validated case as a case file: what the CLI reads back to the same decision."""
    model = _validated(_parse(raw, lang, json_first=True), lang)
    data = _pruned(model.model_dump(mode="python", by_alias=True, exclude_none=True))
    data = {"schema": "landapproval/v1", **{k: v for k, v in data.items() if k != "schema"}}
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)
    header = "# landapproval/v1 — 用地审批工作台导出 (landapproval evaluate 本文件)\n"
    return Response((header + text).encode("utf-8"), media_type="application/yaml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{_file_name(model.id)}.yaml"'})


def _file_name(case_id: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in case_id)[:80] or "case"


# ---------------------------------------------------------------------------------------------
# A batch

def _batch_files(raw: bytes) -> list[tuple[str, bytes]]:
    """{"files": [{"name", "content" (base64)}]} → (name, bytes) case files, zips unpacked in order."""
    data = _parse(raw, "zh", json_first=True)
    files = data.get("files")
    if not isinstance(files, list) or not files:
        raise Refused(error(422, "invalid_input", "no files", [{"path": "files", "message": "no files"}]))
    out: list[tuple[str, bytes]] = []
    unpacked = 0
    for index, item in enumerate(files):
        name = str(item.get("name", f"file{index + 1}")) if isinstance(item, dict) else f"file{index + 1}"
        try:
            content = base64.b64decode(item["content"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise Refused(error(422, "invalid_input", f"{name}: not base64 content",
                                [{"path": f"files[{index}]", "message": "not base64 content"}])) from None
        if not name.lower().endswith(".zip"):
            out.append((name, content))
            continue
        try:
            archive = zipfile.ZipFile(io.BytesIO(content))
            members = [m for m in archive.infolist()
                       if not m.is_dir() and m.filename.lower().endswith(batchlib.CASE_SUFFIXES)
                       and not m.filename.split("/")[-1].startswith(".")]
            for member in members:
                unpacked += member.file_size
                if unpacked > BATCH_MAX_UNPACKED or len(out) >= BATCH_MAX_FILES:
                    break
                with archive.open(member) as stream:  # read no more than the cap, whatever the header says
                    body = stream.read(MAX_CASE_BYTES + 1)
                out.append((f"{name}/{member.filename}", body))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, OSError) as err:
            out.append((name, b"\x00" + str(err).encode()))  # reported as that file's error below
        if unpacked > BATCH_MAX_UNPACKED:
            raise Refused(error(413, "too_large", f"the zips unpack to more than {BATCH_MAX_UNPACKED:,} bytes"))
        if len(out) > BATCH_MAX_FILES:
            break
    if len(out) > BATCH_MAX_FILES:
        raise Refused(error(413, "too_large", f"more than {BATCH_MAX_FILES} case files in one batch"))
    return out


def _batch_outcome(name: str, content: bytes, lang: str, layers) -> batchlib.Outcome:
    if content.startswith(b"\x00"):
        return batchlib.Outcome(name, error=f"{name}: not a readable zip ({content[1:].decode(errors='replace')})")
    try:
        data = loading.parse_bytes(content, name, json_first=name.lower().endswith(".json"))
        if not isinstance(data, dict):
            raise InputError(name, [("", NOT_A_CASE[lang])])
        paths = _path_boundaries(data, lang)
        if paths:
            raise InputError(name, paths)
        return batchlib.Outcome(name, decision=api.evaluate(data, source=name, layers=layers))
    except InputError as err:
        return batchlib.Outcome(name, error=_describe(err, lang))
    except (CalendarError, OverflowError) as err:
        return batchlib.Outcome(name, error=f"{name}: {err}")


def batch(raw: bytes, lang: str, fmt: str, layers) -> Response:
    """One row per case: the officials' table of `landapproval evaluate --format csv|xlsx`."""
    if fmt not in ("json", "csv", "xlsx"):
        raise Refused(error(422, "invalid_input", "format must be json, csv or xlsx",
                            [{"path": "format", "message": "json | csv | xlsx"}]))
    outcomes = [_batch_outcome(name, content, lang, layers) for name, content in _batch_files(raw)]
    if fmt == "csv":
        text = "\n".join([batchlib.csv_header(lang), *(batchlib.csv_line(o, lang) for o in outcomes)]) + "\n"
        return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="batch.csv"'})
    if fmt == "xlsx":
        from landapproval.views.workbook import workbook_bytes

        return Response(workbook_bytes(outcomes, lang),
                        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        headers={"Content-Disposition": 'attachment; filename="batch.xlsx"'})
    summary = batchlib.Summary()
    for outcome in outcomes:
        summary.add(outcome)
    columns = [{"key": key, "label": zh if lang == "zh" else en} for key, zh, en in batchlib.COLUMNS]
    rows = [{**batchlib.table_row(o, lang), "approvable": None if o.decision is None else o.decision.approvable}
            for o in outcomes]
    return json({"columns": columns, "rows": rows, "summary": summary.table(lang)})
