"""Response models of the HTTP API; field names as in the ReportParsed contract."""

from __future__ import annotations

from datetime import date, datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from findings_shared.events import (
    Finding,
    Judgement,
    LocalAuthorityRef,
    ParseQuality,
    ReportType,
)

# Judgements, findings and quality are served exactly as the ReportParsed contract has them.
JudgementOut = Judgement
FindingOut = Finding
QualityOut = ParseQuality


class FindingWithReport(FindingOut):
    report_id: str
    report_type: ReportType
    la_code: str | None
    local_authority_name: str | None
    inspection_start: date | None
    published: date | None
    rank: float | None = None


class ReportSummary(BaseModel):
    report_id: str
    parser_version: str
    report_type: ReportType
    title: str | None
    local_authority: LocalAuthorityRef | None
    inspection_start: date | None
    inspection_end: date | None
    published: date | None
    lead_inspector: str | None
    finding_count: int
    stored_at: datetime
    quality: QualityOut


class ReportDetail(ReportSummary):
    judgements: list[JudgementOut]
    findings: list[FindingOut]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int
    offset: int
    next_offset: int | None


class LocalAuthorityOut(BaseModel):
    la_code: str
    name: str
    ofsted_urn: str
    ons_code: str
    region: str
    la_type: str


class Health(BaseModel):
    status: str
    database: str
