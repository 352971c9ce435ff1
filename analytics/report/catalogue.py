"""The ``report`` domain's catalogues: template, update and completeness check, with babel.

A translator brings the catalogues in line with ``texts.yaml`` and then fills the empty
translations::

    python -m analytics.report.catalogue       # writes analytics/locales/report.pot and
                                               # updates analytics/locales/<lang>/.../report.po

``tests/analytics/test_report.py`` fails while the template is stale or a language misses a
string. The checks are those of the pupil questionnaire's catalogues
(:func:`flows.catalogues.catalogue_problems`).
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages import pofile
from babel.messages.catalog import Catalog

from analytics.report.i18n import CONTEXT, DOMAIN, LANGUAGES, SOURCE_LANGUAGE, report_texts
from flows.catalogues import catalogue_problems

__all__ = ["missing_translations", "po_bytes", "read_po", "template"]

PROJECT = "veilig"
# A fixed date keeps a regenerated template byte-identical when nothing changed.
_EPOCH = datetime(2025, 1, 1, tzinfo=UTC)
LOCALES = Path(__file__).resolve().parent.parent / "locales"


def template() -> Catalog:
    """The template (``.pot``): every text of ``texts.yaml`` in its ``report:<key>`` context."""
    catalog = Catalog(
        domain=DOMAIN, project=PROJECT, creation_date=_EPOCH, revision_date=_EPOCH, fuzzy=False
    )
    texts = report_texts()
    for key, message in texts.messages.items():
        catalog.add(message, context=f"{CONTEXT}:{key}")
    for key, forms in texts.plurals.items():
        catalog.add(forms, context=f"{CONTEXT}:{key}")
    return catalog


def read_po(data: bytes, code: str) -> Catalog:
    return pofile.read_po(io.BytesIO(data), locale=code, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    pofile.write_po(
        out, catalog, width=100, include_previous=False, omit_header=False, ignore_obsolete=True
    )
    return out.getvalue()


def missing_translations() -> list[str]:
    """One line per missing, fuzzy or mismatched translation of every report language."""
    reference = template()
    found: list[str] = []
    for code in LANGUAGES:
        if code == SOURCE_LANGUAGE:
            continue
        path = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if not path.is_file():
            found.append(f"{path}: missing; run python -m analytics.report.catalogue")
            continue
        problems = catalogue_problems(read_po(path.read_bytes(), code), reference)
        found.extend(f"{path}: {problem}" for problem in problems)
    return found


def update(locales: Path = LOCALES) -> list[Path]:
    """Write the template and bring every language's catalogue in line with it."""
    source = template()
    written = [locales / f"{DOMAIN}.pot"]
    written[0].write_bytes(po_bytes(source))
    for code in LANGUAGES:
        if code == SOURCE_LANGUAGE:
            continue
        path = locales / code / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            catalog = read_po(path.read_bytes(), code)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(
                locale=code,
                domain=DOMAIN,
                project=PROJECT,
                creation_date=_EPOCH,
                revision_date=_EPOCH,
                fuzzy=False,
            )
        # No fuzzy matching: a guessed translation would be dropped silently at compile time.
        catalog.update(source, no_fuzzy_matching=True, update_header_comment=False)
        path.write_bytes(po_bytes(catalog))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    for written_path in update():
        sys.stdout.write(f"wrote {written_path}\n")
