"""Facts: everything the rules read, computed once from the case, in plain Python.

Arithmetic, dates and lookups live here; decisions live in rules/. Each fact has a name from
rules/facts.yaml. Areas are summed as exact Decimals and handed to the engine as whole square
metres (integers), so no threshold is ever compared on a binary float.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from typing import Any

from landapproval.law.conditions import UNKNOWN, known_key
from landapproval.intake import messages
from landapproval.core.errors import InputError, Problem, Text
from landapproval.law.jurisdiction import County, Jurisdiction
from landapproval.contract.models import Case, ExpropriationProcedure, ZoneRef
from landapproval.law import Law
from landapproval.law.workdays import Calendar, MissingYear, SuppliedYear

ZERO = Decimal(0)


@dataclass
class Context:
    """What a case resolves to before any rule runs: its county, zone and date of law."""
    county: County
    zone_name: str | None
    zone_level: str | None
    zone_source: str | None   # "declared" or "rules/jurisdiction.yaml"
    as_of: dt.date
    as_of_source: str
    zone_confidence: str = "none"       # declared | listed | reported | inferred | uncertain | none
    zone_confidence_note: str = ""      # the jurisdiction data's words
    zone_counties: tuple[str, ...] = ()  # the counties the data puts the zone in (empty: not known)

    def filing_day(self, case: Case) -> dt.date:
        """The day of the filing itself (五(二)): the law of the filing checks (periods that must have
        run when the county filed, a 七(三) suspension); the as-of day where the file gives none."""
        return case.filed_on or self.as_of


def applicable_day(case: Case, as_of: dt.date | None = None, today: dt.date | None = None) -> tuple[dt.date, str]:
    """The day whose law applies, and the field that gave it (docs/case-file.md "The law on which day").

    The act whose competence is judged is the approval. (1) Its recorded day: the county's approval
    for rural housing (三(一) ¶2), else the city's decision (五(三)); for other kinds the city's decision
    first. (2) No approval on file but the approval issued (五(五)): the approval was made, on a day
    not recorded, and issued that day; the issue is judged on its own day. (3) Otherwise the case is
    decided now: the evaluation day (`--as-of`, else today) — or the joint review's day where that
    is later, since no decision precedes the review. An unknown date is never taken to lie before
    the delegation, and `filed_on` never chooses the law of the approval (it governs the filing's
    own checks, `Context.filing_day`)."""
    flow = case.workflow
    approvals = (("workflow.county_approved_on", flow.county_approved_on), ("workflow.decided_on", flow.decided_on))
    if case.kind != "village_housing":
        approvals = approvals[::-1]
    for why, day in approvals:
        if day is not None:
            return day, why
    if flow.approval_issued_on is not None:  # issued: the approval was made, on a day not recorded
        return flow.approval_issued_on, "workflow.approval_issued_on"
    evaluation = (as_of, "--as-of") if as_of is not None else ((today or dt.date.today()), "today")
    if flow.reviewed_on is not None and flow.reviewed_on > evaluation[0]:
        return flow.reviewed_on, "workflow.reviewed_on"  # the decision cannot precede the joint review
    return evaluation
    return (today or dt.date.today()), "today"


@dataclass
class Totals:
    conversion: dict[str, Decimal]
    expropriation: dict[str, Decimal]


@dataclass
class Facts:
    """Named facts for the rules (`values`, engine units) and for people (`shown`)."""
    values: dict[str, Any] = field(default_factory=dict)
    shown: dict[str, Any] = field(default_factory=dict)
    # periods whose end needs a calendar year nobody supplied: the fact is unknown, and an
    # applicable item that reads it gets a finding naming the year (api.py); nothing else stops
    calendar_gaps: dict[str, MissingYear] = field(default_factory=dict)
    # periods counted on a user's rules/calendar/YYYY.yaml, so the decision can say so
    calendars_used: dict[str, tuple[SuppliedYear, ...]] = field(default_factory=dict)
    calendar: Calendar | None = None  # working days, for the periods (review facts only)

    def period_end(self, name: str, start: dt.date | None, length: int | None, working_days: bool) -> None:
        """The last day of a period of `length` (working) days after `start` (民法典 第二百零一条、
        第二百零三条). `length` None: no period in force on the as-of date, so nothing is counted."""
        if not start or not length:
            _date(self, name, None)
            return
        try:
            calendar = self.calendar
            if calendar is None:  # review_facts sets it; a Facts built elsewhere has no periods to count
                raise ValueError(f"period {name!r}: these facts have no working-day calendar")
            end = calendar.add_workdays(start, length) if working_days else calendar.last_day_of_days(start, length)
        except MissingYear as error:
            _date(self, name, None)
            self.calendar_gaps[name] = error
            return
        _date(self, name, end)
        used = calendar.supplied_years(start, end)
        if used:
            self.calendars_used[name] = used

    def set(self, name: str, value: Any, shown: Any = None) -> None:
        self.values[name] = value
        self.shown[name] = value if shown is None else shown

    def area(self, name: str, hectares: Decimal | None, may_be_unknown: bool = False) -> None:
        if hectares is None:
            self.values[name] = None
            self.shown[name] = UNKNOWN
        else:
            # exact: the models admit at most 4 decimal places, so ha × 10⁴ is a whole number
            self.values[name] = int(hectares.scaleb(4))
            self.shown[name] = hectares
        if may_be_unknown:
            self.values[known_key(name)] = hectares is not None


def resolve(case: Case, jurisdiction: Jurisdiction, source: str, as_of: dt.date | None = None,
            today: dt.date | None = None) -> Context:
    """Resolve the county, the development zone and the as-of date, or explain why not."""
    problems = []
    county = jurisdiction.county(case.county)
    if county is None:
        problems.append(messages.unknown_county(case.county, jurisdiction.counties))
    zone = case.scope.development_zone
    zone_name: str | None = None
    zone_level: str | None = None
    zone_source: str | None = None
    confidence, note = "none", ""
    zone_counties: tuple[str, ...] = ()
    if isinstance(zone, ZoneRef):
        zone_name, zone_level, zone_source = zone.name, zone.level, "declared"
        known = jurisdiction.zone(zone.name)
        confidence, zone_counties = "declared", known.counties if known else ()
    elif isinstance(zone, str):
        known = jurisdiction.zone(zone)
        if known is None:
            problems.append(messages.unknown_zone(zone, jurisdiction.zones))
        else:
            zone_name, zone_level, zone_source = known.name, known.level, "rules/jurisdiction.yaml"
            confidence, note, zone_counties = known.confidence_class, known.confidence, known.counties
            note = f"{note}；来源：{known.source}" if known.source else note
    if problems or county is None:  # (an unknown county is among the problems)
        raise InputError(source, problems)

    if as_of is not None:  # an evaluation day the rule book cannot speak for is refused, used or not
        jurisdiction.check_covered(as_of, "--as-of", source)
    day, why = applicable_day(case, as_of, today)
    jurisdiction.check_covered(day, why, source)
    return Context(county, zone_name, zone_level, zone_source, day, why, confidence, note, zone_counties)


def totals(case: Case) -> Totals:
    conv = dict(agricultural=ZERO, cultivated=ZERO, permanent_basic_farmland=ZERO)
    expr = dict(cultivated=ZERO, other=ZERO, permanent_basic_farmland=ZERO)
    for parcel in case.parcels:
        land = parcel.land
        # conversion concerns agricultural land whoever owns it (LAL Art. 44)
        conv["agricultural"] += land.permanent_basic_farmland + land.cultivated + land.other_agricultural
        conv["cultivated"] += land.cultivated
        conv["permanent_basic_farmland"] += land.permanent_basic_farmland
        if case.expropriates(parcel):
            # 其他土地 = everything expropriated that is not 耕地 (LAL Art. 46)
            expr["cultivated"] += land.cultivated
            expr["other"] += land.other_agricultural + land.construction + land.unused
            expr["permanent_basic_farmland"] += land.permanent_basic_farmland
    return Totals(conv, expr)


def authority_facts(case: Case, ctx: Context, sums: Totals, jurisdiction: Jurisdiction) -> Facts:
    facts = Facts()
    facts.set("case.evaluated", True)
    facts.set("case.kind", case.kind)
    facts.set("county.code", ctx.county.code, f"{ctx.county.code} {ctx.county.name}")
    facts.set("county.delegated", ctx.county.delegated_on(ctx.as_of))
    facts.set("law.delegation_in_force", ctx.as_of >= jurisdiction.delegation_start())
    facts.set("scope.within_construction_scale", case.scope.within_construction_scale)
    facts.set("scope.zone_level", ctx.zone_level or "none",
              f"{ctx.zone_level} ({ctx.zone_name})" if ctx.zone_name else "none")
    # 自然资发〔2022〕142号 一(二): a national major project that cannot avoid the red line is approved by
    # the State Council (both parts of the file must say so: the occupation and the project's class)
    planning = case.review.planning
    facts.set("scope.red_line_state_council", bool(planning and planning.occupies_ecological_red_line is True
                                                   and planning.red_line_national_major_project is True))
    conv, expr = sums.conversion, sums.expropriation
    facts.area("conversion.agricultural", conv["agricultural"])
    facts.area("conversion.permanent_basic_farmland", conv["permanent_basic_farmland"])
    facts.area("conversion.cultivated_incl_pbf", conv["cultivated"] + conv["permanent_basic_farmland"])
    facts.area("expropriation.total", expr["cultivated"] + expr["other"] + expr["permanent_basic_farmland"])
    facts.area("expropriation.permanent_basic_farmland", expr["permanent_basic_farmland"])
    facts.area("expropriation.cultivated", expr["cultivated"])
    facts.area("expropriation.other", expr["other"])
    facts.area("threshold.cultivated", jurisdiction.threshold_ha("expropriation_cultivated_threshold_ha", ctx.as_of))
    facts.area("threshold.other", jurisdiction.threshold_ha("expropriation_other_threshold_ha", ctx.as_of))
    return facts


def _date(facts: Facts, name: str, day: dt.date | None) -> None:
    values = facts.values
    values[name] = day.toordinal() if day else None
    values[name + ".known"] = day is not None  # known_key(name), inlined: ~20 dates per case
    facts.shown[name] = day if day else UNKNOWN


def _bool(facts: Facts, name: str, value: bool | None) -> None:
    stored = UNKNOWN if value is None else value
    facts.values[name] = stored
    facts.shown[name] = stored


def review_facts(case: Case, ctx: Context, sums: Totals, law: Law,
                 conversion_level: str | None, expropriation_level: str | None) -> Facts:
    """Stage-2 facts: the review evidence (C1–C8), the workflow dates (S1–S6) and stage 1's outcome."""
    review, flow = case.review, case.workflow
    jurisdiction, field_facts = law.jurisdiction, law.book.field_facts
    facts = Facts(calendar=law.calendar)
    facts.set("case.evaluated", True)
    facts.set("authority.conversion", conversion_level or "none")
    facts.set("authority.expropriation", expropriation_level or "none")
    conv, expr = sums.conversion, sums.expropriation
    unused = sum((p.land.unused for p in case.parcels), ZERO)
    facts.area("land.new_construction", conv["agricultural"] + unused)
    facts.area("conversion.permanent_basic_farmland", conv["permanent_basic_farmland"])
    facts.area("conversion.cultivated_incl_pbf", conv["cultivated"] + conv["permanent_basic_farmland"])
    facts.area("expropriation.total", expr["cultivated"] + expr["other"] + expr["permanent_basic_farmland"])
    facts.area("conversion.collective_without_expropriation", sum(
        (p.land.permanent_basic_farmland + p.land.cultivated + p.land.other_agricultural
         for p in case.parcels if p.ownership == "collective" and not case.expropriates(p)), ZERO))
    facts.set("scope.within_construction_scale", case.scope.within_construction_scale)
    facts.set("case.kind", case.kind)
    facts.set("county.code", ctx.county.code, f"{ctx.county.code} {ctx.county.name}")
    # 三(一): the zone a case names, the counties the jurisdiction data puts it in, how sure its level is
    facts.set("scope.zone_outside_county", bool(ctx.zone_counties) and ctx.county.code not in ctx.zone_counties)
    facts.set("scope.zone_confidence", ctx.zone_confidence)
    facts.shown["scope.zone"] = f"{ctx.zone_name} ({ctx.zone_level})" if ctx.zone_name else "none"
    facts.shown["scope.zone_confidence_note"] = ctx.zone_confidence_note
    facts.shown["scope.zone_counties"] = [
        f"{code} {c.name}" if (c := jurisdiction.county(code)) else code for code in ctx.zone_counties]

    _from_fields(facts, case, field_facts)
    # 五(四) 按规定需缴纳: new construction land converted from agricultural or unused land owes the
    # new-construction-land fee; where the file is silent the facts settle it (false: the file shows
    # the batch exempt). Never asked of the county (rules/workflow.yaml S4).
    if flow.fee_due is None and conv["agricultural"] + unused > 0:
        facts.set("workflow.fee_due", True)
    plan = review.annual_plan
    available = plan.quota_available if plan else None
    additional = plan.additional_quota_granted if plan else None
    facts.area("annual_plan.quota_limit",
               available + additional if available is not None and additional is not None else None,
               may_be_unknown=True)

    areas = review.protected_areas
    without = [a.name for a in areas or [] if a.consent is False]
    unknown = [a.name for a in areas or [] if a.consent is None]
    facts.set("protected.without_consent", len(without))
    facts.set("protected.consent_unknown", len(unknown))
    facts.shown["protected.names_without_consent"] = without
    facts.shown["protected.names_consent_unknown"] = unknown

    proc = review.expropriation_procedure
    filing = ctx.filing_day(case)  # the filing's own checks: the law on the day the county filed
    # Periods from rules/parameters.yaml, read as stated in rules/review.yaml (C7): each fact is
    # the period's last day; filing on or before it is filing while the period still runs.
    facts.period_end("procedure.pre_announcement_period_end", proc.pre_announcement if proc else None,
                     jurisdiction.period("pre_announcement_working_days", filing), working_days=True)
    facts.period_end("procedure.compensation_announcement_period_end",
                     proc.compensation_announcement if proc else None,
                     jurisdiction.period("compensation_announcement_days", filing), working_days=False)
    _agreement_facts(facts, proc, jurisdiction, filing)

    violations = review.violations
    illegal = violations.illegal_land_use if violations else None
    petitions = violations.petitions if violations else None
    unhandled = [v.id for v in illegal or [] if not v.handled]
    open_petitions = [p.id for p in petitions or [] if not p.resolved]
    facts.set("violations.illegal_unhandled", len(unhandled))
    facts.set("violations.petitions_open", len(open_petitions))
    facts.shown["violations.unhandled_ids"] = unhandled
    facts.shown["violations.open_petition_ids"] = open_petitions

    facts.set("county.filing_suspended", jurisdiction.filing_suspended(ctx.county, filing))

    issued = flow.approval_issued_on
    facts.period_end("workflow.archive_due", issued, jurisdiction.period("archive_working_days", ctx.as_of),
                     working_days=True)
    return facts


