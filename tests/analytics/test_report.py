"""The school report: PDF pages, charts, text summary, languages, and nothing below min_n."""

from __future__ import annotations

import functools
import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from analytics.report import TEXT_LIMIT, Report, make_report
from analytics.report.catalogue import LOCALES, missing_translations, po_bytes, template
from analytics.report.document import Table
from analytics.report.i18n import report_texts, words
from analytics.report.numbers import HIDDEN, Numbers
from analytics.school_results import GROUP, SchoolResults, school_results
from analytics.synthetic import synthetic_dataset
from flows import load_questionnaire
from tests.analytics.builders import YEAR, dataset, pupil
from veilig.errors import InvalidInput

Q = load_questionnaire()
TODAY = date(2027, 6, 1)


@functools.cache
def rich() -> SchoolResults:
    """A PO school among 24 peers, with a previous year: every part of the report appears."""
    data = synthetic_dataset(
        Q,
        schools=24,
        pupils=24 * 120,
        school_year=YEAR,
        seed=3,
        sectors={"po": 1.0},
        previous_years=1,
    )
    return school_results(data, str(data.schools["school"].iloc[0]), YEAR)


@functools.cache
def rich_report(language: str = "nl") -> Report:
    return make_report(rich(), Q, language=language, today=TODAY)


def pdf_pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def flat(text: str) -> str:
    """Text with every run of whitespace as one space (PDF lines break anywhere)."""
    return re.sub(r"\s+", " ", text)


# --------------------------------------------------------------------------- the PDF


def test_pdf_has_the_summary_on_page_one_and_the_sections_after() -> None:
    w = words("nl")
    pages = [flat(page) for page in pdf_pages(rich_report().pdf)]
    assert 5 <= len(pages) <= 9
    assert w("title") in pages[0]
    for key in ("question_safety", "question_harm", "question_wellbeing", "next_heading"):
        assert w(key) in pages[0]
    assert w("next_more") in pages[0], "the summary must fit on one page"
    assert w("scores_heading") in pages[1] and w("scores_heading") not in pages[0]
    body = " ".join(pages)
    for key in ("harm_heading", "response_heading", "advice_heading", "about_heading"):
        assert w(key) in body
    assert w("advice:discuss") in flat(body)


def test_every_figure_of_the_summary_is_from_the_results() -> None:
    results = rich()
    figures = results.figures
    assert figures is not None
    n = Numbers("nl")
    feels = figures.share("voelt_zich_veilig")
    bullied = figures.share("gepest")
    safety = figures.scale("veiligheidsbeleving")
    assert feels is not None and bullied is not None and safety is not None
    text = rich_report().text
    assert f"{n.share(feels.share)} van de leerlingen voelt zich veilig" in text
    assert f"{n.share(bullied.share)} van de leerlingen is de afgelopen paar maanden gepest" in text
    assert f"veiligheidsbeleving is {n.mean(safety.mean)}" in text
    assert f"{figures.respondents} van de {results.enrolled} leerlingen telden mee" in text
    assert len(text) <= TEXT_LIMIT
    page_one = flat(pdf_pages(rich_report().pdf)[0])
    assert f"{n.share(feels.share)} van de leerlingen voelt zich veilig" in page_one


def test_english_report() -> None:
    report = rich_report("en")
    assert report.document.language == "en"
    assert report.text.startswith("Social safety monitor")
    assert "of the pupils feel safe at school" in report.text
    pages = [flat(page) for page in pdf_pages(report.pdf)]
    assert "Social safety at school" in pages[0]
    assert words("en")("next_more") in pages[0], "the summary must fit on one page"
    assert "Scores and comparison" in pages[1]
    assert len(report.text) <= TEXT_LIMIT
    # Dutch decimal comma versus English point.
    assert Numbers("nl").mean(3.25) == "3,3"
    assert Numbers("en").mean(3.25) == "3.3"


def test_the_same_results_give_the_same_bytes() -> None:
    again = make_report(rich(), Q, language="nl", today=TODAY)
    first = rich_report()
    assert again.pdf == first.pdf
    assert again.charts == first.charts
    assert again.text == first.text


# --------------------------------------------------------------------------- min_n


