"""`landapproval` on the command line: a thin layer over the Python API.

Exit codes (contract, `errors.EXIT_*`): 0 approvable, 1 not approvable, 2 input that could not be
read or validated, 3 an internal or engine error. Errors are one line per problem, naming the file,
field and line, in the language of `--lang` (Chinese by default); never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Mapping, NoReturn

import click

from landapproval import api, batch
from landapproval.contract.words import parse_date
from landapproval.core.errors import (EXIT_APPROVABLE, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_NOT_APPROVABLE,
                                      EXIT_UNAVAILABLE,
                                      CalendarError, InputError, NotACaseError, Text, UnavailableError, exit_code,
                                      internal_error_line)
from landapproval.decision.model import Decision
from landapproval.core.jsonout import dumps_text
from landapproval.intake.messages import DATE_FORMS
from landapproval.law import Law
from landapproval.views import table
from landapproval.views import text as render


def _law() -> Law:
    """The law of this run: --rules (or LANDAPPROVAL_RULES), else the rules shipped with the package."""
    folder = (click.get_current_context().find_root().obj or {}).get("rules")
    return Law.from_dir(folder) if folder else Law.default()


def _date(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    day = parse_date(value)  # the date forms a case file accepts (2024年9月10日 …)
    if day is None:
        raise click.BadParameter(f"“{value}”：{DATE_FORMS.zh} / {value!r}: {DATE_FORMS.en}") from None
    return day


def _report(error: Exception, lang: str = "zh") -> None:
    if isinstance(error, InputError):
        message = error.describe(lang)
    elif isinstance(error, (CalendarError, UnavailableError)):
        message = error.describe(lang)
    else:
        message = internal_error_line(error, lang)
    click.echo(f"error: {message}".replace("\n", "\nerror: "), err=True)


def _notes(notes: Iterable[Text], source: str, lang: str) -> None:
    for note in notes:
        click.echo(("注意：" if lang == "zh" else "note: ") + f"{source}: {note(lang)}", err=True)


def _no_files(files: Iterable[str], lang: str) -> NoReturn:
    where = ", ".join(files)
    click.echo(f"error: 在 {where} 中没有找到案件文件（.yaml、.yml、.json）" if lang == "zh"
               else f"error: no case files (.yaml, .yml, .json) found in {where}", err=True)
    sys.exit(EXIT_BAD_INPUT)


class _Main(click.Group):
    """Any error that escapes a command ends it with one line and its exit code, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, KeyboardInterrupt):
            raise
        except Exception as error:  # noqa: BLE001 - the last line of defence
            _report(error, "zh")
            sys.exit(exit_code(error))


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="landapproval")
@click.option("--rules", "rules_dir", type=click.Path(exists=True, file_okay=False), envvar="LANDAPPROVAL_RULES",
              help="another rules folder (default: the rules shipped with landapproval)")
@click.pass_context
def main(ctx: click.Context, rules_dir: str | None) -> None:
    """Who approves a Linfen land-use application, and what still blocks it (临政发〔2024〕7号)."""
    ctx.obj = {"rules": rules_dir}


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv", "xlsx", "html"]), default="text",
              show_default=True, help="jsonl: one line per case, for machines; csv/xlsx: the table officials file "
                                      "(xlsx to --out FOLDER or to a redirected stdout); html: a printable report")
