"""Event contracts: the only coupling between the Findings services.

Every event is JSON on the wire, carries `schema_version`, `event_id`, `occurred_at`
and `report_id`, and is keyed on Kafka by `report_id` (sha256 hex of the file bytes)
so that all events of one report stay ordered on one partition.

Versions: an additive change (a new enum member, a new field with a default) bumps
`schema_version` and keeps the topics; readers accept every version they know, so events
written before an upgrade are still read. A breaking change gets a new topic suffix
(`.v2`). Version 2 added the `summary` finding category, `quality.needs_review`, and the
2012-13 child protection judgements (`quality_of_practice`, `leadership_and_governance`).
Version 3 added `ReportReplaced` (its own topic) and `received_at` on `ReportParsedEvent`.
Version 4 added each finding's `themes`, `tone` and `sentence_tones` (docs/themes.md) and
a report's `next_inspection` (what the report says of it).
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[4] = 4
SchemaVersion = Literal[1, 2, 3, 4]


class ReportType(StrEnum):
    ILACS_INSPECTION = "ilacs_inspection"
    SIF_INSPECTION = "sif_inspection"
    SAFEGUARDING_LAC_INSPECTION = "safeguarding_lac_inspection"
    ANNUAL_UNANNOUNCED_INSPECTION = "annual_unannounced_inspection"
    FOCUSED_VISIT = "focused_visit"
    MONITORING_VISIT = "monitoring_visit"
    JTAI = "jtai"
    AREA_SEND = "area_send"
    JOINT_AREA_REVIEW = "joint_area_review"
    UNKNOWN = "unknown"


class Grade(StrEnum):
    OUTSTANDING = "outstanding"
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    ADEQUATE = "adequate"
    INADEQUATE = "inadequate"
    # Area SEND outcomes (2023 framework)
    POSITIVE = "positive"
    INCONSISTENT = "inconsistent"
    SYSTEMIC_FAILINGS = "systemic_failings"


class JudgementArea(StrEnum):
    OVERALL_EFFECTIVENESS = "overall_effectiveness"
    IMPACT_OF_LEADERS = "impact_of_leaders"
    HELP_AND_PROTECTION = "help_and_protection"
    CHILDREN_IN_CARE = "children_in_care"
    CARE_LEAVERS = "care_leavers"
    CHILDREN_IN_CARE_AND_CARE_LEAVERS = "children_in_care_and_care_leavers"
    # Single inspection framework (2013-2018)
    CHILDREN_LOOKED_AFTER = "children_looked_after"
    ADOPTION = "adoption"
    LEADERSHIP_MANAGEMENT_GOVERNANCE = "leadership_management_governance"
    LSCB = "lscb"
    # 2012-13 inspections of safeguarding and looked after children services
    CAPACITY_TO_IMPROVE = "capacity_to_improve"
    OUTCOMES = "outcomes"
    QUALITY_OF_PROVISION = "quality_of_provision"
    LEADERSHIP_AND_MANAGEMENT = "leadership_and_management"
    # 2012-13 inspections of the arrangements for the protection of children
    QUALITY_OF_PRACTICE = "quality_of_practice"
    LEADERSHIP_AND_GOVERNANCE = "leadership_and_governance"
    AREA_SEND_OUTCOME = "area_send_outcome"


class FindingCategory(StrEnum):
    STRENGTH = "strength"
    MEETS_REQUIREMENTS = "meets_requirements"
    AREA_FOR_DEVELOPMENT = "area_for_development"
    PRIORITY_ACTION = "priority_action"
    IMPROVEMENT = "improvement"
    # The numbered paragraphs of a report that numbers them; a letter's paragraphs.
    EVIDENCE = "evidence"
    # A report's unnumbered headline paragraphs, before its numbered evidence.
    SUMMARY = "summary"


class PracticeArea(StrEnum):
    """The first level of the theme taxonomy (docs/themes.md)."""

    HELP_AND_PROTECTION = "help_and_protection"
    CHILDREN_IN_CARE = "children_in_care"
    CARE_LEAVERS = "care_leavers"
    WELLBEING = "wellbeing"
    PRACTICE = "practice"
    LEADERSHIP = "leadership"


class Theme(StrEnum):
    """The second level of the theme taxonomy (docs/themes.md defines each)."""

    FRONT_DOOR = "front_door"
    EARLY_HELP = "early_help"
    STRATEGY_AND_ENQUIRIES = "strategy_and_enquiries"
    CHILD_PROTECTION_PLANS = "child_protection_plans"
    CHILDREN_IN_NEED = "children_in_need"
    DOMESTIC_ABUSE = "domestic_abuse"
    NEGLECT = "neglect"
    PARENTAL_FACTORS = "parental_factors"
    EXPLOITATION = "exploitation"
    MISSING_CHILDREN = "missing_children"
    MISSING_EDUCATION = "missing_education"
    PRIVATE_FOSTERING = "private_fostering"
    HOMELESS_16_17 = "homeless_16_17"
    LADO = "lado"
    DISABLED_CHILDREN = "disabled_children"
    OUT_OF_HOURS = "out_of_hours"
    PRE_PROCEEDINGS = "pre_proceedings"
    YOUNG_CARERS = "young_carers"
    ENTERING_CARE = "entering_care"
    CARE_PLANNING = "care_planning"
    PERMANENCE = "permanence"
    PLACEMENT_SUFFICIENCY = "placement_sufficiency"
    FOSTER_AND_KINSHIP_CARERS = "foster_and_kinship_carers"
    FAMILY_TIME = "family_time"
    IDENTITY_AND_LIFE_STORY = "identity_and_life_story"
    UNACCOMPANIED_CHILDREN = "unaccompanied_children"
    IRO = "iro"
    CORPORATE_PARENTING = "corporate_parenting"
    YOUTH_JUSTICE = "youth_justice"
    PATHWAY_PLANNING = "pathway_planning"
    CARE_LEAVERS_ACCOMMODATION = "care_leavers_accommodation"
    EDUCATION_EMPLOYMENT_TRAINING = "education_employment_training"
    LOCAL_OFFER = "local_offer"
    EDUCATION = "education"
    HEALTH = "health"
    EMOTIONAL_MENTAL_HEALTH = "emotional_mental_health"
    SEND_SUPPORT = "send_support"
    ASSESSMENT = "assessment"
    PLANS = "plans"
    CHILD_VOICE = "child_voice"
    RECORDING = "recording"
    DRIFT_AND_DELAY = "drift_and_delay"
    DIVERSITY_AND_IDENTITY = "diversity_and_identity"
    MANAGEMENT_OVERSIGHT = "management_oversight"
    SUPERVISION = "supervision"
    WORKFORCE = "workforce"
    LEARNING_AND_DEVELOPMENT = "learning_and_development"
    QUALITY_ASSURANCE = "quality_assurance"
    PARTNERSHIPS = "partnerships"
    PARTICIPATION = "participation"
    CORPORATE_LEADERSHIP = "corporate_leadership"


THEME_AREA: dict[Theme, PracticeArea] = {
    Theme.FRONT_DOOR: PracticeArea.HELP_AND_PROTECTION,
    Theme.EARLY_HELP: PracticeArea.HELP_AND_PROTECTION,
    Theme.STRATEGY_AND_ENQUIRIES: PracticeArea.HELP_AND_PROTECTION,
    Theme.CHILD_PROTECTION_PLANS: PracticeArea.HELP_AND_PROTECTION,
    Theme.CHILDREN_IN_NEED: PracticeArea.HELP_AND_PROTECTION,
    Theme.DOMESTIC_ABUSE: PracticeArea.HELP_AND_PROTECTION,
    Theme.NEGLECT: PracticeArea.HELP_AND_PROTECTION,
    Theme.PARENTAL_FACTORS: PracticeArea.HELP_AND_PROTECTION,
    Theme.EXPLOITATION: PracticeArea.HELP_AND_PROTECTION,
    Theme.MISSING_CHILDREN: PracticeArea.HELP_AND_PROTECTION,
    Theme.MISSING_EDUCATION: PracticeArea.HELP_AND_PROTECTION,
    Theme.PRIVATE_FOSTERING: PracticeArea.HELP_AND_PROTECTION,
    Theme.HOMELESS_16_17: PracticeArea.HELP_AND_PROTECTION,
    Theme.LADO: PracticeArea.HELP_AND_PROTECTION,
    Theme.DISABLED_CHILDREN: PracticeArea.HELP_AND_PROTECTION,
    Theme.OUT_OF_HOURS: PracticeArea.HELP_AND_PROTECTION,
    Theme.PRE_PROCEEDINGS: PracticeArea.HELP_AND_PROTECTION,
    Theme.YOUNG_CARERS: PracticeArea.HELP_AND_PROTECTION,
    Theme.ENTERING_CARE: PracticeArea.CHILDREN_IN_CARE,
    Theme.CARE_PLANNING: PracticeArea.CHILDREN_IN_CARE,
    Theme.PERMANENCE: PracticeArea.CHILDREN_IN_CARE,
    Theme.PLACEMENT_SUFFICIENCY: PracticeArea.CHILDREN_IN_CARE,
    Theme.FOSTER_AND_KINSHIP_CARERS: PracticeArea.CHILDREN_IN_CARE,
    Theme.FAMILY_TIME: PracticeArea.CHILDREN_IN_CARE,
    Theme.IDENTITY_AND_LIFE_STORY: PracticeArea.CHILDREN_IN_CARE,
    Theme.UNACCOMPANIED_CHILDREN: PracticeArea.CHILDREN_IN_CARE,
    Theme.IRO: PracticeArea.CHILDREN_IN_CARE,
    Theme.CORPORATE_PARENTING: PracticeArea.CHILDREN_IN_CARE,
    Theme.YOUTH_JUSTICE: PracticeArea.CHILDREN_IN_CARE,
    Theme.PATHWAY_PLANNING: PracticeArea.CARE_LEAVERS,
    Theme.CARE_LEAVERS_ACCOMMODATION: PracticeArea.CARE_LEAVERS,
    Theme.EDUCATION_EMPLOYMENT_TRAINING: PracticeArea.CARE_LEAVERS,
    Theme.LOCAL_OFFER: PracticeArea.CARE_LEAVERS,
    Theme.EDUCATION: PracticeArea.WELLBEING,
    Theme.HEALTH: PracticeArea.WELLBEING,
    Theme.EMOTIONAL_MENTAL_HEALTH: PracticeArea.WELLBEING,
    Theme.SEND_SUPPORT: PracticeArea.WELLBEING,
    Theme.ASSESSMENT: PracticeArea.PRACTICE,
    Theme.PLANS: PracticeArea.PRACTICE,
    Theme.CHILD_VOICE: PracticeArea.PRACTICE,
    Theme.RECORDING: PracticeArea.PRACTICE,
    Theme.DRIFT_AND_DELAY: PracticeArea.PRACTICE,
    Theme.DIVERSITY_AND_IDENTITY: PracticeArea.PRACTICE,
    Theme.MANAGEMENT_OVERSIGHT: PracticeArea.LEADERSHIP,
    Theme.SUPERVISION: PracticeArea.LEADERSHIP,
    Theme.WORKFORCE: PracticeArea.LEADERSHIP,
    Theme.LEARNING_AND_DEVELOPMENT: PracticeArea.LEADERSHIP,
    Theme.QUALITY_ASSURANCE: PracticeArea.LEADERSHIP,
    Theme.PARTNERSHIPS: PracticeArea.LEADERSHIP,
    Theme.PARTICIPATION: PracticeArea.LEADERSHIP,
    Theme.CORPORATE_LEADERSHIP: PracticeArea.LEADERSHIP,
}


class Tone(StrEnum):
    STRENGTH = "strength"
    CONCERN = "concern"
    MIXED = "mixed"
    NEUTRAL = "neutral"


class Stage(StrEnum):
    INGEST = "ingest"
    PARSE = "parse"
    STORE = "store"


# --- The parsed report document (output of the parser, payload of the parsed event) ---


class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalAuthorityRef(_Document):
    name: str
    ofsted_urn: str | None
    la_code: str | None = Field(description="DfE 3-digit local authority code")
    ons_code: str | None = Field(description="ONS GSS code, e.g. E09000032")


class Judgement(_Document):
    area: JudgementArea
    label: str = Field(description="The judgement's label as printed")
    grade: Grade


class ThemeTag(_Document):
    theme: Theme
    area: PracticeArea
    matched: list[str] = Field(description="The words of the finding that gave the theme")


class SentenceTone(_Document):
    start: int = Field(ge=0, description="Where the sentence starts in the finding's text")
    end: int = Field(ge=0)
    tone: Tone


class Finding(_Document):
    finding_id: str = Field(description="Deterministic: sha256 of report_id, ordinal and text")
    ordinal: int = Field(ge=1, description="Position of the finding in the report, from 1")
    category: FindingCategory
    section: str = Field(description="The heading the finding sits under, as printed")
    judgement_area: JudgementArea | None
    paragraph: int | None = Field(description="Printed paragraph number, if any")
    text: str
    themes: list[ThemeTag] = Field(
        default_factory=list, description="What the finding is about (none before version 4)"
    )
    tone: Tone | None = Field(default=None, description="None before version 4")
    sentence_tones: list[SentenceTone] = Field(
        default_factory=list, description="Each sentence's tone, when the finding's is mixed"
    )


class ParseQuality(_Document):
    coverage: float = Field(ge=0, le=1, description="Share of body text assigned to findings")
    warnings: list[str] = Field(default_factory=list)
    needs_review: bool = Field(
        default=False,
        description="A warning says that some field may be wrong: a person should look",
    )


class NextInspectionNotice(_Document):
    """What a report says of the next inspection (area SEND reports do)."""

    kind: str = Field(description="full inspection or monitoring inspection")
    within_months: int = Field(ge=1, description="Within about this many months")
    text: str = Field(description="The report's words")


class ReportParsed(_Document):
    report_id: str = Field(pattern=r"^[0-9a-f]{64}$")
    parser_version: str
    report_type: ReportType
    title: str | None
    local_authority: LocalAuthorityRef | None
    inspection_start: date | None
    inspection_end: date | None
    published: date | None
    lead_inspector: str | None
    judgements: list[Judgement]
    findings: list[Finding]
    quality: ParseQuality
    next_inspection: NextInspectionNotice | None = Field(
        default=None, description="The report's own words on its next inspection (version 4)"
    )


def report_id_of(content: bytes) -> str:
    """A report's identity is its content: the same bytes under any name are one report."""
    return hashlib.sha256(content).hexdigest()


