"""``INSERT ... ON CONFLICT`` for the session's dialect: the one dialect branch of storage."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert(session: AsyncSession, table: Any) -> Any:
    """An insert of ``table`` that supports ``on_conflict_do_nothing/do_update``."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
