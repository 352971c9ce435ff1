"""The questionnaire as frozen data: items, answer scales, sections, conditions, texts.

A questionnaire file (YAML, under ``flows/questionnaires/``) is validated into these models by
:mod:`flows.loader`; the checks that need the whole questionnaire (references between items,
scales, groups and bands) live in :mod:`flows.validation`. All texts here are the Dutch source;
other languages are looked up through gettext at render time (:mod:`flows.i18n`).

Wordings that differ per age band are mappings from band key (``po``, ``vo``, ``so``) to text;
the key ``all`` stands for every band. A plain string in the file means ``{"all": text}``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

ALL_BANDS = "all"
# Item ids become the answer table's key (VARCHAR(40)); a leading "_" is kept for pseudo-items.
ITEM_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
OPTION_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")
SMALLINT = (-32768, 32767)

Identifier = Annotated[str, Field(pattern=ITEM_ID.pattern)]


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, validate_by_name=True
    )


def _as_band_mapping(value: Any) -> Any:
    """Let a file give one text for every band as a plain string (or list of paragraphs)."""
    if isinstance(value, str | list | tuple):
        return {ALL_BANDS: value}
    return value


# Texts per band; a plain string (or list) in the file means the same for every band.
Wording = Annotated[dict[str, str], BeforeValidator(_as_band_mapping), Field(min_length=1)]
Paragraphs = Annotated[
    dict[str, tuple[str, ...]], BeforeValidator(_as_band_mapping), Field(min_length=1)
]
# Item texts name their bands explicitly: the keys are the bands that ask the item.
BandTexts = Annotated[dict[str, str], Field(min_length=1)]


def wording_for(wording: Mapping[str, str], band: str) -> str | None:
    """The text of ``wording`` for ``band``, falling back to the ``all`` text."""
    return wording.get(band, wording.get(ALL_BANDS))


def paragraphs_for(paragraphs: Mapping[str, tuple[str, ...]], band: str) -> tuple[str, ...]:
    """The paragraphs for ``band``, falling back to the ``all`` paragraphs."""
    return paragraphs.get(band, paragraphs.get(ALL_BANDS, ()))


class Option(_Frozen):
    """One answer option; ``code`` is what is stored, ``id`` what channels send back."""

    id: Annotated[str, Field(pattern=OPTION_ID.pattern)]
    code: Annotated[int, Field(ge=SMALLINT[0], le=SMALLINT[1])]
    label: Annotated[str, Field(min_length=1)]
    picture: str | None = None


class OptionSet(_Frozen):
    """The options of an answer scale in one band, in the order pupils see them.

    ``marks`` names sets of codes that conditions and analytics refer to, e.g. ``bullied``
    (the cut-off) or ``disagree``; naming them keeps band differences out of conditions.
    """

    options: Annotated[tuple[Option, ...], Field(min_length=2)]
    marks: dict[str, frozenset[int]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _unique_and_marked_codes_exist(self) -> OptionSet:
        ids = [option.id for option in self.options]
        codes = [option.code for option in self.options]
        if len(set(ids)) != len(ids):
            raise ValueError(f"option ids repeat: {sorted(ids)}")
        if len(set(codes)) != len(codes):
            raise ValueError(f"option codes repeat: {sorted(codes)}")
        for mark, marked in self.marks.items():
            unknown = sorted(marked - set(codes))
            if unknown:
                raise ValueError(f"mark {mark!r} names codes {unknown} that no option has")
        return self

    def by_id(self, option_id: str) -> Option | None:
        """The option with this id, if there is one."""
        return next((option for option in self.options if option.id == option_id), None)

    def by_code(self, code: int) -> Option | None:
        """The option with this stored code, if there is one."""
        return next((option for option in self.options if option.code == code), None)


ScaleKind = Literal["agreement", "frequency", "yes_no", "nominal"]


class AnswerScale(_Frozen):
    """A named answer scale with its options per band (``all`` for every band)."""

    id: str
    kind: ScaleKind
    variants: Annotated[dict[str, OptionSet], Field(min_length=1)]

    @model_validator(mode="before")
    @classmethod
    def _bands_as_variants(cls, data: Any) -> Any:
        # In the file the band keys sit beside "kind"; gather them into "variants".
        if isinstance(data, dict) and "variants" not in data:
            fixed = {key: data[key] for key in ("id", "kind") if key in data}
            fixed["variants"] = {k: v for k, v in data.items() if k not in ("id", "kind")}
            return fixed
        return data

    def for_band(self, band: str) -> OptionSet | None:
        """The options shown in ``band``, or None when the scale has none there."""
        return self.variants.get(band, self.variants.get(ALL_BANDS))


class ItemRef(_Frozen):
    """Items named directly, or through a group; conditions and scales use it."""

    items: tuple[str, ...] = ()
    group: str | None = None

    @model_validator(mode="after")
    def _one_of_items_or_group(self) -> ItemRef:
        if bool(self.items) == (self.group is not None):
            raise ValueError("give either 'items' or 'group', not both and not neither")
        return self


class AnyMarked(ItemRef):
    """True when any of the items was answered with a code in the named mark of its scale."""

    kind: Literal["any_marked"]
    mark: str


class AnyAtLeast(ItemRef):
    """True when any of the items was answered with a code of at least ``code``."""

    kind: Literal["any_at_least"]
    code: int


class AnyOf(_Frozen):
    """True when any of the conditions holds."""

    kind: Literal["any"]
    conditions: Annotated[tuple[Condition, ...], Field(min_length=1)]


class AllOf(_Frozen):
    """True when all of the conditions hold."""

    kind: Literal["all"]
    conditions: Annotated[tuple[Condition, ...], Field(min_length=1)]


# No negation on purpose: every condition can only become true as answers are added, so
# answering forward never hides an item a pupil already saw (progress never goes back).
Condition = Annotated[AnyMarked | AnyAtLeast | AnyOf | AllOf, Field(discriminator="kind")]
AnyOf.model_rebuild()
AllOf.model_rebuild()


class Item(_Frozen):
    """One question. Its bands are the keys of ``text``; one construct and coding in all."""

    id: Identifier
    # "construct" in the file; BaseModel has a (deprecated) method of that name.
    construct_id: str = Field(alias="construct")
    scale: str
    text: BandTexts
    reverse: bool = False
    condition: Condition | None = None
    note: str | None = None

    @field_validator("text")
    @classmethod
    def _texts_not_empty(cls, value: dict[str, str]) -> dict[str, str]:
        empty = sorted(band for band, text in value.items() if not text.strip())
        if empty:
            raise ValueError(f"empty text for band(s) {empty}")
        return value

    @property
    def bands(self) -> frozenset[str]:
        """The bands that ask this item."""
        return frozenset(self.text)


class Section(_Frozen):
    """A named part of the questionnaire; its items are asked in order."""

    id: Identifier
    name: Wording
    intro: Wording | None = None
    items: Annotated[tuple[Item, ...], Field(min_length=1)]


class AnalyticScale(_Frozen):
    """How analytics summarise items: ``mean`` of codes (reverse-corrected, see the docs),
    ``share_marked`` (share of pupils whose answer to the item is in ``mark``) or
    ``share_any_marked`` (share with any of the items in ``mark``)."""

    construct_id: str = Field(alias="construct")
    summary: Literal["mean", "share_marked", "share_any_marked"]
    mark: str | None = None
    items: tuple[str, ...] = ()
    group: str | None = None

    @model_validator(mode="after")
    def _mark_when_needed(self) -> AnalyticScale:
        if (self.summary == "mean") == (self.mark is not None):
            raise ValueError("'mark' is needed for share_* summaries and only for those")
        if bool(self.items) == (self.group is not None):
            raise ValueError("give either 'items' or 'group', not both and not neither")
        return self


class Helpline(_Frozen):
    """A place to get help, shown on the support card; schools may override the number."""

    id: Identifier
    name: str
    number: str
    text: str


class Texts(_Frozen):
    """A title with paragraphs per band: intro and outro."""

    title: Wording
    paragraphs: Paragraphs


class SupportCard(Texts):
    """Shown once, right after the answer that makes ``condition`` true."""

    condition: Condition
    contact_line: Wording
    default_contact: Wording
    closing: Wording


class BandSpec(_Frozen):
    """What an age band needs to know beyond its texts."""

    pictures: bool
    minutes: Annotated[int, Field(ge=1, le=90)]
    description: str = ""


class Questionnaire(_Frozen):
    """A whole questionnaire; ``version`` is the SHA-256 of its measurement content."""

    id: Annotated[str, Field(pattern=r"[a-z][a-z0-9-]{0,63}")]
    title: str
    source_language: str
    recall_period: str
    bands: Annotated[dict[str, BandSpec], Field(min_length=1)]
    constructs: dict[str, str]
    answer_scales: dict[str, AnswerScale]
    sections: Annotated[tuple[Section, ...], Field(min_length=1)]
    groups: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    scales: dict[str, AnalyticScale] = Field(default_factory=dict)
    support_card: SupportCard
    helplines: tuple[Helpline, ...]
    intro: Texts
    outro: Texts
    version: str = ""
    source: str = ""

    @model_validator(mode="before")
    @classmethod
    def _scale_ids_from_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("answer_scales"), dict):
            data = dict(data)
            data["answer_scales"] = {
                key: {"id": key, **value} if isinstance(value, dict) else value
                for key, value in data["answer_scales"].items()
            }
        return data

    def items(self) -> Iterator[tuple[Section, Item]]:
        """Every item with its section, in questionnaire order."""
        for section in self.sections:
            for item in section.items:
                yield section, item

    @functools.cached_property
    def _by_id(self) -> dict[str, Item]:
        # The engine looks items up hundreds of times per pupil; a dict beats a scan.
        return {item.id: item for _, item in self.items()}

    def item(self, item_id: str) -> Item | None:
        """The item with this id, if there is one."""
        return self._by_id.get(item_id)

    @functools.cached_property
    def _in_band(self) -> dict[str, tuple[tuple[Section, Item], ...]]:
        return {
            band: tuple((section, item) for section, item in self.items() if band in item.text)
            for band in self.bands
        }

    def items_in_band(self, band: str) -> tuple[tuple[Section, Item], ...]:
        """The items a band asks, with their sections, in order (conditions not applied)."""
        return self._in_band.get(band, ())

    def options(self, item: Item, band: str) -> OptionSet | None:
        """The options of ``item`` in ``band``, or None if the scale has none there."""
        scale = self.answer_scales.get(item.scale)
        return scale.for_band(band) if scale is not None else None

    def refs(self, ref: ItemRef | AnalyticScale) -> tuple[str, ...]:
        """The item ids an ``items``/``group`` reference stands for."""
        if ref.group is not None:
            return self.groups.get(ref.group, ())
        return ref.items
