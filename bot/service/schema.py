"""The database schema: migrations for operators and maintainers (``veilig db``).

Alembic is imported only here and in :meth:`Context.open`, when a process opens the database.
"""

from __future__ import annotations

from bot.service.context import Context
from veilig.errors import InvalidInput


async def upgrade(ctx: Context, revision: str = "head") -> str | None:
    """Migrate up to ``revision``; the revision the database is at afterwards."""
    from storage import migrate

    await _known(revision, "head")
    await migrate.upgrade(ctx.database, revision)
    return await migrate.current(ctx.database)


async def downgrade(ctx: Context, revision: str) -> str | None:
    """Undo migrations down to ``revision``; the revision the database is at afterwards."""
    from storage import migrate

    await _known(revision, "base")
    await migrate.downgrade(ctx.database, revision)
    return await migrate.current(ctx.database)


async def _known(revision: str, end: str) -> None:
    """Refuse a revision Alembic does not know before it is asked to move there."""
    from storage import migrate

    known = migrate.revisions()
    relative = revision.lstrip("+-").isdigit() and revision[:1] in "+-"
    if revision in (*known, "head", "base") or relative:
        return
    raise InvalidInput(
        f"revision {revision!r} is not known; give one of {', '.join(known)}, {end}, "
        "or a step like -1"
    )


async def current(ctx: Context) -> str | None:
    from storage import migrate

    return await migrate.current(ctx.database)


def head() -> str:
    from storage import migrate

    return migrate.head()


async def make_revision(ctx: Context, message: str) -> None:
    from storage import migrate

    await migrate.make_revision(ctx.database, message)


def shown_url(url: str) -> str:
    """The database URL without its password, for messages."""
    from storage.database import safe_url

    return safe_url(url)