def finding_id_of(report_id: str, ordinal: int, text: str) -> str:
    return hashlib.sha256(f"{report_id}:{ordinal}:{text}".encode()).hexdigest()[:32]


# --- Events ---


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    model_config = ConfigDict(extra="forbid")

    schema_version: SchemaVersion = SCHEMA_VERSION
    event_id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    occurred_at: datetime = Field(default_factory=_now)
    report_id: str = Field(pattern=r"^[0-9a-f]{64}$")


class ReportReceived(Event):
    """ingest -> parse: an object is in the bucket (claim-check: never the bytes)."""

    object_uri: str
    name: str
    size: int = Field(ge=0)
    sha256: str
    content_type: str
    received_at: datetime
    attempt: int = Field(default=1, ge=1, description="Announcement number of this object")


class ReportParsedEvent(Event):
    """parse -> store: the whole parsed document of one report."""

    object_uri: str
    report: ReportParsed
    # When ingest took this content (from ReportReceived): a parse older than the report's
    # replacement is not stored (ReportReplaced). None in events of schema 1 and 2.
    received_at: datetime | None = None


class FindingPublished(Event):
    """parse -> anyone: one finding with enough report context to be useful alone."""

    parser_version: str
    report_type: ReportType
    la_code: str | None
    local_authority_name: str | None
    inspection_start: date | None
    inspection_end: date | None
    published: date | None
    finding: Finding


