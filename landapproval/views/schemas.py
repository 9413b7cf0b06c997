"""The output contract as pydantic models: the decision and every error body, for JSON Schema.

These models only *describe* what `Decision.to_dict` and the HTTP error bodies already produce
(nothing is validated through them at run time, which would cost as much as an evaluation); the
tests validate every example's decision against `decision_schema()`, so the two cannot drift.

Typed for client generators: areas are text with exactly four decimals (`"5.1234"`, never a
binary float, so a Java/TypeScript client gets a String it can hand to BigDecimal), dates are
`format: date`, every enumeration is closed, and no field mixes a number with a string.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from landapproval.contract.models import Case
from landapproval.law import Law as RulesLaw  # (`Law` below is the decision's law block)

AREA_PATTERN = r"^[0-9]+\.[0-9]{4}$"
Area = Annotated[str, Field(pattern=AREA_PATTERN, description="hectares as exact decimal text, 4 places",
                            examples=["5.1234"])]
Date = Annotated[str, Field(json_schema_extra={"format": "date"}, description="YYYY-MM-DD",
                            examples=["2024-09-10"])]
Level = Literal["county", "city", "province", "state_council"]
Severity = Literal["blocking", "correctable", "warning"]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConversionTotals(_Out):
    agricultural: Area
    cultivated: Area
    permanent_basic_farmland: Area


class ExpropriationTotals(_Out):
    cultivated: Area
    other: Area
    permanent_basic_farmland: Area


class Totals(_Out):
    conversion: ConversionTotals
    expropriation: ExpropriationTotals


class AuthorityEntry(_Out):
    level: Level
    mode: Literal["authorized", "entrusted", "statutory"]
    rule: str = Field(description="id of the decision-table rule that decided")
    citations: list[str]
    reasons: list[str]
    facts: dict[str, Any] = Field(description="the facts the deciding rule read (name → value; areas as text)")


class Authority(_Out):
    conversion: Optional[AuthorityEntry] = Field(description="null when nothing agricultural is converted")
    expropriation: Optional[AuthorityEntry] = Field(description="null when nothing is expropriated")
    together: bool


class Finding(_Out):
    code: str
    severity: Severity
    message: str
    citation: str
    remedy: Optional[str] = None
    missing: Optional[list[str]] = Field(default=None, description="evidence fields the case does not give")
    facts: Optional[dict[str, Any]] = None
    figures: Optional[list[str]] = Field(default=None, description="the facts read, with labels and units, "
                                                                   "and what the rule compared")


class Check(_Out):
    id: str = Field(description="C1–C8 (临政发〔2024〕7号 四(一)–(八)), in order")
    status: Literal["pass", "fail", "incomplete", "not_applicable"]
    findings: list[Finding]
    title: Optional[str] = None
    citation: Optional[str] = None


class Step(_Out):
    id: str = Field(description="S1–S6 (临政发〔2024〕7号 五(一)–(六)), in order")
    status: Literal["done", "pending", "blocked", "not_applicable"]
    due: Optional[Date] = None
    findings: list[Finding]
    title: Optional[str] = None
    citation: Optional[str] = None
    done_on: Optional[Date] = None


class Workflow(_Out):
    steps: list[Step]
    next: Optional[str] = Field(description="the first step still pending or blocked, or null")


class County(_Out):
    code: str = Field(description="6-digit administrative code")
    name: str


class ParcelArea(_Out):
    id: str
    area_plane: Area
    area_ellipsoid: Area


class MeasuredZone(_Out):
    name: str
    level: Literal["national", "provincial", "municipal", "county"]
    area: Area


class MeasuredProtectedArea(_Out):
    name: str
    kind: Optional[str] = None
    area: Area


class MeasuredLand(_Out):
    permanent_basic_farmland: Optional[Area] = None
    cultivated: Optional[Area] = None
    other_agricultural: Optional[Area] = None
    construction: Optional[Area] = None
    unused: Optional[Area] = None


class Measured(_Out):
    land: Optional[MeasuredLand] = None
    outside_construction_scale: Optional[Area] = None
    ecological_red_line: Optional[Area] = None
    development_zones: Optional[list[MeasuredZone]] = None
    protected_areas: Optional[list[MeasuredProtectedArea]] = None


class Geometry(_Out):
    parcels: list[ParcelArea]
    measured: Measured
    findings: list[dict[str, Any]]


class Law(_Out):
    version: str = Field(description="landapproval's version")
    rules_sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 over the rule files (the Law's fingerprint)")
    request_id: Optional[str] = Field(default=None, description="over HTTP: the request's id (its X-Request-ID "
                                                                "header); absent from the command line's decisions")


class CalendarUsed(_Out):
    year: int
    source: str = Field(description="the State Council notice the schedule copies, as the file names it")
    file: str = Field(description="rules/calendar/YYYY.yaml")


class Decision(_Out):
    """One decision, exactly `landapproval evaluate --format json` and `POST /v1/evaluate`."""

    model_config = ConfigDict(extra="forbid", title="landapproval/v1 decision")

    case: str
    as_of: Date = Field(description="the date whose law was applied")
    totals: Totals
    authority: Authority
    checks: list[Check]
    workflow: Workflow
    blocking: list[str] = Field(description="codes of the blocking findings")
    approvable: bool
    as_of_source: Literal["--as-of", "workflow.decided_on", "filed_on", "today", "workflow.county_approved_on",
                          "workflow.approval_issued_on", "workflow.reviewed_on"] = Field(
        description="where as_of came from: the day of the approving act (workflow.county_approved_on for rural "
                    "housing, workflow.decided_on), else workflow.approval_issued_on, else the evaluation day "
                    "(the --as-of option / as_of query parameter, or today; workflow.reviewed_on where the joint "
                    "review is later). filed_on no longer chooses it (kept for decisions stored before).")
    county: County
    rules_fired: list[str] = Field(description="ids of the rules that fired, in order (the trail)")
    geometry: Optional[Geometry] = Field(description="null unless a parcel has a boundary")
    law: Law = Field(description="the law applied: the package version and the rule book's fingerprint")
    calendars: list[CalendarUsed] = Field(
        description="user-supplied working-day schedules (rules/calendar/) a deadline was counted on; "
                    "empty when only the chinese-calendar package was used")


class FactValue(_Out):
    name: str
    value: Any = Field(description="true/false, a number or text (areas as exact decimal text), a date, or null")
    description: str


class FiredRule(_Out):
    rule: str
    citation: str
    text: str = Field(description="the clause's text as quoted in the rule file")


class NotChosen(_Out):
    level: Level
    rule: str
    because: list[str] = Field(description="the facts that kept this rule out, or that a rule above it took precedence")


class TableTrail(_Out):
    level: Optional[Level] = Field(description="the approving level, or null when this part is not involved")
    rule: str
    citation: str
    not_: list[NotChosen] = Field(alias="not", description="every rule of another level, and why it did not decide")


class Why(_Out):
    conversion: TableTrail
    expropriation: TableTrail


class Explanation(_Out):
    """`POST /v1/explain`: the trail of one decision (`landapproval explain`), as data."""

    model_config = ConfigDict(extra="forbid", title="landapproval explanation")

    case: str
    county: County
    as_of: Date
    as_of_source: str
    facts: list[FactValue]
    rules_fired: list[FiredRule]
    why: Why
    measured: Optional[Geometry] = None


# ---------------------------------------------------------------------------------------------
# Error bodies

ErrorCode = Literal["invalid_input", "too_large", "unsupported_media_type", "calendar_unknown",
                    "request_timeout", "unauthorized", "overloaded", "not_found",
                    "method_not_allowed", "http_error", "internal", "unavailable",
                    "forbidden"]  # issue 20: a register token without the right (read-only, another county, not the city)


class Problem(_Out):
    path: str = Field(description="field path, e.g. parcels[2].land.cultivated; empty for the whole body")
    message: str
    suggestions: Optional[list[str]] = Field(default=None, description="what was probably meant")
    line: Optional[int] = Field(default=None, description="the line of the body, where known")


class ErrorBody(_Out):
    """Every 4xx/5xx answer: a code, one sentence, and the problems with their field paths."""

    model_config = ConfigDict(extra="forbid", title="landapproval error")

    error: ErrorCode
    message: str
    source: Optional[str] = None
    problems: list[Problem]
    more_problems: Optional[int] = Field(default=None, description="problems found beyond those listed")
    id: Optional[str] = Field(default=None, description="internal errors: quote it to the operator")
    request_id: Optional[str] = None


class Valid(_Out):
    ok: Literal[True]
    case: str


def decision_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of the decision, `landapproval schema --decision`."""
    return Decision.model_json_schema(mode="serialization")


