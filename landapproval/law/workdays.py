"""Working days on the official PRC calendar (weekends, statutory holidays and make-up days).

The State Council publishes each year's schedule late in the year before; `chinese-calendar`
carries 2004–2026. A later year's schedule can be supplied as rules/calendar/YYYY.yaml (see the
README there) without a code change; a year known to neither is a CalendarError saying how to
add it — a deadline is never counted on a guessed calendar.

Periods are counted as the Civil Code says (民法典 第二百零一条、第二百零三条): the day of the event
is not counted; a period in days ends on its last day, moved to the next working day when that
day is a rest day; a period in working days ends on its n-th working day.
"""

from __future__ import annotations

from typing import Any

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

from landapproval.core.errors import CalendarError, RuleError
from landapproval.law.jurisdiction import as_date, read_rule_file


@dataclass(frozen=True)
class SuppliedYear:
    """A user's schedule for one year (rules/calendar/YYYY.yaml) and the notice it copies."""
    year: int
    source: str
    file: str
    holidays: frozenset[Any]
    workdays: frozenset[Any]


class MissingYear(CalendarError):
    """No official schedule is known for `year`; the message says how to add it."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"the official working-day schedule for {year} is not known (chinese-calendar covers "
            f"2004–2026): add rules/calendar/{year}.yaml with that year's holidays and make-up "
            f"working days from the State Council's notice (see rules/calendar/README.md)",
            f"{year} 年的法定工作日安排未知（chinese-calendar 收录 2004–2026 年）：请按国务院办公厅当年的放假通知"
            f"新增 rules/calendar/{year}.yaml，写明节假日和调休上班日（见 rules/calendar/README.md）")


class Calendar:
    """Working days for one rules folder: chinese-calendar's years and the folder's
    calendar/YYYY.yaml schedules (a supplied year wins). Counts are remembered per calendar: a
    deadline is counted many times over a batch, and chinese-calendar scans its table per call."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._years: dict[int, SuppliedYear | None] = {}
        self._workday: dict[dt.date, bool] = {}
        self._ends: dict[tuple[Any, ...], dt.date] = {}

    def supplied_year(self, year: int) -> SuppliedYear | None:
        if year not in self._years:
            self._years[year] = _read_year(self.folder, year)
        return self._years[year]

    def supplied_years(self, start: dt.date, end: dt.date) -> tuple[SuppliedYear, ...]:
        """The user-supplied schedules a count from `start` to `end` read."""
        found = (self.supplied_year(year) for year in range(start.year, end.year + 1))
        return tuple(s for s in found if s is not None)

    def is_workday(self, day: dt.date) -> bool:
        known = self._workday.get(day)
        if known is None:
            known = self._workday[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: dt.date) -> bool:
        supplied = self.supplied_year(day.year)
        if supplied is not None:
            if day in supplied.workdays:
                return True
            return day.weekday() < 5 and day not in supplied.holidays
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            raise MissingYear(day.year) from None

    def add_workdays(self, start: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `start` (the start day itself is not counted)."""
        key = ("work", start, count)
        if key not in self._ends:
            day, remaining = start, count
            while remaining > 0:
                day += dt.timedelta(days=1)
                if self.is_workday(day):
                    remaining -= 1
            self._ends[key] = day
        return self._ends[key]

    def last_day_of_days(self, start: dt.date, days: int) -> dt.date:
        """Last day of a period of `days` days beginning the day after `start` (民法典 第二百零一条),
        moved to the next working day when it falls on a rest day (第二百零三条)."""
        key = ("days", start, days)
        if key not in self._ends:
            day = start + dt.timedelta(days=days)
            while not self.is_workday(day):
                day += dt.timedelta(days=1)
            self._ends[key] = day
        return self._ends[key]

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (the start day is not counted, 民法典 201)."""
        return sum(self.is_workday(start + dt.timedelta(days=i)) for i in range(1, (end - start).days + 1))


def _read_year(folder: Path, year: int) -> SuppliedYear | None:
    name = f"calendar/{year}.yaml"
    if not (folder / name).is_file():
        return None
    data = read_rule_file(folder, name) or {}
    if not isinstance(data, dict) or data.get("year") != year:
        raise RuleError(f"rules/{name}: year must be {year}")
    source = str(data.get("source") or "").strip()
    if not source:  # a schedule without its notice cannot be checked by a reviewer
        raise RuleError(f"rules/{name}: source must name the State Council notice the schedule copies "
                        "(国务院办公厅关于…年部分节假日安排的通知)")
    stray = set(data) - {"year", "source", "holidays", "workdays"}
    if stray:
        raise RuleError(f"rules/{name}: unexpected keys {sorted(map(str, stray))}")
    days = {}
    for key in ("holidays", "workdays"):
        days[key] = frozenset(as_date(d, f"rules/{name} {key}") for d in data.get(key) or [])
        outside = sorted(d.isoformat() for d in days[key] if d.year != year)
        if outside:
            raise RuleError(f"rules/{name} {key}: {', '.join(outside)} not in {year}")
    return SuppliedYear(year, source, f"rules/{name}", days["holidays"], days["workdays"])
