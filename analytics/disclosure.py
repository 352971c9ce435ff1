"""What a school year's release may show: one plan, made once, that every output follows.

The outputs of a school year (the delivery to the Inspectie, the research export, the
instrument report, each school's report and its chat summary) are read together: a school's
report beside the national instrument report, the delivery beside the export. Suppressing small
cells in each file on its own is not enough, since a count hidden in one file could be worked
out from another (a band total minus the schools' figures, a share times its ``n``, started
minus completed). So the decisions are made here, once per school year, and every writer asks
this plan instead of deciding for itself.

**The one rule** (``min_n``, default 10; docs/delivery-format.md, research-export.md,
instrument.md and school-report.md state it in the same words):

1. *Unit.* A school-band (a school in one age band) is **published** when it has at least
   ``min_n`` counted respondents: pupils with a score on every mean scale. A unit below that is
   in no figure of any output (its report says only that there are too few).
2. *Year outputs* (delivery, export, instrument report) hold only units whose round is
   **closed** (status ``closed`` or ``delivered``): an open round's figures still change. The
   delivery holds only schools that **consented**; the export and the instrument report rest on
   the provider's processing agreement with the school boards, not on that consent.
3. *Item figures.* A figure about one item in a unit (its share, mean frequency or option
   shares) is shown only when at least ``min_n`` pupils of the unit **answered** the item with
   an option ("rather not say" does not count). Shares of a mark rest on those who answered;
   option shares rest on those who saw the item (answered or declined), "declined" being one of
   the options. So a hidden share can never be rebuilt from option shares. The counts inside a
   shown distribution may be small; the instrument report shows a band's distribution of an
   item by the same rule.
4. *Partitions of pupils* (completed/partial, grades, classes, gender) go through
   :func:`analytics.suppression.suppress`. A school states how many pupils started and
   completed only when none of those parts (completed, partial, counted, not counted) is below
   ``min_n`` (0 is fine).
5. *Between outputs.* The instrument report counts the counted respondents of the exported
   units, so a band is exactly the sum of its schools in the export. A band figure is hidden
   when exactly one school of the band hides the matching school figure with pupils in it:
   the band minus the other schools would give that school's hidden count away (with two or
   more such schools only their sum follows, as with complementary suppression).

Who receives what: the Inspectie the delivery; a school its own report and chat summary; the
provider, its reviewers and anyone the instrument report; a researcher under a processing
agreement the research export (answers of pupils of published, closed units) and the
instrument report.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from analytics.dataset import Dataset, item_ids
from analytics.national import unit_counts
from flows.model import Questionnaire
from veilig.errors import InvalidInput

__all__ = [
    "CONTEXT_CONSTRUCT",
    "ONE_SCHOOL_HIDDEN",
    "RELEASED_STATUSES",
    "STATUS",
    "UNKNOWN_CATEGORY",
    "ReleasePlan",
    "release_plan",
]

#: Round statuses after which no answer can change: only these go into a year's outputs.
RELEASED_STATUSES = frozenset({"closed", "delivered"})
#: Reason of a band figure hidden by rule 5.
ONE_SCHOOL_HIDDEN = "one_school_hidden"
#: The band-level partition completed/partial of the instrument report, in ``band_hidden``.
STATUS = "status"
#: Items that only serve breakdowns (docs/questionnaire.md); their categories are cells.
CONTEXT_CONSTRUCT = "context"
#: Breakdown category of pupils who declined or did not answer a context item.
UNKNOWN_CATEGORY = "unknown"
# Code slots of analytics.national.UnitCounts: declined, unanswered, then codes 1, 2, ...
_DECLINED_SLOT, _UNANSWERED_SLOT = 0, 1


@dataclass(frozen=True)
class ReleasePlan:
    """What the release of ``school_year`` may show (see the module docstring for the rule).

    ``units``: one row per school-band with ``school``, ``band``, ``sector``, ``started``,
    ``completed``, ``respondents`` (counted), ``status`` and ``consent`` of the round (missing
    without one), and the decisions ``published``, ``closed``, ``exported`` and
    ``completion_shown``. ``hidden_items``: (school, band, item) of published units whose item
    figures are hidden (rule 3). ``hidden_categories``: (school, band, item, category) of
    context breakdown cells hidden in a school's report. ``band_hidden``: (band, item or
    :data:`STATUS`) that the instrument report hides (rule 5).
    """

    school_year: str
    min_n: int
    units: pd.DataFrame
    hidden_items: frozenset[tuple[str, str, str]]
    hidden_categories: frozenset[tuple[str, str, str, str]]
    band_hidden: frozenset[tuple[str, str]]

    @cached_property
    def _decided(self) -> dict[tuple[str, str], tuple[bool, bool]]:
        """(published, completion shown) per (school, band): a report asks per item."""
        columns = ("school", "band", "published", "completion_shown")
        rows = zip(*(self.units[column] for column in columns), strict=True)
        return {(school, band): (bool(p), bool(c)) for school, band, p, c in rows}

    def published(self, school: str, band: str) -> bool:
        """Whether the unit has figures at all (at least ``min_n`` counted respondents)."""
        return self._decided.get((school, band), (False, False))[0]

    def exported(self) -> frozenset[tuple[str, str]]:
        """The units in the year outputs: published and closed (export, instrument report)."""
        rows = self.units[self.units["exported"]]
        return frozenset(zip(rows["school"], rows["band"], strict=True))

    def item_shown(self, school: str, band: str, item: str) -> bool:
        """Whether figures about ``item`` in the unit may be shown (rule 3)."""
        return self.published(school, band) and (school, band, item) not in self.hidden_items

    def completion_shown(self, school: str, band: str) -> bool:
        """Whether the unit's started and completed counts may be stated (rule 4)."""
        return self._decided.get((school, band), (False, False))[1]

    def band_shown(self, band: str, what: str) -> bool:
        """Whether the instrument report may show ``what`` (an item id or :data:`STATUS`) of
        ``band`` (rule 5)."""
        return (band, what) not in self.band_hidden


