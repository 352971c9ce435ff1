"""The research export: privacy rules by hand, codes, order, round trip, codebook, .sav."""

from __future__ import annotations

import doctest
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import analytics.export
from analytics.dataset import DECLINED, META_COLUMNS, UNANSWERED, Dataset, item_ids
from analytics.export import (
    EXPORT_META,
    ResearchExport,
    codebook,
    export_csv,
    read_export,
    research_export,
    responses_from_export,
    write_sav,
)
from analytics.instrument import pupil_scores
from analytics.synthetic import synthetic_dataset
from tests.analytics.builders import YEAR, Q, dataset_of
from tests.analytics.builders import pupils as any_pupils
from veilig.errors import ConfigurationError, InvalidInput

ITEMS = item_ids(Q)


def pupils(*args: Any, **kwargs: Any) -> list[dict[str, object]]:
    """Pupils who count as respondents: the export's unit rule counts those."""
    return any_pupils(*args, counted=True, **kwargs)


def test_small_groups_grades_and_schools_are_not_identifiable() -> None:
    rows = [
        # School 12AB00: grade 7 has 7A (12) and 7B (3); grade 8 has 8A (11).
        *pupils("12AB00", "7A", 7, 12),
        *pupils("12AB00", "7B juf Anna", 7, 3),
        *pupils("12AB00", "8A", 8, 11),
        # School 56EF00: grade 5 (4) is small, grade 6 (12) the smallest other, grade 7 (13).
        *pupils("56EF00", "5A", 5, 4),
        *pupils("56EF00", "6A", 6, 12),
        *pupils("56EF00", "7A", 7, 13),
        # School 34CD00 has 4 respondents in all: left out whole.
        *pupils("34CD00", "6A", 6, 4),
    ]
    export = research_export(dataset_of(rows), YEAR, min_n=10)
    data = export.data
    assert (export.left_out_respondents, export.left_out_units) == (4, 1)
    assert "34CD00" not in set(data["school"])
    assert len(data) == 26 + 29

    first = data[data["school"] == "12AB00"]
    # 7B is below 10; 7A is then the only other part of grade 7 and is blanked too.
    grade7 = first[first["grade"] == 7]
    assert len(grade7) == 15 and grade7["group"].isna().all()
    grade8 = first[first["grade"] == 8]
    assert len(grade8) == 11 and (grade8["group"] == 1).all()

    second = data[data["school"] == "56EF00"]
    # Grade 5 is below 10, grade 6 (the smallest other grade) is blanked with it.
    assert second["grade"].isna().sum() == 16
    assert (second["grade"] == 7).sum() == 13
    # Groups in a blank grade are blank; the one group of grade 7 is group 1 of the school.
    assert second.loc[second["grade"].isna(), "group"].isna().all()
    assert (second.loc[second["grade"] == 7, "group"] == 1).all()
    assert export.blank_grades == 16
    assert export.blank_groups == 15 + 16


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(5, 8), st.integers(1, 25)), min_size=1, max_size=6))
def test_blank_cells_never_single_out_one_small_cell(groups: list[tuple[int, int]]) -> None:
    rows = []
    for index, (grade, size) in enumerate(groups):
        # The true group rides along in an item (bullied_where codes 1-6) to check against.
        marker = {"bullied_where": index + 1}
        rows += pupils("12AB00", f"{grade}{'ABCDEF'[index]}", grade, size, answers=marker)
    data = research_export(dataset_of(rows), YEAR, min_n=10).data
    if sum(size for _, size in groups) < 10:
        assert data.empty
        return
    grade_of = {index + 1: grade for index, (grade, _) in enumerate(groups)}
    truth = data["bullied_where"].astype(int)
    blank_grade = data["grade"].isna()
    assert data.loc[blank_grade, "group"].isna().all()
    assert truth[blank_grade].map(grade_of).nunique() != 1
    assert (data.loc[~blank_grade].groupby("grade").size() >= 10).all()
    for _, part in data[~blank_grade].groupby("grade"):
        blank = part["group"].isna()
        assert truth[part.index][blank].nunique() != 1
        assert (part[~blank].groupby("group").size() >= 10).all()
        # A shown group number stands for exactly one true group, and the other way round.
        pairs = set(zip(part.loc[~blank, "group"], truth[part.index][~blank], strict=True))
        assert len(pairs) == len({g for g, _ in pairs}) == len({t for _, t in pairs})


def test_group_numbers_follow_band_grade_and_name_per_school() -> None:
    rows = [
        *pupils("12AB00", "8B", 8, 10),
        *pupils("12AB00", "7Z", 7, 10),
        *pupils("12AB00", "8A", 8, 10),
        *pupils("56EF00", "6C", 6, 10),
    ]
    data = research_export(dataset_of(rows), YEAR).data
    first = data[data["school"] == "12AB00"]
    assert first.groupby("grade")["group"].agg(lambda g: sorted(set(g))).to_dict() == {
        7: [1],
        8: [2, 3],
    }
    assert set(data.loc[data["school"] == "56EF00", "group"]) == {1}


