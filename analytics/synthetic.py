"""Synthetic pupils: one model of how pupils answer, used to drive the engine and to make data.

The model is a latent-trait model (the normal-ogive graded response model of item response
theory, Samejima 1969). Each pupil has three correlated latent traits, standard normal over
all pupils: **safety** (veiligheidsbeleving), **wellbeing** (welbevinden) and **bullying**
(how much the pupil is bullied). A school adds a shared part to each trait: with intraclass
correlation ``icc``, ``trait = sqrt(1 - icc) * pupil part + sqrt(icc) * school part``, both
parts drawn from N(0, R) with the trait correlations R of :data:`TRAIT_CORRELATION`, so a
trait stays N(0, 1) over all pupils of all schools.

An ordered item (agreement, frequency, yes/no) answers ``y = l * trait + sqrt(1 - l^2) * e``
with loading ``l`` and independent noise ``e ~ N(0, 1)``, so ``y ~ N(0, 1)``; the answer is
the option whose slice of N(0, 1) holds ``y``, the slices cut at ``Phi^-1`` of the cumulative
target shares of the options (shifted by the item's ``shift``). So every item's answers over all
pupils follow the target shares exactly, items of one scale correlate through their trait
(``l1 * l2``), the bullying forms correlate with the global item, and a school's effect moves
all its pupils together. Reverse-coded items (``item.reverse``) load on their trait with the
options turned: agreeing with "I am often afraid at school" goes with low safety. Nominal items
(where, by whom, gender) draw their option from fixed shares.

Targets, from ``shared/DOMAIN.md`` and the national monitors: pupils bullied at the Olweus
cut-off (2-3 times a month or more on the global ``bullied`` item) PO 8 %, VO 6.5 %; SO counts
"a bit" as bullied too (see docs/questionnaire.md), 22 %. Most pupils feel safe (``safe_school``
agreed by about 95 %). Each pupil has a propensity to say "I'd rather not say" (Beta, mean 1.5 %
per item, twice that on sensitive items), and 4 % of pupils stop part way: such a pupil answers
the first ``k`` questions shown, ``k`` uniform over 1 .. (items every pupil of the band sees) - 1.

The model is used in two ways that draw from the same distributions with the same code:

- per pupil, to say what a pupil does at each step of the real conversation (``veilig
  simulate``, which drives it in :mod:`bot.service.simulate`): :func:`draw_school_effect`,
  :func:`draw_profile`, then :func:`choose` (an answer) or :func:`respond` (the next input for
  a screen);
- vectorised, for tests and the national benchmark: :func:`synthetic_dataset` makes a whole
  :class:`~analytics.dataset.Dataset` (schools, groups, rounds, responses) with numpy, following
  the questionnaire's branching exactly as :func:`flows.engine.place` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pandas as pd

from analytics.dataset import DECLINED, UNANSWERED, Dataset, item_ids
from flows.bands import age_band_for
from flows.model import (
    AllOf,
    AnyAtLeast,
    AnyOf,
    Condition,
    Item,
    OptionSet,
    Questionnaire,
)
from flows.steps import (
    PSEUDO_PREFIX,
    Choose,
    Continue,
    Input,
    Intro,
    Outro,
    PreferNotToSay,
    Screen,
    Start,
    Stop,
    SupportCard,
)
from storage.values import Sector, parse_school_year
from veilig.errors import InvalidInput

__all__ = [
    "DEFAULT_SECTORS",
    "ICC",
    "MAX_SCHOOLS",
    "PARTIAL_SHARE",
    "TRAITS",
    "TRAIT_CORRELATION",
    "Profile",
    "choose",
    "draw_profile",
    "draw_school_effect",
    "respond",
    "stop_position",
    "synthetic_dataset",
]

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]

#: The latent traits, in the order of a profile's ``traits``.
TRAITS = ("safety", "wellbeing", "bullying")
SAFETY, WELLBEING, BULLYING = range(3)
#: Correlations of the traits: safe pupils are doing well and are seldom bullied.
TRAIT_CORRELATION = np.array(
    [
        [1.00, 0.55, -0.45],
        [0.55, 1.00, -0.40],
        [-0.45, -0.40, 1.00],
    ]
)
_CHOLESKY = np.linalg.cholesky(TRAIT_CORRELATION)
#: Share of each trait's variance that lies between schools (intraclass correlation).
ICC = np.array([0.05, 0.05, 0.04])
#: Correlation of a school's effect with its effect the school year before.
YEAR_TO_YEAR = 0.8
#: Share of pupils who stop part way.
PARTIAL_SHARE = 0.04
# "I'd rather not say": per pupil a propensity ~ Beta(a, b), mean a / (a + b) = 1.5 %.
_DECLINE_A, _DECLINE_B = 0.6, 39.4
_SENSITIVE = 2.0

#: Default mix of sectors among schools (vestigingen), roughly the Dutch one.
DEFAULT_SECTORS: Mapping[str, float] = {"po": 0.76, "vo": 0.19, "so": 0.03, "vso": 0.02}
# Relative number of responding pupils per school by sector (VO schools are larger).
_SECTOR_SIZE = {"po": 1.0, "vo": 4.0, "so": 0.5, "vso": 0.6}
_SECTOR_GRADES = {
    "po": (5, 6, 7, 8),
    "vo": (1, 2, 3, 4, 5, 6),
    "so": (3, 4, 5, 6, 7, 8),
    "vso": (1, 2, 3, 4, 5, 6),
}
#: Most schools :func:`synthetic_dataset` makes (distinct BRIN codes ``00AA`` .. ``99ZZ``).
MAX_SCHOOLS = 100 * 26 * 26
_GROUP_RESPONDENTS = 22  # responding pupils per class group, on average
# Response rate of a group ~ Beta(18, 3.2): mean 0.85, most between 0.7 and 0.95.
_RATE_A, _RATE_B, _RATE_FLOOR = 18.0, 3.2, 0.5

_NORMAL = NormalDist()

# ----------------------------------------------------------------------------- item parameters

Shares = Mapping[str, tuple[float, ...]]

#: Agreement with a positively worded item (codes ascending: disagree .. agree).
_AGREE: Shares = {
    "po": (0.03, 0.07, 0.30, 0.60),
    "vo": (0.02, 0.05, 0.13, 0.42, 0.38),
    "so": (0.06, 0.18, 0.76),
}


def _forms(happened: float, bullied: float, so_bit: float = 0.0, so_yes: float = 0.0) -> Shares:
    """Olweus frequency shares (never .. several times a week) from "happened" and "bullied".

    Of the bullied, 45 % say 2-3 times a month, 33 % about weekly, 22 % several times a week.
    SO's 3-point scale gets "a bit" and "yes" directly.
    """
    five = (1 - happened, happened - bullied, 0.45 * bullied, 0.33 * bullied, 0.22 * bullied)
    shares: dict[str, tuple[float, ...]] = {"po": five, "vo": five}
    if so_bit or so_yes:
        shares["so"] = (1 - so_bit - so_yes, so_bit, so_yes)
    return shares


@dataclass(frozen=True)
class _Spec:
    """How one item answers: its trait and loading, target shares per band, a shift of the
    cuts (positive: answers lean to higher codes) and a multiplier of the decline propensity."""

    trait: int | None
    loading: float
    shares: Shares
    shift: float = 0.0
    decline: float = 1.0


def _merge(*parts: Shares) -> Shares:
    merged: dict[str, tuple[float, ...]] = {}
    for part in parts:
        merged.update(part)
    return merged


_SPECS: Mapping[str, _Spec] = {
    # veiligheidsbeleving
    "safe_school": _Spec(SAFETY, 0.75, _AGREE, shift=0.35),
    "safe_class": _Spec(SAFETY, 0.75, _AGREE, shift=0.30),
    "safe_schoolyard": _Spec(SAFETY, 0.70, _AGREE, shift=0.05),
    "safe_corridors": _Spec(SAFETY, 0.65, _AGREE),
    "safe_way": _Spec(SAFETY, 0.55, _AGREE, shift=0.10),
    "safe_online": _Spec(SAFETY, 0.55, _AGREE, shift=-0.20),
    "afraid_school": _Spec(SAFETY, 0.60, _AGREE),  # reverse: shares of the turned answer
    # welbevinden
    "likes_school": _Spec(WELLBEING, 0.65, _AGREE, shift=-0.35),
    "at_ease_class": _Spec(WELLBEING, 0.75, _AGREE, shift=0.10),
    "has_friends": _Spec(WELLBEING, 0.60, _AGREE, shift=0.45),
    "belongs": _Spec(WELLBEING, 0.75, _AGREE),
    "teacher_fair": _Spec(WELLBEING, 0.55, _AGREE, shift=0.10),
    "lonely": _Spec(WELLBEING, 0.65, _AGREE, shift=0.20),  # reverse
    # aantasting: the global item and its forms
    "bullied": _Spec(
        BULLYING,
        0.85,
        {
            "po": (0.60, 0.32, 0.04, 0.025, 0.015),
            "vo": (0.72, 0.215, 0.03, 0.02, 0.015),
            "so": (0.78, 0.14, 0.08),
        },
    ),
    "bullied_verbal": _Spec(BULLYING, 0.75, _forms(0.35, 0.07, 0.16, 0.10)),
    "bullied_relational": _Spec(BULLYING, 0.70, _forms(0.28, 0.05, 0.13, 0.07)),
    "bullied_physical": _Spec(
        BULLYING, 0.60, _merge(_forms(0.22, 0.035, 0.12, 0.06), {"vo": _forms(0.12, 0.02)["vo"]})
    ),
    "bullied_belongings": _Spec(BULLYING, 0.55, _forms(0.15, 0.02)),
    "bullied_threat": _Spec(BULLYING, 0.60, _forms(0.10, 0.015, 0.07, 0.04)),
    "bullied_online": _Spec(
        BULLYING, 0.55, _merge(_forms(0.12, 0.02), {"vo": _forms(0.18, 0.03)["vo"]})
    ),
    "bullied_origin": _Spec(BULLYING, 0.45, _forms(0.08, 0.015), decline=_SENSITIVE),
    "bullied_religion": _Spec(BULLYING, 0.40, _forms(0.05, 0.008), decline=_SENSITIVE),
    "bullied_gender": _Spec(BULLYING, 0.45, _forms(0.07, 0.012), decline=_SENSITIVE),
    "bullied_orientation": _Spec(
        BULLYING,
        0.45,
        _merge(_forms(0.04, 0.008), {"vo": _forms(0.07, 0.012)["vo"]}),
        decline=_SENSITIVE,
    ),
    "bullied_disability": _Spec(BULLYING, 0.40, _forms(0.05, 0.008)),
    "bullied_sexual": _Spec(
        BULLYING,
        0.50,
        _merge(_forms(0.06, 0.01), {"vo": _forms(0.12, 0.02)["vo"]}),
        decline=_SENSITIVE,
    ),
    # follow-ups of bullied pupils
    "bullied_where": _Spec(
        None,
        0.0,
        {
            "po": (0.30, 0.32, 0.12, 0.12, 0.08, 0.06),
            "vo": (0.28, 0.15, 0.17, 0.25, 0.08, 0.07),
        },
    ),
    "bullied_by": _Spec(
        None, 0.0, {"po": (0.50, 0.28, 0.08, 0.03, 0.11), "vo": (0.45, 0.27, 0.12, 0.03, 0.13)}
    ),
    # yes/no: codes ascending (no, yes); pupils who are doing well tell someone more often
    "told_staff": _Spec(
        WELLBEING, 0.25, {"po": (0.45, 0.55), "vo": (0.65, 0.35), "so": (0.4, 0.6)}
    ),
    "told_parent": _Spec(WELLBEING, 0.25, {"po": (0.35, 0.65), "vo": (0.50, 0.50)}),
    "told_friend": _Spec(WELLBEING, 0.20, {"po": (0.40, 0.60), "vo": (0.35, 0.65)}),
    "adult_helped": _Spec(SAFETY, 0.35, {"po": (0.30, 0.35, 0.35), "vo": (0.35, 0.35, 0.30)}),
    # perpetration goes a little with being bullied (bully-victims)
    "bullying_others": _Spec(
        BULLYING,
        0.25,
        {
            "po": (0.80, 0.15, 0.025, 0.015, 0.01),
            "vo": (0.78, 0.17, 0.025, 0.015, 0.01),
            "so": (0.85, 0.10, 0.05),
        },
    ),
    "adults_act": _Spec(SAFETY, 0.45, _AGREE, shift=-0.10),
    "gender": _Spec(
        None,
        0.0,
        {"po": (0.495, 0.495, 0.01), "vo": (0.49, 0.49, 0.02), "so": (0.62, 0.37, 0.01)},
        decline=_SENSITIVE,
    ),
}
_CONSTRUCT_TRAIT = {
    "veiligheidsbeleving": SAFETY,
    "welbevinden": WELLBEING,
    "aantasting": BULLYING,
    "aanpak": SAFETY,
}


def _generic_shares(kind: str, size: int) -> tuple[float, ...]:
    """Shares for an item the model has no targets for: agreement leans to agree, frequency
    to never, the rest spread evenly."""
    if kind == "agreement":
        weights = [float(index + 1) ** 2 for index in range(size)]
    elif kind == "frequency":
        weights = [0.25**index for index in range(size)]
    else:
        weights = [1.0] * size
    total = sum(weights)
    return tuple(weight / total for weight in weights)


@dataclass(frozen=True)
class _ItemModel:
    """One item in one band, ready to draw: ``codes[i]`` is the answer in slice ``i``."""

    codes: npt.NDArray[np.int8]
    cuts: Floats  # ordered: cut points on N(0, 1); nominal: cumulative shares
    ordered: bool
    trait: int | None
    loading: float
    decline: float

    def draw(self, latent: Floats, rng: np.random.Generator) -> npt.NDArray[np.int8]:
        """Answer codes for pupils with these values of the item's trait (one per pupil)."""
        if self.ordered:
            noise = rng.standard_normal(len(latent))
            y = self.loading * latent + math.sqrt(1.0 - self.loading**2) * noise
            return self.codes[np.searchsorted(self.cuts, y)]
        return self.codes[np.searchsorted(self.cuts, rng.random(len(latent)), side="right")]

    def declines(self, propensity: Floats, rng: np.random.Generator) -> Bools:
        """Which pupils, with these decline propensities, say "I'd rather not say"."""
        return rng.random(len(propensity)) < propensity * self.decline


