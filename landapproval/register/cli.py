"""`landapproval register …`: the case register on the command line (add, event, list, show, quota,
report, reevaluate, export, import). `--db PATH|postgresql://…` or LANDAPPROVAL_DB names the register."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

import click

from landapproval.core.errors import EXIT_BAD_INPUT
from landapproval.core.jsonout import dumps_text
from landapproval.decision.words import verdict
from landapproval.law import Law
from landapproval.decision.model import Check, Step
from landapproval.register.store import Register

if TYPE_CHECKING:
    from landapproval.register.report import Report

DB_HELP = "the register: a SQLite file (default ./landapproval-register.sqlite) or postgresql://… (env LANDAPPROVAL_DB)"


def law_of_run() -> Law:
    obj: dict[str, Any] = click.get_current_context().find_root().obj or {}
    folder = obj.get("rules")
    return Law.from_dir(folder) if folder else Law.default()


def _open() -> Register:
    found = click.get_current_context().find_object(dict)
    return Register.open(found.get("db") if found else None, law=law_of_run())


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name: the caller must say who
        return ""


@click.group("register")
@click.option("--db", envvar="LANDAPPROVAL_DB", help=DB_HELP)
@click.pass_context
def register(ctx: click.Context, db: str | None) -> None:
    """案件统计台账（临政发〔2024〕7号 七(三)） / the case register."""
    root = ctx.find_root()
    root.obj = root.obj or {}
    root.obj["db"] = db


@register.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default=_user, help="who files it (default: the login name)")
def add(files: tuple[Path, ...], by: str) -> None:
    """登记案件文件（补正即同一案件的新版本） / file case versions."""
    reg = _open()
    for path in files:
        added = reg.add(path, by=by)
        state = f"第{added.version}版" + ("（新）" if added.new else "（内容相同，未新增版本）")
        click.echo(f"{added.case_id}（{added.county_code}）{state}：{verdict(added.decision, 'zh')}")
        for change in added.changes:
            click.echo(f"  变更 {change['label']} {change['field']}：{change['old']} → {change['new']}")
        items: tuple[Check | Step, ...] = (*added.decision.checks, *added.decision.steps)
        for item in items:
            for finding in item.findings:
                if finding.code.startswith("register."):
                    click.echo(f"  跨案件 {item.id}：{finding.message['zh']}（{finding.citation}）")


@register.command()
@click.argument("county")
@click.argument("case_id", metavar="CASE")
@click.argument("kind")
@click.argument("day", metavar="DATE")
@click.option("--by", default=_user, help="who records it")
@click.option("--note", help="the note (a 退件 needs its reason; name the review item, e.g. C3)")
@click.option("--corrects", type=int, help="the id of the event this one corrects")
def event(county: str, case_id: str, kind: str, day: str, by: str, note: str | None, corrects: int | None) -> None:
    """登记事件（受理 补正 退件 会审 审定 缴费 批复 备案 征收土地公告；县的 暂停 恢复 用 CASE 写 -）."""
    reg = _open()
    number = reg.event(county, None if case_id == "-" else case_id, kind, day, by=by, note=note, corrects=corrects)
    click.echo(f"事件 {number}：{county} {case_id} {kind} {day}")


@register.command("list")
@click.option("--county")
@click.option("--year", type=int, help="cases accepted (else filed) in that year")
@click.option("--status", help="e.g. 已受理, 已批复, 退件")
@click.option("--project", help="project code")
@click.option("--offset", type=click.IntRange(0), default=0)
@click.option("--limit", type=click.IntRange(1, 10_000), default=100)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def list_(county: str | None, year: int | None, status: str | None, project: str | None, offset: int, limit: int,
          fmt: str) -> None:
    """列出案件 / list the cases."""
    out = _open().list_cases(county=county, year=year, status=status, project=project, offset=offset, limit=limit)
    if fmt == "json":
        click.echo(dumps_text(out, indent=True))
        return
    for c in out["cases"]:
        click.echo(f"{c['county_name']}\t{c['id']}\t{c['status']}\t第{c['versions']}版\t{c['title'] or ''}")
    click.echo(f"共 {out['total']} 件", err=True)


@register.command()
@click.argument("county")
@click.argument("case_id", metavar="CASE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def show(county: str, case_id: str, fmt: str) -> None:
    """一个案件的版本、决定和事件 / one case's history."""
    out = _open().show(county, case_id)
    if fmt == "json":
        click.echo(dumps_text(out, indent=True))
        return
    click.echo(f"{out['county_name']} {out['id']}：{out['status']}")
    for v in out["versions"]:
        click.echo(f"  第{v['number']}版 {v['recorded_at']:%Y-%m-%d %H:%M} {v['recorded_by']} sha256 {v['sha256'][:12]}")
        for change in v["changes"]:
            click.echo(f"    变更 {change['label']} {change['field']}：{change['old']} → {change['new']}")
        for d in v["decisions"]:
            click.echo(f"    决定（规则 {d['rules_sha256'][:12]}，{d['as_of']}）：{'可以批准' if d['approvable'] else '暂不能批准'}")
    for e in out["events"]:
        fix = f"（更正事件 {e['corrects']}）" if e["corrects"] else ""
        click.echo(f"  [{e['id']}] {e['day']} {e['kind']} {e['recorded_by']} {e['note'] or ''}{fix}")


