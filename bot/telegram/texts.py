"""What coordinators read, from the ``staff`` gettext domain (Dutch source in ``staff.yaml``).

Modelled on the report's domain (:mod:`analytics.report.i18n`): the Dutch texts are the message
ids with context ``staff:<key>``, looked up through :class:`flows.i18n.Translator`, so a
catalogue (``bot/telegram/locales/<code>/LC_MESSAGES/staff.po``) can add a language without a
code change. Dutch needs none, and none exists yet: coordinators are Dutch school staff.
"""

from __future__ import annotations

import functools
import gettext
from importlib import resources
from typing import Any

import yaml

from flows.i18n import Translator

DOMAIN = "staff"
CONTEXT = "staff"


@functools.cache
def staff_messages() -> dict[str, str]:
    """The Dutch source texts by key."""
    raw: Any = yaml.safe_load(
        resources.files("bot.telegram").joinpath("staff.yaml").read_text("utf-8")
    )
    return dict(raw["messages"])


@functools.cache
def _translator() -> Translator:
    return Translator("nl", gettext.NullTranslations())


def staff_text(key: str, **fields: object) -> str:
    """The coordinator's text ``key`` with ``fields`` filled in."""
    return _translator().text(f"{CONTEXT}:{key}", staff_messages()[key], **fields)
