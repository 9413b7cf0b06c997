"""Errors a user can act on: each names the file, the field path and the problem."""

from __future__ import annotations


class LandApprovalError(Exception):
    """Base class of every error this package raises on purpose."""


class InputError(LandApprovalError):
    """Input that could not be read or validated (CLI exit code 2).

    `problems` is a list of (field path, message); the path is dotted with list
    indices in brackets, e.g. ``parcels[2].land.cultivated``; "" means the whole file.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = str(source)
        self.problems = problems
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line per problem; characters that would break a line or hide are escaped."""
        lines = []
        for path, message in self.problems:
            where = f"{self.source}: {path}" if path else self.source
            lines.append(_printable(f"{where}: {message}"))
        return "\n".join(lines)


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() or ch == " " else f"\\u{ord(ch):04x}" for ch in text)


class RuleError(LandApprovalError):
    """A rule file that does not compile (a defect of rules/, not of the case)."""


class EngineError(LandApprovalError):
    """The rule engine failed while evaluating a case (never a silent wrong answer)."""


class CalendarError(LandApprovalError):
    """A working-day count needs a year whose official schedule is not known."""
