"""Frozen DTOs that repositories return; handlers never see ORM rows."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from storage.values import RoundStatus, SchoolCode, Sector


@dataclass(frozen=True, slots=True)
class SchoolRecord:
    id: int
    code: SchoolCode
    name: str
    sector: Sector
    support_contact: str | None


@dataclass(frozen=True, slots=True)
class GroupRecord:
    id: int
    school: SchoolCode
    school_year: str
    name: str
    grade: int
    enrolled: int


@dataclass(frozen=True, slots=True)
class RoundRecord:
    id: int
    school: SchoolCode
    school_year: str
    questionnaire_id: str
    questionnaire_version: str
    status: RoundStatus
    opens_on: date | None
    closes_on: date | None
    planned_end: date | None = None


@dataclass(frozen=True, slots=True)
class RoundSummary:
    """A round with its progress: seats handed out and responses so far."""

    round: RoundRecord
    enrolled: int
    codes_issued: int
    codes_used: int
    started: int
    completed: int


@dataclass(frozen=True, slots=True)
class CodeCount:
    issued: int
    used: int


@dataclass(frozen=True, slots=True)
class IssuedCodes:
    """Codes generated now, in the clear: the only moment they exist outside the school."""

    codes: tuple[str, ...]
    group: GroupRecord
    round: RoundRecord
    total: CodeCount


@dataclass(frozen=True, slots=True)
class RespondentRecord:
    id: int
    round_id: int
    group_id: int
    language: str
    age_band: str
    channel: str
    started_on: date
    completed_on: date | None


class RedemptionStatus(StrEnum):
    STARTED = "started"  # a new response for this code
    RESUMED = "resumed"  # the same chat identity came back (also: a duplicate delivery)
    UNKNOWN_CODE = "unknown_code"
    USED_CODE = "used_code"
    ROUND_NOT_OPEN = "round_not_open"


@dataclass(frozen=True, slots=True)
class Redemption:
    """What happened when a pupil typed a code; channels turn the status into words."""

    status: RedemptionStatus
    respondent: RespondentRecord | None = None
    school: SchoolRecord | None = None
    group: GroupRecord | None = None
    round: RoundRecord | None = None


@dataclass(frozen=True, slots=True)
class CoordinatorRecord:
    id: int
    display_name: str
    channel: str
    address: str | None
    active: bool
    schools: tuple[tuple[SchoolCode, str], ...]  # (school, role)


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A school's consent for one school year: who gave it and when, and whether it was
    withdrawn (by whom, when); only a consent in force lets the school be delivered."""

    school: SchoolCode
    school_year: str
    given_by: str
    given_at: datetime
    withdrawn_by: str | None = None
    withdrawn_at: datetime | None = None

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


@dataclass(frozen=True, slots=True)
class AnswerChanges:
    """What one input of a pupil changes: answers to write (``None``: "I'd rather not say")
    and to forget, a new language, and the day the response was completed."""

    upsert: Mapping[str, int | None]
    delete: tuple[str, ...] = ()
    language: str | None = None
    completed_on: date | None = None


@dataclass(frozen=True, slots=True)
class ResponsePlace:
    """An open response with its round and school, read (and locked) in one statement."""

    respondent: RespondentRecord
    round: RoundRecord
    school: SchoolRecord
