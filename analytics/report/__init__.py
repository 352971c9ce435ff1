"""The school report: a PDF for the school team and the medezeggenschapsraad, its charts as
PNG and a short text for sending in chat, all from one :class:`SchoolResults`.

::

    results = school_results(dataset, "12AB00", "2026-2027")
    report = make_report(results, dataset.questionnaire, today=date.today())
    report.pdf, report.charts, report.text   # the PDF, {"scores": PNG, ...}, the chat text

Writing them to files is the adapter's (``veilig report``, bot/cli/report.py).

Modules: :mod:`~analytics.report.content` (what is said), :mod:`~analytics.report.advice`
(what to do next), :mod:`~analytics.report.charts` (matplotlib), :mod:`~analytics.report.pdf`
(reportlab), :mod:`~analytics.report.i18n` and :mod:`~analytics.report.catalogue` (the
``report`` gettext domain), :mod:`~analytics.report.numbers` (rounding and number format).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from analytics.report.content import TEXT_LIMIT, build
from analytics.report.document import Document
from analytics.report.pdf import render_pdf
from analytics.school_results import SchoolResults
from flows.model import Questionnaire

__all__ = ["TEXT_LIMIT", "Report", "make_report"]


@dataclass(frozen=True, slots=True)
class Report:
    """The report in memory: the document, the PDF, the charts (name -> PNG) and the text."""

    document: Document
    pdf: bytes
    charts: dict[str, bytes]
    text: str


def make_report(
    results: SchoolResults,
    questionnaire: Questionnaire,
    *,
    language: str = "nl",
    today: date,
) -> Report:
    """The report of ``results`` in ``language`` (``nl`` or ``en``), dated ``today``."""
    document, text = build(results, questionnaire, language, today)
    footer = f"{document.title} · {results.name} ({results.school}) · {results.school_year}"
    pdf = render_pdf(document, footer=footer)
    charts = {chart.name: chart.png for chart in document.charts}
    return Report(document=document, pdf=pdf, charts=charts, text=text)
