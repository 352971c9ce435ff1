"""telegram bot: a chat update delivered twice is handled once; reminders are sent once

- ``handled_update``: (bot, update id) claimed by the first worker that handles it; a second
  delivery (a webhook retry, a second polling worker) finds the row and is dropped.
- ``reminder_sent``: (round, kind) claimed by the worker that sends a coordinators' reminder.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03 19:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_update",
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "update_id", name=op.f("pk_handled_update")),
    )
    op.create_table(
        "reminder_sent",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_reminder_sent_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "kind", name=op.f("pk_reminder_sent")),
    )


def downgrade() -> None:
    op.drop_table("reminder_sent")
    op.drop_table("handled_update")