def _from_fields(facts: Facts, case: Case, field_facts: tuple[Any, ...]) -> None:
    """The facts rules/facts.yaml reads straight from a field (`field:`), by the field's path: a
    group the file leaves out makes each of its facts unknown, never false. A list field read as a
    yes/no fact says whether the list was given at all."""
    values, shown = facts.values, facts.shown
    for group, entries in field_facts:
        owner = case
        for part in group:
            owner = getattr(owner, part)
            if owner is None:
                break
        fields = owner.__dict__ if owner is not None else {}  # a model's field values, by attribute
        for name, kind, attribute, is_list, may_be_unknown in entries:
            value = fields.get(attribute)
            if is_list:
                value = True if value is not None else UNKNOWN
                values[name] = shown[name] = value
            elif kind == "date":
                values[name] = value.toordinal() if value else None
                values[name + ".known"] = value is not None
                shown[name] = value if value else UNKNOWN
            elif kind == "area":
                facts.area(name, value, may_be_unknown=may_be_unknown)
            elif kind == "int":
                _count(facts, name, value)
            else:  # bool, enum, text: unknown is its own value, never false
                values[name] = shown[name] = UNKNOWN if value is None else value


def _count(facts: Facts, name: str, value: int | None) -> None:
    facts.values[name] = value
    facts.values[name + ".known"] = value is not None
    facts.shown[name] = UNKNOWN if value is None else value


def _agreement_facts(facts: Facts, proc: ExpropriationProcedure | None, jurisdiction: Jurisdiction, as_of: dt.date) -> None:
    """Regs Art. 29 / LAL Art. 47 ¶4: how many agreements were to be signed and were signed; the
    least number 晋政办发〔2023〕72号's share asks for (rounded up: a share is never met by rounding)."""
    required = proc.agreements_required if proc else None
    share = jurisdiction.parameter("agreements_min_share", as_of)
    minimum = None
    if share is not None and required is not None:
        minimum = int((Decimal(str(share.value)) * required).to_integral_value(rounding=ROUND_CEILING))
    _count(facts, "procedure.agreements_share_minimum", minimum)
    facts.shown["law.agreements_min_share"] = (
        f"{(Decimal(str(share.value)) * 100).normalize():f}%" if share else UNKNOWN)
    facts.shown["law.agreements_min_share_confidence"] = share.confidence if share else UNKNOWN