def _item_model(q: Questionnaire, item: Item, options: OptionSet, band: str) -> _ItemModel:
    scale = q.answer_scales.get(item.scale)
    kind = scale.kind if scale is not None else "nominal"
    codes = sorted(option.code for option in options.options)
    if not all(DECLINED < code <= np.iinfo(np.int8).max and code != UNANSWERED for code in codes):
        raise InvalidInput(
            f"item {item.id!r} has option codes {codes} in band {band}; synthetic data needs "
            "codes from 1 to 127"
        )
    spec = _SPECS.get(item.id)
    if spec is None:
        trait = _CONSTRUCT_TRAIT.get(item.construct_id) if kind != "nominal" else None
        spec = _Spec(trait, 0.6 if trait is not None else 0.0, {})
    shares = spec.shares.get(band)
    if shares is None or len(shares) != len(codes):
        shares = _generic_shares(kind, len(codes))
    if item.reverse:
        codes.reverse()  # the shares are those of the turned answer
    ordered = kind != "nominal"
    cumulative = np.cumsum(shares)[:-1] / sum(shares)
    if ordered:
        cuts = np.array([_NORMAL.inv_cdf(share) for share in cumulative]) - spec.shift
    else:
        cuts = cumulative
    return _ItemModel(
        codes=np.array(codes, dtype=np.int8),
        cuts=cuts,
        ordered=ordered,
        trait=spec.trait if ordered else None,
        loading=spec.loading if ordered else 0.0,
        decline=spec.decline,
    )


