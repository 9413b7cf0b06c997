"""Errors a user can act on: each names the file, the field path and the problem.

An `InputError` carries a list of `Problem`s; each problem has its field path, a Chinese and an
English sentence, the line of the file where known, and suggestions ("did you mean") where a near
valid name exists. `describe(lang)` is the one-line-per-problem text the CLI prints;
`to_json(lang)` the body the HTTP server sends. The list is capped at `MAX_PROBLEMS`: a file of
half a million unknown keys is answered with the first hundred and "还有 N 项问题 / and N more".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, NamedTuple

LANGS = ("zh", "en")
MAX_PROBLEMS = 100

# Exit codes of the command line, here and nowhere else (contract, with its Additions)
EXIT_APPROVABLE = 0      # every applicable review item passes, nothing blocks
EXIT_NOT_APPROVABLE = 1  # a blocking finding or an incomplete item (validate --strict: evidence missing)
EXIT_BAD_INPUT = 2       # the input could not be read or validated
EXIT_INTERNAL = 3        # an internal or engine error: a defect of landapproval, not of the case


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}: use 'zh' (中文) or 'en' (English)")
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
    def of(cls, item: "Problem | tuple[str, str]") -> "Problem":
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

    def to_json(self, lang: str = "zh") -> dict:
        body = {"path": self.path, "message": self.message(lang), "suggestions": list(self.suggestions)}
        if self.line is not None:
            body["line"] = self.line
        return body

    def __iter__(self):
        return iter((self.path, self.text.zh))

    def __getitem__(self, index):
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


class InputError(LandApprovalError):
    """Input that could not be read or validated (CLI exit code 2).

    `problems` is a list of `Problem` (at most MAX_PROBLEMS; `more` counts the rest); the path is
    dotted with list indices in brackets, e.g. ``parcels[2].land.cultivated``; "" means the whole
    file. `notes` are things the reader did that the user should know (e.g. the file was read as
    GB18030). Plain ``(path, message)`` pairs are accepted and used for both languages.
    """

    exit_code = EXIT_BAD_INPUT

    def __init__(self, source: str, problems: Iterable["Problem | tuple[str, str]"], *,
                 more: int = 0, notes: Iterable[Text] = ()):
        self.source = str(source)
        listed = []
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

    def to_json(self, lang: str = "zh") -> dict:
        """{source, message, problems: [{path, message, suggestions, line?}], more, notes}."""
        check_lang(lang)
        return {"source": self.source, "message": self.summary(lang),
                "problems": [p.to_json(lang) for p in self.problems], "more": self.more,
                "notes": [note(lang) for note in self.notes]}


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


class RuleError(LandApprovalError):
    """A rule file that does not compile (a defect of rules/, not of the case)."""


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
