"""The results of one school: frozen dataclasses that hold no figure about fewer than min_n
pupils (a hidden figure is ``None``), and the constants that name their parts."""

from __future__ import annotations

from dataclasses import dataclass

from analytics.reliability import Reliability
from analytics.representativeness import Verdict
from analytics.scales import MIN_SHARE as MIN_SHARE  # the share a score needs, re-exported

#: Category of a context breakdown (gender) for pupils who did not answer or declined.
UNKNOWN = "unknown"
#: ``OptionShare.option`` of the "I'd rather not say" row.
DECLINED_OPTION = "declined"
#: Alpha from fewer complete cases than this says nothing, whatever ``min_n`` is.
MIN_ALPHA_CASES = 10
#: Construct of the items that only serve breakdowns (docs/questionnaire.md).
CONTEXT_CONSTRUCT = "context"
#: The scale whose margin of error the representativeness reports ("% feels safe").
FEELS_SAFE = "voelt_zich_veilig"
#: The breakdowns that come from the response rows themselves.
GRADE, GROUP = "grade", "group"


@dataclass(frozen=True, slots=True)
class Peers:
    """The school among the other schools of its sector, band and school year.

    ``schools`` counts the schools with figures, this one included; ``percentile`` is the
    mid-rank percentile of the school's value; ``reference`` the value pooled over the other
    schools' pupils (``reference_pupils`` of them).
    """

    schools: int
    percentile: float
    reference: float
    reference_pupils: int


@dataclass(frozen=True, slots=True)
class Change:
    """This year minus ``previous_school_year``, its 95 % interval and whether 0 lies outside."""

    previous_school_year: str
    previous: float
    previous_n: int
    difference: float
    ci_low: float
    ci_high: float
    significant: bool


@dataclass(frozen=True, slots=True)
class MeanFigure:
    """A ``mean`` scale: mean, sd (ddof=1), n and t interval on the answer range ``low..high``."""

    scale: str
    mean: float
    sd: float
    n: int
    ci_low: float
    ci_high: float
    low: int
    high: int
    reliability: Reliability | None
    peers: Peers | None
    change: Change | None


@dataclass(frozen=True, slots=True)
class ShareFigure:
    """``count`` of ``n`` pupils in ``mark`` and the Wilson interval; None when n < min_n.

    ``name`` is the scale (voelt_zich_veilig, gepest, aantasting) or the item (bullying forms,
    follow-ups) the share belongs to.
    """

    name: str
    mark: str
    count: int | None
    n: int | None
    share: float | None
    ci_low: float | None
    ci_high: float | None
    peers: Peers | None = None
    change: Change | None = None

    @property
    def shown(self) -> bool:
        return self.share is not None


@dataclass(frozen=True, slots=True)
class Frequency:
    """Mean answer code of an item over the pupils who answered it (``n``)."""

    item: str
    mean: float
    n: int
    low: int
    high: int


@dataclass(frozen=True, slots=True)
class OptionShare:
    """One answer option (``option`` is its id, or ``"declined"``): count and share of the
    pupils who saw the item, with the Wilson interval."""

    option: str
    code: int | None
    count: int
    share: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True, slots=True)
class ItemShares:
    """Shares per answer option of one item; ``options`` is empty when fewer than min_n saw it.

    ``seen`` = pupils who answered or declined the item; ``marks`` = the share of the
    answering pupils in each mark of the item's answer scale (e.g. ``yes``, ``helped``).
    """

    item: str
    seen: int | None
    options: tuple[OptionShare, ...]
    marks: tuple[ShareFigure, ...]

    @property
    def shown(self) -> bool:
        return bool(self.options)


@dataclass(frozen=True, slots=True)
class BreakdownCell:
    """One category of a breakdown after suppression; figures are None when hidden."""

    category: str
    n: int | None
    reason: str | None
    means: tuple[tuple[str, float | None], ...]
    shares: tuple[tuple[str, float | None], ...]

    def mean(self, scale: str) -> float | None:
        return dict(self.means).get(scale)

    def share(self, scale: str) -> float | None:
        return dict(self.shares).get(scale)


@dataclass(frozen=True, slots=True)
class Breakdown:
    """A breakdown by ``dimension`` (``grade``, ``group`` or a context item such as gender)."""

    dimension: str
    cells: tuple[BreakdownCell, ...]


@dataclass(frozen=True, slots=True)
class ResponseCell:
    """Respondents against enrolled pupils for one grade or group; None when suppressed."""

    dimension: str
    category: str
    responded: int | None
    enrolled: int
    rate: float | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class WorstGroup:
    """The grade or group with the lowest response; ``responded``/``rate`` None below min_n."""

    dimension: str
    category: str
    responded: int | None
    enrolled: int
    rate: float | None


@dataclass(frozen=True, slots=True)
class SchoolRepresentativeness:
    """The verdict of :func:`analytics.representativeness.representativeness`, per grade and
    per group, combined: too few responses, else not representative when a grade (first) or a
    group has too low a response, else representative.

    ``worst`` is the grade or group that decides (the lowest grade when representative);
    ``feels_safe_margin`` the margin of error of "% feels safe" at its observed share.
    """

    verdict: Verdict
    responded: int
    enrolled: int
    rate: float
    margin_of_error: float
    required: int
    min_group_rate: float
    worst: WorstGroup | None
    feels_safe_margin: float | None


@dataclass(frozen=True, slots=True)
class Completion:
    """Started, completed and partial responses (rows of the unit)."""

    started: int
    completed: int
    partial: int


@dataclass(frozen=True, slots=True)
class SchoolFigures:
    """The figures of a unit with at least ``min_n`` counted respondents."""

    respondents: int
    response_rate: float
    completion: Completion | None  # None: the release plan hides started and completed
    scales: tuple[MeanFigure, ...]
    shares: tuple[ShareFigure, ...]
    frequencies: tuple[Frequency, ...]
    forms: tuple[ShareFigure, ...]
    bullying_options: tuple[ItemShares, ...]
    follow_ups: tuple[ItemShares, ...]
    items: tuple[ShareFigure, ...]
    representativeness: SchoolRepresentativeness
    response: tuple[ResponseCell, ...]
    breakdowns: tuple[Breakdown, ...]

    def scale(self, name: str) -> MeanFigure | None:
        return next((figure for figure in self.scales if figure.scale == name), None)

    def share(self, name: str) -> ShareFigure | None:
        return next((figure for figure in self.shares if figure.name == name), None)


@dataclass(frozen=True, slots=True)
class SchoolResults:
    """A school in one school year and age band; ``figures`` is None below ``min_n``."""

    school: str
    brin: str
    vestiging: str
    name: str
    sector: str
    school_year: str
    previous_school_year: str
    band: str | None
    questionnaire_id: str
    questionnaire_version: str | None
    enrolled: int
    min_n: int
    min_schools: int
    figures: SchoolFigures | None

    @property
    def published(self) -> bool:
        return self.figures is not None
