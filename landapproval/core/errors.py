"""Errors a user can act on: each names the file, the field path and the problem.

An `InputError` carries a list of `Problem`s; each problem has its field path, a Chinese and an
English sentence, the line of the file where known, and suggestions ("did you mean") where a near
valid name exists. `describe(lang)` is the one-line-per-problem text the CLI prints;
`to_json(lang)` the body the HTTP server sends. The list is capped at `MAX_PROBLEMS`: a file of
half a million unknown keys is answered with the first hundred and "还有 N 项问题 / and N more".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, NamedTuple

LANGS = ("zh", "en")
MAX_PROBLEMS = 100

# Exit codes of the command line, here and nowhere else (contract, with its Additions)
EXIT_APPROVABLE = 0      # every applicable review item passes, nothing blocks
EXIT_NOT_APPROVABLE = 1  # a blocking finding or an incomplete item (validate --strict: evidence missing)
EXIT_BAD_INPUT = 2       # the input could not be read or validated
EXIT_INTERNAL = 3        # an internal or engine error: a defect of landapproval, not of the case
EXIT_UNAVAILABLE = 4     # the machine, not the case: an output that cannot be written (permission, disk
                         # full) or a layer source that is down or too slow; retry once it is fixed


def check_lang(lang: str) -> str:
    """`lang` if it is zh or en; UnknownLanguageError (a ValueError too) otherwise."""
    if lang not in LANGS:
        raise UnknownLanguageError(lang)
    return lang


class Text(NamedTuple):
    """One sentence in both languages."""
    zh: str
    en: str

    def __call__(self, lang: str = "zh") -> str:
        return self.zh if check_lang(lang) == "zh" else self.en


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at one field path ("" = the whole file).

    For callers written when a problem was a ``(path, message)`` pair, it still unpacks and
    indexes that way (the message in Chinese).
    """
    path: str
    text: Text
    line: int | None = None
    suggestions: tuple[str, ...] = ()
    # where it is in the official's words (地块 P2（第 2 个地块）的 耕地), set by intake where the case is known
    place: Text | None = None

    @classmethod
    def of(cls, item: "Problem | tuple[str, str | Text]") -> "Problem":
        if isinstance(item, Problem):
            return item
        path, message = item  # a plain pair: one message for both languages, unless it is a Text
        return cls(str(path), message if isinstance(message, Text) else Text(str(message), str(message)))

    def message(self, lang: str = "zh") -> str:
        return self.text(lang)

    def where(self, lang: str = "zh") -> str:
        """'地块 P1（第 1 个地块）的 地块编号，第 12 行' where intake gave the place in words, else
        'parcels[0].id（第 12 行）' / 'parcels[0].id (line 12)'; the path alone without a line.
        Whole-file problems ("" path) carry their line and column in the sentence itself."""
        if self.place is not None and self.path and lang == "zh":   # English keeps the field path
            said = self.place(lang)
            return said if self.line is None else f"{said}，第 {self.line} 行"
        if not self.path or self.line is None:
            return self.path
        return f"{self.path}（第 {self.line} 行）" if lang == "zh" else f"{self.path} (line {self.line})"

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        body: dict[str, Any] = {"path": self.path, "message": self.message(lang), "suggestions": list(self.suggestions)}
        if self.line is not None:
            body["line"] = self.line
        return body

    def __iter__(self) -> Iterator[str]:
        return iter((self.path, self.text.zh))

    def __getitem__(self, index: int) -> str:
        return (self.path, self.text.zh)[index]

    def __len__(self) -> int:
        return 2


class FieldProblem(ValueError):
    """Raised by a model validator: a bilingual sentence that pydantic carries to `messages`."""

    def __init__(self, zh: str, en: str, suggestions: Iterable[str] = ()):
        super().__init__(en)
        self.text = Text(zh, en)
        self.suggestions = tuple(suggestions)


class LandApprovalError(Exception):
    """Base class of every error this package raises on purpose. `exit_code`: the command line's
    exit status for it (as click's exceptions carry theirs)."""

    exit_code = EXIT_INTERNAL


class UnknownLanguageError(LandApprovalError, ValueError):
    """A language other than zh or en was asked for (CLI exit code 2). `lang`: what was asked."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, lang: object):
        self.lang = lang
        self.text = Text(f"未知语言 {lang!r}：请用 'zh'（中文）或 'en'（English）",
                         f"unknown language {lang!r}: use 'zh' (中文) or 'en' (English)")
        super().__init__(self.text.en)


class InputError(LandApprovalError):
    """Input that could not be read or validated (CLI exit code 2).

    `problems` is a list of `Problem` (at most MAX_PROBLEMS; `more` counts the rest); the path is
    dotted with list indices in brackets, e.g. ``parcels[2].land.cultivated``; "" means the whole
    file. `notes` are things the reader did that the user should know (e.g. the file was read as
    GB18030). Plain ``(path, message)`` pairs are accepted and used for both languages.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, source: str, problems: Iterable["Problem | tuple[str, str | Text]"], *,
                 more: int = 0, notes: Iterable[Text] = ()):
        self.source = str(source)
        listed: list[Problem] = []
        extra = more
        for item in problems:
            if len(listed) < MAX_PROBLEMS:
                listed.append(Problem.of(item))
            else:
                extra += 1
        self.problems: list[Problem] = listed
        self.more = extra
        self.notes: list[Text] = list(notes)
        super().__init__(self.describe())

    def count(self) -> int:
        return len(self.problems) + self.more

    def describe(self, lang: str = "zh") -> str:
        """One line per problem; characters that would break a line or hide are escaped."""
        check_lang(lang)
        lines = []
        for problem in self.problems:
            where = problem.where(lang)
            head = f"{self.source}: {where}" if where else self.source
            lines.append(_printable(f"{head}: {problem.message(lang)}"))
        if self.more:
            lines.append(_printable(f"{self.source}: " + (f"还有 {self.more} 项问题未列出" if lang == "zh"
                                                         else f"and {self.more} more problems not listed")))
        for note in self.notes:
            lines.append(_printable(f"{self.source}: " + ("注意：" if lang == "zh" else "note: ") + note(lang)))
        return "\n".join(lines)

    def summary(self, lang: str = "zh") -> str:
        """One sentence: the only problem, or how many there are."""
        if self.count() == 1 and self.problems:
            return self.problems[0].message(lang)
        return (f"{self.source} 有 {self.count()} 项问题" if lang == "zh"
                else f"{self.count()} problems in the {self.source}")

    def to_json(self, lang: str = "zh") -> dict[str, Any]:
        """{source, message, problems: [{path, message, suggestions, line?}], more, notes}."""
        check_lang(lang)
        return {"source": self.source, "message": self.summary(lang),
                "problems": [p.to_json(lang) for p in self.problems], "more": self.more,
                "notes": [note(lang) for note in self.notes]}


