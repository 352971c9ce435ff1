"""HTML parse mode: the text a pupil sees, entity offsets in UTF-16 units, Telegram's refusals."""

from __future__ import annotations

import pytest

from tests.telegram.emulator.formatting import format_text, parse_html
from tests.telegram.emulator.params import ApiError


def test_tags_become_entities_over_the_visible_text() -> None:
    text, entities = parse_html('<b>Vet <i>schuin</i></b> &amp; <a href="https://x.nl">link</a>')
    assert text == "Vet schuin & link"
    assert entities == [
        {"type": "bold", "offset": 0, "length": 10},
        {"type": "italic", "offset": 4, "length": 6},
        {"type": "text_link", "url": "https://x.nl", "offset": 13, "length": 4},
    ]


def test_offsets_count_utf16_units() -> None:
    text, entities = parse_html("\N{GRINNING FACE} <b>ja</b>")
    assert text == "\N{GRINNING FACE} ja"
    assert entities == [{"type": "bold", "offset": 3, "length": 2}]


def test_pre_with_a_language_and_spoilers() -> None:
    text, entities = parse_html(
        '<pre><code class="language-python">x = 1</code></pre><span class="tg-spoiler">!</span>'
    )
    assert text == "x = 1!"
    assert entities == [
        {"type": "pre", "language": "python", "offset": 0, "length": 5},
        {"type": "spoiler", "offset": 5, "length": 1},
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'expected "</i>", found "</b>"'),
        ("1 < 2", "byte offset 2"),
    ],
)
def test_bad_markup_is_refused_as_telegram_refuses_it(source: str, reason: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_html(source)
    assert caught.value.status == 400
    assert "can't parse entities" in caught.value.description
    assert reason in caught.value.description


def test_other_parse_modes_keep_the_text() -> None:
    assert format_text("*vet*", "MarkdownV2") == ("*vet*", [])
    assert format_text("<b>", None) == ("<b>", [])
