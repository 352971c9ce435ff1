"""Pupil access codes: random, easy to read aloud, checked case-insensitively.

The alphabet leaves out the look-alikes 0/O and 1/I/L, which leaves 31 symbols. Eight of them
would carry only 39.6 bits, so a code has nine, read in three groups of three (``K7Q-FM3-XAP``):
9 * log2(31) = 44.6 bits. Even a national school year of 1.5 million codes fills only one in
17 million of the code space: that is the chance that a blind guess hits any valid code.
"""

from __future__ import annotations

import math
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
GROUPS = 3
GROUP_LENGTH = 3
LENGTH = GROUPS * GROUP_LENGTH
ENTROPY_BITS = LENGTH * math.log2(len(ALPHABET))

_SEPARATORS = re.compile(r"[\s\-_.]")


def generate() -> str:
    """A new random code in canonical form (``K7QFM3XAP``); print it with :func:`format_code`."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def format_code(normalized: str) -> str:
    """The printed form, in groups for reading aloud: ``K7Q-FM3-XAP``."""
    return "-".join(
        normalized[i : i + GROUP_LENGTH] for i in range(0, len(normalized), GROUP_LENGTH)
    )


def normalize(typed: str) -> str | None:
    """What a pupil typed, as the canonical code, or ``None`` if it cannot be a code.

    Case, spaces and dashes do not matter.
    """
    cleaned = _SEPARATORS.sub("", typed).upper()
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned
