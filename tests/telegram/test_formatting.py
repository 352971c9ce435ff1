"""HTML parse mode: the text a pupil sees, entity offsets in UTF-16 units, Telegram's refusals."""

from __future__ import annotations

import pytest
from aiogram.types import MessageEntity
from aiogram.utils.text_decorations import (
    TextDecoration,
    html_decoration,
    markdown_decoration,
)
from hypothesis import given
from hypothesis import strategies as st

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


def test_markdown_v2_entities_and_escapes() -> None:
    text, entities = format_text(
        r"*Vet _schuin_* __onder__ ~weg~ ||geheim|| `a\`b` [site](https://x.nl/a\)b) 1\.",
        "MarkdownV2",
    )
    assert text == "Vet schuin onder weg geheim a`b site 1."
    assert entities == [
        {"type": "bold", "offset": 0, "length": 10},
        {"type": "italic", "offset": 4, "length": 6},
        {"type": "underline", "offset": 11, "length": 5},
        {"type": "strikethrough", "offset": 17, "length": 3},
        {"type": "spoiler", "offset": 21, "length": 6},
        {"type": "code", "offset": 28, "length": 3},
        {"type": "text_link", "url": "https://x.nl/a)b", "offset": 32, "length": 4},
    ]


def test_markdown_v2_pre_and_blockquote() -> None:
    text, entities = format_text("```python\nx = 1```\n>citaat\n>verder\nnormaal", "MarkdownV2")
    assert text == "x = 1\ncitaat\nverder\nnormaal"
    assert entities == [
        {"type": "pre", "language": "python", "offset": 0, "length": 5},
        {"type": "blockquote", "offset": 6, "length": 13},
    ]


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("Klaar.", "Character '.' is reserved and must be escaped with the preceding '\\'"),
        ("groep 5-8", "Character '-' is reserved"),
        ("*vet", "Can't find end of the entity starting at byte offset 0"),
        ("`code", "Can't find end of the entity"),
    ],
)
def test_markdown_v2_refusals(source: str, reason: str) -> None:
    with pytest.raises(ApiError, match="can't parse entities") as caught:
        format_text(source, "MarkdownV2")
    assert reason in caught.value.description


def test_other_parse_modes_keep_the_text() -> None:
    assert format_text("*vet*.", "Markdown") == ("*vet*.", [])
    assert format_text("<b>", None) == ("<b>", [])


# aiogram's own escaping and unparsing is an independent implementation of the same rules:
# whatever it writes, the emulator must read back to the same text and entities.


@given(st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_aiogram_quoted_text_reads_back_unchanged(text: str) -> None:
    assert parse_html(html_decoration.quote(text)) == (text, [])
    assert format_text(markdown_decoration.quote(text), "MarkdownV2") == (text, [])


@pytest.mark.parametrize("decoration", [html_decoration, markdown_decoration])
def test_aiogram_unparsed_entities_read_back(decoration: TextDecoration) -> None:
    text = "Vet, schuin en een link: klaar. \N{GRINNING FACE} 5-8!"
    entities = [
        MessageEntity(type="bold", offset=0, length=14),
        MessageEntity(type="italic", offset=5, length=6),
        MessageEntity(type="text_link", offset=18, length=4, url="https://x.nl/a_b"),
        MessageEntity(type="code", offset=32, length=2),
        MessageEntity(type="strikethrough", offset=38, length=1),
    ]
    mode = "HTML" if decoration is html_decoration else "MarkdownV2"
    parsed_text, parsed = format_text(decoration.unparse(text, entities), mode)
    assert parsed_text == text
    assert parsed == [entity.model_dump(exclude_none=True) for entity in entities]
