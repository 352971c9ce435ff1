"""Keyed hashing: what veilig stores instead of codes, invite tokens and chat identities.

One secret key is split into independent sub-keys per purpose (HMAC-SHA256 over a label), so a
value hashed for one purpose can never be matched against another. Only these digests reach
the database; the clear values exist in memory and, for codes, once in the file handed to
the school.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"veilig/{purpose}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Keyring:
    """Sub-keys derived from the installation's secret key."""

    secret: bytes = field(repr=False)

    def _digest(self, purpose: str, message: str) -> str:
        key = _derive(self.secret, purpose)
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()

    def code_digest(self, normalized_code: str) -> str:
        """Digest of a pupil access code (already normalised: upper case, no separators)."""
        return self._digest("access-code", normalized_code)

    def invite_digest(self, token: str) -> str:
        """Digest of a coordinator invite token."""
        return self._digest("invite", token)

    def resume_key(self, channel: str, user_id: str) -> str:
        """Pseudonym of the chat identity that is answering, so a pupil can resume.

        Not bound to a round (a chat message carries none); it is erased when the response
        completes or the round closes, so it cannot link an account across school years.
        """
        return self._digest("resume", f"{channel}\x1f{user_id}")

    def code_key(self, normalized_code: str) -> str:
        """Pseudonym of the code that started a response, so the code resumes it anywhere.

        A different sub-key from :meth:`code_digest`: the seat table and the response table
        share no value. Erased with the resume key.
        """
        return self._digest("code-resume", normalized_code)

    def throttle_key(self, channel: str, user_id: str) -> str:
        """Key of a chat identity's failed code attempts."""
        return self._digest("throttle", f"{channel}\x1f{user_id}")

    def session_tag(self, message: str) -> str:
        """Tag of a web chat session token (its holder and when it was last used)."""
        return self._digest("web-session", message)

    def coordinator_identity(self, channel: str, user_id: str) -> str:
        """Keyed identity of a staff member's chat account on a channel."""
        return self._digest("coordinator", f"{channel}\x1f{user_id}")