@dataclass(frozen=True)
class _Model:
    """The item models of a questionnaire, per (item id, band)."""

    items: Mapping[tuple[str, str], _ItemModel]
    # How many items every pupil of a band sees (no condition): where a stopper may stop.
    always_shown: Mapping[str, int]


_MODELS: dict[tuple[str, str], _Model] = {}


def _model(q: Questionnaire) -> _Model:
    key = (q.id, q.version)
    if key not in _MODELS:
        items: dict[tuple[str, str], _ItemModel] = {}
        always: dict[str, int] = {}
        for band in q.bands:
            always[band] = 0
            for _, item in q.items_in_band(band):
                options = q.options(item, band)
                if item.id.startswith(PSEUDO_PREFIX) or options is None:
                    continue
                items[item.id, band] = _item_model(q, item, options, band)
                always[band] += item.condition is None
        _MODELS[key] = _Model(items, always)
    return _MODELS[key]


# ----------------------------------------------------------------------------- pupils


def _school_effects(rng: np.random.Generator, count: int, previous: Floats | None = None) -> Floats:
    fresh: Floats = rng.standard_normal((count, len(TRAITS))) @ _CHOLESKY.T
    if previous is None:
        return fresh
    drifted: Floats = YEAR_TO_YEAR * previous + math.sqrt(1.0 - YEAR_TO_YEAR**2) * fresh
    return drifted