def _context_items(questionnaire: Questionnaire) -> list[str]:
    return [
        item.id
        for _, item in questionnaire.items()
        if item.construct_id == CONTEXT_CONSTRUCT and item.condition is None
    ]


def _asks(questionnaire: Questionnaire, item_id: str, band: str) -> bool:
    item = questionnaire.item(item_id)
    return item is not None and band in item.bands


def _clean(parts: list[int], min_n: int) -> bool:
    """No part of a partition below ``min_n`` except empty ones."""
    return all(part == 0 or part >= min_n for part in parts)


def _category_slots(questionnaire: Questionnaire, item_id: str, band: str) -> dict[str, list[int]]:
    """A context item's breakdown categories and the code slots each one holds."""
    item = questionnaire.item(item_id)
    options = None if item is None else questionnaire.options(item, band)
    slots = {option.id: [option.code + 1] for option in (options.options if options else ())}
    return slots | {UNKNOWN_CATEGORY: [_DECLINED_SLOT, _UNANSWERED_SLOT]}


def _hidden_categories(counts: np.ndarray, slots: dict[str, list[int]], min_n: int) -> list[str]:
    """The categories a school's one-way breakdown hides: what
    :func:`analytics.suppression.suppress` gives for one partition, written out because it
    runs for every school of a national year.

    Categories with pupils, in the report's order (sorted by name): those below ``min_n`` are
    hidden; when exactly one is, the smallest other category with pupils is hidden too (the
    first of equals), so the total minus the shown ones gives no single category.
    """
    cells = {name: int(counts[at].sum()) for name, at in sorted(slots.items())}
    present = [(n, position, name) for position, (name, n) in enumerate(cells.items()) if n > 0]
    hidden = [name for n, _, name in present if n < min_n]
    if len(hidden) == 1:
        shown = sorted(cell for cell in present if cell[0] >= min_n)
        if shown:
            hidden.append(shown[0][2])
    return hidden