def test_codes_declined_and_unanswered() -> None:
    rows = pupils("12AB00", "7A", 7, 10, answers={"safe_class": 3, "bullied": DECLINED})
    rows[0]["safe_class"] = UNANSWERED
    export = research_export(dataset_of(rows), YEAR)
    text = export_csv(export)
    header = text.splitlines()[0].split(",")
    assert header == [*EXPORT_META, *ITEMS]
    data = export.data
    assert (data["bullied"] == -1).all()
    assert data["safe_class"].isna().sum() == 1 and (data["safe_class"].dropna() == 3).all()
    assert data["afraid_school"].isna().all()  # a VO item: not asked in PO
    assert sorted(data["safe_school"].tolist()) == sorted(1 + i % 4 for i in range(10))
    line = next(line for line in text.splitlines()[1:] if line.split(",")[8] == "")
    cells = dict(zip(header, line.split(","), strict=True))
    assert (cells["bullied"], cells["safe_class"], cells["afraid_school"]) == ("-1", "", "")
    assert cells["completed"] == "1" and cells["grade"] == "7" and cells["group"] == "1"


def test_nothing_that_links_is_written() -> None:
    rows = pupils("12AB00", "7B juf Anna", 7, 12)
    text = export_csv(research_export(dataset_of(rows), YEAR))
    assert "juf Anna" not in text and "7B" not in text
    header = text.splitlines()[0].split(",")
    assert not [c for c in header if c.endswith(("id", "code", "date", "_on", "_at"))]


def test_order_depends_on_the_published_values_only() -> None:
    dataset = synthetic_dataset(Q, schools=6, pupils=400, school_year=YEAR, seed=4)
    export = research_export(dataset, YEAR)
    shuffled = dataset.responses.sample(frac=1.0, random_state=7)
    again = research_export(
        Dataset(Q, shuffled, dataset.groups, dataset.schools, dataset.rounds), YEAR
    )
    assert export_csv(again) == export_csv(export)
    data = export.data
    keys = data[["school", "band"]].astype(str).agg("/".join, axis=1)
    assert keys.is_monotonic_increasing
    for _, part in data.groupby(["school", "band"]):
        grades = part["grade"]
        shown = grades.dropna()
        assert shown.is_monotonic_increasing
        assert grades.isna().sum() == 0 or grades.isna().to_numpy()[-grades.isna().sum() :].all()


def test_round_trip_gives_the_same_answers(tmp_path: Path) -> None:
    dataset = synthetic_dataset(Q, schools=8, pupils=700, school_year=YEAR, seed=9)
    export = research_export(dataset, YEAR)
    path = tmp_path / "export.csv"
    path.write_text(export_csv(export), encoding="utf-8")
    back = read_export(path, Q)
    assert list(back.columns) == [*META_COLUMNS, *ITEMS]
    assert back["grade"].dtype == "Int8" and back["completed"].dtype == bool
    assert all(back[item].dtype == np.int8 for item in ITEMS)
    kept = dataset.responses[dataset.responses["school_year"] == YEAR]
    sizes = kept.groupby(["school", "band"], observed=True)["school"].transform("size")
    kept = kept[sizes >= 10]

    def canonical(frame: pd.DataFrame) -> list[tuple[object, ...]]:
        columns = ["school", "band", "completed", *ITEMS]
        plain = frame[columns].astype({"school": str, "band": str})
        return sorted(map(tuple, plain.itertuples(index=False, name=None)))

    assert canonical(back) == canonical(kept)


def test_report_figures_can_be_recomputed_from_the_export(tmp_path: Path) -> None:
    """School mean scores from the export equal those from the data it was made from."""
    dataset = synthetic_dataset(Q, schools=10, pupils=900, school_year=YEAR, seed=2)
    path = tmp_path / "export.csv"
    path.write_text(export_csv(research_export(dataset, YEAR)), encoding="utf-8")
    back = read_export(path, Q)

    def school_means(responses: pd.DataFrame) -> pd.DataFrame:
        parts = []
        for band in Q.bands:
            rows = responses[responses["band"].astype(str) == band]
            if rows.empty:
                continue
            scores = pupil_scores(rows, Q, band)
            scores = scores[scores["counted"]].drop(columns="counted")
            scores["school"] = rows.loc[scores.index, "school"].astype(str)
            scores["band"] = band
            parts.append(scores.groupby(["school", "band"]).agg(["mean", "count"]))
        return pd.concat(parts).sort_index()

    original = school_means(dataset.responses)
    recomputed = school_means(back)
    large = original[original[("veiligheidsbeleving", "count")] >= 10]
    pd.testing.assert_frame_equal(recomputed.loc[large.index], large)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["7A", "7B", "8A"]), st.integers(-1, 4), st.integers(-1, 4)),
        min_size=1,
        max_size=40,
    )
)
def test_round_trip_property(answers: list[tuple[str, int, int]]) -> None:
    rows = []
    for group, a, b in answers:
        row = pupils("12AB00", group, int(group[0]), 1)[0]
        row.update(safe_school=a, bullied=b)
        rows.append(row)
    export = research_export(dataset_of(rows), YEAR, min_n=1)
    back = responses_from_export(
        pd.read_csv(io.StringIO(export_csv(export)), dtype=str, keep_default_na=False), Q
    )
    assert sorted(zip(back["safe_school"], back["bullied"], strict=True)) == sorted(
        (a, b) for _, a, b in answers
    )
    # With min_n 1 nothing is blanked: every group and grade is published.
    assert back["grade"].notna().all() and back["group"].notna().all()