def test_a_school_below_min_n_gets_a_report_without_figures() -> None:
    rows = [pupil(bullied=4, safety=1) for _ in range(9)]
    results = school_results(dataset(rows), "12AB00", YEAR)
    assert not results.published
    report = make_report(results, Q, language="nl", today=TODAY)
    assert report.charts == {}
    pages = pdf_pages(report.pdf)
    assert len(pages) == 1
    text = flat(pages[0])
    assert words("nl")("too_few_heading") in text
    assert "%" not in text and "%" not in report.text
    assert " 9 " not in f" {text} " and " 9 " not in f" {report.text} "


def test_hidden_cells_print_as_a_dash_and_nowhere_a_number() -> None:
    # 7B has 3 respondents of 9, all bullied weekly: nobody may see their figures. 73 of 79
    # meet the margin (66 needed) and grade 7 has 43 of 49, so only class 7B fails.
    rows = [pupil(group="7A", grade=7, gender=1 + i % 2) for i in range(40)]
    rows += [pupil(group="7B", grade=7, gender=1, bullied=5) for _ in range(3)]
    rows += [pupil(group="8A", grade=8, gender=2) for _ in range(30)]
    groups = [
        ("12AB00", YEAR, "7A", 7, 40),
        ("12AB00", YEAR, "7B", 7, 9),
        ("12AB00", YEAR, "8A", 8, 30),
    ]
    results = school_results(dataset(rows, groups), "12AB00", YEAR)
    figures = results.figures
    assert figures is not None
    hidden_groups = {
        c.category for c in figures.response if c.dimension == GROUP and c.rate is None
    }
    assert hidden_groups == {"7A", "7B"}  # 7B small, 7A its partner within grade 7
    report = make_report(results, Q, language="nl", today=TODAY)
    tables = [block for block in report.document.blocks if isinstance(block, Table)]
    group_rows = [row for table in tables for row in table.rows if row[0] in hidden_groups]
    assert group_rows, "the class breakdown lists the hidden classes"
    for row in group_rows:
        assert set(row[1:]) == {HIDDEN}
    words_ = flat(report.document.words())
    assert "3/9" not in words_ and "(3 " not in words_
    assert "minder dan 50% van de 9 leerlingen" in words_  # the verdict names no count


# A figure in a table: a signed number, a percentage or an interval ("0,64 \u2013 0,81").
NUMBER = "[\u2212+]?[\\d.,]+%?\\*?( \u2013 [\\d.,]+%?)?"


def test_every_number_in_the_tables_comes_from_shown_cells() -> None:
    figures = rich().figures
    assert figures is not None
    report = rich_report()
    for block in report.document.blocks:
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row[1:]:
                    assert cell == HIDDEN or re.fullmatch(NUMBER, cell), cell


# --------------------------------------------------------------------------- words


def test_catalogues_are_complete_and_current() -> None:
    assert missing_translations() == []
    assert (LOCALES / "report.pot").read_bytes() == po_bytes(template()), (
        "analytics/locales/report.pot is stale: run python -m analytics.report.catalogue"
    )


def test_every_scale_item_and_sector_has_a_name() -> None:
    messages = report_texts().messages
    for name in Q.scales:
        assert f"scale:{name}" in messages
    shown = set(Q.refs(Q.scales["aantasting"]))
    shown |= {item.id for _, item in Q.items() if item.condition is not None}
    for item in sorted(shown):
        assert f"item:{item}" in messages, item
    for sector in ("po", "vo", "so", "vso"):
        assert f"sector:{sector}" in messages


def test_unknown_language_is_refused() -> None:
    with pytest.raises(InvalidInput, match="not available"):
        words("de")


def test_a_school_with_many_groups_fits_its_charts_on_the_page() -> None:
    # 48 groups of 25: the response chart is taller than a page; it is scaled to fit instead
    # of ending the report in a layout error (found on a national-size benchmark).
    rows = [
        pupil(group=f"{grade}{letter}", grade=grade, safety=1 + i % 4, bullied=1)
        for grade in range(5, 9)
        for letter in "ABCDEFGHIJKL"
        for i in range(25)
    ]
    results = school_results(dataset(rows), "12AB00", YEAR)
    assert results.figures is not None and len(results.figures.response) >= 48
    report = make_report(results, Q, today=TODAY)
    assert pdf_pages(report.pdf)
