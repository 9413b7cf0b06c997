"""The decision: one object that text, JSON, HTML and the HTTP API all render.

A decision is a value. Every part of it is immutable: the objects are frozen dataclasses, texts
are frozen `Message`s (``message.zh``, ``message["en"]``), and every dict or list inside is a
`FrozenDict`/`FrozenList` made for this decision alone. Nothing an embedder does to a result
reaches the engine, the rule book or another result; to change one, build a new one with
`dataclasses.replace`.

`to_dict(lang)` / `to_json(lang)` are the contract's output in one language (stable key order).
`to_json(langs=("zh", "en"))` is the storage form: every field, both languages, exact types;
`Decision.from_json(text)` rebuilds an equal decision from it, so a stored decision can be
rendered later (text, report, xlsx) without evaluating again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any, Iterable, Literal, Mapping, NotRequired, Sequence, TypedDict, cast, get_args

from landapproval.core.errors import EXIT_BAD_INPUT, LandApprovalError, Text, UnknownLanguageError
from landapproval.core.jsonout import dumps
from landapproval.core.values import FrozenDict, FrozenList, Message, freeze

FOUR_PLACES = Decimal("0.0001")
LANGUAGES = ("zh", "en")

Lang = Literal["zh", "en"]
CheckStatus = Literal["pass", "fail", "incomplete", "not_applicable"]
StepStatus = Literal["done", "pending", "blocked", "not_applicable"]
Severity = Literal["blocking", "correctable", "warning"]
FindingKind = Literal["finding", "missing"]
Level = Literal["county", "city", "province", "state_council"]
Mode = Literal["authorized", "entrusted", "statutory"]
AsOfSource = str  # "--as-of" (given by the caller), "today", or the case-file field it was taken from

STORAGE_FORMAT = "landapproval.decision/1"


def area_text(value: Decimal) -> str:
    return str(value.quantize(FOUR_PLACES))


def _closed(value: str, allowed: Any, what: str) -> None:
    if value not in get_args(allowed):
        raise ValueError(f"{what} {value!r} is not one of {', '.join(get_args(allowed))}")


# --- the contract's output, typed -----------------------------------------------------------------

class FindingDict(TypedDict):
    code: str
    severity: Severity
    message: str
    citation: str
    remedy: NotRequired[str]
    missing: NotRequired[list[str]]
    facts: NotRequired[dict[str, Any]]
    figures: NotRequired[list[str]]


class AuthorityDict(TypedDict):
    level: Level
    mode: Mode
    rule: str
    citations: list[str]
    reasons: list[str]
    facts: dict[str, Any]


class CheckDict(TypedDict):
    id: str
    status: CheckStatus
    findings: list[FindingDict]
    title: NotRequired[str]
    citation: NotRequired[str]


class StepDict(TypedDict):
    id: str
    status: StepStatus
    due: str | None
    findings: list[FindingDict]
    title: NotRequired[str]
    citation: NotRequired[str]
    done_on: NotRequired[str]


class AuthorityBlock(TypedDict):
    conversion: AuthorityDict | None
    expropriation: AuthorityDict | None
    together: bool


class WorkflowDict(TypedDict):
    steps: list[StepDict]
    next: str | None


class DecisionDict(TypedDict):
    case: str
    as_of: str
    totals: dict[str, dict[str, str]]
    authority: AuthorityBlock
    checks: list[CheckDict]
    workflow: WorkflowDict
    blocking: list[str]
    approvable: bool
    as_of_source: str
    county: dict[str, str]
    rules_fired: list[str]
    geometry: dict[str, Any] | None
    law: dict[str, str]
    calendars: list[dict[str, Any]]


# --- the parts ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """One thing a rule found about a review item or a workflow step.

    `severity`: blocking (the case cannot be approved), correctable (fix and file again) or
    warning. `kind`: "finding", or "missing" when evidence is not given (the item is then
    incomplete, and `missing` names the case-file fields). `facts`: the facts the rule read;
    `figures`: the same in words per language (``finding.figures["en"]``), with what was compared.
    """
    code: str
    severity: Severity
    message: Message
    citation: str
    remedy: Message | None = None
    missing: tuple[str, ...] = ()
    facts: Mapping[str, Any] = field(default_factory=FrozenDict)
    kind: FindingKind = "finding"
    figures: Mapping[str, tuple[str, ...]] = field(default_factory=FrozenDict)

    def __post_init__(self) -> None:
        _closed(self.severity, Severity, "severity")
        _closed(self.kind, FindingKind, "finding kind")
        _set(self, "message", Message.of(self.message))
        _set(self, "remedy", Message.maybe(self.remedy))
        _set(self, "missing", tuple(self.missing))
        _set(self, "facts", freeze(dict(self.facts)))
        _set(self, "figures", FrozenDict({lang: tuple(shown) for lang, shown in self.figures.items()}))

    def to_dict(self, lang: str) -> FindingDict:
        out: FindingDict = {"code": self.code, "severity": self.severity, "message": self.message[lang],
                            "citation": self.citation}
        if self.remedy:
            out["remedy"] = self.remedy[lang]
        if self.missing:
            out["missing"] = list(self.missing)
        if self.facts:
            out["facts"] = {k: plain(v) for k, v in self.facts.items()}
            if self.figures.get(lang):
                out["figures"] = list(self.figures[lang])
        return out


@dataclass(frozen=True)
class Authority:
    """Who approves one part of the case (the conversion or the expropriation): the `level`
    (county, city, province, state_council), under which `mode` (authorized, entrusted or
    statutory power), the decision-table `rule` that decided, its citations and reasons, and
    the facts that rule read."""
    level: Level
    mode: Mode
    rule: str
    citations: tuple[str, ...]
    reasons: tuple[Message, ...]
    facts: Mapping[str, Any]

    def __post_init__(self) -> None:
        _closed(self.level, Level, "level")
        _closed(self.mode, Mode, "mode")
        _set(self, "citations", tuple(self.citations))
        _set(self, "reasons", tuple(Message.of(r) for r in self.reasons))
        _set(self, "facts", freeze(dict(self.facts)))

    def to_dict(self, lang: str) -> AuthorityDict:
        return {"level": self.level, "mode": self.mode, "rule": self.rule,
                "citations": list(self.citations), "reasons": [r[lang] for r in self.reasons],
                "facts": {k: plain(v) for k, v in self.facts.items()}}


@dataclass(frozen=True)
class Check:
    """One review item (C1–C8, 临政发〔2024〕7号 四): `status` pass, fail, incomplete (evidence
    missing) or not_applicable, with its findings."""
    id: str
    status: CheckStatus
    findings: tuple[Finding, ...] = ()
    title: Message | None = None
    citation: str = ""

    def __post_init__(self) -> None:
        _closed(self.status, CheckStatus, "check status")
        _set(self, "findings", tuple(self.findings))
        _set(self, "title", Message.maybe(self.title))

    def to_dict(self, lang: str) -> CheckDict:
        out: CheckDict = {"id": self.id, "status": self.status, "findings": [f.to_dict(lang) for f in self.findings]}
        if self.title:
            out["title"] = self.title[lang]
        if self.citation:
            out["citation"] = self.citation
        return out


@dataclass(frozen=True)
class Step:
    """One workflow step (S1–S6, 临政发〔2024〕7号 五): `status` done, pending, blocked or
    not_applicable; `due` the deadline where the rules know one."""
    id: str
    status: StepStatus
    due: dt.date | None = None
    findings: tuple[Finding, ...] = ()
    title: Message | None = None
    citation: str = ""
    done_on: dt.date | None = None

    def __post_init__(self) -> None:
        _closed(self.status, StepStatus, "step status")
        _set(self, "findings", tuple(self.findings))
        _set(self, "title", Message.maybe(self.title))

    def to_dict(self, lang: str) -> StepDict:
        out: StepDict = {"id": self.id, "status": self.status, "due": self.due.isoformat() if self.due else None,
                         "findings": [f.to_dict(lang) for f in self.findings]}
        if self.title:
            out["title"] = self.title[lang]
        if self.citation:
            out["citation"] = self.citation
        if self.done_on:
            out["done_on"] = self.done_on.isoformat()
        return out


class StoredDecisionError(LandApprovalError):
    """A stored decision (`Decision.from_json`) that cannot be rebuilt: not the storage form, a
    newer format, or a field that does not read. `field` names where."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, field: str, text: Text):
        self.field, self.text = field, text
        super().__init__(f"stored decision: {field}: {text.en}" if field else f"stored decision: {text.en}")


