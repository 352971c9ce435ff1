"""compact answers: integer respondent key and numbered items

A national school year holds tens of millions of answers. With a UUID respondent key and the
item id as text, each answer row carried about 60 bytes of keys; now it is three small
integers, so the batch reads a third of the bytes and parses fixed-width rows.

The rows are carried over in Python, which keeps the migration the same on SQLite and
PostgreSQL; it ran before any school year was collected, when the tables are small.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 03:20:00
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SMALL_KEY = sa.SmallInteger().with_variant(sa.Integer(), "sqlite")
RESPONDENT_COLUMNS = (
    "round_id",
    "group_id",
    "language",
    "age_band",
    "channel",
    "started_on",
    "completed_on",
    "resume_key",
)


def _old_respondents(key: sa.types.TypeEngine[Any]) -> Sequence[sa.Row[Any]]:
    """The stored respondents, typed (SQLite hands back dates as text otherwise)."""
    table = sa.table(
        "respondent",
        sa.column("id", key),
        sa.column("round_id", sa.Integer()),
        sa.column("group_id", sa.Integer()),
        sa.column("language", sa.String()),
        sa.column("age_band", sa.String()),
        sa.column("channel", sa.String()),
        sa.column("started_on", sa.Date()),
        sa.column("completed_on", sa.Date()),
        sa.column("resume_key", sa.String()),
    )
    columns = [table.c[name] for name in ("id", *RESPONDENT_COLUMNS)]
    return op.get_bind().execute(sa.select(*columns).order_by(table.c.id)).all()


def _respondent_table(key: sa.types.TypeEngine[Any]) -> sa.Table:
    return op.create_table(
        "respondent",
        sa.Column("id", key, nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("age_band", sa.String(length=4), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("resume_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["class_group.id"],
            name=op.f("fk_respondent_group_id_class_group"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_respondent_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_respondent")),
        sa.UniqueConstraint("resume_key", name=op.f("uq_respondent_resume_key")),
    )


def _index_respondent() -> None:
    op.create_index(op.f("ix_respondent_round_id"), "respondent", ["round_id", "group_id"])


def _drop_old_tables() -> None:
    op.drop_table("answer")
    op.drop_index(op.f("ix_respondent_round_id"), table_name="respondent")
    op.drop_table("respondent")


def upgrade() -> None:
    bind = op.get_bind()
    respondents = _old_respondents(sa.Uuid())
    old = sa.table(
        "answer",
        sa.column("respondent_id", sa.Uuid()),
        sa.column("item_id", sa.String()),
        sa.column("value", sa.SmallInteger()),
    )
    answers = bind.execute(sa.select(old.c.respondent_id, old.c.item_id, old.c.value)).all()
    _drop_old_tables()

    respondent = _respondent_table(sa.Integer())
    _index_respondent()
    item = op.create_table(
        "item",
        sa.Column("id", SMALL_KEY, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item")),
        sa.UniqueConstraint("name", name=op.f("uq_item_name")),
    )
    answer = op.create_table(
        "answer",
        sa.Column("respondent_id", sa.Integer(), nullable=False),
        sa.Column("item_id", SMALL_KEY, nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["item.id"], name=op.f("fk_answer_item_id_item"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_answer_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", "item_id", name=op.f("pk_answer")),
    )

    number = {row[0]: index for index, row in enumerate(respondents, start=1)}
    items = {name: index for index, name in enumerate(sorted({row[1] for row in answers}), 1)}
    if respondents:
        op.bulk_insert(
            respondent,
            [
                {"id": number[row[0]], **dict(zip(RESPONDENT_COLUMNS, row[1:], strict=True))}
                for row in respondents
            ],
        )
    if items:
        op.bulk_insert(item, [{"id": key, "name": name} for name, key in items.items()])
    if answers:
        op.bulk_insert(
            answer,
            [
                {"respondent_id": number[row[0]], "item_id": items[row[1]], "value": row[2]}
                for row in answers
            ],
        )
    if bind.dialect.name == "postgresql":
        # Explicit ids were inserted; let the sequences continue after them.
        for statement in (
            "SELECT setval(pg_get_serial_sequence('respondent', 'id'), "
            "COALESCE((SELECT MAX(id) FROM respondent), 0) + 1, false)",
            "SELECT setval(pg_get_serial_sequence('item', 'id'), "
            "COALESCE((SELECT MAX(id) FROM item), 0) + 1, false)",
        ):
            bind.execute(sa.text(statement))


def downgrade() -> None:
    bind = op.get_bind()
    respondents = _old_respondents(sa.Integer())
    answers = bind.execute(
        sa.text(
            "SELECT answer.respondent_id, item.name, answer.value "
            "FROM answer JOIN item ON item.id = answer.item_id"
        )
    ).all()
    _drop_old_tables()
    op.drop_table("item")

    respondent = _respondent_table(sa.Uuid())
    _index_respondent()
    answer = op.create_table(
        "answer",
        sa.Column("respondent_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(length=40), nullable=False),
        sa.Column("value", sa.SmallInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["respondent_id"],
            ["respondent.id"],
            name=op.f("fk_answer_respondent_id_respondent"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("respondent_id", "item_id", name=op.f("pk_answer")),
    )
    key = {row[0]: uuid.uuid4() for row in respondents}
    if respondents:
        op.bulk_insert(
            respondent,
            [
                {"id": key[row[0]], **dict(zip(RESPONDENT_COLUMNS, row[1:], strict=True))}
                for row in respondents
            ],
        )
    if answers:
        op.bulk_insert(
            answer,
            [{"respondent_id": key[row[0]], "item_id": row[1], "value": row[2]} for row in answers],
        )