@click.option("--as-of", callback=_date, help="the evaluation day: its law applies where no approving act is on file (workflow.county_approved_on / decided_on, else approval_issued_on); default today")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--layers", type=click.Path(exists=True, dir_okay=False), help="layers YAML: measure boundaries against the map")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True, help="worker processes for many files")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), help="html: write one report per case into this folder")
@click.option("--db", envvar="LANDAPPROVAL_DB", help="a case register (SQLite file or postgresql://…): run the cross-case rules, read-only")
@click.option("--appendix", is_flag=True, help="text/html: add the technical appendix (field paths, rule ids, codes); 技术附录")
def evaluate(files: tuple[str, ...], fmt: str, as_of: dt.date | None, lang: str, layers: str | None, jobs: int,
             out_dir: str | None, db: str | None, appendix: bool) -> None:
    """Evaluate case files (YAML or JSON; a folder stands for the case files in it)."""
    paths = batch.expand(files)
    if not paths:
        _no_files(files, lang)
    if db:  # issue 20: the cross-case rules of rules/register.yaml, against the register (nothing written)
        from landapproval.register.cli import evaluate_with_register
        sys.exit(evaluate_with_register(paths, db, fmt, lang, as_of, _law()))
    if fmt == "html" and len(paths) > 1 and not out_dir:
        click.echo("error: --format html writes one report per case: give --out FOLDER", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if fmt == "xlsx" and not out_dir and sys.stdout.isatty():
        click.echo("error: --format xlsx writes a workbook: give --out FOLDER or redirect stdout to a file", err=True)
        sys.exit(EXIT_BAD_INPUT)
    many = len(paths) > 1
    rows: list[batch.Outcome] = []  # xlsx: every outcome, written at the end
    summary = batch.Summary()
    worst = EXIT_APPROVABLE
    decisions: list[Mapping[str, Any]] = []
    law = _law()
    outcomes = batch.run(paths, as_of=as_of, jobs=jobs, layers=layers, lang=lang, law=law)
    show_progress = many and sys.stderr.isatty()
    emitted = 0  # outcomes fully written (for a run cut off by an I/O error)
    try:
        if fmt == "csv":
            click.echo(table.csv_header(lang))
        with click.progressbar(outcomes, length=len(paths), file=sys.stderr, label="evaluating") if show_progress \
                else _nullbar(outcomes) as bar:
            for outcome in bar:
                if outcome.skipped:
                    click.echo(("注意：" if lang == "zh" else "note: ") + f"{outcome.path}: {outcome.skipped}", err=True)
                    continue
                for note in outcome.notes:
                    click.echo(("注意：" if lang == "zh" else "note: ") + note, err=True)
                summary.add(outcome)
                if fmt == "xlsx":
                    rows.append(outcome)
                if outcome.error:
                    # every format keeps one row per file, in input order, failed files included
                    if fmt in ("jsonl", "csv"):
                        click.echo(table.jsonl_line(outcome, lang) if fmt == "jsonl" else table.csv_line(outcome, lang, law=law))
                    elif fmt == "json" and many:
                        decisions.append({"file": outcome.path, "error": outcome.error})
                    elif fmt == "text" and many:
                        click.echo(_not_evaluated(outcome, lang) + "\n")
                    click.echo(f"error: {outcome.error}".replace("\n", "\nerror: "), err=True)
                    worst = max(worst, outcome.exit_code)
                    _flush_stdout(fmt)
                    emitted += 1
                    continue
                decision = outcome.decision
                assert decision is not None  # an outcome neither skipped nor failed carries its decision
                if not decision.approvable and worst == EXIT_APPROVABLE:  # 2, 3 and 4 outrank 1
                    worst = EXIT_NOT_APPROVABLE
                if fmt == "json":
                    decisions.append(decision.to_dict(lang))
                elif fmt == "jsonl":
                    click.echo(table.jsonl_line(outcome, lang))
                elif fmt == "csv":
                    click.echo(table.csv_line(outcome, lang, law=law))
                elif fmt == "xlsx":
                    pass  # written once every case is in
                elif fmt == "html":
                    _write_html(decision, outcome.path, lang, out_dir, layers, appendix)
                else:
                    click.echo(render.text(decision, lang, law=law, appendix=appendix) + ("\n" if many else ""))
                _flush_stdout(fmt)
                emitted += 1
        if fmt in ("json", "xlsx"):
            emitted = 0   # these are written at the end, all or nothing
        if fmt == "xlsx":
            _write_xlsx(rows, lang, out_dir, law)
        if fmt == "json" and decisions:
            click.echo(dumps_text(decisions if many else decisions[0], indent=True))
            sys.stdout.flush()
    except UnavailableError as error:  # a report that could not be written (permission, disk full)
        _cut_off(error, emitted, len(paths), lang)
    except OSError as error:           # stdout itself (a full disk behind a redirect, a closed pipe)
        _cut_off(batch.output_error("<stdout>", error), emitted, len(paths), lang)
    if many:
        # machine formats keep stdout clean: the summary goes to stderr
        click.echo(summary.table(lang), err=fmt in ("json", "jsonl", "csv", "xlsx", "html"))
    sys.exit(worst)


def _not_evaluated(outcome: batch.Outcome, lang: str) -> str:
    """A failed file's place in the text output (the error itself is on stderr)."""
    first = (outcome.error or "").splitlines()[0] if outcome.error else ""
    return (f"{outcome.path}: 未能评估（{first}）" if lang == "zh" else f"{outcome.path}: not evaluated ({first})")


def _flush_stdout(fmt: str) -> None:
    """Each case's output reaches stdout whole before the next (an I/O error then says how far it got)."""
    if fmt not in ("json", "xlsx", "html"):
        sys.stdout.flush()


def _cut_off(error: Exception, emitted: int, total: int, lang: str) -> NoReturn:
    """An output that cannot be written: one message with how far the run got, exit 4 (never
    "internal error"); stdout is pointed at /dev/null so nothing more is tried at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    _report(error, lang)
    click.echo(("error: " + (f"已输出 {emitted}/{total} 件的结果，其余未输出" if lang == "zh"
                             else f"the results of {emitted} of {total} cases were written, the rest were not")),
               err=True)
    sys.exit(EXIT_UNAVAILABLE)


class _nullbar:
    def __init__(self, items: Iterator[batch.Outcome]) -> None:
        self.items = items

    def __enter__(self) -> Iterator[batch.Outcome]:
        return self.items

    def __exit__(self, *exc: object) -> Literal[False]:
        return False


def _write_xlsx(outcomes: list[batch.Outcome], lang: str, out_dir: str | None, law: Law) -> None:
    from landapproval.views.workbook import workbook_bytes  # openpyxl only for this format

    data = workbook_bytes(outcomes, lang, law=law)
    if out_dir is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    path = batch.write_atomic(Path(out_dir) / ("审查结果.xlsx" if lang == "zh" else "decisions.xlsx"), data)
    click.echo(str(path), err=True)


def _write_html(decision: Decision, path: str, lang: str, out_dir: str | None, layers: str | None,
                appendix: bool = False) -> None:
    from landapproval.core.reader import read_document
    from landapproval.views import report

    svg = None
    if decision.geometry:
        svg = _map_svg(decision, path, layers, lang)
    title = None
    try:
        title = read_document(path).get("title")
    except Exception:  # the title is decoration; the case already evaluated
        pass
    page = report.html_report(decision, lang, title=title, svg=svg, law=_law(), appendix=appendix)
    if out_dir is None:
        click.echo(page)
        return
    name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in decision.case) + ".html"
    click.echo(str(batch.write_atomic(Path(out_dir) / name, page)), err=True)


def _map_svg(decision: Decision, path: str, layers: str | None, lang: str = "zh") -> str | None:
    try:
        from landapproval.views.svg import case_svg
    except ImportError:  # the geo extra is not installed
        return None
    return case_svg(decision, path, layers, law=_law(), lang=lang)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=str))
@click.option("--as-of", callback=_date, help="date whose law applies")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--layers", type=click.Path(exists=True, dir_okay=False), help="layers YAML for boundaries")
def explain(file: str, as_of: dt.date | None, lang: str, layers: str | None) -> None:
    """Print the whole trail: facts, rules fired in order, and why each other authority was kept out."""
    from landapproval.views.explain import trail

    notes: list[Text] = []
    law = _law()
    try:
        decision = api.evaluate(file, as_of=as_of, layers=layers, notes=notes, law=law)
    except (InputError, CalendarError) as error:
        _report(error, lang)
        sys.exit(EXIT_BAD_INPUT)
    _notes(notes, file, lang)
    click.echo(trail(decision, lang, law=law))
    sys.exit(EXIT_APPROVABLE if decision.approvable else EXIT_NOT_APPROVABLE)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--strict", is_flag=True, help="exit 1 when the review will need evidence the file does not give")
@click.option("--as-of", callback=_date, help="date whose law applies (for which evidence is needed)")
def validate(files: tuple[str, ...], lang: str, strict: bool, as_of: dt.date | None) -> None:
    """Check case files against the contract, and list the review evidence each still lacks.

    Exit 0 when every file is valid (2 if one is not); with --strict, 1 when evidence is missing."""
    from landapproval.views import completeness

    paths = batch.expand(files)
    if not paths:
        _no_files(files, lang)
    worst = EXIT_APPROVABLE
    law = _law()
    for path in paths:
        notes: list[Text] = []
        try:
            decision = api.evaluate(str(path), as_of=as_of, notes=notes, law=law)
        except InputError as error:
            if isinstance(path, batch.Found) and isinstance(error, NotACaseError):
                click.echo(("注意：" if lang == "zh" else "note: ") + f"{path}: " +
                           ("不是案件文件，已跳过" if lang == "zh" else "not a case file, skipped"), err=True)
                continue
            _report(error, lang)
            worst = max(worst, EXIT_BAD_INPUT)
            continue
        except CalendarError as error:
            _report(error, lang)
            worst = max(worst, EXIT_BAD_INPUT)
            continue
        except Exception as error:  # noqa: BLE001 - a defect of ours: this file fails, the others go on
            click.echo(f"error: {path}: {internal_error_line(error, lang)}", err=True)
            worst = max(worst, EXIT_INTERNAL)
            continue
        _notes(notes, str(path), lang)
        click.echo(f"{path}: {completeness.report(decision, lang, law=law)}")
        if strict and completeness.missing_evidence(decision):
            worst = max(worst, EXIT_NOT_APPROVABLE)
    sys.exit(worst)


@main.command()
@click.option("--kind", type=click.Choice(["batch", "single_site", "village_housing"]), default="batch",
              show_default=True, help="批次用地 / 单独选址用地 / 村民住宅用地")
@click.option("--county", help="the county (name, code or pinyin), e.g. 洪洞县")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False), help="write the template to this file (never overwrites)")
def init(kind: str, county: str | None, lang: str, out_file: str | None) -> None:
    """Write a case-file template: every field, with what it is, its values and the clause that needs it."""
    from landapproval.intake import messages
    from landapproval.intake.template import case_template

    name = None
    law = _law()
    if county is not None:
        found = law.jurisdiction.county(county.strip())
        if found is None:
            _report(InputError("--county", [messages.unknown_county(county, law.jurisdiction.counties)]), lang)
            sys.exit(EXIT_BAD_INPUT)
        name = found.name
    text = case_template(kind, name, lang, law=law)
    if out_file is None:
        click.echo(text, nl=False)
        return
    target = Path(out_file)
    if target.exists():
        click.echo(f"error: {target} 已存在，不覆盖" if lang == "zh" else f"error: {target} exists; not overwritten", err=True)
        sys.exit(EXIT_BAD_INPUT)
    target.write_text(text, encoding="utf-8")
    click.echo(f"{target}", err=True)


@main.command()
@click.option("--decision", is_flag=True, help="the decision's schema (the output) instead of the case file's")
@click.option("--error", is_flag=True, help="the schema of an HTTP error body")
def schema(decision: bool, error: bool) -> None:
    """Print the JSON Schema of the case file (or of the decision), generated from the models."""
    from landapproval.views import schemas

    document = (schemas.decision_schema() if decision else schemas.error_schema() if error
                else schemas.case_schema(law=_law()))
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@main.command()
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text", show_default=True,
              help="md/html: the rule book, every rule beside the clause it encodes")
def rules(lang: str, fmt: str) -> None:
    """List every rule: id, citation and what it says."""
    law = _law()  # a rule book that does not compile is a defect: exit 3 (see _Main)
    book = law.as_of()
    if fmt == "json":
        click.echo(json.dumps([render.rule_dict(rule, book.catalogue) for rule in book.rules.values()],
                              ensure_ascii=False, indent=2))
    elif fmt in ("md", "html"):
        from landapproval.views import report

        click.echo(report.rulebook_text(fmt, lang, law=law))
    else:
        click.echo(render.rule_list(book, lang))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="address to bind (loopback only unless you say otherwise; beyond it, use --token-file)")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="processes, each with its own rule engine, sharing the port")
@click.option("--token-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="require `Authorization: Bearer <token>` on /v1/*: one token a line, "
                   "`TOKEN [city | county:<code>] [read-only | read-write]` (the register's scope; a bare TOKEN is the city)")
@click.option("--max-in-flight", default=64, show_default=True, type=click.IntRange(1, 100_000),
              help="requests handled at once per worker; more wait for a slot (--queue-timeout)")
@click.option("--queue-timeout", default=2.0, show_default=True, type=click.FloatRange(0, 600),
              help="seconds a request beyond --max-in-flight waits for a slot; then 503 with Retry-After")
@click.option("--max-connections", default=1000, show_default=True, type=click.IntRange(1, 1_000_000),
              help="open connections per worker; more get 503")
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="seconds for a request's headers to arrive; then the connection is closed")
@click.option("--body-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="seconds for a request's body to arrive; then 408")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@click.option("--access-log/--no-access-log", default=False, show_default=True,
              help="one JSON line per request on stdout (request id, method, path, status, ms, bytes)")
@click.option("--layers", "layers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="layers file (CONTRACT.md Geometry) opened once at start-up; requests give boundaries inline")
@click.option("--db-connect-timeout", default=5.0, show_default=True, type=click.FloatRange(0.5, 600),
              help="seconds to connect to a PostGIS layer source; then 503 with Retry-After")
@click.option("--db-statement-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600),
              help="seconds for one query of a PostGIS layer source; then 503 with Retry-After")
@click.option("--log-format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json: every log line one JSON object with the request id (and trace id from traceparent)")
@click.option("--shutdown-grace", default=10.0, show_default=True, type=click.FloatRange(0, 3600),
              help="seconds requests in progress get to finish when the server is stopped")
def serve(host: str, port: int, workers: int, token_file: Path | None, max_in_flight: int, queue_timeout: float,
          max_connections: int, header_timeout: float, body_timeout: float, log_level: str, access_log: bool,
          layers: Path | None, db_connect_timeout: float, db_statement_timeout: float, log_format: str,
          shutdown_grace: float) -> None:
    """Serve the HTTP JSON API (POST /v1/evaluate, /v1/explain, /v1/batch, /v1/validate; /docs)."""
    try:  # imported here so that `evaluate` and the other commands never load the web stack
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        click.echo(f"error: the HTTP server needs fastapi and uvicorn ({error}); "
                   "install them with: pip install 'landapproval[server]'", err=True)
        sys.exit(EXIT_BAD_INPUT)
    from landapproval.serve.protocol import serve as run
    from landapproval.serve.settings import Settings, Token, TokenFileError, read_token_file

    tokens: tuple[Token, ...] = ()
    if token_file is not None:  # one token a line, each with its register scope (issue 20; docs/http.md)
        try:
            tokens = read_token_file(token_file)
        except TokenFileError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(EXIT_BAD_INPUT)

    # a bad layers file or rules folder stops here (exit 2 or 3), not in every worker
    run(Settings(host=host, port=port, workers=workers, log_level=log_level, max_connections=max_connections,
                 tokens=tokens, max_in_flight=max_in_flight, queue_timeout=queue_timeout, body_timeout=body_timeout,
                 header_timeout=header_timeout, access_log=access_log,
                 layers=None if layers is None else str(layers),
                 db_connect_timeout=db_connect_timeout, db_statement_timeout=db_statement_timeout,
                 log_format=log_format, shutdown_grace=shutdown_grace,
                 rules=(click.get_current_context().find_root().obj or {}).get("rules")))


from landapproval.register.cli import register as _register_group  # noqa: E402 (issue 20)
main.add_command(_register_group)

if __name__ == "__main__":  # pragma: no cover
    main()