@dataclass(frozen=True)
class Decision:
    """Who approves the case and what still blocks it, as of one date.

    `conversion` / `expropriation`: the `Authority` for each part (None when the case has no such
    part); `checks` C1–C8 and `steps` S1–S6; `blocking`: codes of the blocking findings;
    `approvable`: nothing blocks and every applicable item passes; `facts`: every fact the
    rules read (exact Decimals for areas); `law`: the package version and the sha256 of the rules
    applied. `check("C4")`, `step("S5")` and `findings` reach the parts by name.
    """
    case: str
    as_of: dt.date
    as_of_source: AsOfSource
    county: Mapping[str, str]
    totals: Mapping[str, Mapping[str, Decimal]]
    conversion: Authority | None
    expropriation: Authority | None
    together: bool
    checks: tuple[Check, ...]
    steps: tuple[Step, ...]
    next_step: str | None
    blocking: tuple[str, ...]
    approvable: bool
    fired: tuple[str, ...]
    facts: Mapping[str, Any]
    geometry: Mapping[str, Any] | None = None
    law: Mapping[str, str] = field(default_factory=FrozenDict)  # {"version", "rules_sha256"}: the law applied
    # the parcels as decided on ({id, ownership, expropriate, land}), for the report's parcel table
    parcels: tuple[Mapping[str, Any], ...] = field(default=(), repr=False, compare=False)
    # user-supplied working-day schedules (rules/calendar/YYYY.yaml) a deadline was counted on
    calendars: tuple[Mapping[str, Any], ...] = ()
    # the fact sets each stage sent to the engine (engine units), for explain and cross-checks
    engine_facts: Mapping[str, Mapping[str, Any]] = field(default_factory=FrozenDict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("county", "totals", "facts", "law", "engine_facts"):
            _set(self, name, freeze(dict(getattr(self, name))))
        if self.geometry is not None:
            _set(self, "geometry", freeze(dict(self.geometry)))
        for name in ("checks", "steps", "blocking", "fired"):
            _set(self, name, tuple(getattr(self, name)))
        _set(self, "parcels", tuple(freeze(dict(p)) for p in self.parcels))
        _set(self, "calendars", tuple(freeze(dict(c)) for c in self.calendars))

    # --- reaching the parts -----------------------------------------------------------------------

    def check(self, item: str) -> Check:
        """The review item `item` ("C4"); KeyError names the items there are."""
        for check in self.checks:
            if check.id == item:
                return check
        raise KeyError(f"no review item {item!r}: the items are {', '.join(c.id for c in self.checks)}")

    def step(self, item: str) -> Step:
        """The workflow step `item` ("S5")."""
        for step in self.steps:
            if step.id == item:
                return step
        raise KeyError(f"no workflow step {item!r}: the steps are {', '.join(s.id for s in self.steps)}")

    @property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding, in the order of the review items, then the steps."""
        return tuple(f for check in self.checks for f in check.findings) + \
            tuple(f for step in self.steps for f in step.findings)

    # --- the contract's output --------------------------------------------------------------------

    def to_dict(self, lang: str = "zh") -> DecisionDict:
        if lang not in LANGUAGES:
            raise UnknownLanguageError(lang)
        return {
            "case": self.case,
            "as_of": self.as_of.isoformat(),
            "totals": {part: {k: area_text(v) for k, v in values.items()}
                       for part, values in self.totals.items()},
            "authority": {
                "conversion": self.conversion.to_dict(lang) if self.conversion else None,
                "expropriation": self.expropriation.to_dict(lang) if self.expropriation else None,
                "together": self.together,
            },
            "checks": [c.to_dict(lang) for c in self.checks],
            "workflow": {"steps": [s.to_dict(lang) for s in self.steps], "next": self.next_step},
            "blocking": list(self.blocking),
            "approvable": self.approvable,
            "as_of_source": self.as_of_source,
            "county": dict(self.county),
            "rules_fired": list(self.fired),
            "geometry": _thaw(self.geometry) if self.geometry is not None else None,
            "law": dict(self.law),
            "calendars": [dict(c) for c in self.calendars],
        }

    def to_json(self, lang: str = "zh", *, indent: bool = False, langs: Sequence[str] | None = None) -> str:
        """`to_dict(lang)` as JSON text: UTF-8 characters as they are, areas as exact decimal text.

        With `langs` (e.g. ``("zh", "en")``): the storage form instead, every field in those
        languages with exact types, which `Decision.from_json` rebuilds into an equal decision."""
        if langs is not None:
            return dumps(self.to_storage(langs), indent=indent).decode("utf-8")
        return self.to_json_bytes(lang, indent=indent).decode("utf-8")

    def to_json_bytes(self, lang: str = "zh", *, indent: bool = False) -> bytes:
        return dumps(self.to_dict(lang), indent=indent)

    # --- storage ----------------------------------------------------------------------------------

    def to_storage(self, langs: Sequence[str] = LANGUAGES) -> dict[str, Any]:
        """The storage form as plain JSON data (see `to_json(langs=…)`)."""
        langs = tuple(langs)
        for lang in langs:
            if lang not in LANGUAGES:
                raise UnknownLanguageError(lang)
        out: dict[str, Any] = {"format": STORAGE_FORMAT, "langs": list(langs)}
        for f in fields(self):
            out[f.name] = _encode(getattr(self, f.name), langs)
        return out

    @classmethod
    def from_json(cls, text: str | bytes) -> "Decision":
        """A decision stored with `to_json(langs=("zh", "en"))`, rebuilt: equal to the one stored.

        A text stored in fewer languages is rebuilt with those only (the other language of a
        message repeats the one stored). StoredDecisionError names what does not read."""
        import json

        try:
            data = json.loads(text)
        except ValueError as error:
            raise StoredDecisionError("", Text(f"不是 JSON：{error}", f"not JSON: {error}")) from None
        except RecursionError:
            raise StoredDecisionError("", Text("JSON 嵌套过深", "JSON nested too deeply")) from None
        return cls.from_storage(data)

    @classmethod
    def from_storage(cls, data: Any) -> "Decision":
        if not isinstance(data, dict) or data.get("format") != STORAGE_FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise StoredDecisionError("format", Text(
                f"不是可还原的决定（format 应为 {STORAGE_FORMAT}，实为 {found!r}）；保存时请用 to_json(langs=(\"zh\", \"en\"))",
                f"not a stored decision (format should be {STORAGE_FORMAT}, found {found!r}); "
                f"store it with to_json(langs=(\"zh\", \"en\"))"))
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name not in data:
                raise StoredDecisionError(f.name, Text("缺少此字段", "missing"))
            try:
                values[f.name] = _decode(data[f.name])
            except (ValueError, TypeError, KeyError, ArithmeticError, AttributeError, RecursionError) as error:
                raise StoredDecisionError(f.name, Text(f"无法读取：{error}", f"does not read: {error}")) from None
        try:
            return cls(**values)
        except (ValueError, TypeError) as error:
            raise StoredDecisionError("", Text(f"无法还原：{error}", f"cannot be rebuilt: {error}")) from None


def _set(obj: object, name: str, value: Any) -> None:
    object.__setattr__(obj, name, value)


def _thaw(value: Any) -> Any:
    """A frozen value as plain dicts and lists (for the one-language output)."""
    if isinstance(value, dict):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_thaw(v) for v in value]
    return value


# The storage encoding: JSON with a tag where JSON alone would lose the type.
#   {"$dec": "5.1234"} Decimal   {"$date": "2024-09-10"} date   {"$t": [...]} tuple
#   {"$msg": {"zh", "en"}} Message   {"$dc": "Finding", ...fields} a part   {"$map": {...}} a dict
_PARTS: dict[str, type] = {}


def _encode(value: Any, langs: tuple[str, ...]) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    if isinstance(value, Message):
        return {"$msg": {lang: value[lang] for lang in langs}}
    if isinstance(value, tuple):
        return {"$t": [_encode(v, langs) for v in value]}
    if isinstance(value, list):
        return [_encode(v, langs) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            return {"$map": {k: _encode(v, langs) for k, v in value.items()}}
        return {"$pairs": [[_encode(k, langs), _encode(v, langs)] for k, v in value.items()]}
    kind = type(value).__name__
    if isinstance(value, (Finding, Authority, Check, Step)):
        return {"$dc": kind, **{f.name: _encode(getattr(value, f.name), langs) for f in fields(value)}}
    raise TypeError(f"cannot store a {kind} in a decision")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$date" in value:
        return dt.date.fromisoformat(value["$date"])
    if "$datetime" in value:
        return dt.datetime.fromisoformat(value["$datetime"])
    if "$msg" in value:
        texts = value["$msg"]
        zh, en = texts.get("zh", texts.get("en")), texts.get("en", texts.get("zh"))
        return Message(zh, en)
    if "$t" in value:
        return tuple(_decode(v) for v in value["$t"])
    if "$map" in value:
        return {k: _decode(v) for k, v in value["$map"].items()}
    if "$pairs" in value:
        return {_decode(k): _decode(v) for k, v in value["$pairs"]}
    if "$dc" in value:
        kind = _PARTS[value["$dc"]]
        return kind(**{f.name: _decode(value[f.name]) for f in fields(kind) if f.name in value})
    raise ValueError(f"unknown stored value {sorted(value)}")


_PARTS.update({cls.__name__: cls for cls in (Finding, Authority, Check, Step)})


LAND_CLASSES = ("permanent_basic_farmland", "cultivated", "other_agricultural", "construction", "unused")


def land_by_class(decision: Decision) -> dict[str, Decimal]:
    """Hectares of each land class over the decision's parcels (exact decimals)."""
    return {name: sum((p["land"][name] for p in decision.parcels), Decimal(0)) for name in LAND_CLASSES}


def plain(value: Any) -> Any:
    """A fact value as the JSON shows it: areas to 4 places, dates ISO, lists item by item."""
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return area_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


__all__ = ["Decision", "Authority", "Check", "Step", "Finding", "Message", "StoredDecisionError",
           "UnknownLanguageError", "Lang", "CheckStatus", "StepStatus", "Severity", "FindingKind", "Level",
           "Mode", "DecisionDict", "CheckDict", "StepDict", "FindingDict", "AuthorityDict", "land_by_class",
           "plain", "area_text", "FrozenDict", "FrozenList"]
