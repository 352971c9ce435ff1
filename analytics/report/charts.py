"""The report's charts as PNG bytes (matplotlib's Agg renderer, no pyplot).

A :class:`~matplotlib.figure.Figure` made directly renders with Agg and never opens a window
or touches pyplot's global state; style settings apply inside ``rc_context`` only.

The charts take labels and values that the caller has already chosen, translated and
formatted, so nothing here decides what may be shown: a hidden figure arrives as ``None`` and
is drawn as an empty slot with its label ("< 10"). PNGs carry no software or date metadata, so
the same figures give the same bytes.

Colours are the Okabe-Ito palette, readable with the common colour-vision deficiencies.
"""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ParamSpec

import matplotlib as mpl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

__all__ = ["Bar", "Legend", "Panel", "Point", "bar_chart", "comparison_chart"]

SCHOOL = "#0072B2"
REFERENCE = "#000000"
PREVIOUS = "#E69F00"
HIDDEN = "#D5D5D5"
GRID = "#DDDDDD"
WIDTH = 6.6  # inches: the text width of an A4 page with 2 cm margins
DPI = 200
FONT = "DejaVu Sans"  # ships with matplotlib, so charts look the same on every machine


@dataclass(frozen=True, slots=True)
class Legend:
    """Names of the three series in the reader's language."""

    school: str
    reference: str
    previous: str


@dataclass(frozen=True, slots=True)
class Point:
    """One row of a comparison chart: the school's value with its interval, the reference
    group and the previous year (None: not shown)."""

    label: str
    value: float
    low: float | None
    high: float | None
    reference: float | None
    previous: float | None
    text: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar; ``value`` None draws a hidden slot labelled ``text``."""

    label: str
    value: float | None
    text: str
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Panel:
    title: str
    bars: tuple[Bar, ...]


P = ParamSpec("P")


def _styled(draw: Callable[P, bytes]) -> Callable[P, bytes]:
    """``draw`` run with the charts' font settings, which apply inside it only."""

    @functools.wraps(draw)
    def styled(*args: P.args, **kwargs: P.kwargs) -> bytes:
        with mpl.rc_context({"font.family": FONT, "font.size": 8}):
            return draw(*args, **kwargs)

    return styled


def _figure(height: float) -> Figure:
    return Figure(figsize=(WIDTH, height), dpi=DPI, layout="constrained")


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _percent_axis(axes: Axes, label: str, top: float = 1.0) -> None:
    axes.set_xlim(0, top + 0.04 * top)  # room for a dot at the end
    step = 0.2 if top > 0.5 else 0.1 if top > 0.2 else 0.05
    axes.set_xticks([step * i for i in range(round(top / step) + 1)])
    axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x * 100:.0f}%"))
    axes.set_xlabel(label, fontsize=8)


def _style(axes: Axes) -> None:
    axes.tick_params(labelsize=8, length=0)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)


