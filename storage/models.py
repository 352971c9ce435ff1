"""The database schema as SQLAlchemy 2.0 typed models.

Privacy is designed into the columns: a pupil exists only as a row number with dates (never
times), a group and a language; access codes and invites are stored as keyed digests; the chat
identity of a pupil only as a round-bound pseudonym that is cleared when the response completes
or the round closes. Staff actions (consent, audit) carry timestamps; pupils' answers never do.
Repositories convert rows to frozen DTOs; no row leaves ``storage``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.values import RoundStatus, Sector

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DIGEST_LENGTH = 64  # hex SHA-256


def _enum(kind: type[Any], name: str) -> Enum:
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
    )


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both backends (SQLite would hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("veilig stores aware datetimes only; pass one in UTC")
        return None if value is None else value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class School(Base):
    __tablename__ = "school"
    __table_args__ = (UniqueConstraint("brin", "vestiging"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    brin: Mapped[str] = mapped_column(String(4))
    vestiging: Mapped[str] = mapped_column(String(2))
    name: Mapped[str] = mapped_column(String(200))
    sector: Mapped[Sector] = mapped_column(_enum(Sector, "sector"))
    # Who pupils can talk to at school; shown on the support card after a disclosure.
    support_contact: Mapped[str | None] = mapped_column(Text)
    created_on: Mapped[date] = mapped_column(Date)


class Group(Base):
    """A class in one school year; its enrolled count is the base of response rates."""

    __tablename__ = "class_group"
    __table_args__ = (
        UniqueConstraint("school_id", "school_year", "name"),
        CheckConstraint("enrolled > 0", name="enrolled_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    name: Mapped[str] = mapped_column(String(40))
    grade: Mapped[int] = mapped_column(SmallInteger)
    enrolled: Mapped[int] = mapped_column(SmallInteger)


class Coordinator(Base):
    """A staff member, known per channel by a keyed identity (never the chat id alone).

    ``identity`` is HMAC(channel, user id) for finding the coordinator when they write;
    ``address`` is where the channel can reach them (a Telegram chat id), kept with their
    consent so reminders can be sent; a web login later is another channel, not a new table.
    """

    __tablename__ = "coordinator"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    identity: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH), unique=True)
    address: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_on: Mapped[date] = mapped_column(Date)


class Membership(Base):
    """A coordinator's role at one school."""

    __tablename__ = "coordinator_school"

    coordinator_id: Mapped[int] = mapped_column(
        ForeignKey("coordinator.id", ondelete="CASCADE"), primary_key=True
    )
    school_id: Mapped[int] = mapped_column(
        ForeignKey("school.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32))


class Invite(Base):
    """A single-use, expiring invitation for a coordinator; only its digest is stored."""

    __tablename__ = "coordinator_invite"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Round(Base):
    """A school's yearly survey; at most one per school per school year."""

    __tablename__ = "survey_round"
    __table_args__ = (UniqueConstraint("school_id", "school_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    questionnaire_id: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    status: Mapped[RoundStatus] = mapped_column(_enum(RoundStatus, "status"))
    opens_on: Mapped[date | None] = mapped_column(Date)
    closes_on: Mapped[date | None] = mapped_column(Date)
    # The date the school plans to close; coordinators are reminded a week before it.
    planned_end: Mapped[date | None] = mapped_column(Date)


class AccessCode(Base):
    """One pupil's seat in a group for a round; the code itself is never stored."""

    __tablename__ = "access_code"
    __table_args__ = (Index(None, "round_id", "group_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), unique=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False)


class Respondent(Base):
    """One pupil's response: a row number, no link to the code used, dates only.

    The number is internal: it joins answers to their response and never leaves the database
    (exports carry none). A compact integer keeps the answer table narrow for national batches.
    """

    __tablename__ = "respondent"
    __table_args__ = (Index(None, "round_id", "group_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("survey_round.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("class_group.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(8))
    age_band: Mapped[str] = mapped_column(String(4))
    channel: Mapped[str] = mapped_column(String(16))
    started_on: Mapped[date] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    # HMAC over channel + chat user id: the chat identity that is answering now. NULL once
    # completed or the round is closed; one unfinished response per chat identity.
    resume_key: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH), unique=True)
    # HMAC of the code that started the response, so the same code continues on any device
    # while the response is open; NULL once completed or the round is closed, so that after
    # the round nothing leads from a code to answers.
    code_key: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH), unique=True)
    # Made by `veilig simulate` or `veilig demo`: never delivered or exported unless asked for.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# SMALLSERIAL on PostgreSQL; on SQLite only INTEGER PRIMARY KEY numbers rows by itself.
SmallKey = SmallInteger().with_variant(Integer(), "sqlite")


class Item(Base):
    """A questionnaire item id, numbered once so that each answer row stays small.

    Item ids keep their construct and coding across questionnaire versions and bands, so one
    number per id serves every round.
    """

    __tablename__ = "item"

    id: Mapped[int] = mapped_column(SmallKey, primary_key=True)
    name: Mapped[str] = mapped_column(String(40), unique=True)


class Answer(Base):
    """One answer: the option's numeric code, or NULL for "I'd rather not say".

    An item with no row is unanswered, which analyses keep apart from "rather not say". Three
    small integers per row: a national school year holds tens of millions of them.
    """

    __tablename__ = "answer"

    respondent_id: Mapped[int] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        SmallKey, ForeignKey("item.id", ondelete="RESTRICT"), primary_key=True
    )
    value: Mapped[int | None] = mapped_column(SmallInteger)


class Consent(Base):
    """A school's consent to deliver one school year's results to the Inspectie."""

    __tablename__ = "consent"
    __table_args__ = (UniqueConstraint("school_id", "school_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"))
    school_year: Mapped[str] = mapped_column(String(9))
    given_by: Mapped[str] = mapped_column(String(200))
    given_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set when the school withdraws its consent; a withdrawn consent delivers nothing.
    withdrawn_by: Mapped[str | None] = mapped_column(String(200))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Delivery(Base):
    """A delivery file written for the Inspectie, with its checksum."""

    __tablename__ = "delivery"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    school_year: Mapped[str] = mapped_column(String(9))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(DIGEST_LENGTH))
    row_count: Mapped[int] = mapped_column(Integer)
    delivered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SchoolFigures(Base):
    """One school-band's figures of a school year, kept for comparisons with peers.

    Written when a round closes (and for every school when the national batch runs), so one
    school's report compares with the others without reading every school's answers. The
    figures are aggregates of at least the reporting minimum, never answers.
    """

    __tablename__ = "school_figures"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_round.id", ondelete="CASCADE"), primary_key=True
    )
    band: Mapped[str] = mapped_column(String(4), primary_key=True)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    computed_on: Mapped[date] = mapped_column(Date)


class Throttle(Base):
    """Failed attempts (a wrong code) per keyed chat identity, so limits hold across
    restarts and worker processes; the key is an HMAC and rows expire with their window."""

    __tablename__ = "throttle"

    key: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UtcDateTime)
    failures: Mapped[int] = mapped_column(Integer)


class HandledUpdate(Base):
    """A chat platform's update id, claimed by the first worker that handles it, so an update
    delivered twice (webhook retries, two workers polling) is handled once. ``source`` names
    the bot (its numeric id): update ids are per bot. Rows expire after a day."""

    __tablename__ = "handled_update"

    source: Mapped[str] = mapped_column(String(32), primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    handled_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ReminderSent(Base):
    """A reminder to a round's coordinators, claimed once per round and kind, so that several
    workers send it once."""

    __tablename__ = "reminder_sent"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("survey_round.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEvent(Base):
    """What staff and operators did, for accountability; never holds codes or pupil data."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("school.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
