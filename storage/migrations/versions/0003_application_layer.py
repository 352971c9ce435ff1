"""application layer: coordinators per channel, code resume, consent withdrawal, peers, throttle

- ``coordinator``: the bare ``chat_user_id`` becomes ``channel`` + keyed ``identity`` + the
  ``address`` a channel reaches them at. Identities are HMACs under the installation's key,
  which a migration does not hold: existing coordinators keep their address and channel
  (telegram) and get their identity when they next accept an invite. No channel could accept
  invites before this revision, so no installation has any.
- ``respondent.code_key``: the same code continues a response on any device while it is open.
  Resume keys are no longer bound to the round (a chat message carries no round); keys of
  the old form no longer match, so open conversations continue by typing the code again.
- ``consent.withdrawn_by`` / ``withdrawn_at``: a school may withdraw its consent.
- ``school_figures``: a school-band's aggregate figures per round, for comparisons with peers.
- ``throttle``: failed code attempts per keyed chat identity, shared by all workers.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 18:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIGEST = 64


def upgrade() -> None:
    with op.batch_alter_table("coordinator") as batch:
        batch.add_column(sa.Column("channel", sa.String(16), nullable=True))
        batch.add_column(sa.Column("identity", sa.String(DIGEST), nullable=True))
        batch.add_column(sa.Column("address", sa.String(64), nullable=True))
    coordinator = sa.table(
        "coordinator",
        sa.column("chat_user_id", sa.BigInteger()),
        sa.column("channel", sa.String()),
        sa.column("address", sa.String()),
    )
    op.execute(
        coordinator.update().values(
            channel="telegram", address=sa.cast(coordinator.c.chat_user_id, sa.String(64))
        )
    )
    with op.batch_alter_table("coordinator") as batch:
        batch.alter_column("channel", existing_type=sa.String(16), nullable=False)
        batch.drop_constraint("uq_coordinator_chat_user_id", type_="unique")
        batch.drop_column("chat_user_id")
        batch.create_unique_constraint("uq_coordinator_identity", ["identity"])

    with op.batch_alter_table("respondent") as batch:
        batch.add_column(sa.Column("code_key", sa.String(DIGEST), nullable=True))
        batch.create_unique_constraint("uq_respondent_code_key", ["code_key"])
    # Round-bound resume keys can no longer be found; clear them rather than leave dead keys.
    op.execute(sa.text("UPDATE respondent SET resume_key = NULL"))

    with op.batch_alter_table("consent") as batch:
        batch.add_column(sa.Column("withdrawn_by", sa.String(200), nullable=True))
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "school_figures",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("band", sa.String(4), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("computed_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_school_figures_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "band", name=op.f("pk_school_figures")),
    )
    op.create_table(
        "throttle",
        sa.Column("key", sa.String(DIGEST), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle")),
    )


def downgrade() -> None:
    op.drop_table("throttle")
    op.drop_table("school_figures")
    with op.batch_alter_table("consent") as batch:
        batch.drop_column("withdrawn_at")
        batch.drop_column("withdrawn_by")
    with op.batch_alter_table("respondent") as batch:
        batch.drop_constraint("uq_respondent_code_key", type_="unique")
        batch.drop_column("code_key")
    with op.batch_alter_table("coordinator") as batch:
        batch.add_column(sa.Column("chat_user_id", sa.BigInteger(), nullable=True))
    coordinator = sa.table(
        "coordinator",
        sa.column("chat_user_id", sa.BigInteger()),
        sa.column("channel", sa.String()),
        sa.column("address", sa.String()),
    )
    # Only Telegram chat ids fit the old column; other channels' coordinators lose theirs.
    rows = op.get_bind().execute(sa.select(coordinator.c.address, coordinator.c.channel)).all()
    for address, channel in rows:
        if channel == "telegram" and address and address.lstrip("-").isdigit():
            op.execute(
                coordinator.update()
                .where(coordinator.c.address == address)
                .values(chat_user_id=int(address))
            )
    with op.batch_alter_table("coordinator") as batch:
        batch.drop_constraint("uq_coordinator_identity", type_="unique")
        batch.drop_column("address")
        batch.drop_column("identity")
        batch.drop_column("channel")
        batch.create_unique_constraint("uq_coordinator_chat_user_id", ["chat_user_id"])
