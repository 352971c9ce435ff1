"""What the school report says: every sentence, table and chart, from :class:`SchoolResults`.

Every number in the report is taken from the results object, which holds no figure about
fewer than ``min_n`` pupils; hidden figures arrive as ``None`` and are printed as a dash or
left out. Wording comes from the ``report`` catalogue (:mod:`analytics.report.i18n`), numbers
are written by :class:`~analytics.report.numbers.Numbers`.

Reading order: a one-page summary (the law's three questions, who took part, what to do next),
then scores beside other schools and last year, bullying and what followed, participation and
breakdowns, and finally all suggestions with the notes on method.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from analytics.report.advice import Suggestion, rules, suggestions
from analytics.report.charts import Bar, Legend, Panel, Point, bar_chart, comparison_chart
from analytics.report.document import Block, Chart, Document, Heading, PageBreak, Table, Text
from analytics.report.i18n import Words, words
from analytics.report.numbers import HIDDEN, Numbers
from analytics.school_results import (
    DECLINED_OPTION,
    GRADE,
    GROUP,
    UNKNOWN,
    Breakdown,
    Change,
    ItemShares,
    MeanFigure,
    Peers,
    SchoolFigures,
    SchoolResults,
    ShareFigure,
    Verdict,
)
from analytics.suppression import Suppression
from flows.model import Questionnaire

__all__ = ["SUMMARY_SUGGESTIONS", "TEXT_LIMIT", "Content", "build"]

#: Telegram's limit for one message; the text summary stays within it.
TEXT_LIMIT = 4096
#: Suggestions on the summary page; the rest are on the last page.
SUMMARY_SUGGESTIONS = 2


class Content:
    """Builds the document of one school's report in one language."""

    def __init__(
        self, results: SchoolResults, questionnaire: Questionnaire, language: str, today: date
    ) -> None:
        self.results = results
        self.q = questionnaire
        self.w: Words = words(language)
        self.n = Numbers(language)
        self.today = today
        self.suggestions: list[Suggestion] = suggestions(results, questionnaire, self.w)
        # "No comparison yet" and "no figures of last year" are said once, not per figure.
        self._no_reference_said = False
        self._no_previous_said = False

    # ------------------------------------------------------------------ names

    def scale_name(self, name: str, *, capital: bool = False) -> str:
        text = self.w.get(f"scale:{name}", name)
        return text[:1].upper() + text[1:] if capital else text

    def short_name(self, name: str) -> str:
        """A scale's name for a narrow table column."""
        return self.w.get(f"short:{name}", self.scale_name(name, capital=True))

    def item_name(self, item: str, *, capital: bool = False) -> str:
        text = self.w.get(f"item:{item}", item)
        return text[:1].upper() + text[1:] if capital else text

    def sector_name(self) -> str:
        return self.w.get(f"sector:{self.results.sector}", self.results.sector)

    def dimension_name(self, dimension: str) -> str:
        if dimension == GRADE:
            return self.w.get(f"dimension:grade:{self.results.band}", dimension)
        return self.w.get(f"dimension:{dimension}", dimension)

    def category_name(self, dimension: str, category: str) -> str:
        """A breakdown category as a reader knows it: "groep 7", "7B", "Meisje"."""
        if dimension == GRADE:
            return f"{self.dimension_name(GRADE)} {category}"
        if dimension == GROUP:
            return category
        if category == UNKNOWN:
            return self.w("unknown_category")
        item = self.q.item(dimension)
        options = (
            None
            if item is None or self.results.band is None
            else (self.q.options(item, self.results.band))
        )
        option = None if options is None else options.by_id(category)
        if item is None or option is None:
            return category
        return self.w.option(self.q, item.scale, option)

    def option_name(self, item_id: str, option_id: str) -> str:
        item = self.q.item(item_id)
        band = self.results.band
        options = None if item is None or band is None else self.q.options(item, band)
        option = None if options is None else options.by_id(option_id)
        if item is None or option is None:
            return option_id
        return self.w.option(self.q, item.scale, option)

    # ------------------------------------------------------------------ sentences

    def _value(self, value: float, *, share: bool) -> str:
        return self.n.share(value) if share else self.n.mean(value)

    def reference_sentence(self, value: float, peers: Peers | None, *, share: bool) -> str | None:
        if peers is None:
            if self._no_reference_said:
                return None
            self._no_reference_said = True
            return self.w("no_reference", min_schools=self.results.min_schools)
        shown, reference = (
            self._value(value, share=share),
            self._value(peers.reference, share=share),
        )
        key = "reference_same"
        if shown != reference:
            key = "reference_higher" if value > peers.reference else "reference_lower"
        return self.w(key, sector=self.sector_name(), reference=reference)

    def percentile_sentence(self, peers: Peers | None) -> str | None:
        if peers is None:
            return None
        return self.w(
            "percentile",
            percent=f"{self.n.percentile(peers.percentile)}%",
            schools=self.n.count(peers.schools),
        )

    def change_sentence(self, change: Change | None, *, share: bool) -> str | None:
        if change is None:
            if self._no_previous_said:
                return None
            self._no_previous_said = True
            return self.w("no_previous", year=self.results.previous_school_year)
        key = "change_none"
        if change.significant:
            key = "change_up" if change.difference > 0 else "change_down"
        return self.w(
            key,
            year=change.previous_school_year,
            previous=self._value(change.previous, share=share),
        )

    def national_sentence(self, scale: str) -> str | None:
        rule = rules()
        figure = rule.national_figure(scale, self.results.band)
        if figure is None:
            return None
        year = rule.national_year
        if scale == "voelt_zich_veilig":
            return self.w("national_feels_safe", year=year, share=self.n.share(figure))
        level = self.w.get(f"level:{self.results.band}", str(self.results.band))
        return self.w("national_bullied", year=year, share=self.n.share(figure), level=level)

    def share_sentence(self, key: str, figure: ShareFigure | None) -> str | None:
        if figure is None or figure.share is None:
            return None
        return self.w(
            key,
            share=self.n.share(figure.share),
            low=self.n.share(figure.ci_low),
            high=self.n.share(figure.ci_high),
        )

    def mean_sentence(self, figure: MeanFigure) -> str:
        return self.w(
            "scale_mean",
            scale=self.scale_name(figure.scale),
            mean=self.n.mean(figure.mean),
            low=figure.low,
            high=figure.high,
        )

    @staticmethod
    def join(parts: Sequence[str | None]) -> str:
        return " ".join(part for part in parts if part)

    # ------------------------------------------------------------------ summary

    def summary(self, figures: SchoolFigures) -> list[Block]:
        blocks: list[Block] = [Heading(self.w("summary_heading"))]
        blocks.append(Heading(self.w("question_safety"), 2))
        feels = self.share_paragraph("feels_safe", figures.share("voelt_zich_veilig"))
        if feels is not None:
            blocks.append(Text(feels))
        safety = figures.scale("veiligheidsbeleving")
        if safety is not None:
            blocks.append(Text(self.scale_paragraph(safety, with_change=False)))

        blocks.append(Heading(self.w("question_harm"), 2))
        bullied = self.share_paragraph("bullied", figures.share("gepest"))
        if bullied is not None:
            blocks.append(Text(bullied))
        harm = figures.share("aantasting")
        blocks.append(
            Text(
                self.join(
                    [
                        self.share_sentence("any_harm", harm),
                        self.top_forms_sentence(figures),
                        self.top_place_sentence(figures),
                    ]
                )
            )
        )

        blocks.append(Heading(self.w("question_wellbeing"), 2))
        wellbeing = figures.scale("welbevinden")
        if wellbeing is not None:
            blocks.append(Text(self.scale_paragraph(wellbeing, with_change=True)))

        blocks.append(Heading(self.w("participation_heading"), 2))
        blocks.append(
            Text(self.join([self.participation_sentence(figures), self.verdict_sentence(figures)]))
        )
        blocks.append(Heading(self.w("next_heading"), 2))
        shown = [s for s in self.suggestions if s.key != "advice:discuss"][:SUMMARY_SUGGESTIONS]
        blocks.extend(Text(s.text, "bullet") for s in shown)
        blocks.append(Text(self.w("next_more"), "small"))
        return blocks

    def share_paragraph(self, key: str, figure: ShareFigure | None) -> str | None:
        """The share (sentence ``key``) beside the peers, last year and the national figure;
        None when the share is not shown."""
        if figure is None or figure.share is None:
            return None
        return self.join(
            [
                self.share_sentence(key, figure),
                self.reference_sentence(figure.share, figure.peers, share=True),
                self.change_sentence(figure.change, share=True),
                self.national_sentence(figure.name),
            ]
        )

    def scale_paragraph(self, figure: MeanFigure, *, with_change: bool) -> str:
        return self.join(
            [
                self.mean_sentence(figure),
                self.reference_sentence(figure.mean, figure.peers, share=False),
                self.percentile_sentence(figure.peers),
                self.change_sentence(figure.change, share=False) if with_change else None,
            ]
        )

    def top_forms_sentence(self, figures: SchoolFigures, count: int = 3) -> str | None:
        overall = {share.name for share in figures.shares}
        forms = [f for f in figures.forms if f.share is not None and f.share > 0]
        # The global item is the headline already; name the specific forms.
        specific = [f for f in forms if f.name not in overall and f.name != self.global_item()]
        top = sorted(specific, key=lambda f: (-(f.share or 0.0), f.name))[:count]
        if not top:
            return None
        named = ", ".join(f"{self.item_name(f.name)} ({self.n.share(f.share)})" for f in top)
        return self.w("top_forms", forms=named)

    def global_item(self) -> str | None:
        scale = self.q.scales.get("gepest")
        items = () if scale is None else self.q.refs(scale)
        return items[0] if items else None

    def top_place_sentence(self, figures: SchoolFigures) -> str | None:
        place = self.nominal_follow_ups(figures)[:1]
        if not place:
            return None
        answered = [o for o in place[0].options if o.option != DECLINED_OPTION and o.count > 0]
        top = sorted(answered, key=lambda o: (-o.count, o.option))[:2]
        if not top:
            return None
        names = ", ".join(
            f"{self.option_name(place[0].item, o.option).lower()} ({self.n.share(o.share)})"
            for o in top
        )
        return self.w("top_place", places=names)

    def nominal_follow_ups(self, figures: SchoolFigures) -> list[ItemShares]:
        found = []
        for follow in figures.follow_ups:
            item = self.q.item(follow.item)
            kind = None if item is None else self.q.answer_scales[item.scale].kind
            if kind == "nominal" and follow.shown:
                found.append(follow)
        return found

    def participation_sentence(self, figures: SchoolFigures) -> str:
        if figures.completion is None:  # started and completed would show a small count
            return self.w(
                "participation_counted",
                respondents=self.n.count(figures.respondents),
                enrolled=self.n.count(self.results.enrolled),
                rate=self.n.share(figures.response_rate),
            )
        return self.w(
            "participation",
            respondents=self.n.count(figures.respondents),
            enrolled=self.n.count(self.results.enrolled),
            rate=self.n.share(figures.response_rate),
            started=self.n.count(figures.completion.started),
            completed=self.n.count(figures.completion.completed),
        )

    def verdict_sentence(self, figures: SchoolFigures) -> str:
        verdict = figures.representativeness
        worst = verdict.worst
        min_rate = self.n.share(verdict.min_group_rate)
        if verdict.verdict is Verdict.TOO_FEW_RESPONSES:
            return self.w(
                "verdict_too_few",
                responded=self.n.count(verdict.responded),
                enrolled=self.n.count(verdict.enrolled),
                required=self.n.count(verdict.required),
            )
        if verdict.verdict is Verdict.NOT_REPRESENTATIVE and worst is not None:
            dimension = self.dimension_name(worst.dimension)
            category = worst.category
            if worst.responded is None:
                return self.w(
                    "verdict_not_representative_hidden",
                    dimension=dimension,
                    category=category,
                    enrolled=self.n.count(worst.enrolled),
                    min_rate=min_rate,
                )
            return self.w(
                "verdict_not_representative",
                dimension=dimension,
                category=category,
                responded=self.n.count(worst.responded),
                enrolled=self.n.count(worst.enrolled),
                rate=self.n.share(worst.rate),
                min_rate=min_rate,
            )
        lowest = worst.rate if worst is not None and worst.rate is not None else None
        return self.w(
            "verdict_representative",
            rate=self.n.share(verdict.rate),
            dimension=self.dimension_name(GRADE),
            worst_rate=self.n.share(lowest) if lowest is not None else min_rate,
        )

    # ------------------------------------------------------------------ scores

    def legend(self) -> Legend:
        return Legend(
            school=self.w("legend_school"),
            reference=self.w("legend_reference"),
            previous=self.w("legend_previous", year=self.results.previous_school_year),
        )

    def scores(self, figures: SchoolFigures) -> list[Block]:
        blocks: list[Block] = [
            Heading(self.w("scores_heading")),
            Text(self.w("scores_intro", min_schools=self.results.min_schools), "small"),
        ]
        if figures.scales:
            low = min(f.low for f in figures.scales)
            high = max(f.high for f in figures.scales)
            points = [
                Point(
                    label=self.scale_name(f.scale, capital=True),
                    value=f.mean,
                    low=f.ci_low,
                    high=f.ci_high,
                    reference=None if f.peers is None else f.peers.reference,
                    previous=None if f.change is None else f.change.previous,
                    text=self.n.mean(f.mean),
                )
                for f in figures.scales
            ]
            title = self.w("chart_scales_title")
            blocks.append(
                Chart(
                    "scores",
                    title,
                    comparison_chart(
                        points,
                        title=title,
                        axis=self.w("axis_scale", low=low, high=high),
                        legend=self.legend(),
                        low=low,
                        high=high,
                        percent=False,
                        decimal=self.n.decimal_mark(),
                    ),
                )
            )
        shown = [f for f in figures.shares if f.share is not None]
        if shown:
            points = [
                Point(
                    label=self.scale_name(f.name, capital=True),
                    value=f.share or 0.0,
                    low=f.ci_low,
                    high=f.ci_high,
                    reference=None if f.peers is None else f.peers.reference,
                    previous=None if f.change is None else f.change.previous,
                    text=self.n.share(f.share),
                )
                for f in shown
            ]
            title = self.w("chart_shares_title")
            blocks.append(
                Chart(
                    "shares",
                    title,
                    comparison_chart(
                        points,
                        title=title,
                        axis=self.w("axis_share"),
                        legend=self.legend(),
                        low=0.0,
                        high=1.0,
                        percent=True,
                    ),
                )
            )
        blocks.append(self.scores_table(figures))
        blocks.extend(self.reliability(figures))
        return blocks

    def scores_table(self, figures: SchoolFigures) -> Table:
        rows: list[tuple[str, ...]] = []
        for f in figures.scales:
            rows.append(
                (
                    self.scale_name(f.scale, capital=True),
                    self.n.mean(f.mean, 2),
                    self.n.interval(f.ci_low, f.ci_high, share=False),
                    self.n.count(f.n),
                    self.n.mean(None if f.peers is None else f.peers.reference, 2),
                    self.n.percentile(None if f.peers is None else f.peers.percentile),
                    self.n.mean(None if f.change is None else f.change.previous, 2),
                    self.change_text(f.change, share=False),
                )
            )
        for s in figures.shares:
            rows.append(
                (
                    self.scale_name(s.name, capital=True),
                    self.n.share(s.share),
                    self.n.interval(s.ci_low, s.ci_high, share=True)
                    if s.share is not None
                    else HIDDEN,
                    self.n.count(s.n),
                    self.n.share(None if s.peers is None else s.peers.reference),
                    self.n.percentile(None if s.peers is None else s.peers.percentile),
                    self.n.share(None if s.change is None else s.change.previous),
                    self.change_text(s.change, share=True),
                )
            )
        header = tuple(
            self.w(key)
            for key in (
                "col_figure",
                "col_school",
                "col_interval",
                "col_n",
                "col_reference",
                "col_percentile",
                "col_previous",
                "col_change",
            )
        )
        note = self.join(
            [self.w("significant_note"), self.w("hidden_note", min_n=self.results.min_n)]
        )
        return Table(header, tuple(rows), (0.22, 0.1, 0.16, 0.07, 0.12, 0.12, 0.1, 0.11), note)

    def change_text(self, change: Change | None, *, share: bool) -> str:
        if change is None:
            return HIDDEN
        text = (
            self.n.signed_points(change.difference) if share else self.n.signed(change.difference)
        )
        return text + (self.w("significant_mark") if change.significant else "")

    def reliability(self, figures: SchoolFigures) -> list[Block]:
        rows = []
        for f in figures.scales:
            r = f.reliability
            rows.append(
                (
                    self.scale_name(f.scale, capital=True),
                    HIDDEN if r is None else self.n.mean(r.alpha, 2),
                    HIDDEN if r is None else self.n.interval(r.ci_low, r.ci_high, share=False),
                    HIDDEN if r is None else self.n.count(r.n),
                )
            )
        if not rows:
            return []
        header = (
            self.w("col_figure"),
            self.w("col_alpha"),
            self.w("col_interval"),
            self.w("col_n"),
        )
        return [
            Heading(self.w("reliability_heading"), 2),
            Text(self.w("reliability_intro"), "small"),
            Table(header, tuple(rows), (0.4, 0.15, 0.3, 0.15)),
        ]

    # ------------------------------------------------------------------ harm

    def harm(self, figures: SchoolFigures) -> list[Block]:
        blocks: list[Block] = [Heading(self.w("harm_heading")), Text(self.w("harm_intro"), "small")]
        shown = [f for f in figures.forms if f.share is not None]
        hidden = [f for f in figures.forms if f.share is None]
        if shown:
            ordered = sorted(shown, key=lambda f: (-(f.share or 0.0), f.name))
            bars = tuple(
                Bar(
                    self.item_name(f.name, capital=True),
                    f.share,
                    self.n.share(f.share),
                    f.ci_low,
                    f.ci_high,
                )
                for f in ordered
            )
            title = self.w("chart_forms_title")
            blocks.append(
                Chart(
                    "forms",
                    title,
                    bar_chart([Panel("", bars)], title=title, axis=self.w("axis_share"), zoom=True),
                )
            )
        if hidden:
            names = ", ".join(self.item_name(f.name) for f in hidden)
            blocks.append(
                Text(self.w("forms_hidden_note", min_n=self.results.min_n, forms=names), "small")
            )
        for frequency in figures.frequencies:
            blocks.append(
                Text(
                    self.w(
                        "bullied_frequency",
                        mean=self.n.mean(frequency.mean),
                        low=frequency.low,
                        high=frequency.high,
                    ),
                    "small",
                )
            )
        nominal = self.nominal_follow_ups(figures)
        if nominal:
            panels = []
            for follow in nominal:
                answered = [o for o in follow.options if o.option != DECLINED_OPTION]
                bars = tuple(
                    Bar(
                        self.option_name(follow.item, o.option),
                        o.share,
                        self.n.share(o.share),
                        o.ci_low,
                        o.ci_high,
                    )
                    for o in sorted(answered, key=lambda o: (-o.count, o.option))
                )
                title = (
                    f"{self.item_name(follow.item, capital=True)} (n = {self.n.count(follow.seen)})"
                )
                panels.append(Panel(title, bars))
            title = self.w("chart_where_title")
            blocks.append(
                Chart(
                    "where",
                    title,
                    bar_chart(panels, title=title, axis=self.w("axis_share"), zoom=True),
                )
            )
        blocks.extend(self.told(figures))
        return blocks

    def told(self, figures: SchoolFigures) -> list[Block]:
        lines: list[Block] = []
        for follow in figures.follow_ups:
            if not follow.marks:
                continue
            mark = follow.marks[0]
            label = self.item_name(follow.item, capital=True)
            if mark.share is None:
                text = self.w("told_hidden", label=label, min_n=self.results.min_n)
            else:
                text = self.w(
                    "told_line", label=label, share=self.n.share(mark.share), n=self.n.count(mark.n)
                )
            lines.append(Text(text, "bullet"))
        blocks: list[Block] = []
        if lines:
            blocks += [Heading(self.w("told_heading"), 2), Text(self.w("told_intro")), *lines]
        others: list[Block] = []
        for figure in figures.items:
            label = self.item_name(figure.name, capital=True)
            if figure.share is None:
                text = self.w("told_hidden", label=label, min_n=self.results.min_n)
            else:
                text = self.w(
                    "told_line",
                    label=label,
                    share=self.n.share(figure.share),
                    n=self.n.count(figure.n),
                )
            others.append(Text(text, "bullet"))
        if others:
            blocks += [Heading(self.w("others_heading"), 2), *others]
        return blocks

    # ------------------------------------------------------------------ participation

    def participation(self, figures: SchoolFigures) -> list[Block]:
        grade = self.dimension_name(GRADE)
        min_rate = self.n.share(figures.representativeness.min_group_rate)
        blocks: list[Block] = [
            Heading(self.w("response_heading")),
            Text(self.w("response_intro", dimension=grade, min_rate=min_rate), "small"),
        ]
        panels = []
        for dimension in self.dimensions(figures):
            cells = [c for c in figures.response if c.dimension == dimension]
            if not cells:
                continue
            bars = tuple(
                Bar(
                    self.category_name(dimension, c.category),
                    c.rate,
                    (
                        f"{self.n.share(c.rate)} ({self.n.count(c.responded)}/"
                        f"{self.n.count(c.enrolled)})"
                        if c.rate is not None
                        else self.hidden_label(c.reason)
                    ),
                )
                for c in cells
            )
            title = (
                self.w("breakdown:grade", dimension=grade)
                if dimension == GRADE
                else self.w("breakdown:group")
            )
            panels.append(Panel(title, bars))
        if panels:
            title = self.w("chart_response_title", dimension=grade)
            blocks.append(
                Chart(
                    "response",
                    title,
                    bar_chart(
                        panels,
                        title=title,
                        axis=self.w("axis_rate"),
                        line=figures.representativeness.min_group_rate,
                        line_label=self.w("legend_minimum", min_rate=min_rate),
                    ),
                )
            )
        verdict = [self.verdict_sentence(figures)]
        margin = figures.representativeness.feels_safe_margin
        if margin is not None:
            verdict.append(self.w("verdict_margin", margin=self.n.points(margin)))
        blocks.append(Text(self.join(verdict)))
        blocks.append(Heading(self.w("breakdown_heading"), 2))
        blocks.append(Text(self.w("breakdown_intro", min_n=self.results.min_n), "small"))
        wanted = self.dimensions(figures)
        for breakdown in figures.breakdowns:
            if breakdown.cells and (
                breakdown.dimension in wanted or breakdown.dimension not in (GRADE, GROUP)
            ):
                blocks.append(Heading(self.breakdown_title(breakdown), 3))
                blocks.append(self.breakdown_table(breakdown, figures))
        return blocks

    @staticmethod
    def dimensions(figures: SchoolFigures) -> tuple[str, ...]:
        """Grade and group; only grade when every grade has one group (the same table)."""
        grades = sum(1 for c in figures.response if c.dimension == GRADE)
        groups = sum(1 for c in figures.response if c.dimension == GROUP)
        return (GRADE,) if groups == grades else (GRADE, GROUP)

    def hidden_label(self, reason: str | None) -> str:
        """Why a cell is empty: too few pupils, or hidden so a small one cannot be recomputed."""
        if reason == Suppression.BELOW_MIN.value:
            return self.w("chart_hidden", min_n=self.results.min_n)
        return self.w("chart_hidden_complementary")

    def breakdown_title(self, breakdown: Breakdown) -> str:
        if breakdown.dimension == GRADE:
            return self.w("breakdown:grade", dimension=self.dimension_name(GRADE))
        return self.w.get(f"breakdown:{breakdown.dimension}", breakdown.dimension)

    def breakdown_table(self, breakdown: Breakdown, figures: SchoolFigures) -> Table:
        header = [self.w("col_category"), self.w("col_n")]
        header += [self.short_name(f.scale) for f in figures.scales]
        header += [self.short_name(s.name) for s in figures.shares]
        rows = []
        for cell in breakdown.cells:
            row = [self.category_name(breakdown.dimension, cell.category), self.n.count(cell.n)]
            row += [self.n.mean(cell.mean(f.scale), 2) for f in figures.scales]
            row += [self.n.share(cell.share(s.name)) for s in figures.shares]
            rows.append(tuple(row))
        count = len(header) - 2
        rest = (1.0 - 0.2 - 0.08) / max(count, 1)
        widths = (0.2, 0.08, *([rest] * count))
        return Table(tuple(header), tuple(rows), widths)

    # ------------------------------------------------------------------ next steps

    def advice(self) -> list[Block]:
        blocks: list[Block] = [
            Heading(self.w("advice_heading")),
            Text(self.w("advice_intro"), "small"),
        ]
        blocks.extend(Text(s.text, "bullet") for s in self.suggestions)
        blocks.append(Heading(self.w("about_heading"), 2))
        blocks.append(Text(self.w("about_text", min_n=self.results.min_n), "small"))
        blocks.append(Heading(self.w("references_heading"), 2))
        blocks.extend(
            Text(self.w(key), "small") for key in ("ref:solberg", "ref:ttofi", "ref:gaffney")
        )
        return blocks

    # ------------------------------------------------------------------ whole

    def document(self) -> Document:
        r = self.results
        title = self.w("title")
        subtitle = self.w("subtitle", school_year=r.school_year)
        meta = (
            self.w("school_line", name=r.name, school=r.school, sector=self.sector_name()),
            self.w(
                "made_on",
                date=self.n.day(self.today),
                questionnaire=r.questionnaire_id,
            ),
        )
        blocks: list[Block] = [Text(self.w("for_whom"), "lead")]
        figures = r.figures
        if figures is None:
            blocks += [
                Heading(self.w("too_few_heading")),
                Text(self.w("too_few", min_n=r.min_n)),
                Text(self.w("too_few_enrolled", enrolled=self.n.count(r.enrolled))),
            ]
            return Document(self.w.code, title, subtitle, meta, tuple(blocks))
        blocks += self.summary(figures)
        blocks += [PageBreak(), *self.scores(figures)]
        blocks += [PageBreak(), *self.harm(figures)]
        blocks += [PageBreak(), *self.participation(figures)]
        blocks += [PageBreak(), *self.advice()]
        return Document(self.w.code, title, subtitle, meta, tuple(blocks))

    def text_summary(self, document: Document, limit: int = TEXT_LIMIT) -> str:
        """The summary for chat: the title, the three answers, who took part, what next.

        At most ``limit`` characters (Telegram's message limit): suggestions are left out from
        the last one until it fits, then the paragraphs are cut.
        """
        r = self.results
        blocks = list(document.blocks)
        end = next((i for i, b in enumerate(blocks) if isinstance(b, PageBreak)), len(blocks))
        parts: list[tuple[str, bool]] = []  # (text, is a suggestion)
        for block in blocks[1:end]:
            if isinstance(block, Heading) and block.level > 1:
                parts.append(("\n" + block.text, False))
            elif isinstance(block, Text):
                bullet = block.style == "bullet"
                parts.append((("- " if bullet else "") + block.text, bullet))
        head = self.w("text_title", school_year=r.school_year, name=r.name, school=r.school)
        tail = ["", self.w("text_files")] if r.figures is not None else []

        def join(chosen: list[tuple[str, bool]]) -> str:
            return "\n".join([head, *(text for text, _ in chosen), *tail]).strip() + "\n"

        text = join(parts)
        while len(text) > limit and any(bullet for _, bullet in parts):
            last = max(i for i, (_, bullet) in enumerate(parts) if bullet)
            del parts[last]
            text = join(parts)
        if len(text) > limit:
            text = text[: limit - 2].rstrip() + "…\n"
        return text


def build(
    results: SchoolResults, questionnaire: Questionnaire, language: str, today: date
) -> tuple[Document, str]:
    """The document and the chat text of ``results`` in ``language``."""
    content = Content(results, questionnaire, language, today)
    document = content.document()
    return document, content.text_summary(document)
