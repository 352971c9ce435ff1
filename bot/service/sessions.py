"""Web chat sessions: a signed token that names a chat identity and ends when idle.

The token is ``<holder>.<last use, unix seconds>.<tag>``; the tag is a keyed digest of the
rest, so a client can neither forge a holder nor stretch the time. Nothing about a session is
stored: the holder is the chat identity :mod:`bot.service.pupils` resumes by pseudonym (erased
when the response completes), and every worker with the same secret key accepts the token.
A token unused for :data:`IDLE` is refused; each request that uses it gets a fresh one.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from bot.service.context import Context

#: A session unused this long ends; the pupil types the code again and continues.
IDLE = timedelta(minutes=30)
_TAG_LENGTH = 32


def _tag(ctx: Context, holder: str, at: int) -> str:
    return ctx.keyring.session_tag(f"{holder}.{at}")[:_TAG_LENGTH]


def new_holder() -> str:
    """A fresh chat identity for one browser visit (unguessable, 192 bits)."""
    return secrets.token_urlsafe(24)


def token_for(ctx: Context, holder: str) -> str:
    """The token naming ``holder``, stamped now."""
    at = int(ctx.now().timestamp())
    return f"{holder}.{at}.{_tag(ctx, holder, at)}"


def holder_of(ctx: Context, token: str | None, idle: timedelta = IDLE) -> str | None:
    """The holder a token names, or None when it is malformed, forged or idle too long."""
    if not token or len(token) > 128:
        return None
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit():
        return None
    holder, stamp, tag = parts
    if not hmac.compare_digest(tag, _tag(ctx, holder, int(stamp))):
        return None
    age = ctx.now().timestamp() - int(stamp)
    if age < -60 or age > idle.total_seconds():  # a minute of clock skew between workers
        return None
    return holder
