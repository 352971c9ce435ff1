"""a round's planned end, and synthetic respondents kept apart from real ones

- ``survey_round.planned_end``: the date the school plans to close its round; coordinators are
  reminded a week before it. NULL for rounds opened without one.
- ``respondent.synthetic``: true for pupils made by ``veilig simulate`` or ``veilig demo``; they
  never reach a delivery or an export unless asked for. Existing rows are real (false).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 21:05:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("survey_round") as batch:
        batch.add_column(sa.Column("planned_end", sa.Date(), nullable=True))
    with op.batch_alter_table("respondent") as batch:
        batch.add_column(
            sa.Column("synthetic", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("respondent") as batch:
        batch.drop_column("synthetic")
    with op.batch_alter_table("survey_round") as batch:
        batch.drop_column("planned_end")
