"""The case file (contract landapproval/v1) as pydantic models: the one description of the input.

Validation, the JSON Schema (`landapproval schema`) and field-path error messages all come from
here. Unknown keys are errors: a typo in a case file must never change a decision silently.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from landapproval.contract.words import EMPTY_WORDS
from landapproval.core.sentences import plain
from landapproval.core.errors import FieldProblem

SCHEMA_ID = "landapproval/v1"

# Hectares, at most 4 decimals (1 m²), never negative. The upper bound is Linfen's whole area
# (20,275 km² ≈ 2,027,500 ha) rounded up: a larger figure is a typo, not a case.
Hectares = Annotated[
    Decimal,
    Field(ge=0, le=2_100_000, decimal_places=4, allow_inf_nan=False,
          description="hectares, at most 4 decimal places, >= 0"),
]


# A calendar date in the span a land file can carry: the Land Administration Law dates from 1986;
# beyond 2099 is a typo (and would overflow deadline arithmetic near 9999-12-31).
Day = Annotated[dt.date, Field(ge=dt.date(1986, 1, 1), le=dt.date(2099, 12, 31),
                               description="YYYY-MM-DD, 1986-01-01 to 2099-12-31")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ZoneRef(Strict):
    name: str = Field(min_length=1, description="development zone name (开发区/示范区)")
    level: Literal["national", "provincial", "municipal", "county"]


class Scope(Strict):
    within_construction_scale: bool = Field(
        description="inside the territorial plan's city/village/town construction-land scale")
    development_zone: Optional[str | ZoneRef] = Field(
        default=None,
        description="null, the name of a zone known to rules/jurisdiction.yaml, or {name, level}")

    @field_validator("development_zone", mode="before")
    @classmethod
    def _no_zone_in_words(cls, value: Any) -> Any:
        # 无 is how an official writes "not in a zone" (a text value, so it cannot wait for the retry)
        return None if isinstance(value, str) and plain(value) in EMPTY_WORDS else value


class Land(Strict):
    """Hectares by class; the five classes are disjoint."""
    permanent_basic_farmland: Hectares = Decimal(0)
    cultivated: Hectares = Field(default=Decimal(0), description="耕地 other than permanent basic farmland")
    other_agricultural: Hectares = Field(default=Decimal(0), description="园地, 林地, 草地, 设施农用地, 田坎 …")
    construction: Hectares = Decimal(0)
    unused: Hectares = Decimal(0)


class InlineBoundary(Strict):
    """A boundary given in the case itself (accepted everywhere, HTTP included): read exactly as the
    same text would be from a file."""
    format: Literal["geojson", "wkt", "jzd"] = Field(description="geojson | wkt | jzd (界址点坐标交换文件)")
    data: str | dict[str, Any] = Field(description="the GeoJSON object (or its text), the WKT text or the 界址点 text")
    crs: Optional[str] = Field(default=None, min_length=1, description=(
        "e.g. EPSG:4525 or EPSG:4490; default: the 界址点 file's own 坐标系/带号, else recognised as "
        "files are (CGCS2000 3° zone 37 with or without the zone prefix, or lon/lat)"))
    id: Optional[str] = Field(default=None, min_length=1, description=(
        "which parcel of a text that holds several: its 地块编号 (jzd), or a GeoJSON feature's id or name"))


class Parcel(Strict):
    id: str = Field(min_length=1)
    ownership: Literal["collective", "state"]
    expropriate: Optional[bool] = Field(
        default=None,
        description="state land: never (true is an error); collective land: default true, "
                    "except in village_housing cases (default false)")
    boundary: Optional[str | InlineBoundary] = Field(default=None, description=(
        "a geometry file relative to the case file, optional #ID (CLI and Python API only), or an "
        "inline {format, data, crs, id}"))
    land: Land

    @field_validator("expropriate")
    @classmethod
    def _state_land_is_not_expropriated(cls, value: Any, info: ValidationInfo) -> Any:
        if value and info.data.get("ownership") == "state":
            raise FieldProblem("国有土地不征收：expropriate 应写 否 或删去此行（只有集体土地才征收）",
                               "state-owned land is never expropriated: expropriate must be false or absent")
        return value


class Planning(Strict):
    conforms_to_plan: Optional[bool] = None
    occupies_ecological_red_line: Optional[bool] = None
    exceeds_development_boundary_phase_total: Optional[bool] = None
    city_coordination_approved: Optional[bool] = None
    # issue 12: the provincial 认定意见 that red-line occupation is a permitted activity (自然资发〔2022〕142号),
    # and whether the land lies inside the town development boundary (where its phase total applies)
    red_line_activity_permitted: Optional[bool] = None
    within_urban_development_boundary: Optional[bool] = None
    # issue 19: a national major project that cannot avoid the red line goes to the State Council with
    # the province's 不可避让论证意见 (自然资发〔2022〕142号); permanent basic farmland only for a key
    # project that cannot avoid it (土地管理法 第三十五条第一款)
    red_line_national_major_project: Optional[bool] = None
    red_line_unavoidability_opinion: Optional[bool] = None
    permanent_basic_farmland_key_project: Optional[bool] = None


class AnnualPlan(Strict):
    quota_available: Optional[Hectares] = None
    quota_requested: Optional[Hectares] = None
    additional_quota_granted: Optional[Hectares] = None


class Ownership(Strict):
    matches_registration: Optional[bool] = None
    matches_change_survey: Optional[bool] = None
    disputed: Optional[bool] = None
    land_type_traced: Optional[bool] = None


class CultivatedCompensation(Strict):
    method: Optional[Literal["fee", "self_reclaim", "none"]] = None
    supplemented: Optional[Hectares] = None
    quality_matched: Optional[bool] = None


class PublicInterest(Strict):
    category: Optional[Literal["military_diplomatic", "infrastructure", "public_utility",
                               "poverty_relocation_housing", "comprehensive_development",
                               "other_by_law"]] = None
    in_development_plan: Optional[bool] = None
    in_annual_plan: Optional[bool] = None
    in_approved_development_scheme: Optional[bool] = None
    # issue 12, LAL Art. 45: 由政府组织实施 ((二)–(五)); 成片开发 inside the urban construction-land
    # area, on a scheme approved by the province (or the State Council)
    government_organised: Optional[bool] = None
    within_urban_construction_area: Optional[bool] = None
    development_scheme_approved_by_province: Optional[bool] = None


class ProtectedArea(Strict):
    name: str = Field(min_length=1)
    consent: Optional[bool] = None


class ExpropriationProcedure(Strict):
    pre_announcement: Optional[Day] = None
    status_survey: Optional[Day] = None
    risk_assessment: Optional[Day] = None
    compensation_announcement: Optional[Day] = None
    hearing: Optional[Day] = None
    hearing_required: Optional[bool] = None
    compensation_registration: Optional[Day] = None
    agreements_signed: Optional[Day] = None
    social_security_funded: Optional[bool] = None
    costs_predeposited: Optional[bool] = None
    # optional (Regs Art. 29, LAL Art. 47 ¶4): agreements to sign, signed, and whether the
    # application states truthfully why the others could not be reached
    agreements_required: Optional[int] = Field(
        default=None, ge=0, strict=True,
        description="owners and users the compensation agreements are to be signed with")
    agreements_reached: Optional[int] = Field(
        default=None, ge=0, strict=True, description="agreements signed, at most agreements_required")
    unsigned_explained: Optional[bool] = Field(
        default=None, description="the application states truthfully the agreements not reached (如实说明)")

    @model_validator(mode="after")
    def _reached_at_most_required(self) -> "ExpropriationProcedure":
        if (self.agreements_required is not None and self.agreements_reached is not None
                and self.agreements_reached > self.agreements_required):
            raise FieldProblem(
                f"已签订协议数 agreements_reached（{self.agreements_reached}）多于应签订协议数 agreements_required"
                f"（{self.agreements_required}）：请核对两个数字",
                f"agreements_reached ({self.agreements_reached}) exceeds agreements_required "
                f"({self.agreements_required}): check both figures")
        return self


class CollectiveDecision(Strict):
    decided_on: Optional[Day] = None
    township_approved_on: Optional[Day] = None


class Violation(Strict):
    id: str = Field(min_length=1)
    handled: bool


class Petition(Strict):
    id: str = Field(min_length=1)
    resolved: bool


class Violations(Strict):
    illegal_land_use: Optional[list[Violation]] = None
    petitions: Optional[list[Petition]] = None


class Review(Strict):
    planning: Optional[Planning] = None
    annual_plan: Optional[AnnualPlan] = None
    ownership: Optional[Ownership] = None
    cultivated_compensation: Optional[CultivatedCompensation] = None
    public_interest: Optional[PublicInterest] = None
    protected_areas: Optional[list[ProtectedArea]] = None
    expropriation_procedure: Optional[ExpropriationProcedure] = None
    collective_decision: Optional[CollectiveDecision] = None
    violations: Optional[Violations] = None


class Workflow(Strict):
    accepted_on: Optional[Day] = None
    reviewed_on: Optional[Day] = None
    decided_on: Optional[Day] = None
    fee_due: Optional[bool] = Field(
        default=None, description="a new-construction-land use fee is payable under the rules (五(四) "
                                  "按规定需缴纳); false where the batch is exempt")
    fee_notice_on: Optional[Day] = None
    fee_paid_on: Optional[Day] = None
    approval_issued_on: Optional[Day] = None
    archived_on: Optional[Day] = None
    # issue 12, LAL Art. 79: a county government's approval recorded in the file (村民住宅 三(一))
    county_approved_on: Optional[Day] = None


class Project(Strict):
    """The construction project the land is for (实施条例 第二十五条: one project, one application):
    the cross-case checks of the register (landapproval register) aggregate cases by it."""
    code: Optional[str] = Field(default=None, min_length=1,
                                description="统一项目代码 of the national investment-project platform")
    name: Optional[str] = Field(default=None, min_length=1, description="项目名称")
    applicant: Optional[str] = Field(default=None, min_length=1, description="建设单位 / 申请人")
    phases_in_feasibility_study: Optional[bool] = Field(
        default=None, description="the phases filed separately are those the approved feasibility study "
                                  "fixes (实施条例 第二十五条 分期); null: not known")


class Case(Strict):
    """One land-use application (批次/单独选址/村民住宅用地) as filed by a county."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="landapproval/v1 case")

    schema_: Optional[Literal["landapproval/v1"]] = Field(default=None, alias="schema")
    id: str = Field(min_length=1)
    title: Optional[str] = None
    county: str = Field(description="6-digit code (141021), Chinese name (曲沃县 / 曲沃) or pinyin (quwo)")
    kind: Literal["batch", "single_site", "village_housing"]
    filed_on: Optional[Day] = None
    project: Optional[Project] = None
    scope: Scope
    parcels: list[Parcel] = Field(min_length=1)
    review: Review = Review()
    workflow: Workflow = Workflow()

    @field_validator("county", mode="before")
    @classmethod
    def _county_code_may_be_a_number(cls, value: Any) -> Any:
        # YAML reads `county: 141021` as an integer; it is still a code. Full-width digits are
        # folded (１４１０２１); the other accepted forms are read by `contract.normalise`.
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return plain(value) if isinstance(value, str) else value

    @field_validator("id", mode="before")
    @classmethod
    def _id_is_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("parcels")
    @classmethod
    def _parcel_ids_are_unique(cls, parcels: "list[Parcel]") -> "list[Parcel]":
        first: dict[str, int] = {}
        for index, parcel in enumerate(parcels):
            if parcel.id in first:
                raise FieldProblem(f"parcels[{index}] 的地块编号“{parcel.id}”与 parcels[{first[parcel.id]}] 重复：每个地块编号只能用一次",
                                   f"parcels[{index}].id {parcel.id!r} repeats parcels[{first[parcel.id]}].id")
            first[parcel.id] = index
        return parcels

    def expropriates(self, parcel: Parcel) -> bool:
        """The contract's default: collective land is expropriated, except for rural housing."""
        if parcel.ownership == "state":
            return False
        if parcel.expropriate is not None:
            return parcel.expropriate
        return self.kind != "village_housing"