def test_codebook_has_every_item_band_and_option() -> None:
    book = codebook(Q)
    assert list(book.columns) == ["variable", "band", "value", "label", "note"]
    assert list(book.loc[book["band"] == "", "variable"]) == list(EXPORT_META)
    po_safe = book[(book["variable"] == "safe_school") & (book["band"] == "po")]
    assert po_safe["label"].tolist() == [
        "Voel jij je veilig op school?",
        "Nee",
        "Meestal niet",
        "Meestal wel",
        "Ja",
        "Dat zeg ik liever niet",
    ]
    assert po_safe["value"].tolist() == ["", "1", "2", "3", "4", "-1"]
    # VO-only items have no PO rows; every item asked in a band has a declined row there.
    assert book[(book["variable"] == "afraid_school") & (book["band"] == "po")].empty
    for item in ITEMS:
        question = Q.item(item)
        assert question is not None
        for band in question.bands:
            rows = book[(book["variable"] == item) & (book["band"] == band)]
            assert "-1" in set(rows["value"]), (item, band)


def test_sav_has_labels_missing_values_and_the_csv_data(tmp_path: Path) -> None:
    import pyreadstat

    rows = [
        *pupils("12AB00", "7A", 7, 10, answers={"bullied": DECLINED}),
        *pupils("90XY00", "2A", 2, 10, band="vo", sector="vo", answers={"afraid_school": 5}),
    ]
    export = research_export(dataset_of(rows), YEAR)
    path = tmp_path / "export.sav"
    write_sav(export, path, Q)
    data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert list(data.columns) == list(export.data.columns)
    labels = meta.variable_value_labels
    assert labels["safe_school"][-1] == "Dat zeg ik liever niet"
    assert labels["safe_school"][4] == "po: Ja | vo: Mee eens"
    assert labels["safe_school"][5] == "Helemaal mee eens"
    assert labels["gender"][1] == "Jongen"
    assert meta.missing_ranges["bullied"] == [{"lo": -1.0, "hi": -1.0}]
    assert meta.column_names_to_labels["afraid_school"] == "Op school ben ik weleens bang."
    assert meta.column_names_to_labels["safe_school"].startswith("po: Voel jij je veilig")
    expected = export.data.astype({c: "Float64" for c in data.columns[4:]}).astype(
        {c: float for c in data.columns[4:]}
    )
    pd.testing.assert_frame_equal(
        data[data.columns[4:]], expected[data.columns[4:]], check_dtype=False
    )
    assert (data["bullied"].iloc[:10] == -1).all()
    plain, _ = pyreadstat.read_sav(str(path))  # user-missing read as missing
    assert plain["bullied"].iloc[:10].isna().all()


def test_sav_without_pyreadstat_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyreadstat", None)  # makes the import fail
    export = research_export(dataset_of(pupils("12AB00", "7A", 7, 10)), YEAR)
    with pytest.raises(ConfigurationError, match=r"pip install 'veilig\[spss\]'"):
        write_sav(export, tmp_path / "x.sav", Q)


def test_an_empty_year_gives_a_header_only() -> None:
    export = research_export(dataset_of(pupils("12AB00", "7A", 7, 3)), "2025-2026")
    assert isinstance(export, ResearchExport)
    assert export_csv(export).splitlines() == [",".join([*EXPORT_META, *ITEMS])]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda f: f.drop(columns=["bullied"]), "missing columns \\['bullied'\\]"),
        (lambda f: f.assign(respondent_id="x"), "unknown columns \\['respondent_id'\\]"),
        (lambda f: f.assign(safe_school="x"), "'safe_school' must hold whole numbers"),
        (lambda f: f.assign(safe_school="0"), "'safe_school' holds codes"),
        (lambda f: f.assign(safe_school="-2"), "'safe_school' holds codes"),
        (lambda f: f.assign(completed="yes"), "'completed' must hold 0 or 1"),
    ],
)
def test_reading_back_refuses_what_is_not_an_export(change: object, match: str) -> None:
    export = research_export(dataset_of(pupils("12AB00", "7A", 7, 10)), YEAR)
    frame = pd.read_csv(io.StringIO(export_csv(export)), dtype=str, keep_default_na=False)
    assert callable(change)
    with pytest.raises(InvalidInput, match=match):
        responses_from_export(change(frame), Q)


@pytest.mark.parametrize("min_n", [0, -1, True, 2.5])
def test_min_n_must_be_a_whole_number(min_n: object) -> None:
    with pytest.raises(InvalidInput, match="min_n"):
        research_export(dataset_of(pupils("12AB00", "7A", 7, 3)), YEAR, min_n=min_n)  # type: ignore[arg-type]


def test_docstring_examples() -> None:
    result = doctest.testmod(analytics.export, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
