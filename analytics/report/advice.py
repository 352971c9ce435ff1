"""What the school could do next: suggestions chosen by the school's own figures.

Each suggestion is a text of the report catalogue (``advice:*`` in ``texts.yaml``), chosen by a
rule on :class:`~analytics.school_results.SchoolResults`. The thresholds, the national figures
and which forms count as discrimination are data (``rules.yaml``). The suggestions rest on
the meta-analyses of school anti-bullying programmes (Ttofi & Farrington, 2011; Gaffney, Ttofi &
Farrington, 2021) and on the duties of the Wet veiligheid op school; they are named in the
texts themselves, so a reader can check them.

Order: most pressing first (the response, then harm, then where it happens, then what follows
a report), ending with the standing ones.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from analytics.report.i18n import Words
from analytics.report.numbers import Numbers
from analytics.school_results import (
    DECLINED_OPTION,
    SchoolFigures,
    SchoolResults,
    ShareFigure,
    Verdict,
)
from flows.model import Questionnaire

__all__ = ["Rules", "Suggestion", "rules", "suggestions"]


@dataclass(frozen=True, slots=True)
class Rules:
    """The data of ``rules.yaml``."""

    national_year: str
    national: dict[str, dict[str, float]]
    worse_when_higher: frozenset[str]
    discrimination_forms: tuple[str, ...]
    low_percentile: float
    national_margin: float
    top_option_share: float
    discrimination_share: float
    low_mark_share: float

    def national_figure(self, scale: str, band: str | None) -> float | None:
        return self.national.get(scale, {}).get(band or "")


@functools.cache
def rules() -> Rules:
    raw: Any = yaml.safe_load(
        resources.files("analytics.report").joinpath("rules.yaml").read_text("utf-8")
    )
    limits = raw["thresholds"]
    return Rules(
        national_year=str(raw["national"]["school_year"]),
        national={k: dict(v) for k, v in raw["national"]["figures"].items()},
        worse_when_higher=frozenset(raw["worse_when_higher"]),
        discrimination_forms=tuple(raw["discrimination_forms"]),
        low_percentile=float(limits["low_percentile"]),
        national_margin=float(limits["national_margin"]),
        top_option_share=float(limits["top_option_share"]),
        discrimination_share=float(limits["discrimination_share"]),
        low_mark_share=float(limits["low_mark_share"]),
    )


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggestion: its catalogue ``key`` and the text in the reader's language."""

    key: str
    text: str


def _low(figure: ShareFigure | None, worse_when_higher: bool, rule: Rules) -> bool:
    """The share is on the bad side of the peers (percentile)."""
    if figure is None or figure.share is None:
        return False
    if figure.peers is not None:
        p = figure.peers.percentile
        return p >= 100 - rule.low_percentile if worse_when_higher else p <= rule.low_percentile
    return False


def _on_the_bad_side(figures: SchoolFigures, name: str, band: str | None, rule: Rules) -> bool:
    """The share ``name`` is on the bad side of the peers (:func:`_low`) or of the national
    figure: at or above it for a harm figure, at least ``national_margin`` below it else."""
    figure = figures.share(name)
    worse_when_higher = name in rule.worse_when_higher
    if _low(figure, worse_when_higher, rule):
        return True
    national = rule.national_figure(name, band)
    if figure is None or figure.share is None or national is None:
        return False
    if worse_when_higher:
        return figure.share >= national
    return figure.share <= national - rule.national_margin


def _worse(results: SchoolResults, figures: SchoolFigures, rule: Rules, words: Words) -> list[str]:
    worse = []
    for scale in figures.scales:
        if scale.change is not None and scale.change.significant and scale.change.difference < 0:
            worse.append(words.get(f"scale:{scale.scale}", scale.scale))
    for share in figures.shares:
        change = share.change
        if change is None or not change.significant:
            continue
        higher_is_worse = share.name in rule.worse_when_higher
        if (change.difference > 0) == higher_is_worse:
            worse.append(words.get(f"scale:{share.name}", share.name))
    return worse


def suggestions(
    results: SchoolResults, questionnaire: Questionnaire, words: Words
) -> list[Suggestion]:
    """The suggestions for this school, most pressing first; empty when nothing is published."""
    figures = results.figures
    if figures is None:
        return []
    rule = rules()
    numbers = Numbers(words.code)
    chosen: list[tuple[str, dict[str, object]]] = [("advice:discuss", {})]
    verdict = figures.representativeness
    if verdict.verdict is not Verdict.REPRESENTATIVE:
        chosen.append(
            (
                "advice:response",
                {
                    "required": numbers.count(verdict.required),
                    "enrolled": numbers.count(verdict.enrolled),
                },
            )
        )

    if _on_the_bad_side(figures, "voelt_zich_veilig", results.band, rule):
        chosen.append(("advice:feels_safe", {}))
    if _on_the_bad_side(figures, "gepest", results.band, rule):
        chosen.append(("advice:whole_school", {}))

    # The most named place and person, when a suggestion for it exists.
    for follow in figures.follow_ups:
        item = questionnaire.item(follow.item)
        if item is None or not follow.shown:
            continue
        answered = [o for o in follow.options if o.option != DECLINED_OPTION]
        if not answered:
            continue
        top = max(answered, key=lambda option: option.count)
        key = f"advice:option:{item.scale}:{top.option}"
        if top.share >= rule.top_option_share and words.has(key):
            chosen.append((key, {}))

    # What follows a report: told someone, an adult helped, adults act.
    marked = [mark for follow in figures.follow_ups for mark in follow.marks[:1]]
    for figure in [*marked, *figures.items]:
        key = f"advice:low:{figure.name}"
        if figure.share is not None and figure.share < rule.low_mark_share and words.has(key):
            chosen.append((key, {}))

    named = [
        words.get(f"item:{form.name}", form.name)
        for form in figures.forms
        if form.name in rule.discrimination_forms
        and form.share is not None
        and form.share >= rule.discrimination_share
    ]
    if named:
        chosen.append(("advice:discrimination", {"forms": ", ".join(named)}))

    worse = _worse(results, figures, rule, words)
    if worse:
        chosen.append(("advice:worse", {"figures": ", ".join(worse)}))

    wellbeing = figures.scale("welbevinden")
    if (
        wellbeing is not None
        and wellbeing.peers is not None
        and wellbeing.peers.percentile <= rule.low_percentile
    ):
        chosen.append(("advice:wellbeing", {}))
    chosen.append(("advice:contact", {}))
    return [Suggestion(key, words(key, **fields)) for key, fields in chosen]
