"""Checks that need the whole questionnaire: references, bands, marks, order, placeholders.

:func:`problems` returns every problem found, each naming the item (or other place) and what is
wrong, so the loader can report them all at once and ``veilig questionnaire lint`` can list
them. Single-field checks live on the models in :mod:`flows.model`.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from flows.model import (
    ALL_BANDS,
    AllOf,
    AnalyticScale,
    AnyAtLeast,
    AnyMarked,
    AnyOf,
    Condition,
    ItemRef,
    Questionnaire,
    paragraphs_for,
    wording_for,
)

# The option id the engine adds to every question for "I'd rather not say".
PREFER_NOT_ID = "prefer_not"
# Placeholders a text may use, by where it appears; anything else is a typo.
INTRO_FIELDS = frozenset({"minutes"})
CONTACT_FIELDS = frozenset({"contact"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a questionnaire: where (an item id or a path) and what."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields used in a text (``{{`` escapes are not fields)."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def condition_refs(condition: Condition) -> Iterator[AnyMarked | AnyAtLeast]:
    """The leaf conditions (those that name items) inside ``condition``."""
    if isinstance(condition, AnyOf | AllOf):
        for inner in condition.conditions:
            yield from condition_refs(inner)
    else:
        yield condition


def problems(q: Questionnaire) -> list[Problem]:
    """Every cross-reference problem in ``q``; an empty list means it is consistent."""
    found: list[Problem] = []
    found += _ids_and_bands(q)
    found += _scales(q)
    found += _conditions(q)
    found += _groups_and_analytic_scales(q)
    found += _texts(q)
    return found


def _ids_and_bands(q: Questionnaire) -> Iterator[Problem]:
    seen: set[str] = set()
    for section, item in q.items():
        if item.id in seen:
            yield Problem(item.id, "item id is used more than once")
        seen.add(item.id)
        if item.construct_id not in q.constructs:
            yield Problem(item.id, f"construct {item.construct_id!r} is not listed in constructs")
        unknown = sorted(item.bands - set(q.bands))
        if unknown:
            known = sorted(q.bands)
            yield Problem(item.id, f"text for unknown band(s) {unknown}; bands are {known}")
        for band in item.bands & set(q.bands):
            if wording_for(section.name, band) is None:
                yield Problem(section.id, f"section has no name for band {band!r}")
    sections = [section.id for section in q.sections]
    if len(set(sections)) != len(sections):
        yield Problem("sections", "section ids repeat")
    for band in q.bands:
        if not q.items_in_band(band):
            yield Problem(f"bands.{band}", "no item is asked in this band")
    helplines = [line.id for line in q.helplines]
    if len(set(helplines)) != len(helplines):
        yield Problem("helplines", "helpline ids repeat")


def _scales(q: Questionnaire) -> Iterator[Problem]:
    for scale in q.answer_scales.values():
        for band in sorted(set(scale.variants) - set(q.bands) - {ALL_BANDS}):
            yield Problem(f"answer_scales.{scale.id}", f"options for unknown band {band!r}")
        for options in scale.variants.values():
            if options.by_id(PREFER_NOT_ID) is not None:
                yield Problem(
                    f"answer_scales.{scale.id}",
                    f"option id {PREFER_NOT_ID!r} is reserved; every question offers it already",
                )
    for _, item in q.items():
        used = q.answer_scales.get(item.scale)
        if used is None:
            yield Problem(item.id, f"answer scale {item.scale!r} does not exist")
            continue
        for band in sorted(item.bands & set(q.bands)):
            if used.for_band(band) is None:
                yield Problem(item.id, f"answer scale {item.scale!r} has no options for {band!r}")
        if item.reverse and used.kind not in ("agreement", "frequency"):
            yield Problem(item.id, f"reverse coding makes no sense on a {used.kind} scale")


def _reference_problems(
    q: Questionnaire,
    where: str,
    what: str,
    ref: ItemRef | AnalyticScale,
    mark: str | None,
    bands: frozenset[str] | None,
    order: Mapping[str, int] | None = None,
    position: int = 0,
) -> Iterator[Problem]:
    """Problems with the items that ``ref`` names (``what`` names who refers: "condition").

    A group or item that does not exist; with ``order``, an item that does not come before
    ``position``; with ``mark``, an item whose answer scale lacks that mark in one of
    ``bands`` (``None``: every band that asks the item).
    """
    if ref.group is not None and ref.group not in q.groups:
        yield Problem(where, f"{what} names group {ref.group!r}, which does not exist")
        return
    for item_id in q.refs(ref):
        target = q.item(item_id)
        if target is None:
            yield Problem(where, f"{what} names item {item_id!r}, which does not exist")
            continue
        if order is not None and order.get(item_id, position) >= position:
            yield Problem(where, f"{what} looks at {item_id!r}, which does not come earlier")
        if mark is None:
            continue
        for band in sorted(target.bands if bands is None else bands & target.bands):
            options = q.options(target, band)
            if options is not None and mark not in options.marks:
                yield Problem(
                    where,
                    f"{what} uses mark {mark!r}, which scale {target.scale!r} "
                    f"does not define for band {band!r} (item {item_id!r})",
                )


def _condition_problems(
    q: Questionnaire,
    where: str,
    condition: Condition,
    bands: frozenset[str],
    order: Mapping[str, int] | None,
    position: int,
) -> Iterator[Problem]:
    for leaf in condition_refs(condition):
        mark = leaf.mark if isinstance(leaf, AnyMarked) else None
        yield from _reference_problems(q, where, "condition", leaf, mark, bands, order, position)


def _conditions(q: Questionnaire) -> Iterator[Problem]:
    order = {item.id: index for index, (_, item) in enumerate(q.items())}
    for index, (_, item) in enumerate(q.items()):
        if item.condition is not None:
            yield from _condition_problems(q, item.id, item.condition, item.bands, order, index)
    yield from _condition_problems(
        q, "support_card", q.support_card.condition, frozenset(q.bands), None, len(order)
    )


def _groups_and_analytic_scales(q: Questionnaire) -> Iterator[Problem]:
    for name, members in q.groups.items():
        for ref in members:
            if q.item(ref) is None:
                yield Problem(f"groups.{name}", f"item {ref!r} does not exist")
    for name, scale in q.scales.items():
        where = f"scales.{name}"
        if scale.construct_id not in q.constructs:
            yield Problem(where, f"construct {scale.construct_id!r} is not listed in constructs")
        yield from _reference_problems(q, where, "scale", scale, scale.mark, None)


def _texts(q: Questionnaire) -> Iterator[Problem]:
    recall = q.recall_period.casefold()
    for section, item in q.items():
        scale = q.answer_scales.get(item.scale)
        for band, text in item.text.items():
            if placeholders(text):
                yield Problem(item.id, f"text for {band!r} has braces; item texts take no fields")
            if scale is not None and scale.kind == "frequency" and recall not in text.casefold():
                yield Problem(
                    item.id,
                    f"text for {band!r} lacks the recall period {q.recall_period!r}; "
                    "every frequency item names the same period",
                )
        for band in item.bands & set(q.bands):
            if section.intro is not None and wording_for(section.intro, band) is None:
                yield Problem(section.id, f"section intro has no text for band {band!r}")
    card = q.support_card
    for band in q.bands:
        for where, texts in (
            ("intro", q.intro),
            ("outro", q.outro),
            ("support_card", card),
        ):
            if wording_for(texts.title, band) is None or not paragraphs_for(texts.paragraphs, band):
                yield Problem(where, f"no title or paragraphs for band {band!r}")
        for where, wording in (
            ("support_card.contact_line", card.contact_line),
            ("support_card.default_contact", card.default_contact),
            ("support_card.closing", card.closing),
        ):
            if wording_for(wording, band) is None:
                yield Problem(where, f"no text for band {band!r}")
    for where, texts, allowed in (
        ("intro", q.intro, INTRO_FIELDS),
        ("outro", q.outro, frozenset[str]()),
        ("support_card", card, frozenset[str]()),
    ):
        for paragraphs in texts.paragraphs.values():
            for paragraph in paragraphs:
                extra = placeholders(paragraph) - allowed
                if extra:
                    yield Problem(where, f"unknown placeholder(s) {sorted(extra)} in {paragraph!r}")
    for text in card.contact_line.values():
        if placeholders(text) != CONTACT_FIELDS:
            yield Problem("support_card.contact_line", "must contain exactly the field {contact}")
