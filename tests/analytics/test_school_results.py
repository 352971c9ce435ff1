"""Per-school results: hand-worked small schools, independent implementations, suppression."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analytics.dataset import DECLINED, UNANSWERED, Dataset
from analytics.national import school_table
from analytics.school_results import (
    GRADE,
    GROUP,
    SchoolResults,
    Verdict,
    previous_school_year,
    school_results,
)
from analytics.synthetic import synthetic_dataset
from tests.analytics.builders import YEAR, Q, dataset, pupil
from tests.flows.participant import SAFETY_PO, WELLBEING_PO
from veilig.errors import InvalidInput


def figures_of(result: SchoolResults):  # type: ignore[no-untyped-def]
    assert result.figures is not None, "expected published figures"
    return result.figures


# --------------------------------------------------------------------------- hand-worked


SAFETY_CODES = [4, 4, 4, 4, 3, 3, 3, 3, 2, 2]


def small_school() -> Dataset:
    """10 counted pupils with safety 4,4,4,4,3,3,3,3,2,2 and wellbeing 3; two who do not count."""
    rows = [pupil(safety=code, bullied=1 + i % 5) for i, code in enumerate(SAFETY_CODES)]
    # Answers 3 of 6 safety items: ceil(2/3 * 6) = 4 needed, so no score and not counted.
    rows.append(pupil(safety=[4, 4, 4, UNANSWERED, UNANSWERED, DECLINED], completed=False))
    # Wellbeing 3 of 5 answered (ceil(10/3) = 4 needed): not counted either.
    rows.append(pupil(wellbeing=[3, 3, 3, DECLINED, DECLINED]))
    return dataset(rows)


def test_counted_respondents_and_scale_by_hand() -> None:
    figures = figures_of(school_results(small_school(), "12AB00", YEAR))
    assert figures.respondents == 10
    # 12 started, 11 completed: 1 partial and 2 not counted are below min_n, so the report
    # states neither started nor completed (issue 9: the chat summary gave the partial away).
    assert figures.completion is None
    safety = figures.scale("veiligheidsbeleving")
    assert safety is not None
    assert safety.n == 10
    assert safety.mean == pytest.approx(3.2)
    assert safety.sd == pytest.approx(statistics.stdev(SAFETY_CODES))
    low, high = stats.t.interval(0.95, 9, loc=3.2, scale=statistics.stdev(SAFETY_CODES) / 10**0.5)
    assert (safety.ci_low, safety.ci_high) == pytest.approx((low, high))
    assert (safety.low, safety.high) == (1, 4)


def test_enrolled_counts_only_groups_of_the_band() -> None:
    rows = [pupil(group="7A", grade=7) for _ in range(10)]
    groups = [
        ("12AB00", YEAR, "7A", 7, 25),
        ("12AB00", YEAR, "8A", 8, 20),
        ("12AB00", YEAR, "3A", 3, 30),  # groep 3 does not answer: not enrolled for the monitor
        ("12AB00", "2025-2026", "7A", 7, 99),  # another year
    ]
    result = school_results(dataset(rows, groups), "12AB00", YEAR)
    assert result.enrolled == 45
    assert figures_of(result).response_rate == pytest.approx(10 / 45)


def test_feels_safe_and_bullied_shares_by_hand() -> None:
    # safe_school: agree = codes 3-4 in PO. 8 of the 10 counted agree; bullied (global item):
    # codes 1..5 cycling, bullied = 3..5 -> pupils with 3, 4, 5: 2 of each 5 -> 6 of 10.
    figures = figures_of(school_results(small_school(), "12AB00", YEAR))
    feels = figures.share("voelt_zich_veilig")
    assert feels is not None
    assert (feels.count, feels.n, feels.share) == (8, 10, 0.8)
    assert (feels.ci_low, feels.ci_high) == pytest.approx(
        proportion_confint(8, 10, method="wilson")
    )
    bullied = figures.share("gepest")
    assert bullied is not None
    assert (bullied.count, bullied.n) == (6, 10)
    frequency = next(f for f in figures.frequencies if f.item == "bullied")
    assert frequency.mean == pytest.approx(3.0)  # 1,2,3,4,5 twice
    assert (frequency.low, frequency.high) == (1, 5)


def test_declined_is_not_answered_for_shares() -> None:
    rows = [pupil(bullied=3) for _ in range(10)]
    rows += [pupil(bullied=DECLINED) for _ in range(2)]
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    bullied = figures.share("gepest")
    assert bullied is not None
    assert (bullied.count, bullied.n) == (10, 10)
    options = next(o for o in figures.bullying_options if o.item == "bullied")
    shares = {o.option: (o.count, o.share) for o in options.options}
    assert shares["monthly"] == (10, pytest.approx(10 / 12))
    assert shares["declined"] == (2, pytest.approx(2 / 12))
    assert sum(o.share for o in options.options) == pytest.approx(1.0)


def test_reverse_coded_items_are_turned_in_vo() -> None:
    # VO agree is 1..5; afraid_school is reverse-coded: 1 ("not afraid") counts as 5.
    safety_vo = [*SAFETY_PO, "afraid_school"]
    wellbeing_vo = [*WELLBEING_PO, "lonely"]
    rows = []
    for _ in range(10):
        row = pupil(sector="vo", band="vo", group="2A", grade=2)
        row.update(dict.fromkeys(safety_vo, 5))
        row.update(dict.fromkeys(wellbeing_vo, 4))
        row["afraid_school"] = 1
        row["lonely"] = 2  # turned: 4
        rows.append(row)
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    assert figures.scale("veiligheidsbeleving").mean == pytest.approx(5.0)  # type: ignore[union-attr]
    assert figures.scale("welbevinden").mean == pytest.approx(4.0)  # type: ignore[union-attr]
    assert figures.scale("veiligheidsbeleving").high == 5  # type: ignore[union-attr]


def test_any_form_of_harm_follows_any_prevalence() -> None:
    # PO asks 13 bullying items; a pupil counts as 0 only with >= ceil(26/3) = 9 answered.
    forms = Q.refs(Q.scales["aantasting"])
    rows = []
    for i in range(12):
        answers = dict.fromkeys(forms, 1)
        if i == 0:
            answers["bullied_online"] = 4  # bullied on one form: counts as 1
        if i == 1:
            for item in forms[:5]:
                answers[item] = UNANSWERED  # 8 answered, none marked: left out
        rows.append(pupil(**answers))
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    harm = figures.share("aantasting")
    assert harm is not None
    assert (harm.count, harm.n) == (1, 11)
    online = next(f for f in figures.forms if f.name == "bullied_online")
    assert (online.count, online.n) == (1, 12)


def test_reliability_matches_pingouin() -> None:
    pingouin = pytest.importorskip("pingouin")
    rng = np.random.default_rng(5)
    rows = []
    for _ in range(40):
        level = int(rng.integers(2, 5))
        safety = [int(np.clip(level + rng.integers(-1, 2), 1, 4)) for _ in SAFETY_PO]
        rows.append(pupil(safety=safety))
    data = dataset(rows)
    alpha = figures_of(school_results(data, "12AB00", YEAR)).scale("veiligheidsbeleving")
    assert alpha is not None and alpha.reliability is not None
    expected, interval = pingouin.cronbach_alpha(data.responses[list(SAFETY_PO)].astype(float))
    assert alpha.reliability.alpha == pytest.approx(expected)
    assert (alpha.reliability.ci_low, alpha.reliability.ci_high) == pytest.approx(
        tuple(interval), abs=1e-3
    )


# --------------------------------------------------------------------------- suppression


def test_fewer_than_min_n_respondents_publish_nothing() -> None:
    rows = [pupil() for _ in range(9)] + [pupil(safety=[1, 1, UNANSWERED, 0, 0, 0])]
    result = school_results(dataset(rows), "12AB00", YEAR)
    assert not result.published
    assert result.figures is None
    assert result.enrolled == 30
    assert school_results(dataset(rows), "12AB00", YEAR, min_n=9).published


def test_a_share_with_fewer_than_min_n_answers_is_blank() -> None:
    rows = [pupil(bullied=3 if i < 8 else UNANSWERED) for i in range(12)]
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    bullied = figures.share("gepest")
    assert bullied is not None and not bullied.shown
    assert (bullied.count, bullied.n, bullied.share, bullied.ci_low) == (None,) * 4
    assert not any(f.item == "bullied" for f in figures.frequencies)
    options = next(o for o in figures.bullying_options if o.item == "bullied")
    assert options.seen is None and not options.shown


def test_follow_ups_need_min_n_pupils_who_answered_them() -> None:
    rows = [pupil(bullied=1) for _ in range(20)]
    rows += [pupil(bullied=4, bullied_where=2, told_staff=2) for _ in range(10)]
    rows += [pupil(bullied=4, bullied_where=DECLINED, told_staff=1)]
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    where = next(f for f in figures.follow_ups if f.item == "bullied_where")
    assert where.seen == 11  # option shares over those who saw it, "declined" one of them
    schoolyard = next(o for o in where.options if o.option == "schoolyard")
    assert (schoolyard.count, schoolyard.share) == (10, pytest.approx(10 / 11))
    told = next(f for f in figures.follow_ups if f.item == "told_staff")
    assert told.marks[0].mark == "yes"
    # A mark's share is over those who answered (docs/school-report.md).
    assert (told.marks[0].count, told.marks[0].n) == (10, 11)


def test_option_shares_hide_with_the_share_they_would_rebuild() -> None:
    """Issue 9: 9 answered and 2 declined; the share over the 9 is hidden, so the option
    shares over the 11 who saw the item must be hidden too (else share x n gives it back)."""
    rows = [pupil(bullied=1) for _ in range(20)]
    rows += [pupil(bullied=4, bullied_where=2) for _ in range(9)]
    rows += [pupil(bullied=4, bullied_where=DECLINED) for _ in range(2)]
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    where = next(f for f in figures.follow_ups if f.item == "bullied_where")
    assert not where.shown and where.seen is None
    by = next(f for f in figures.follow_ups if f.item == "bullied_by")
    assert not by.shown  # nobody answered it


def _grade_school() -> Dataset:
    """Grade 7: 7A 12 pupils, 7B 3 pupils, 7C 11; grade 8: 8A 15 pupils; boys and girls."""
    rows = []
    for group, grade, size in (("7A", 7, 12), ("7B", 7, 3), ("7C", 7, 11), ("8A", 8, 15)):
        rows += [
            pupil(group=group, grade=grade, gender=1 + i % 2, bullied=1 + i % 4)
            for i in range(size)
        ]
    groups = [
        ("12AB00", YEAR, "7A", 7, 20),
        ("12AB00", YEAR, "7B", 7, 25),
        ("12AB00", YEAR, "7C", 7, 14),
        ("12AB00", YEAR, "8A", 8, 18),
    ]
    return dataset(rows, groups)


def test_a_small_group_is_hidden_with_a_partner_in_its_grade() -> None:
    figures = figures_of(school_results(_grade_school(), "12AB00", YEAR))
    response = {(c.dimension, c.category): c for c in figures.response}
    assert response[(GROUP, "7B")].responded is None
    assert response[(GROUP, "7B")].reason == "below_min"
    # Grade 7 (26) and 7A (12) are shown, so 7C must be hidden too, or 7B = 26 - 12 - 11.
    assert response[(GROUP, "7C")].responded is None
    assert response[(GROUP, "7C")].reason == "complementary"
    assert response[(GRADE, "7")].responded == 26
    assert response[(GROUP, "8A")].responded == 15
    assert response[(GROUP, "7B")].enrolled == 25  # enrolment is public
    group = next(b for b in figures.breakdowns if b.dimension == GROUP)
    cells = {c.category: c for c in group.cells}
    assert cells["7B"].n is None and cells["7B"].mean("veiligheidsbeleving") is None
    assert cells["7C"].n is None
    assert cells["7A"].n == 12


def test_worst_group_is_not_shown_when_hidden() -> None:
    figures = figures_of(school_results(_grade_school(), "12AB00", YEAR))
    verdict = figures.representativeness
    # 41 of 77 is too few for a 5-point margin; the worst grade: 26/59 = 44% in grade 7.
    assert verdict.verdict is Verdict.TOO_FEW_RESPONSES
    assert verdict.worst is not None
    assert (verdict.worst.dimension, verdict.worst.category) == (GRADE, "7")
    assert verdict.worst.responded == 26
    assert verdict.worst.rate == pytest.approx(26 / 59)
    assert verdict.required > 0
    assert verdict.feels_safe_margin is not None


def test_group_verdict_hides_small_counts() -> None:
    rows = [pupil(group="7A", grade=7) for _ in range(20)]
    rows += [pupil(group="7B", grade=7) for _ in range(3)]
    groups = [("12AB00", YEAR, "7A", 7, 20), ("12AB00", YEAR, "7B", 7, 4)]
    verdict = figures_of(school_results(dataset(rows, groups), "12AB00", YEAR)).representativeness
    # Grades: 23 of 24; groups: 20/20 and 3/4 -> representative, the worst grade shown.
    assert verdict.verdict is Verdict.REPRESENTATIVE
    # 43 of 47 meets the margin (Cochran: 42 needed) and grade 7 has 91%, but 7B has 3 of 7.
    rows = [pupil(group="7A", grade=7) for _ in range(40)]
    rows += [pupil(group="7B", grade=7) for _ in range(3)]
    groups = [("12AB00", YEAR, "7A", 7, 40), ("12AB00", YEAR, "7B", 7, 7)]
    verdict = figures_of(school_results(dataset(rows, groups), "12AB00", YEAR)).representativeness
    assert verdict.verdict is Verdict.NOT_REPRESENTATIVE
    assert verdict.worst is not None
    assert (verdict.worst.dimension, verdict.worst.category) == (GROUP, "7B")
    assert verdict.worst.responded is None and verdict.worst.rate is None
    assert verdict.worst.enrolled == 7


def test_a_share_in_a_breakdown_needs_its_own_min_n() -> None:
    # Boys: 12 counted, but only 6 answered the bullied item; girls 14 with 14 answers.
    rows = [pupil(gender=1, bullied=3 if i < 6 else DECLINED) for i in range(12)]
    rows += [pupil(gender=2, bullied=1 + i % 5) for i in range(14)]
    figures = figures_of(school_results(dataset(rows), "12AB00", YEAR))
    gender = next(b for b in figures.breakdowns if b.dimension == "gender")
    cells = {c.category: c for c in gender.cells}
    assert cells["boy"].n == 12
    assert cells["boy"].share("gepest") is None
    # The school's gepest (n = 20) is published, so the girls' share would give the boys' away.
    assert cells["girl"].share("gepest") is None
    assert cells["girl"].share("voelt_zich_veilig") is not None
    assert cells["girl"].mean("veiligheidsbeleving") == pytest.approx(3.0)


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=0, max_value=25), min_size=2, max_size=6),
    min_n=st.integers(min_value=3, max_value=12),
)
def test_no_shown_cell_is_small_or_recoverable(sizes: list[int], min_n: int) -> None:
    rows = []
    groups = []
    for number, size in enumerate(sizes):
        grade = 5 + number % 2
        name = f"{grade}{chr(65 + number)}"
        groups.append(("12AB00", YEAR, name, grade, 30))
        rows += [pupil(group=name, grade=grade, gender=1 + i % 3) for i in range(size)]
    if len(rows) < min_n:
        return
    figures = figures_of(school_results(dataset(rows, groups), "12AB00", YEAR, min_n=min_n))
    for cell in figures.response:
        assert cell.responded is None or cell.responded >= min_n
    for breakdown in figures.breakdowns:
        for shown in breakdown.cells:
            assert shown.n is None or shown.n >= min_n
    # Every partition (a grade into its groups; the school into grades) has 0 or >= 2 hidden
    # cells with pupils.
    counts = {name: size for (_, _, name, _, _), size in zip(groups, sizes, strict=True)}
    cells = {(c.dimension, c.category): c for c in figures.response}
    for grade in ("5", "6"):
        members = [g for g in counts if g.startswith(grade)]
        hidden = [g for g in members if cells[(GROUP, g)].responded is None and counts[g] > 0]
        grade_cell = cells.get((GRADE, grade))
        if grade_cell is not None and grade_cell.responded is not None:
            assert len(hidden) != 1
    grades = [c for c in figures.response if c.dimension == GRADE]
    hidden_grades = [c for c in grades if c.responded is None]
    assert len(hidden_grades) != 1 or all(
        counts[g] == 0 for g in counts if g.startswith(hidden_grades[0].category)
    )


# --------------------------------------------------------------------------- comparisons


def _peer_dataset(schools: int) -> Dataset:
    rows = []
    for number in range(schools):
        code = f"{10 + number:02d}AB00"
        level = 1 + number % 3
        rows += [
            pupil(code, safety=level if i % 2 else level + 1, group="6A", grade=6)
            for i in range(10 + number)
        ]
    return dataset(rows)


def test_percentile_and_reference_among_peers() -> None:
    data = _peer_dataset(20)
    result = school_results(data, "10AB00", YEAR)
    safety = figures_of(result).scale("veiligheidsbeleving")
    assert safety is not None and safety.peers is not None
    means = []
    pooled_sum = pooled_n = 0.0
    for number in range(20):
        n = 10 + number
        level = 1 + number % 3
        scores = [level if i % 2 else level + 1 for i in range(n)]
        means.append(sum(scores) / n)
        if number:
            pooled_sum += sum(scores)
            pooled_n += n
    below = sum(m < means[0] for m in means[1:])
    equal = sum(m == means[0] for m in means[1:]) + 1
    assert safety.peers.percentile == pytest.approx(100 * (below + equal / 2) / 20)
    assert safety.peers.schools == 20
    assert safety.peers.reference == pytest.approx(pooled_sum / pooled_n)
    assert safety.peers.reference_pupils == pooled_n
    # Below min_schools: no percentile and no reference.
    fewer = school_results(_peer_dataset(19), "10AB00", YEAR)
    assert figures_of(fewer).scale("veiligheidsbeleving").peers is None  # type: ignore[union-attr]


def test_peers_are_the_same_sector_band_and_year_with_enough_pupils() -> None:
    rows = [pupil("10AB00") for _ in range(10)]
    rows += [pupil("11AB00") for _ in range(10)]
    rows += [pupil("12AB00") for _ in range(5)]  # too few: not a peer
    rows += [pupil("13AB00", year="2025-2026") for _ in range(10)]  # another year
    rows += [pupil("14AB00", sector="so", band="so") for _ in range(10)]  # another sector
    data = dataset(rows)
    result = school_results(data, "10AB00", YEAR, min_schools=2)
    feels = figures_of(result).share("voelt_zich_veilig")
    assert feels is not None and feels.peers is not None
    assert feels.peers.schools == 2
    assert (
        school_results(data, "10AB00", YEAR, min_schools=3)
        .figures.share(  # type: ignore[union-attr]
            "voelt_zich_veilig"
        )
        .peers
        is None
    )


def test_change_from_previous_year_welch_and_newcombe() -> None:
    last = [pupil(year="2025-2026", safety=2 + i % 2, bullied=4 if i < 6 else 1) for i in range(20)]
    now = [pupil(safety=3 + i % 2, bullied=4 if i < 2 else 1) for i in range(16)]
    result = school_results(dataset(last + now), "12AB00", YEAR)
    safety = figures_of(result).scale("veiligheidsbeleving")
    assert safety is not None and safety.change is not None
    before = [2 + i % 2 for i in range(20)]
    after = [3 + i % 2 for i in range(16)]
    test = stats.ttest_ind(after, before, equal_var=False)
    interval = test.confidence_interval(0.95)
    assert safety.change.previous_school_year == "2025-2026"
    assert safety.change.difference == pytest.approx(1.0)
    assert (safety.change.ci_low, safety.change.ci_high) == pytest.approx(
        (interval.low, interval.high)
    )
    assert safety.change.significant
    bullied = figures_of(result).share("gepest")
    assert bullied is not None and bullied.change is not None
    assert bullied.change.previous == pytest.approx(6 / 20)
    assert bullied.change.difference == pytest.approx(2 / 16 - 6 / 20)
    assert bullied.change.ci_low < bullied.change.difference < bullied.change.ci_high


def test_no_change_when_last_year_had_too_few() -> None:
    last = [pupil(year="2025-2026") for _ in range(9)]
    now = [pupil() for _ in range(10)]
    result = school_results(dataset(last + now), "12AB00", YEAR)
    assert figures_of(result).scale("veiligheidsbeleving").change is None  # type: ignore[union-attr]


# --------------------------------------------------------------------------- agreement


def test_agrees_with_the_national_table() -> None:
    """The same definitions, computed two ways: per school here, vectorised in national."""
    data = synthetic_dataset(
        Q, schools=12, pupils=12 * 40, school_year=YEAR, seed=4, sectors={"po": 1, "vo": 1}
    )
    table = school_table(data, YEAR).set_index("school")
    for code in data.schools["school"]:
        result = school_results(data, str(code), YEAR)
        row = table.loc[code]
        if result.figures is None:
            assert bool(row["suppressed"])
            continue
        figures = result.figures
        assert figures.respondents == row["respondents"]
        assert result.enrolled == row["enrolled"]
        if figures.completion is not None:
            assert figures.completion.started == row["started"]
        for scale in figures.scales:
            assert scale.mean == pytest.approx(row[f"{scale.scale}_mean"])
            assert scale.sd == pytest.approx(row[f"{scale.scale}_sd"])
            if scale.reliability is not None:
                assert scale.reliability.alpha == pytest.approx(row[f"{scale.scale}_alpha"])
        for share in figures.shares:
            if share.share is None:
                assert math.isnan(row[f"{share.name}_share"])
            else:
                assert share.share == pytest.approx(row[f"{share.name}_share"])
                assert share.n == row[f"{share.name}_n"]


# --------------------------------------------------------------------------- inputs


def test_unknown_school_and_bad_arguments() -> None:
    data = small_school()
    with pytest.raises(InvalidInput, match="not in the data"):
        school_results(data, "99ZZ00", YEAR)
    with pytest.raises(InvalidInput, match="min_n"):
        school_results(data, "12AB00", YEAR, min_n=0)
    with pytest.raises(InvalidInput, match="min_schools"):
        school_results(data, "12AB00", YEAR, min_schools=0)
    with pytest.raises(InvalidInput, match="school year"):
        school_results(data, "12AB00", "2026")


def test_previous_school_year() -> None:
    assert previous_school_year("2026-2027") == "2025-2026"
    with pytest.raises(InvalidInput):
        previous_school_year("2026-2028")


def test_responses_in_an_unknown_group_are_refused() -> None:
    rows = [pupil(group="7A") for _ in range(10)] + [pupil(group="7Z")]
    groups = [("12AB00", YEAR, "7A", 7, 30)]
    with pytest.raises(InvalidInput, match="without enrolled"):
        school_results(dataset(rows, groups), "12AB00", YEAR)
