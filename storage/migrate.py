"""Schema migrations with Alembic, driven from code on veilig's own async engine.

Callers check the connection first (``Database.check``), so errors here are real migration
errors. There is no ``alembic.ini``: the configuration is built here, so ``veilig db upgrade`` works
from any directory against whatever ``VEILIG_DATABASE_URL`` says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text

from storage.database import Database

MIGRATIONS = Path(__file__).parent / "migrations"
# Several workers may start at once on one PostgreSQL; one migrates, the others wait.
_PG_LOCK_KEY = 0x7665696C6967  # "veilig"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def revisions() -> list[str]:
    """All revision ids, oldest first."""
    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def head() -> str:
    head_revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head_revision is None:
        raise RuntimeError("storage/migrations has no revisions")
    return head_revision


def _run(connection: Connection, action: str, *args: Any, **kwargs: Any) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    getattr(command, action)(alembic_config(connection), *args, **kwargs)


async def _on_connection(database: Database, action: str, *args: Any, **kwargs: Any) -> None:
    async with database.engine.begin() as connection:
        await connection.run_sync(_run, action, *args, **kwargs)


async def upgrade(database: Database, revision: str = "head") -> None:
    await _on_connection(database, "upgrade", revision)


async def downgrade(database: Database, revision: str) -> None:
    await _on_connection(database, "downgrade", revision)


async def make_revision(database: Database, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and the database."""
    await _on_connection(database, "revision", message=message, autogenerate=True)


async def current(database: Database) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as connection:
        return await connection.run_sync(read)
