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
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION: Literal[3] = 3
SchemaVersion = Literal[1, 2, 3]


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


class Finding(_Document):
    finding_id: str = Field(description="Deterministic: sha256 of report_id, ordinal and text")
    ordinal: int = Field(ge=1, description="Position of the finding in the report, from 1")
    category: FindingCategory
    section: str = Field(description="The heading the finding sits under, as printed")
    judgement_area: JudgementArea | None
    paragraph: int | None = Field(description="Printed paragraph number, if any")
    text: str


class ParseQuality(_Document):
    coverage: float = Field(ge=0, le=1, description="Share of body text assigned to findings")
    warnings: list[str] = Field(default_factory=list)
    needs_review: bool = Field(
        default=False,
        description="A warning says that some field may be wrong: a person should look",
    )


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
