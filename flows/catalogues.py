"""The gettext catalogue machinery: extract, update, compile and check, with babel.

The functions here build and compare :class:`babel.messages.catalog.Catalog` objects and turn
them into bytes; writing files is left to the caller (``veilig questionnaire catalogue ...``),
so ``flows`` itself only ever reads its own data. They serve the questionnaire's ``veilig``
domain by default; another gettext domain (the school report's ``report``, with its catalogues
in ``analytics/locales``) passes ``domain`` and, to check its files, ``locales``.

A translator adds a language like this (docs/questionnaire.md has the details)::

    veilig questionnaire catalogue add uk      # writes flows/locales/uk/LC_MESSAGES/veilig.po
    # translate every msgstr, then list uk in flows/data/languages.yaml (draft: true)
    veilig questionnaire lint                  # fails while a string is missing
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from babel import Locale
from babel.messages import pofile
from babel.messages.catalog import Catalog

from flows.i18n import DOMAIN, catalogue_text, enabled_languages, source_language
from flows.loader import available_questionnaires, load_questionnaire
from flows.model import Questionnaire
from flows.texts import SourceMessage, source_messages, ui_source_messages
from flows.validation import placeholders

PROJECT = "veilig"
# A fixed date keeps regenerated templates byte-identical when nothing changed.
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def all_source_messages(
    questionnaires: Iterable[Questionnaire] | None = None,
) -> list[SourceMessage]:
    """Every Dutch text of the given (default: all packaged) questionnaires and the interface."""
    chosen = (
        list(questionnaires)
        if questionnaires is not None
        else [load_questionnaire(qid) for qid in available_questionnaires()]
    )
    found: list[SourceMessage] = list(ui_source_messages())
    for questionnaire in chosen:
        found.extend(source_messages(questionnaire))
    return found


def template(questionnaires: Iterable[Questionnaire] | None = None) -> Catalog:
    """The catalogue template (``.pot``): every source text with its context and hints."""
    catalog = empty_catalogue()
    for message in all_source_messages(questionnaires):
        msgid: str | tuple[str, str] = (
            (message.message, message.plural) if message.plural else message.message
        )
        existing = catalog.get(msgid, message.context)
        comment = message.comment
        if existing is not None:
            # The same text in the same role for several bands: one entry, all hints.
            if comment and comment not in existing.auto_comments:
                existing.auto_comments.append(comment)
            continue
        catalog.add(msgid, context=message.context, auto_comments=[comment] if comment else [])
    return catalog


def new_catalogue(code: str, source: Catalog, *, domain: str = DOMAIN) -> Catalog:
    """An empty catalogue for language ``code`` with every message of ``source``."""
    Locale.parse(code)  # fails early with babel's message on a code it does not know
    catalog = empty_catalogue(code, domain=domain)
    catalog.update(source, no_fuzzy_matching=True)
    return catalog


def empty_catalogue(locale: str | None = None, *, domain: str = DOMAIN) -> Catalog:
    """A catalogue without messages; a template has no locale."""
    return Catalog(
        locale=locale,
        domain=domain,
        project=PROJECT,
        creation_date=_EPOCH,
        revision_date=_EPOCH,
        fuzzy=False,
    )


def catalogue_path(locales: Path, code: str, domain: str = DOMAIN) -> Path:
    """Where the catalogue of language ``code`` lies in the folder ``locales``."""
    return locales / code / "LC_MESSAGES" / f"{domain}.po"


def updated_catalogue(existing: Catalog, source: Catalog) -> Catalog:
    """``existing`` brought in line with ``source``: new messages added, gone ones obsolete.

    Fuzzy matching is off on purpose: a guessed translation would be marked fuzzy and then
    silently left out at compile time; an empty one is reported by the completeness check.
    """
    existing.update(source, no_fuzzy_matching=True, update_header_comment=False)
    return existing


def read_po(data: bytes, code: str, *, domain: str = DOMAIN) -> Catalog:
    """Parse ``.po`` bytes."""
    return pofile.read_po(io.BytesIO(data), locale=code, domain=domain)


def po_bytes(catalog: Catalog, *, ignore_obsolete: bool = False) -> bytes:
    """The catalogue as ``.po`` (or ``.pot``) bytes, wrapped at 100 columns, sorted stably;
    messages no longer in the template are kept (as ``#~``) unless ``ignore_obsolete``."""
    out = io.BytesIO()
    pofile.write_po(
        out,
        catalog,
        width=100,
        include_previous=False,
        omit_header=False,
        ignore_obsolete=ignore_obsolete,
    )
    return out.getvalue()


def missing_translations(
    codes: Iterable[str] | None = None,
    source: Catalog | None = None,
    *,
    domain: str = DOMAIN,
    locales: Path | None = None,
    how: str = "make it with `veilig questionnaire catalogue add {code}`",
) -> list[str]:
    """Problems of the catalogues of enabled languages (or ``codes``): one line each.

    A message is missing when the catalogue lacks it, when a translation (or a plural form)
    is empty or fuzzy, or when its ``{fields}`` differ from the Dutch source.

    By default the catalogues are the questionnaire's own, packaged with ``flows``. Another
    domain passes ``domain``, the folder ``locales`` that holds its files, its ``source``
    template (the default is the questionnaire's) and ``how``: what to run to make a missing
    catalogue (``{code}`` stands for the language).
    """
    wanted = (
        list(codes)
        if codes is not None
        else [lang.code for lang in enabled_languages() if lang.code != source_language()]
    )
    reference = source if source is not None else template()
    found: list[str] = []
    for code in wanted:
        if locales is None:
            data = catalogue_text(code)
            where = f"flows/locales/{code}/LC_MESSAGES/{domain}.po"
        else:
            path = catalogue_path(locales, code, domain)
            data = path.read_bytes() if path.is_file() else None
            where = str(path)
        if data is None:
            found.append(f"{where}: missing; {how.format(code=code)}")
            continue
        problems = catalogue_problems(read_po(data, code, domain=domain), reference)
        found.extend(f"{where}: {problem}" for problem in problems)
    return found


def catalogue_problems(catalog: Catalog, reference: Catalog) -> list[str]:
    """What ``catalog`` lacks or gets wrong compared with the template ``reference``."""
    found: list[str] = []
    expected_forms = catalog.num_plurals
    for wanted in reference:
        if not wanted.id:
            continue  # the header
        label = f"[{wanted.context}] {_first(wanted.id)!r}"
        have = catalog.get(wanted.id, wanted.context)
        strings = [] if have is None else _strings(have.string)
        if have is None or not any(strings):
            found.append(f"{label}: not translated")
            continue
        if have.fuzzy:
            found.append(f"{label}: marked fuzzy; check it and remove the flag")
            continue
        if wanted.pluralizable and len(strings) != expected_forms:
            found.append(f"{label}: needs {expected_forms} plural forms, has {len(strings)}")
        if any(not text for text in strings):
            found.append(f"{label}: a plural form is empty")
            continue
        source_fields = placeholders(_first(wanted.id))
        for text in strings:
            fields = placeholders(text)
            # A plural form may leave the number out ("one question left" in Arabic's dual).
            wrong = not fields <= source_fields if wanted.pluralizable else fields != source_fields
            if wrong:
                found.append(
                    f"{label}: fields {sorted(fields)} differ from the source's "
                    f"{sorted(source_fields)}"
                )
                break
    return found


def _strings(value: object) -> list[str]:
    if isinstance(value, tuple | list):
        return [str(text) for text in value]
    return [str(value)] if value else []


def _first(msgid: object) -> str:
    if isinstance(msgid, tuple | list):
        return str(msgid[0])
    return str(msgid)