@_styled
def comparison_chart(
    points: Sequence[Point],
    *,
    title: str,
    axis: str,
    legend: Legend,
    low: float,
    high: float,
    percent: bool,
    decimal: str = ".",
) -> bytes:
    """Dots with intervals for the school, diamonds for the reference group, rings for the
    previous year, one row per figure, on the axis ``low..high`` (``decimal``: the decimal
    mark of the reader's language for the axis numbers)."""
    figure = _figure(0.55 * len(points) + 1.3)
    axes = figure.add_subplot()
    rows = list(reversed(points))
    for y, point in enumerate(rows):
        if point.low is not None and point.high is not None:
            axes.plot([point.low, point.high], [y, y], color=SCHOOL, linewidth=2.2, alpha=0.45)
        axes.plot(point.value, y, "o", color=SCHOOL, markersize=8, zorder=3)
        if point.reference is not None:
            axes.plot(point.reference, y, "D", color=REFERENCE, markersize=6, zorder=4)
        if point.previous is not None:
            axes.plot(
                point.previous,
                y,
                "o",
                markerfacecolor="none",
                markeredgecolor=PREVIOUS,
                markeredgewidth=2,
                markersize=10,
                zorder=2,
            )
        axes.annotate(
            point.text,
            (point.value, y),
            xytext=(0, 9),
            textcoords="offset points",
            ha="center",
            fontsize=8,
            color=SCHOOL,
        )
    axes.set_yticks(range(len(rows)), [point.label for point in rows])
    axes.set_ylim(-0.6, len(rows) - 0.4)
    if percent:
        _percent_axis(axes, axis)
    else:
        margin = (high - low) * 0.02
        axes.set_xlim(low - margin, high + margin)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:.1f}".replace(".", decimal)))
        axes.set_xlabel(axis, fontsize=8)
    _style(axes)
    handles = [Line2D([], [], marker="o", color=SCHOOL, linestyle="none", label=legend.school)]
    if any(point.reference is not None for point in points):
        handles.append(
            Line2D([], [], marker="D", color=REFERENCE, linestyle="none", label=legend.reference)
        )
    if any(point.previous is not None for point in points):
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                markerfacecolor="none",
                markeredgecolor=PREVIOUS,
                markeredgewidth=2,
                linestyle="none",
                label=legend.previous,
            )
        )
    axes.legend(
        handles=handles,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncols=len(handles),
        frameon=False,
        fontsize=8,
    )
    axes.set_title(title, fontsize=10, fontweight="bold", loc="left", pad=22)
    return _png(figure)


@_styled
def bar_chart(
    panels: Sequence[Panel],
    *,
    title: str,
    axis: str,
    line: float | None = None,
    line_label: str | None = None,
    zoom: bool = False,
) -> bytes:
    """Horizontal bars of shares in one or more panels stacked vertically, with the Wilson
    interval where given and an optional vertical line (e.g. the 50% minimum). The axis runs
    to 100%, or with ``zoom`` to the next tenth above the largest bar or interval (at least
    20%), so that small shares stay readable."""
    top = 1.0
    if zoom:
        ends = [max(b.value or 0.0, b.high or 0.0) for p in panels for b in p.bars]
        top = min(1.0, max(0.2, math.ceil(max(ends, default=0.0) * 10 + 1e-9) / 10))
    heights = [max(len(panel.bars), 1) for panel in panels]
    figure = _figure(0.2 * sum(heights) + 0.7 * len(panels) + 0.7)
    grid = figure.add_gridspec(len(panels), 1, height_ratios=heights)
    for number, panel in enumerate(panels):
        axes = figure.add_subplot(grid[number])
        bars = list(reversed(panel.bars))
        for y, bar in enumerate(bars):
            if bar.value is None:
                axes.barh(y, top, color="none", edgecolor=HIDDEN, hatch="////", linewidth=0)
                axes.text(
                    0.01 * top, y, bar.text, va="center", ha="left", fontsize=7, color="#555555"
                )
                continue
            axes.barh(y, bar.value, color=SCHOOL, height=0.65)
            end = bar.value
            if bar.low is not None and bar.high is not None:
                axes.plot([bar.low, bar.high], [y, y], color=REFERENCE, linewidth=0.9)
                end = max(end, bar.high)
            axes.text(end + 0.01 * top, y, bar.text, va="center", ha="left", fontsize=7)
        axes.set_yticks(range(len(bars)), [bar.label for bar in bars])
        axes.set_ylim(-0.6, len(bars) - 0.4)
        _percent_axis(axes, axis if number == len(panels) - 1 else "", top)
        if line is not None:
            axes.axvline(line, color=PREVIOUS, linewidth=1.2, linestyle="--")
        _style(axes)
        if panel.title:
            axes.set_title(panel.title, fontsize=9, loc="left")
    if line is not None and line_label:
        figure.legend(
            handles=[Line2D([], [], color=PREVIOUS, linestyle="--", label=line_label)],
            loc="outside upper right",
            frameon=False,
            fontsize=8,
        )
    figure.suptitle(title, fontsize=10, fontweight="bold", x=0.02, ha="left")
    return _png(figure)
