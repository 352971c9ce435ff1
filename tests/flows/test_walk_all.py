"""A whole questionnaire walked in every band and every enabled language."""

from __future__ import annotations

import pytest

from flows import engine
from flows.i18n import enabled_languages, source_language
from flows.loader import load_questionnaire
from flows.render import render
from flows.steps import SUPPORT_CARD_SEEN, Continue, Outro, Question, Start, SupportCard
from tests.flows.participant import Walk

Q = load_questionnaire()
CASES = [(band, lang.code) for band in sorted(Q.bands) for lang in enabled_languages()]


@pytest.mark.parametrize(("band", "lang"), CASES)
def test_whole_questionnaire(band: str, lang: str) -> None:
    walk = Walk(Q, band, lang=lang)
    walk.do(Start())
    asked: list[str] = []
    shown_texts: list[str] = []
    # The highest code everywhere (most agreement, most often, "yes"), typed as its number:
    # bullying comes up, so the card and every follow-up are shown too.
    while not isinstance(screen := walk.screen(), Outro):
        shown_texts.append(render(screen))
        if isinstance(screen, SupportCard):
            walk.do(Continue())
            continue
        assert isinstance(screen, Question)
        asked.append(screen.item_id)
        item = Q.item(screen.item_id)
        options = Q.options(item, band) if item else None
        assert options is not None
        top = max(options.options, key=lambda option: option.code)
        number = next(c.number for c in screen.options if c.option_id == top.id)
        walk.do(str(number))
        assert len(asked) < 100
    shown_texts.append(render(walk.screen()))
    band_items = [item.id for _, item in Q.items_in_band(band)]
    assert asked == band_items  # everything asked, in order, follow-ups included
    assert walk.answers.keys() >= set(band_items)
    assert SUPPORT_CARD_SEEN in walk.answers
    for text in shown_texts:
        assert "{" not in text and "}" not in text, text
    if lang != source_language():
        preview_texts = {
            s.text for s, _ in engine.preview(Q, band, lang) if isinstance(s, Question)
        }
        untranslated = preview_texts & {
            s.text for s, _ in engine.preview(Q, band, "nl") if isinstance(s, Question)
        }
        assert untranslated == set()
