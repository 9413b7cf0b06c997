"""Working days on the official PRC calendar (weekends, statutory holidays and make-up days).

The State Council publishes each year's schedule late in the year before; `chinese-calendar`
carries 2004–2026. A later year's schedule can be supplied as rules/calendar/YYYY.yaml (see the
README there) without a code change; a year known to neither is a CalendarError saying how to
add it — a deadline is never counted on a guessed calendar.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from .errors import CalendarError
from .jurisdiction import as_date, read_rule_file, rules_dir


@lru_cache(maxsize=None)
def _supplied_year(year: int) -> tuple[frozenset, frozenset] | None:
    name = f"calendar/{year}.yaml"
    if not (rules_dir() / name).is_file():
        return None
    data = read_rule_file(name)
    holidays = frozenset(as_date(d, f"{name} holidays") for d in data.get("holidays") or [])
    workdays = frozenset(as_date(d, f"{name} workdays") for d in data.get("workdays") or [])
    return holidays, workdays


@lru_cache(maxsize=8192)  # chinese-calendar scans its whole table on every call
def is_workday(day: dt.date) -> bool:
    supplied = _supplied_year(day.year)
    if supplied is not None:
        holidays, workdays = supplied
        if day in workdays:
            return True
        return day.weekday() < 5 and day not in holidays
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        raise CalendarError(
            f"the official working-day schedule for {day.year} is not known (chinese-calendar covers "
            f"2004–2026): add rules/calendar/{day.year}.yaml with that year's holidays and make-up "
            f"working days from the State Council's notice (see rules/calendar/README.md)") from None


@lru_cache(maxsize=4096)
def add_workdays(start: dt.date, count: int) -> dt.date:
    """The `count`-th working day after `start` (the start day itself is not counted)."""
    day = start
    remaining = count
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_workday(day):
            remaining -= 1
    return day
