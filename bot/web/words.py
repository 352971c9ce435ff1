"""The page's own words, in the pupil's language, from the babel catalogues (``web_*`` keys
of ``flows/data/ui.yaml``), and the languages a pupil can choose."""

from __future__ import annotations

from flows.i18n import enabled_languages, language, source_language, translator, ui_messages

PREFIX = "web_"
# Words of the conversation the page uses besides its own.
SHARED = ("prefer_not", "continue_label", "start_label", "goodbye")


def page_words(code: str) -> dict[str, object]:
    """Every word the page shows before a step arrives, and the language list."""
    chosen = language(code) or language(source_language())
    assert chosen is not None  # the source language is always enabled
    t = translator(chosen.code)
    keys = [key for key in ui_messages().messages if key.startswith(PREFIX)]
    return {
        "language": chosen.code,
        "rtl": chosen.rtl,
        "words": {key.removeprefix(PREFIX): t.ui(key) for key in keys}
        | {key: t.ui(key) for key in SHARED},
        "languages": [
            {"code": lang.code, "name": lang.name, "rtl": lang.rtl} for lang in enabled_languages()
        ],
    }