def draw_school_effect(rng: np.random.Generator, previous: Floats | None = None) -> Floats:
    """A school's shared part of the three traits, ~ N(0, R); given last year's effect, one
    that correlates with it (:data:`YEAR_TO_YEAR`), so a school keeps its character."""
    earlier = None if previous is None else np.asarray(previous, dtype=np.float64)[None, :]
    effect: Floats = _school_effects(rng, 1, earlier)[0]
    return effect


def _profiles(rng: np.random.Generator, effects: Floats) -> tuple[Floats, Floats, Floats]:
    """Traits (n x 3), decline propensities and stop fractions (NaN: answers to the end) of
    pupils whose schools have these effects (one row per pupil)."""
    count = len(effects)
    own = rng.standard_normal((count, len(TRAITS))) @ _CHOLESKY.T
    traits = np.sqrt(1.0 - ICC) * own + np.sqrt(ICC) * effects
    decline = rng.beta(_DECLINE_A, _DECLINE_B, count)
    stops = rng.random(count) < PARTIAL_SHARE
    stop = np.where(stops, rng.random(count), np.nan)
    return traits, decline, stop


@dataclass(frozen=True)
class Profile:
    """One synthetic pupil: latent traits (see :data:`TRAITS`), how often they decline to
    answer, where they stop (a fraction, ``None``: they answer to the end) and their own
    random stream, from which :func:`choose` draws their answers."""

    traits: tuple[float, float, float]
    decline: float
    stop: float | None
    rng: np.random.Generator = field(repr=False, compare=False)


