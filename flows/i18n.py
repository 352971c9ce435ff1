"""Languages and translations at run time: gettext over catalogues compiled in memory.

Dutch is the source language: its texts are the message ids, so it needs no catalogue. Every
other language has ``flows/locales/<code>/LC_MESSAGES/veilig.po``; it is compiled to ``.mo``
in memory with babel when first used. No ``.mo`` is committed: the ``.po`` file stays the one
reviewable source of truth and cannot drift from a stale binary; compiling takes milliseconds.

Each message has a context (msgctxt) naming its role, e.g. ``veilig-leerlingen:item:safe_school``
or ``ui:progress``, so equal Dutch strings in different roles can be translated differently.
A string missing from a catalogue falls back to Dutch at run time;
:func:`flows.catalogues.missing_translations` (run by ``veilig questionnaire lint``) makes sure
that does not happen in an enabled language.
"""

from __future__ import annotations

import functools
import gettext
import io
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml
from babel.messages import mofile, pofile
from babel.messages.catalog import Catalog

from veilig.errors import QuestionnaireError

DOMAIN = "veilig"
UI_CONTEXT = "ui"


@dataclass(frozen=True, slots=True)
class Language:
    """A language pupils can choose: ``name`` is its own name for itself."""

    code: str
    name: str
    enabled: bool
    draft: bool
    rtl: bool


@dataclass(frozen=True, slots=True)
class UiMessages:
    """The conversation's own words (Dutch source), from ``flows/data/ui.yaml``."""

    messages: dict[str, str]
    plurals: dict[str, tuple[str, str]]
    pictures: dict[str, str]


def _data(name: str) -> Any:
    return yaml.safe_load(resources.files("flows.data").joinpath(name).read_text("utf-8"))


@functools.cache
def languages() -> tuple[Language, ...]:
    """Every language listed in ``flows/data/languages.yaml``, source language first."""
    raw = _data("languages.yaml")
    try:
        listed = tuple(Language(**entry) for entry in raw["languages"])
    except (KeyError, TypeError) as error:
        raise QuestionnaireError(
            f"flows/data/languages.yaml: each language needs code, name, enabled, draft and "
            f"rtl ({error})"
        ) from error
    if not listed or listed[0].code != raw.get("source"):
        raise QuestionnaireError("flows/data/languages.yaml: the source language must come first")
    return listed


def source_language() -> str:
    """The code of the language the texts are written in (``nl``)."""
    return languages()[0].code


def enabled_languages() -> tuple[Language, ...]:
    """The languages pupils may choose."""
    return tuple(language for language in languages() if language.enabled)


def language(code: str) -> Language | None:
    """The enabled language with this code (case-insensitive), if any."""
    wanted = code.strip().casefold()
    return next((lang for lang in enabled_languages() if lang.code == wanted), None)


@functools.cache
def ui_messages() -> UiMessages:
    """The Dutch interface words, keyed as in ``ui.yaml``."""
    raw = _data("ui.yaml")
    plurals = {key: (forms[0], forms[1]) for key, forms in raw.get("plurals", {}).items()}
    return UiMessages(
        messages=dict(raw["messages"]), plurals=plurals, pictures=dict(raw.get("pictures", {}))
    )


def catalogue_text(code: str) -> bytes | None:
    """The packaged ``.po`` file of a language, or None when it has none."""
    entry = resources.files("flows").joinpath("locales", code, "LC_MESSAGES", f"{DOMAIN}.po")
    return entry.read_bytes() if entry.is_file() else None


def compile_po(data: bytes, code: str) -> bytes:
    """Compile ``.po`` bytes to ``.mo`` bytes with babel (fuzzy entries are left out)."""
    return mo_bytes(pofile.read_po(io.BytesIO(data), locale=code, domain=DOMAIN))


def mo_bytes(catalog: Catalog) -> bytes:
    """The catalogue compiled to ``.mo`` bytes."""
    out = io.BytesIO()
    mofile.write_mo(out, catalog)
    return out.getvalue()


class Translator:
    """Looks up texts in one language; formatting never raises (falls back to Dutch)."""

    def __init__(self, code: str, translations: gettext.NullTranslations) -> None:
        self.code = code
        self._translations = translations

    def text(self, context: str, message: str, **fields: object) -> str:
        """The translation of ``message`` in ``context``, with ``fields`` filled in."""
        translated = self._translations.pgettext(context, message)
        return _format(translated, message, fields)

    def plural(self, context: str, singular: str, plural: str, count: int, **fields: object) -> str:
        """The plural form for ``count`` (``{count}`` is filled in too)."""
        translated = self._translations.npgettext(context, singular, plural, count)
        source = singular if count == 1 else plural
        return _format(translated, source, {"count": count, **fields})

    def ui(self, key: str, **fields: object) -> str:
        """An interface text by its ``ui.yaml`` key."""
        return self.text(f"{UI_CONTEXT}:{key}", ui_messages().messages[key], **fields)

    def ui_plural(self, key: str, count: int, **fields: object) -> str:
        """An interface text with plural forms by its ``ui.yaml`` key."""
        singular, plural = ui_messages().plurals[key]
        return self.plural(f"{UI_CONTEXT}:{key}", singular, plural, count, **fields)

    def words(self, key: str) -> frozenset[str]:
        """The words a pupil may type for a command, in this language and in Dutch."""
        source = ui_messages().messages[key]
        return _split_words(self.ui(key)) | _split_words(source)


def _split_words(text: str) -> frozenset[str]:
    return frozenset(word.strip().casefold() for word in text.split(",") if word.strip())


def _format(text: str, source: str, fields: dict[str, object]) -> str:
    # A broken translation (a stray brace, a renamed field) must not stop a pupil:
    # fall back to the Dutch source. Lint reports such translations.
    try:
        return text.format(**fields)
    except (KeyError, IndexError, ValueError):
        try:
            return source.format(**fields)
        except (KeyError, IndexError, ValueError):
            return source


@functools.cache
def translator(code: str) -> Translator:
    """The translator for ``code``; unknown or catalogue-less codes get the Dutch source."""
    data = None if code == source_language() else catalogue_text(code)
    if data is None:
        return Translator(source_language(), gettext.NullTranslations())
    translations = gettext.GNUTranslations(io.BytesIO(compile_po(data, code)))
    return Translator(code, translations)
