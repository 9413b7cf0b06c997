"""`landapproval` on the command line: a thin layer over the Python API.

Exit codes (contract): 0 approvable, 1 not approvable, 2 input that could not be read or
validated. Errors are one line per problem, naming the file and field; never a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import sys

import click

from . import api, render, rulebook
from .errors import CalendarError, InputError, LandApprovalError

EXIT_APPROVABLE, EXIT_NOT_APPROVABLE, EXIT_BAD_INPUT = 0, 1, 2


def _date(ctx, param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _report(error: Exception) -> None:
    message = error.describe() if isinstance(error, InputError) else str(error)
    click.echo(f"error: {message}".replace("\n", "\nerror: "), err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="landapproval")
def main() -> None:
    """Who approves a Linfen land-use application, and what still blocks it (临政发〔2024〕7号)."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", callback=_date, help="date whose law applies (default: workflow.decided_on, else filed_on, else today)")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def evaluate(files, fmt, as_of, lang):
    """Evaluate case files (YAML or JSON) and print the decision."""
    worst = EXIT_APPROVABLE
    outputs = []
    for path in files:
        try:
            decision = api.evaluate(path, as_of=as_of)
        except (InputError, CalendarError) as error:
            _report(error)
            worst = EXIT_BAD_INPUT
            continue
        if fmt == "json":
            outputs.append(decision.to_dict(lang))
        else:
            click.echo(render.text(decision, lang))
        if not decision.approvable and worst == EXIT_APPROVABLE:
            worst = EXIT_NOT_APPROVABLE
    if fmt == "json":
        document = outputs[0] if len(files) == 1 and outputs else outputs
        if outputs or len(files) > 1:
            click.echo(json.dumps(document, ensure_ascii=False, indent=2))
    sys.exit(worst)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=str))
def validate(files):
    """Check case files against the contract without evaluating them."""
    worst = EXIT_APPROVABLE
    for path in files:
        try:
            api.validate(path)
            click.echo(f"{path}: ok")
        except InputError as error:
            _report(error)
            worst = EXIT_BAD_INPUT
    sys.exit(worst)


@main.command()
def schema():
    """Print the JSON Schema of the case file, generated from the models."""
    from .models import Case

    click.echo(json.dumps(Case.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))


@main.command()
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def rules(lang, fmt):
    """List every rule: id, citation and what it says."""
    try:
        book = rulebook.load()
    except LandApprovalError as error:
        _report(error)
        sys.exit(EXIT_BAD_INPUT)
    if fmt == "json":
        click.echo(json.dumps([render.rule_dict(rule) for rule in book.rules.values()],
                              ensure_ascii=False, indent=2))
    else:
        click.echo(render.rule_list(book, lang))


if __name__ == "__main__":  # pragma: no cover
    main()
