"""The code step: the words a pupil reads before the questionnaire, in any language.

Questionnaire-independent, so every channel shows the same welcome, the same "type your code"
and the same kind message for a wrong, used or closed code (texts in ``flows/data/ui.yaml``,
translated through the catalogues like every other interface text).
"""

from __future__ import annotations

from flows.i18n import enabled_languages, language, source_language, translator
from flows.steps import CodeEntry, CodeProblem


def code_entry(lang: str, problem: CodeProblem | None = None) -> CodeEntry:
    """The code step in ``lang`` (unknown or disabled: the source language)."""
    chosen = language(lang) or language(source_language()) or enabled_languages()[0]
    t = translator(chosen.code)
    return CodeEntry(
        language=chosen.code,
        rtl=chosen.rtl,
        title=t.ui("welcome_title"),
        welcome=t.ui("welcome"),
        prompt=t.ui("code_prompt"),
        problem=problem,
        message=None if problem is None else t.ui(problem.value),
    )
