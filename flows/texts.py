"""Every translatable text of a questionnaire, with its gettext context, in one place.

:func:`source_messages` lists them for the catalogue template; :class:`Texts` looks them up for
the engine. Both build contexts with the same functions, so what is extracted is exactly what
is asked for at run time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from flows.i18n import UI_CONTEXT, Translator, ui_messages
from flows.model import (
    Helpline,
    Item,
    Option,
    Questionnaire,
    Section,
    paragraphs_for,
    wording_for,
)
from flows.model import Texts as TextBlock


@dataclass(frozen=True, slots=True)
class SourceMessage:
    """One Dutch text to translate; ``plural`` is set for messages with plural forms."""

    context: str
    message: str
    plural: str | None = None
    comment: str = ""


def item_context(q: Questionnaire, item: Item) -> str:
    return f"{q.id}:item:{item.id}"


def option_context(q: Questionnaire, scale_id: str, option: Option) -> str:
    return f"{q.id}:option:{scale_id}:{option.id}"


def section_context(q: Questionnaire, section: Section, part: str) -> str:
    return f"{q.id}:section:{section.id}:{part}"


def block_context(q: Questionnaire, block: str, part: str) -> str:
    return f"{q.id}:{block}:{part}"


def helpline_context(q: Questionnaire, line: Helpline, part: str) -> str:
    return f"{q.id}:helpline:{line.id}:{part}"


_BAND_HINT = {
    "po": "PO, groep 5-8: short sentences, one idea each, everyday words",
    "vo": "VO, secondary: fuller wording",
    "so": "SO, special education: very short, read aloud",
}


def _hint(bands: set[str] | list[str]) -> str:
    return "; ".join(_BAND_HINT.get(band, band) for band in sorted(bands))


def source_messages(q: Questionnaire) -> Iterator[SourceMessage]:
    """Every Dutch text of ``q`` that pupils read, with its context and a translator hint."""
    for section in q.sections:
        for part, wording in (("name", section.name), ("intro", section.intro or {})):
            for band, text in wording.items():
                yield SourceMessage(section_context(q, section, part), text, comment=_hint([band]))
        for item in section.items:
            note = f" Note: {item.note}" if item.note else ""
            for band, text in item.text.items():
                yield SourceMessage(item_context(q, item), text, comment=_hint([band]) + note)
    for scale_id, scale in q.answer_scales.items():
        for band, options in scale.variants.items():
            for option in options.options:
                yield SourceMessage(
                    option_context(q, scale_id, option),
                    option.label,
                    comment=f"answer option ({scale.kind}); {_hint([band])}",
                )
    for block, texts in (("intro", q.intro), ("outro", q.outro), ("support_card", q.support_card)):
        for band, title in texts.title.items():
            yield SourceMessage(block_context(q, block, "title"), title, comment=_hint([band]))
        for band, paragraphs in texts.paragraphs.items():
            context = block_context(q, block, "paragraph")
            for paragraph in paragraphs:
                yield SourceMessage(context, paragraph, comment=_hint([band]))
    card = q.support_card
    for part, wording in (
        ("contact_line", card.contact_line),
        ("default_contact", card.default_contact),
        ("closing", card.closing),
    ):
        for band, text in wording.items():
            yield SourceMessage(block_context(q, "support_card", part), text, comment=_hint([band]))
    for line in q.helplines:
        yield SourceMessage(helpline_context(q, line, "name"), line.name, comment="helpline name")
        yield SourceMessage(helpline_context(q, line, "text"), line.text, comment="helpline text")


def ui_source_messages() -> Iterator[SourceMessage]:
    """The interface words shared by every questionnaire."""
    ui = ui_messages()
    for key, text in ui.messages.items():
        comment = (
            "comma-separated words a pupil may type; give the words of your language"
            if key.endswith("_words")
            else "interface text; keep the {fields}"
        )
        yield SourceMessage(f"{UI_CONTEXT}:{key}", text, comment=comment)
    for key, (singular, plural) in ui.plurals.items():
        yield SourceMessage(f"{UI_CONTEXT}:{key}", singular, plural=plural, comment="plural forms")


class Texts:
    """The texts of one questionnaire in one band and language."""

    def __init__(self, q: Questionnaire, band: str, t: Translator) -> None:
        self.q = q
        self.band = band
        self.t = t

    def item(self, item: Item) -> str:
        source = wording_for(item.text, self.band) or ""
        return self.t.text(item_context(self.q, item), source)

    def option(self, scale_id: str, option: Option) -> str:
        return self.t.text(option_context(self.q, scale_id, option), option.label)

    def section_name(self, section: Section) -> str:
        source = wording_for(section.name, self.band) or section.id
        return self.t.text(section_context(self.q, section, "name"), source)

    def section_intro(self, section: Section) -> str | None:
        source = wording_for(section.intro, self.band) if section.intro else None
        if source is None:
            return None
        return self.t.text(section_context(self.q, section, "intro"), source)

    def title(self, block: str) -> str:
        texts = self._block(block)
        source = wording_for(texts.title, self.band) or ""
        return self.t.text(block_context(self.q, block, "title"), source)

    def paragraphs(self, block: str, **fields: object) -> tuple[str, ...]:
        texts = self._block(block)
        context = block_context(self.q, block, "paragraph")
        return tuple(
            self.t.text(context, paragraph, **fields)
            for paragraph in paragraphs_for(texts.paragraphs, self.band)
        )

    def card(self, part: str, **fields: object) -> str:
        wording = {
            "contact_line": self.q.support_card.contact_line,
            "default_contact": self.q.support_card.default_contact,
            "closing": self.q.support_card.closing,
        }[part]
        source = wording_for(wording, self.band) or ""
        return self.t.text(block_context(self.q, "support_card", part), source, **fields)

    def helpline(self, line: Helpline) -> tuple[str, str]:
        name = self.t.text(helpline_context(self.q, line, "name"), line.name)
        text = self.t.text(helpline_context(self.q, line, "text"), line.text)
        return name, text

    def _block(self, block: str) -> TextBlock:
        return {"intro": self.q.intro, "outro": self.q.outro, "support_card": self.q.support_card}[
            block
        ]
