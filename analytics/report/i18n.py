"""The report's words in the reader's language: the ``report`` gettext domain.

Dutch is the source: the texts in ``analytics/report/texts.yaml`` are the message ids (context
``report:<key>``), so Dutch needs no catalogue. Other languages have
``analytics/locales/<code>/LC_MESSAGES/report.po``, compiled in memory when first used, with the
machinery the pupil questionnaire uses (:func:`flows.i18n.compile_po` and
:class:`flows.i18n.Translator`): no ``.mo`` is committed, the ``.po`` stays the one source.
Texts from the questionnaire itself (option labels such as "Op het schoolplein") come from the
questionnaire's own ``veilig`` domain (:func:`flows.i18n.translator`).
"""

from __future__ import annotations

import functools
import gettext
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from flows.i18n import Translator, compile_po, translator
from flows.model import Option, Questionnaire
from flows.texts import option_context
from veilig.errors import InvalidInput

__all__ = [
    "CONTEXT",
    "DOMAIN",
    "LANGUAGES",
    "ReportTexts",
    "Words",
    "catalogue_path",
    "report_texts",
    "words",
]

DOMAIN = "report"
CONTEXT = "report"
SOURCE_LANGUAGE = "nl"
#: The languages the report is written in; each but Dutch has a catalogue.
LANGUAGES = ("nl", "en")


@dataclass(frozen=True, slots=True)
class ReportTexts:
    """The Dutch source texts: messages by key, and plurals (singular, plural) by key."""

    messages: dict[str, str]
    plurals: dict[str, tuple[str, str]]


@functools.cache
def report_texts() -> ReportTexts:
    """The Dutch texts of ``texts.yaml``."""
    raw: Any = yaml.safe_load(
        resources.files("analytics.report").joinpath("texts.yaml").read_text("utf-8")
    )
    plurals = {key: (forms[0], forms[1]) for key, forms in raw.get("plurals", {}).items()}
    return ReportTexts(messages=dict(raw["messages"]), plurals=plurals)


def catalogue_path(code: str) -> str:
    """Where the catalogue of ``code`` lives, relative to the repository root."""
    return f"analytics/locales/{code}/LC_MESSAGES/{DOMAIN}.po"


def _catalogue(code: str) -> bytes | None:
    entry = resources.files("analytics").joinpath("locales", code, "LC_MESSAGES", f"{DOMAIN}.po")
    return entry.read_bytes() if entry.is_file() else None


class Words:
    """The report's texts in one language; questionnaire texts through its own catalogue."""

    def __init__(self, code: str, report: Translator, questionnaire: Translator) -> None:
        self.code = code
        self._report = report
        self._questionnaire = questionnaire

    def __call__(self, key: str, **fields: object) -> str:
        """The text ``key`` of ``texts.yaml`` with ``fields`` filled in."""
        return self._report.text(f"{CONTEXT}:{key}", report_texts().messages[key], **fields)

    def has(self, key: str) -> bool:
        return key in report_texts().messages

    def get(self, key: str, default: str, **fields: object) -> str:
        """The text ``key`` when ``texts.yaml`` has it, else ``default``."""
        return self(key, **fields) if self.has(key) else default

    def option(self, questionnaire: Questionnaire, scale_id: str, option: Option) -> str:
        """An answer option's label as the questionnaire words it in this language."""
        return self._questionnaire.text(
            option_context(questionnaire, scale_id, option), option.label
        )


@functools.cache
def words(code: str) -> Words:
    """The report's words in ``code`` (``nl`` or ``en``)."""
    if code not in LANGUAGES:
        raise InvalidInput(
            f"the report is not available in {code!r}; choose one of {', '.join(LANGUAGES)}"
        )
    if code == SOURCE_LANGUAGE:
        return Words(code, Translator(code, gettext.NullTranslations()), translator(code))
    data = _catalogue(code)
    if data is None:
        raise InvalidInput(f"{catalogue_path(code)} is missing; the report cannot be in {code!r}")
    compiled = gettext.GNUTranslations(io.BytesIO(compile_po(data, code)))
    return Words(code, Translator(code, compiled), translator(code))
