"""handled updates: a chat update delivered twice is handled once, across workers

- ``handled_update``: (bot, update id) claimed by the first worker that handles it; a second
  delivery (a webhook retry, a second polling worker) finds the row and is dropped.

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
        sa.PrimaryKeyConstraint("source", "update_id", name="pk_handled_update"),
    )


def downgrade() -> None:
    op.drop_table("handled_update")