def error_schema() -> dict[str, Any]:
    return ErrorBody.model_json_schema(mode="serialization")


# ---------------------------------------------------------------------------------------------
# The input contract, typed for client generators

# a Decimal's bounds in pydantic's core schema, and their JSON Schema names
_BOUNDS: tuple[tuple[Literal["ge", "le", "gt", "lt"], str], ...] = (
    ("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum"))


class _ClientSchema(GenerateJsonSchema):
    """pydantic describes a Decimal input as `anyOf[number, string]` with the default as text
    ("0"): generated clients then fail to compile (openapi-generator's Java client). An area is a
    JSON number here (the server reads it exactly, never as a binary float) and so is its default."""

    def decimal_schema(self, schema: core_schema.DecimalSchema) -> JsonSchemaValue:
        out: JsonSchemaValue = {"type": "number"}
        for key, name in _BOUNDS:
            if (bound := schema.get(key)) is not None:
                out[name] = _number(bound)
        return out

    def union_schema(self, schema: core_schema.UnionSchema) -> JsonSchemaValue:
        """Text or a free-form object (an inline boundary's `data`: GeoJSON as an object or as text)
        is `type: [string, object]` (never null, never empty text): `anyOf[string, object]` makes
        the Java generator emit `Map<String, Object>.class`, which does not compile, and `{}` let
        null and numbers pass the schema that the server then refused (issue 18 item 3)."""
        out = super().union_schema(schema)
        branches = out.get("anyOf", [])
        if ({b.get("type") for b in branches} == {"string", "object"} and len(branches) == 2
                and all(set(b) <= {"type", "additionalProperties"} for b in branches)):
            return {"type": ["string", "object"], "minLength": 1}
        return out

    def encode_default(self, dft: Any) -> Any:
        return _number(dft) if isinstance(dft, Decimal) else super().encode_default(dft)


def _number(value: Decimal | int | float) -> int | float:
    return int(value) if value == int(value) else float(value)


def case_schema(ref_template: str = DEFAULT_REF_TEMPLATE, *, law: RulesLaw | None = None) -> dict[str, Any]:
    """JSON Schema of the case file (`landapproval schema`), with the counties the rule data knows
    as the allowed values of `county` (code, name, short name or pinyin; a YAML number is a code)."""
    schema = Case.model_json_schema(by_alias=True, ref_template=ref_template, schema_generator=_ClientSchema)
    names: list[str] = []
    for county in (law or RulesLaw.default()).jurisdiction.counties:
        names.extend([county.code, county.name, county.short, county.pinyin])
    schema["properties"]["county"]["enum"] = list(dict.fromkeys(names))
    return schema