def draw_profile(rng: np.random.Generator, school_effect: Floats) -> Profile:
    """A pupil of the school with ``school_effect`` (see :func:`draw_school_effect`)."""
    effect = np.asarray(school_effect, dtype=np.float64).reshape(1, len(TRAITS))
    traits, decline, stop = _profiles(rng, effect)
    safety, wellbeing, bullying = (float(value) for value in traits[0])
    stops = not math.isnan(stop[0])
    return Profile(
        traits=(safety, wellbeing, bullying),
        decline=float(decline[0]),
        stop=float(stop[0]) if stops else None,
        rng=rng.spawn(1)[0],
    )


def stop_position(stop: float | None, always_shown: int) -> int | None:
    """How many questions a pupil with stop fraction ``stop`` answers before stopping.

    ``1 + floor(stop * (always_shown - 1))``: at least one, and fewer than the items every
    pupil of the band sees, so a stopper never completes. ``None`` when the pupil does not stop.
    """
    if stop is None or always_shown < 2:
        return None
    return 1 + math.floor(stop * (always_shown - 1))


def _stop_positions(stop: Floats, always_shown: int) -> Ints:
    """:func:`stop_position` for many pupils; answering to the end is a very large position."""
    never = np.iinfo(np.int32).max
    if always_shown < 2:
        return np.full(len(stop), never, dtype=np.int64)
    fraction = np.nan_to_num(stop, nan=0.0)
    position = 1 + np.floor(fraction * (always_shown - 1)).astype(np.int64)
    return np.where(np.isnan(stop), never, position)


def choose(
    profile: Profile, questionnaire: Questionnaire, band: str, item: Item, option_set: OptionSet
) -> str | None:
    """The option id the pupil picks for ``item`` in ``band``; ``None``: "I'd rather not say"."""
    known = _model(questionnaire).items.get((item.id, band))
    model = known or _item_model(questionnaire, item, option_set, band)
    if model.declines(np.array([profile.decline]), profile.rng)[0]:
        return None
    latent = profile.traits[model.trait] if model.trait is not None else 0.0
    code = int(model.draw(np.array([latent]), profile.rng)[0])
    option = option_set.by_code(code)
    if option is None:  # pragma: no cover - the model's codes are the option set's
        raise InvalidInput(f"item {item.id!r} has no option with code {code} in band {band}")
    return option.id