def release_plan(dataset: Dataset, school_year: str, *, min_n: int = 10) -> ReleasePlan:
    """The release plan of ``school_year``: one pass over the year's responses (pure)."""
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
    questionnaire = dataset.questionnaire
    items = list(item_ids(questionnaire))
    counts = unit_counts(dataset, school_year, items)
    units = counts.units.assign(
        school=counts.units["school"].astype(str), band=counts.units["band"].astype(str)
    )
    rounds = dataset.rounds[dataset.rounds["school_year"].astype(str) == school_year]
    rounds = rounds.assign(school=rounds["school"].astype(str)).drop_duplicates("school")
    units = units.merge(
        rounds[["school", "status", "consent"]], on="school", how="left", validate="many_to_one"
    )
    units["published"] = units["respondents"] >= min_n
    units["closed"] = units["status"].astype(str).isin(RELEASED_STATUSES) & units["status"].notna()
    units["exported"] = units["published"] & units["closed"]
    clean = [
        _clean([done, started - done, counted, started - counted], min_n)
        for started, done, counted in zip(
            units["started"], units["completed"], units["respondents"], strict=True
        )
    ]
    units["completion_shown"] = units["published"] & np.asarray(clean, dtype=bool)

    hidden_items: set[tuple[str, str, str]] = set()
    hidden_categories: set[tuple[str, str, str, str]] = set()
    # Per band and item (or STATUS): per cell, how many exported units hide it with pupils.
    hiders: dict[tuple[str, str], np.ndarray] = {}
    schools = units["school"].to_numpy(dtype=object)
    bands = units["band"].to_numpy(dtype=object)
    published = units["published"].to_numpy(dtype=bool)
    exported = units["exported"].to_numpy(dtype=bool)
    context = set(_context_items(questionnaire))
    for band in questionnaire.bands:
        mine = bands == band
        for item_id in items:
            if not _asks(questionnaire, item_id, band):
                continue
            per_slot = counts.codes[item_id]
            hidden = np.zeros(per_slot.shape, dtype=bool)
            few = mine & published & (per_slot[:, _UNANSWERED_SLOT + 1 :].sum(axis=1) < min_n)
            hidden[few] = True
            for at in np.flatnonzero(few):
                hidden_items.add((str(schools[at]), band, item_id))
            if item_id in context:
                slots = _category_slots(questionnaire, item_id, band)
                for at in np.flatnonzero(mine & published & ~few):
                    for name in _hidden_categories(per_slot[at], slots, min_n):
                        hidden_categories.add((str(schools[at]), band, item_id, name))
                        hidden[at, slots[name]] = True
            hiders[band, item_id] = (hidden & (per_slot > 0) & exported[:, None]).sum(axis=0)
        # The band's completed/partial among counted pupils, against the schools that do not
        # state their own started and completed.
        quiet = mine & exported & ~units["completion_shown"].to_numpy(dtype=bool)
        partial = units["counted_partial"].to_numpy(dtype=np.int64)
        done = units["respondents"].to_numpy(dtype=np.int64) - partial
        hiders[band, STATUS] = np.array([(quiet & (partial > 0)).sum(), (quiet & (done > 0)).sum()])
    band_hidden = frozenset(key for key, cells in hiders.items() if (cells == 1).any())
    columns = [
        "school",
        "band",
        "sector",
        "started",
        "completed",
        "respondents",
        "counted_partial",
        "status",
        "consent",
        "published",
        "closed",
        "exported",
        "completion_shown",
    ]
    return ReleasePlan(
        school_year=school_year,
        min_n=min_n,
        units=units[columns].reset_index(drop=True),
        hidden_items=frozenset(hidden_items),
        hidden_categories=frozenset(hidden_categories),
        band_hidden=band_hidden,
    )