@register.command()
@click.argument("county")
@click.argument("year", type=click.IntRange(1999, 2099))
@click.argument("hectares")
@click.option("--source", required=True, help="the document granting it (文号)")
@click.option("--by", default=_user)
@click.option("--additional", is_flag=True, help="an additional grant (追加), added to the year's quota")
def quota(county: str, year: int, hectares: str, source: str, by: str, additional: bool) -> None:
    """登记县年度计划指标（后登记的覆盖先登记的） / record a county-year quota."""
    reg = _open()
    reg.set_quota(county, year, hectares, source=source, by=by, kind="additional" if additional else "quota")
    ledger = reg.ledger(reg.county_of(county), year)
    if ledger is None:  # an additional grant before the year's quota: recorded, no ledger yet
        click.echo(f"{county} {year}年：已登记追加指标 {hectares} 公顷；该年度计划指标尚未登记，登记后计算可用面积")
        return
    click.echo(f"{county} {year}年：指标 {ledger['quota']}，追加 {ledger['additional']}，已审定使用 {ledger['used']}，"
               f"可用 {ledger['available']} 公顷")


@register.command()
@click.option("--year", type=click.IntRange(1999, 2099), required=True)
@click.option("--county")
@click.option("--format", "fmt", type=click.Choice(["csv", "html", "xlsx"]), default="csv")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="write to this file")
@click.option("--today", help="the day deadlines are counted to (default: today)")
def report(year: int, county: str | None, fmt: str, out_file: Path | None, today: str | None) -> None:
    """七(三) 报件质量通报 / the filing-quality report."""
    from landapproval.register import report as reports

    day = dt.date.fromisoformat(today) if today else None
    built = reports.build(_open(), year, county, day)
    writers: dict[str, Callable[[Report], str | bytes]] = {"csv": reports.to_csv, "html": reports.to_html,
                                                            "xlsx": reports.to_xlsx}
    content = writers[fmt](built)
    data = content.encode("utf-8-sig" if fmt == "csv" else "utf-8") if isinstance(content, str) else content
    if out_file:
        out_file.write_bytes(data)
    elif fmt == "xlsx" and sys.stdout.isatty():
        click.echo("error: --format xlsx: give --out FILE or redirect stdout", err=True)
        sys.exit(EXIT_BAD_INPUT)
    else:
        sys.stdout.buffer.write(data)


@register.command()
@click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False), required=True,
              help="the other rules folder")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def reevaluate(rules_dir: str, fmt: str) -> None:
    """在另一套规则下重新判断全部案件，列出结论会变的 / what a rule change would change."""
    from landapproval.register.exchange import reevaluate as run

    changed = run(_open(), Law.from_dir(rules_dir))
    if fmt == "json":
        click.echo(dumps_text(changed, indent=True))
        return
    for c in changed:
        click.echo(f"{c['county']} {c['case']} 第{c['version']}版：{'、'.join(c['differs'])} 变化；"
                   f"规则 {c['before']['rules_sha256'][:12]} → {c['after']['rules_sha256'][:12]}")
        for key in c["differs"]:
            click.echo(f"  {key}: {c['before'][key]} → {c['after'][key]}")
    click.echo(f"{len(changed)} 件结论会变化", err=True)


@register.command("export")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path))
def export_(out_file: Path | None) -> None:
    """整个登记库导出为 JSON lines / export as JSON lines."""
    from landapproval.register.exchange import export_lines

    lines = "".join(line + "\n" for line in export_lines(_open()))
    if out_file:
        out_file.write_text(lines, encoding="utf-8")
    else:
        click.echo(lines, nl=False)


@register.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file: Path) -> None:
    """把导出的 JSON lines 导入空登记库 / import an export into an empty register."""
    from landapproval.register.exchange import import_lines

    with file.open(encoding="utf-8") as stream:
        count = import_lines(_open(), stream, str(file))
    click.echo(f"导入 {count} 行")


def evaluate_with_register(paths: Sequence[str | Path], db: str, fmt: str, lang: str, as_of: dt.date | None,
                           law: Law) -> int:
    """`landapproval evaluate FILE --db DB`: each file decided with the cross-case rules; nothing written."""
    from landapproval.api import load_case
    from landapproval.views import text as render

    if fmt not in ("text", "json"):
        click.echo("error: --db: --format text or json", err=True)
        return EXIT_BAD_INPUT
    reg = Register.open(db, law=law)
    worst = 0
    out: list[Any] = []  # the decisions as JSON-ready dicts
    for path in paths:
        model, source = load_case(path, law=law)
        normalised = reg.normalise(model, Path(path).parent, source)
        decision = reg.decide(normalised, source=source, as_of=as_of)
        worst = max(worst, 0 if decision.approvable else 1)
        if fmt == "json":
            out.append(decision.to_dict(lang))
        else:
            click.echo(render.text(decision, lang, law=law))
    if fmt == "json":
        click.echo(dumps_text(out if len(out) > 1 else out[0], indent=True))
    return worst
