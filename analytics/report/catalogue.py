"""The ``report`` domain's catalogues: template, update and completeness check, with babel.

A translator brings the catalogues in line with ``texts.yaml`` and then fills the empty
translations::

    python -m analytics.report.catalogue       # writes analytics/locales/report.pot and
                                               # updates analytics/locales/<lang>/.../report.po

``tests/analytics/test_report.py`` fails while the template is stale or a language misses a
string. The machinery and the checks are those of the pupil questionnaire's catalogues
(:mod:`flows.catalogues`), used with the ``report`` domain and its folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog

from analytics.report.i18n import CONTEXT, DOMAIN, LANGUAGES, SOURCE_LANGUAGE, report_texts
from flows import catalogues
from flows.catalogues import catalogue_path, empty_catalogue, new_catalogue, updated_catalogue

__all__ = ["missing_translations", "po_bytes", "read_po", "template"]

LOCALES = Path(__file__).resolve().parent.parent / "locales"
#: Every report language but the source has a catalogue.
TRANSLATED = tuple(code for code in LANGUAGES if code != SOURCE_LANGUAGE)


def template() -> Catalog:
    """The template (``.pot``): every text of ``texts.yaml`` in its ``report:<key>`` context."""
    catalog = empty_catalogue(domain=DOMAIN)
    texts = report_texts()
    for key, message in texts.messages.items():
        catalog.add(message, context=f"{CONTEXT}:{key}")
    for key, forms in texts.plurals.items():
        catalog.add(forms, context=f"{CONTEXT}:{key}")
    return catalog


def read_po(data: bytes, code: str) -> Catalog:
    return catalogues.read_po(data, code, domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    """``.po`` bytes; a text gone from ``texts.yaml`` leaves no obsolete entry behind."""
    return catalogues.po_bytes(catalog, ignore_obsolete=True)


def missing_translations() -> list[str]:
    """One line per missing, fuzzy or mismatched translation of every report language."""
    return catalogues.missing_translations(
        TRANSLATED,
        template(),
        domain=DOMAIN,
        locales=LOCALES,
        how="run python -m analytics.report.catalogue",
    )


def update(locales: Path = LOCALES) -> list[Path]:
    """Write the template and bring every language's catalogue in line with it."""
    source = template()
    written = [locales / f"{DOMAIN}.pot"]
    written[0].write_bytes(po_bytes(source))
    for code in TRANSLATED:
        path = catalogue_path(locales, code, DOMAIN)
        if path.is_file():
            catalog = updated_catalogue(read_po(path.read_bytes(), code), source)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = new_catalogue(code, source, domain=DOMAIN)
        path.write_bytes(po_bytes(catalog))
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    for written_path in update():
        sys.stdout.write(f"wrote {written_path}\n")