def respond(
    profile: Profile, questionnaire: Questionnaire, band: str, screen: Screen, answered: int
) -> Input | None:
    """What the pupil does on ``screen`` after answering ``answered`` questions: start, go on
    from the support card, answer, say "rather not", or stop; ``None`` at the outro."""
    if isinstance(screen, Intro):
        return Start()
    if isinstance(screen, SupportCard):
        return Continue()
    if isinstance(screen, Outro):
        return None
    stop = stop_position(profile.stop, _model(questionnaire).always_shown.get(band, 0))
    if stop is not None and answered >= stop:
        return Stop()
    item = questionnaire.item(screen.item_id)
    options = questionnaire.options(item, band) if item is not None else None
    if item is None or options is None:
        raise InvalidInput(f"the engine asked item {screen.item_id!r}, unknown in band {band}")
    chosen = choose(profile, questionnaire, band, item, options)
    return PreferNotToSay() if chosen is None else Choose(screen.item_id, chosen)


# ----------------------------------------------------------------------------- vectorised


def _holds(
    q: Questionnaire,
    band: str,
    condition: Condition,
    codes: Mapping[str, npt.NDArray[np.int8]],
    shown: Mapping[str, Bools],
    count: int,
) -> Bools:
    """:func:`flows.conditions.holds` for many pupils: only shown items answered with a code
    (not declined, not unanswered) count."""
    if isinstance(condition, AnyOf | AllOf):
        parts = [_holds(q, band, inner, codes, shown, count) for inner in condition.conditions]
        combined: Bools = (np.any if isinstance(condition, AnyOf) else np.all)(parts, axis=0)
        return combined
    result = np.zeros(count, dtype=np.bool_)
    for ref in q.refs(condition):
        if ref not in codes:
            continue
        value = codes[ref]
        answered = shown[ref] & (value != UNANSWERED) & (value != DECLINED)
        if isinstance(condition, AnyAtLeast):
            result |= answered & (value >= condition.code)
            continue
        item = q.item(ref)
        options = q.options(item, band) if item is not None else None
        marked = options.marks.get(condition.mark, frozenset()) if options is not None else ()
        result |= answered & np.isin(value, sorted(marked))
    return result


def _answer_band(
    q: Questionnaire,
    band: str,
    traits: Floats,
    decline: Floats,
    stop: Floats,
    rng: np.random.Generator,
) -> tuple[dict[str, npt.NDArray[np.int8]], Bools]:
    """Answers of pupils of one band (item id -> codes) and who completed, as the engine would
    store them: items in order, each shown when its condition holds on the answers so far,
    declined as :data:`DECLINED`, items a stopper did not reach :data:`UNANSWERED`."""
    model = _model(q)
    count = len(traits)
    limit = _stop_positions(stop, model.always_shown.get(band, 0))
    position = np.zeros(count, dtype=np.int64)  # questions shown so far
    codes: dict[str, npt.NDArray[np.int8]] = {}
    shown: dict[str, Bools] = {}
    for _, item in q.items_in_band(band):
        item_model = model.items.get((item.id, band))
        if item_model is None:
            continue
        show = (
            np.ones(count, dtype=np.bool_)
            if item.condition is None
            else _holds(q, band, item.condition, codes, shown, count)
        )
        latent = traits[:, item_model.trait] if item_model.trait is not None else np.zeros(count)
        value = item_model.draw(latent, rng)
        value[item_model.declines(decline, rng)] = DECLINED
        asked = show & (position < limit)
        codes[item.id] = np.where(asked, value, np.int8(UNANSWERED)).astype(np.int8)
        shown[item.id] = show
        position += show
    return codes, position <= limit