class ReportFailed(Event):
    """any stage -> dead letters: why a report could not go on."""

    object_uri: str
    stage: Stage
    error_type: str
    reason: str
    attempt: int = Field(default=1, ge=1)


class ReportReplaced(Event):
    """ingest -> anyone: the file that held this report now holds other content (a slow
    writer's partial copy completed, a file overwritten): the report is withdrawn.

    store deletes the report and its findings, and ignores a parse of it taken before
    `replaced_at`; the same content taken again later is a report again."""

    object_uri: str
    # The new content's report, or None when the new content is not a report (rejected).
    replaced_by: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    replaced_at: datetime


class ReportStored(Event):
    """store -> anyone: a report and its findings are committed."""

    parser_version: str
    finding_count: int = Field(ge=0)
    stored_at: datetime


class Topics(BaseModel):
    """Topic names; the namespace lets several stacks or tests share one broker."""

    model_config = ConfigDict(frozen=True)

    namespace: str = "findings"

    @property
    def received(self) -> str:
        return f"{self.namespace}.report.received.v1"

    @property
    def parsed(self) -> str:
        return f"{self.namespace}.report.parsed.v1"

    @property
    def finding(self) -> str:
        return f"{self.namespace}.finding.v1"

    @property
    def failed(self) -> str:
        return f"{self.namespace}.report.failed.v1"

    @property
    def stored(self) -> str:
        return f"{self.namespace}.report.stored.v1"

    @property
    def replaced(self) -> str:
        return f"{self.namespace}.report.replaced.v1"

    def all(self) -> list[str]:
        return [
            self.received,
            self.parsed,
            self.finding,
            self.failed,
            self.stored,
            self.replaced,
        ]


class EventTooLarge(Exception):
    """An event is larger than the broker's message limit: retrying cannot help."""


def encode_event(event: Event, max_bytes: int) -> bytes:
    body = event.model_dump_json().encode()
    if len(body) > max_bytes:
        raise EventTooLarge(f"the event is {len(body)} bytes, over the {max_bytes}-byte limit")
    return body