class ArgumentError(InputError):
    """An argument of the Python API that cannot be used: `parameter` names it (``as_of``,
    ``today``, ``case``), `value` is what was given. An InputError: the CLI exits 2, HTTP answers 400."""

    def __init__(self, parameter: str, value: object, text: Text):
        self.parameter, self.value = parameter, value
        super().__init__("arguments", [Problem(parameter, text)])


# Optional parts of the package: the module a feature imports → the extra that installs it
EXTRAS = {"numpy": "geo", "shapely": "geo", "pyproj": "geo", "pyogrio": "geo",
          "psycopg": "postgis", "psycopg_binary": "postgis",
          "fastapi": "server", "uvicorn": "server", "starlette": "server"}


def extra_for(module: str | None) -> str | None:
    """The extra that installs `module` (its top-level package), or None if it is not optional."""
    return EXTRAS.get((module or "").split(".")[0])


class MissingExtraError(InputError):
    """The input asked for a part of landapproval this installation lacks (a parcel boundary or map
    layers without the geo extra): `extra` ("geo"), `module` (the missing import, e.g. "numpy"),
    `hint` (``pip install 'landapproval[geo]'``), and the field path that asked for it. CLI exit 2."""

    def __init__(self, source: str, extra: str, module: str, path: str = ""):
        self.extra, self.module = extra, module
        self.hint = f"pip install 'landapproval[{extra}]'"
        text = Text(f"此输入需要可选组件 {extra}（缺少 Python 模块 {module}）：请安装 {self.hint}",
                    f"this input needs the optional {extra} extra (the Python module {module} is not "
                    f"installed): {self.hint}")
        super().__init__(source, [Problem(path, text)])


class NotACaseError(InputError):
    """A YAML/JSON mapping with none of a case's fields (e.g. a layers file): a folder run skips it."""


def exit_code(error: BaseException) -> int:
    """The exit code for an error that stopped a command: its own, or EXIT_INTERNAL for a defect."""
    return error.exit_code if isinstance(error, LandApprovalError) else EXIT_INTERNAL


def internal_error_line(error: BaseException, lang: str = "zh") -> str:
    """One line for a defect of ours: what failed, no traceback."""
    detail = " ".join(str(error).split())[:300]
    kind = type(error).__name__
    if lang == "en":
        return f"internal error ({kind}): {detail} — this is a defect of landapproval, not of the case; please report it"
    return f"内部错误（{kind}）：{detail} —— 这是 landapproval 的缺陷，不是案件的问题，请报告"


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)


class UnavailableError(LandApprovalError):
    """Something outside the case failed: a layer source (PostGIS) down or too slow, or an output that
    cannot be written. The sentence names what (a layer, a file), never a database URL; `detail` is
    for the operator's log only; `retry_after`: seconds after which trying again makes sense."""

    exit_code = EXIT_UNAVAILABLE

    def __init__(self, text: Text, where: str = "", *, retry_after: int | None = None, detail: str = ""):
        super().__init__(text.en)
        self.text, self.where, self.retry_after, self.detail = text, where, retry_after, detail

    def describe(self, lang: str = "zh") -> str:
        return _printable(self.text(lang))


class RuleError(LandApprovalError):
    """A rule file that does not compile (a defect of rules/, not of the case).

    Structured: `file` (e.g. "review.yaml", None when the problem spans files), `where` (the place
    in the rules: "review.yaml[3] (C4).findings[0] (C4.supplement_short)"), `problem` (what is
    wrong) and `text` (the message in both languages; Chinese where the rule compiler has it).
    `str(error)` is "where: problem", as before."""

    _FILE = re.compile(r"([\w.-]+\.ya?ml)\b")

    def __init__(self, message: str, *, file: str | None = None, where: str | None = None,
                 problem: str | None = None, zh: str | None = None):
        super().__init__(message)
        if where is None or problem is None:
            head, sep, rest = message.partition(": ")
            where, problem = (head, rest) if sep and where is None and problem is None else (where or "", problem or message)
        self.where, self.problem = where, problem
        found = self._FILE.search(where or message) if file is None else None
        self.file = file if file is not None else (found.group(1) if found else None)
        self.text = Text(zh or message, message)

    def describe(self, lang: str = "zh") -> str:
        return self.text(lang)


class EngineError(LandApprovalError):
    """The rule engine failed while evaluating a case (never a silent wrong answer)."""


class CalendarError(LandApprovalError):
    """A working-day count needs a year whose official schedule is not known."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, zh: str | None = None):
        super().__init__(message)
        self.text = Text(zh or message, message)

    def describe(self, lang: str = "zh") -> str:
        return self.text(lang)