def _letters(index: int) -> str:
    """A, B, ..., Z, AA, AB, ...: the letter part of a group name."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


def _brin(index: int) -> str:
    """A distinct made-up BRIN per school (up to :data:`MAX_SCHOOLS`): two digits, two letters."""
    first, second = divmod(index % 676, 26)
    return f"{index // 676:02d}{chr(ord('A') + first)}{chr(ord('A') + second)}"


def _previous_school_year(school_year: str, back: int) -> str:
    first = int(school_year[:4]) - back
    return f"{first}-{first + 1}"


@dataclass(frozen=True)
class _Year:
    responses: pd.DataFrame
    groups: pd.DataFrame


def _year(
    q: Questionnaire,
    school_year: str,
    school_names: Sequence[str],
    sectors: Sequence[str],
    effects: Floats,
    pupils: int,
    rng: np.random.Generator,
) -> _Year:
    """One school year: groups with enrolment, and every pupil's answers."""
    schools = len(school_names)
    sector_of = np.array(sectors)
    weight = np.array([_SECTOR_SIZE[s] for s in sectors]) * rng.lognormal(0.0, 0.45, schools)
    size = 1 + rng.multinomial(pupils - schools, weight / weight.sum())  # >= 1 per school
    group_count = np.maximum(1, np.rint(size / _GROUP_RESPONDENTS)).astype(np.int64)
    group_school = np.repeat(np.arange(schools), group_count)
    first_group = np.concatenate(([0], np.cumsum(group_count)[:-1]))
    # Groups spread over the sector's grades in order; a small school has fewer grades.
    grade = np.empty(len(group_school), dtype=np.int64)
    names: list[str] = []
    for school, (start, groups_here) in enumerate(zip(first_group, group_count, strict=True)):
        grades = _SECTOR_GRADES[sectors[school]]
        here = [grades[j * len(grades) // groups_here] for j in range(groups_here)]
        grade[start : start + groups_here] = here
        seen: dict[int, int] = {}
        for value in here:
            names.append(f"{value}{_letters(seen.get(value, 0))}")
            seen[value] = seen.get(value, 0) + 1
    # One pupil per group, the rest spread by group weights (groups differ in size).
    group_weight = rng.gamma(6.0, 1.0, len(group_school))
    cumulative = np.cumsum(group_weight)
    start_weight = np.concatenate(([0.0], cumulative))[first_group]
    end_weight = cumulative[first_group + group_count - 1]
    extra_school = np.repeat(np.arange(schools), size - group_count)
    target = start_weight[extra_school] + rng.random(len(extra_school)) * (
        end_weight[extra_school] - start_weight[extra_school]
    )
    last_group = first_group + group_count - 1
    extra_group = np.minimum(
        np.maximum(np.searchsorted(cumulative, target, side="right"), first_group[extra_school]),
        last_group[extra_school],
    )
    respondents = 1 + np.bincount(extra_group, minlength=len(group_school))
    rate = np.maximum(_RATE_FLOOR, rng.beta(_RATE_A, _RATE_B, len(group_school)))
    enrolled = np.maximum(respondents, np.ceil(respondents / rate)).astype(np.int64)

    row_group = np.repeat(np.arange(len(group_school)), respondents)
    row_school = group_school[row_group]
    row_grade = grade[row_group]
    row_sector = sector_of[row_school]
    traits, decline, stop = _profiles(rng, effects[row_school])
    band_of_group = np.array(
        [
            age_band_for(sectors[int(school)], int(level)).value
            for school, level in zip(group_school, grade, strict=True)
        ]
    )
    row_band = band_of_group[row_group]
    count = len(row_group)
    items = item_ids(q)
    columns = {item: np.zeros(count, dtype=np.int8) for item in items}
    completed = np.zeros(count, dtype=np.bool_)
    for band in q.bands:
        rows = np.flatnonzero(row_band == band)
        if not len(rows):
            continue
        answers, done = _answer_band(q, band, traits[rows], decline[rows], stop[rows], rng)
        for item, codes in answers.items():
            columns[item][rows] = codes
        completed[rows] = done

    group_names = np.array(names)
    responses = pd.DataFrame(
        {
            "school": pd.Categorical.from_codes(row_school, categories=pd.Index(school_names)),
            "school_year": pd.Categorical.from_codes(
                np.zeros(count, dtype=np.int64), categories=pd.Index([school_year])
            ),
            "sector": pd.Categorical(row_sector, categories=[s.value for s in Sector]),
            "band": pd.Categorical(row_band, categories=list(q.bands)),
            "group": pd.Categorical(group_names[row_group]),
            "grade": row_grade.astype(np.int8),
            "completed": completed,
            **columns,
        }
    )
    groups = pd.DataFrame(
        {
            "school": np.array(school_names)[group_school],
            "school_year": school_year,
            "group": group_names,
            "grade": grade,
            "enrolled": enrolled,
        }
    )
    return _Year(responses, groups)


def synthetic_dataset(
    questionnaire: Questionnaire,
    *,
    schools: int,
    pupils: int,
    school_year: str,
    seed: int,
    sectors: Mapping[str, float] | None = None,
    previous_years: int = 0,
    consent: float = 0.95,
    status: str = "closed",
) -> Dataset:
    """A whole synthetic monitor: ``schools`` schools with ``pupils`` responses per school year.

    Schools get a sector from ``sectors`` (weights, default :data:`DEFAULT_SECTORS`), a size
    (VO larger than PO, log-normal spread) and class groups of different sizes in the sector's
    grades; a group's enrolment is its respondents divided by a response rate of mostly 70-95 %.
    Answers follow the module's model and the questionnaire's conditions: follow-ups only for
    pupils who meet them, items outside a pupil's band (and after a stopper stopped)
    :data:`~analytics.dataset.UNANSWERED`, "rather not say" :data:`~analytics.dataset.DECLINED`.

    ``previous_years`` adds that many earlier school years of the same schools (school effects
    correlated from year to year), for comparisons. Each (school, year) has a round with
    ``status`` and consent for a share ``consent`` of them. Deterministic for a given ``seed``.
    """
    parse_school_year(school_year)
    if not 1 <= schools <= MAX_SCHOOLS:
        raise InvalidInput(f"schools must be from 1 to {MAX_SCHOOLS}, got {schools}")
    if pupils < schools:
        raise InvalidInput(
            f"{pupils} pupils for {schools} schools: every school needs at least one pupil"
        )
    if previous_years < 0:
        raise InvalidInput(f"previous_years must be 0 or more, got {previous_years}")
    if not 0.0 <= consent <= 1.0:
        raise InvalidInput(f"consent must be a share from 0 to 1, got {consent}")
    mix = dict(DEFAULT_SECTORS if sectors is None else sectors)
    unknown = sorted(set(mix) - {s.value for s in Sector})
    if unknown or any(w < 0 or not math.isfinite(w) for w in mix.values()):
        raise InvalidInput(f"sectors must map po/so/vo/vso to weights of 0 or more, got {mix}")
    total = sum(mix.values())
    if total <= 0:
        raise InvalidInput("give at least one sector a weight above 0")
    _model(questionnaire)  # refuses option codes that do not fit the dataset

    rng = np.random.default_rng(seed)
    kinds = list(mix)
    sector_list = [
        kinds[index]
        for index in rng.choice(len(kinds), size=schools, p=[mix[k] / total for k in kinds])
    ]
    codes = [f"{_brin(index)}00" for index in range(schools)]
    years = [_previous_school_year(school_year, back) for back in range(previous_years, -1, -1)]
    effects: Floats | None = None
    parts: list[_Year] = []
    for year in years:
        effects = _school_effects(rng, schools, effects)
        parts.append(_year(questionnaire, year, codes, sector_list, effects, pupils, rng))

    responses = pd.concat([part.responses for part in parts], ignore_index=True)
    for column in ("school", "sector", "band"):
        categories = parts[0].responses[column].cat.categories
        responses[column] = pd.Categorical(responses[column], categories=categories)
    responses["school_year"] = pd.Categorical(responses["school_year"], categories=years)
    responses["group"] = responses["group"].astype("category")
    rounds = pd.DataFrame(
        {
            "school": [code for _ in years for code in codes],
            "school_year": [year for year in years for _ in codes],
            "questionnaire_id": questionnaire.id,
            "questionnaire_version": questionnaire.version,
            "status": status,
            "consent": rng.random(len(years) * schools) < consent,
        }
    )
    return Dataset(
        questionnaire=questionnaire,
        responses=responses,
        groups=pd.concat([part.groups for part in parts], ignore_index=True),
        schools=pd.DataFrame(
            {
                "school": codes,
                "brin": [code[:4] for code in codes],
                "vestiging": [code[4:] for code in codes],
                "name": [f"Synthetische school {index + 1}" for index in range(schools)],
                "sector": sector_list,
            }
        ),
        rounds=rounds,
    )
