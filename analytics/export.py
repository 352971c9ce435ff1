"""The research export: one row per respondent of a school year, with nothing that links.

A researcher gets the answers as stored, with the little context an analysis needs (school,
sector, age band, grade, an opaque group number, completed) and nothing else: no respondent id,
no access code, no date, no class name. Rows are ordered so that their order says nothing about
when pupils answered. ``docs/research-export.md`` is the reader's guide; this module is the rule.

Privacy rules (``min_n``, default 10, as everywhere in veilig):

- Which school-bands are exported is decided by the year's release plan
  (:func:`analytics.disclosure.release_plan`), the same for every output: a school-band with
  fewer than ``min_n`` counted respondents (a score on every mean scale) is left out whole, and
  so is one whose round is not closed. Blanking its school code would leave its rows
  recognisable as "the one small school", so nothing of it is written. Consent (to deliver to
  the Inspectie) is not needed: the export rests on the processing agreement. An exported
  school-band has all its pupils who started, partial responses included. The export says how
  many respondents were left out.
- ``grade`` is blanked for grades of a school-band with fewer than ``min_n`` respondents, and
  ``group`` for groups with fewer than ``min_n`` respondents in their grade. Both go through
  :func:`analytics.suppression.suppress` with the school-band (or grade) as the total, so where
  one cell is blanked a second one is too (complementary suppression): the rows with a blank
  grade or group never come from exactly one small grade or group. In a blanked grade every
  group is blanked as well.
- ``group`` is a number (1, 2, ...) per school, in order of band, grade and class name, never
  the class name: coordinators type class names freely and they can hold a teacher's name.
- Row order: by school, band and grade, then by a hash of the row's *published* values
  (:func:`pandas.util.hash_pandas_object`), never by storage order, which follows arrival.
  Hashing only published values means the order cannot be used to test a guess about a
  blanked grade or group.

Codes: option codes as stored (>= 1, see ``docs/questionnaire.md``), :data:`DECLINED_CODE`
(-1) for "I'd rather not say", and an empty cell for unanswered (not asked in the band, not
shown because of a condition, skipped, or not reached). In the ``.sav`` file -1 is a
user-missing value with its label, and unanswered is system-missing.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from analytics.dataset import DECLINED, META_COLUMNS, UNANSWERED, Dataset, item_ids
from analytics.disclosure import release_plan
from analytics.suppression import ALL, suppress
from flows.i18n import translator
from flows.model import Questionnaire
from veilig.errors import ConfigurationError, InvalidInput

__all__ = [
    "DECLINED_CODE",
    "EXPORT_META",
    "ResearchExport",
    "codebook",
    "codebook_csv",
    "export_csv",
    "read_export",
    "require_spss",
    "research_export",
    "responses_from_export",
    "write_sav",
]

#: The export's code for "I'd rather not say" (stored as -1 in a Dataset too).
DECLINED_CODE = DECLINED
#: The context columns, in file order; the item columns follow in questionnaire order.
EXPORT_META = ("school_year", "school", "sector", "band", "grade", "group", "completed")
SPSS_INSTALL = "pip install 'veilig[spss]'"
# SPSS limits labels in bytes: variable labels 256, value labels 120.
_VARIABLE_LABEL_BYTES = 255
_VALUE_LABEL_BYTES = 120
_ORDINAL_KINDS = frozenset({"agreement", "frequency"})

_META_NOTES = {
    "school_year": "School year, e.g. 2026-2027.",
    "school": "School (vestiging) code: BRIN + vestiging number, e.g. 12AB00.",
    "sector": "Sector of the school: po, vo, so or vso.",
    "band": "Age band of the questionnaire version the pupil answered: po, vo or so.",
    "grade": "PO/SO groep or VO leerjaar; empty where the grade had fewer than min_n "
    "respondents in the school-band, or was blanked to protect such a grade.",
    "group": "Opaque group number within the school (1, 2, ... in order of band, grade and "
    "class name), not the class name; empty where the group had fewer than min_n respondents "
    "in its grade, was blanked to protect such a group, or its grade is empty.",
    "completed": "1 when the pupil reached the end of the questionnaire, 0 for a partial response.",
}


@dataclass(frozen=True)
class ResearchExport:
    """The rows as written, their codebook and what the privacy rules left out.

    ``data``: columns :data:`EXPORT_META` then one per item; ``grade`` and ``group`` nullable
    ``Int16``, ``completed`` 0/1, item codes nullable ``Int8`` (missing = unanswered).
    ``left_out_respondents`` / ``left_out_units``: respondents and school-bands left out for
    having fewer than ``min_n`` counted respondents. ``not_closed_respondents`` /
    ``not_closed_units``: those of published school-bands left out because their round is
    not closed. ``blank_grades`` / ``blank_groups``: rows whose
    grade / group was blanked.
    """

    school_year: str
    min_n: int
    questionnaire_id: str
    questionnaire_version: str
    data: pd.DataFrame
    codebook: pd.DataFrame
    left_out_respondents: int
    left_out_units: int
    blank_grades: int
    blank_groups: int
    not_closed_respondents: int = 0
    not_closed_units: int = 0


def _keys(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Plain-object copies of key columns, so categoricals and ints merge alike."""
    # A missing key (a response without a group) is a cell of its own, not a gap.
    return pd.DataFrame(
        {column: frame[column].astype(object).to_numpy() for column in columns},
        index=frame.index,
    ).fillna("(unknown)")


def _shown(frame: pd.DataFrame, within: list[str], by: str, min_n: int) -> pd.Series:
    """True for rows whose ``by`` cell survives suppression within its ``within`` total."""
    if frame.empty:
        return pd.Series(True, index=frame.index, dtype=bool)
    keys = _keys(frame, [*within, by])
    table = keys.groupby([*within, by], sort=True).size().rename("n").reset_index()
    # Only totals with a small cell can hide anything; the rest skip the (slower) gate.
    smallest = table.groupby(within, sort=False)["n"].transform("min")
    table = table[(smallest < min_n).to_numpy()]
    if table.empty:
        return pd.Series(True, index=frame.index, dtype=bool)
    checked = suppress(table, by, n="n", min_n=min_n, within=within, figures=[])
    cells = checked[checked[by].map(lambda value: value != ALL)]
    cells = cells.assign(shown=~cells["suppressed"].astype(bool))[[*within, by, "shown"]]
    merged = keys.merge(
        _keys(cells, [*within, by]).assign(shown=cells["shown"].to_numpy()),
        on=[*within, by],
        how="left",
    )
    # Cells of totals without a small cell were not checked: they are shown.
    hidden = merged["shown"].eq(False).to_numpy(dtype=bool)
    return pd.Series(~hidden, index=frame.index)


def _group_numbers(frame: pd.DataFrame, shown: pd.Series) -> pd.Series:
    """1, 2, ... per school over the shown groups, in order of band, grade and name."""
    columns = ["school", "band", "grade", "group"]
    keys = _keys(frame, columns)
    distinct = keys[shown].drop_duplicates().copy()
    distinct["group_name"] = distinct["group"].astype(str)
    distinct = distinct.sort_values(["school", "band", "grade", "group_name"], kind="stable")
    distinct["number"] = distinct.groupby("school", sort=False).cumcount() + 1
    merged = keys.merge(distinct[[*columns, "number"]], on=columns, how="left")
    numbers = pd.Series(merged["number"].to_numpy(), index=frame.index).astype("Int16")
    return numbers.where(shown, pd.NA)


def research_export(dataset: Dataset, school_year: str, *, min_n: int = 10) -> ResearchExport:
    """The respondent-level export of ``school_year``; see the module docstring for the rules.

    Every respondent of the school year is a row when their school-band is exported by the
    release plan (at least ``min_n`` counted respondents, round closed); partial responses are
    included (``completed`` 0).
    """
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
    questionnaire = dataset.questionnaire
    items = item_ids(questionnaire)
    # Unique labels: rows are matched back by index label below.
    responses = dataset.year(school_year).responses.reset_index(drop=True)

    plan = release_plan(dataset, school_year, min_n=min_n)
    units = plan.units
    unit = list(zip(responses["school"].astype(str), responses["band"].astype(str), strict=True))
    exported = plan.exported()
    small = frozenset(
        zip(
            units.loc[~units["published"], "school"],
            units.loc[~units["published"], "band"],
            strict=True,
        )
    )
    keep = np.fromiter((key in exported for key in unit), dtype=bool, count=len(unit))
    too_small = np.fromiter((key in small for key in unit), dtype=bool, count=len(unit))
    kept = responses[keep]
    left_out = responses[too_small]
    not_closed = responses[~keep & ~too_small]

    grade_shown = _shown(kept, ["school", "band"], "grade", min_n)
    group_shown = pd.Series(False, index=kept.index, dtype=bool)
    if grade_shown.any():
        inside = kept[grade_shown.to_numpy()]
        group_shown.loc[inside.index] = _shown(inside, ["school", "band", "grade"], "group", min_n)

    columns: dict[str, pd.Series] = {
        "school_year": kept["school_year"].astype(str),
        "school": kept["school"].astype(str),
        "sector": kept["sector"].astype(str),
        "band": kept["band"].astype(str),
        "grade": kept["grade"].astype("Int16").where(grade_shown, pd.NA),
        "group": _group_numbers(kept, group_shown),
        "completed": kept["completed"].astype(bool).astype("int8"),
    }
    for item in items:
        codes = kept[item].astype("Int8")
        columns[item] = codes.mask(codes == UNANSWERED)
    data = pd.DataFrame(columns, index=kept.index)
    data = _ordered(data)

    present = [band for band in questionnaire.bands if band in set(data["band"])]
    return ResearchExport(
        school_year=school_year,
        min_n=min_n,
        questionnaire_id=questionnaire.id,
        questionnaire_version=questionnaire.version,
        data=data,
        codebook=codebook(questionnaire, present or list(questionnaire.bands)),
        left_out_respondents=len(left_out),
        left_out_units=int(_keys(left_out, ["school", "band"]).drop_duplicates().shape[0]),
        not_closed_respondents=len(not_closed),
        not_closed_units=int(_keys(not_closed, ["school", "band"]).drop_duplicates().shape[0]),
        blank_grades=int(data["grade"].isna().sum()),
        blank_groups=int(data["group"].isna().sum()),
    )


def _ordered(data: pd.DataFrame) -> pd.DataFrame:
    """Sorted by school, band, grade (blank last), then the hash of the published row."""
    digest = pd.util.hash_pandas_object(data, index=False).to_numpy()
    order = data[["school", "band", "grade"]].assign(_digest=digest)
    order = order.sort_values(
        ["school", "band", "grade", "_digest"], na_position="last", kind="stable"
    )
    return data.loc[order.index].reset_index(drop=True)


def _item_note(questionnaire: Questionnaire, item_id: str, band: str) -> str:
    item = questionnaire.item(item_id)
    assert item is not None  # item_ids come from the questionnaire
    scale = questionnaire.answer_scales[item.scale]
    options = questionnaire.options(item, band)
    codes = sorted(option.code for option in options.options) if options else []
    parts = [
        f"construct {item.construct_id}",
        f"answer scale {item.scale} ({scale.kind})",
        f"codes {codes[0]}-{codes[-1]}" if codes else "no options",
    ]
    if item.reverse:
        parts.append("reverse-coded in scale scores (min + max - code)")
    if item.condition is not None:
        parts.append("asked only when its condition holds (see docs/questionnaire.md)")
    return "; ".join(parts)


def codebook(questionnaire: Questionnaire, bands: Sequence[str] | None = None) -> pd.DataFrame:
    """Every variable of the export with, per band, its question and option labels.

    Columns ``variable``, ``band`` (empty for context variables), ``value`` (empty on the
    question row), ``label`` (Dutch question or option text, as pupils saw it) and ``note``
    (English, for the researcher). One row per context variable; per item and band that asks
    it: a question row, one row per option code and a row for :data:`DECLINED_CODE`.
    """
    chosen = list(bands) if bands is not None else list(questionnaire.bands)
    declined_label = translator(questionnaire.source_language).ui("prefer_not")
    rows: list[dict[str, object]] = [
        {"variable": name, "band": "", "value": "", "label": "", "note": _META_NOTES[name]}
        for name in EXPORT_META
    ]
    for item_id in item_ids(questionnaire):
        item = questionnaire.item(item_id)
        assert item is not None
        for band in chosen:
            if band not in item.bands:
                continue
            rows.append(
                {
                    "variable": item_id,
                    "band": band,
                    "value": "",
                    "label": item.text[band],
                    "note": _item_note(questionnaire, item_id, band),
                }
            )
            options = questionnaire.options(item, band)
            for option in sorted(options.options if options else (), key=lambda o: o.code):
                rows.append(
                    {
                        "variable": item_id,
                        "band": band,
                        "value": str(option.code),
                        "label": option.label,
                        "note": "",
                    }
                )
            rows.append(
                {
                    "variable": item_id,
                    "band": band,
                    "value": str(DECLINED_CODE),
                    "label": declined_label,
                    "note": 'declined: the pupil chose "I\'d rather not say"; an empty '
                    "cell means unanswered",
                }
            )
    return pd.DataFrame(rows, columns=["variable", "band", "value", "label", "note"])


def export_csv(export: ResearchExport) -> str:
    """The export's rows as CSV text (UTF-8, comma, ``\\n``); the same data gives the same text."""
    return export.data.to_csv(index=False, lineterminator="\n")


def codebook_csv(export: ResearchExport) -> str:
    """The codebook as CSV text."""
    return export.codebook.to_csv(index=False, lineterminator="\n")


def _fit(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` UTF-8 bytes (SPSS counts bytes), marked with an ellipsis."""
    if len(text.encode("utf-8")) <= limit:
        return text
    cut = text.encode("utf-8")[: limit - len("…".encode())]
    return cut.decode("utf-8", errors="ignore").rstrip() + "…"


def _joined(per_band: dict[str, str]) -> str:
    """One text when the bands agree, else ``po: ... | vo: ...``."""
    if len(set(per_band.values())) == 1:
        return next(iter(per_band.values()))
    return " | ".join(f"{band}: {text}" for band, text in per_band.items())


def _spss_metadata(export: ResearchExport) -> dict[str, Any]:
    """Variable labels, value labels, user-missing values and measures for the .sav file."""
    book = export.codebook
    labels: dict[str, str] = {name: _META_NOTES[name] for name in EXPORT_META}
    value_labels: dict[str, dict[int, str]] = {}
    measures: dict[str, str] = {name: "nominal" for name in EXPORT_META}
    measures["grade"] = "ordinal"
    for column in map(str, export.data.columns[len(EXPORT_META) :]):
        labels[column] = f"{column}: not asked in the bands of this export"
    for item_id, rows in book[book["band"] != ""].groupby("variable", sort=False):
        questions = rows[rows["value"] == ""]
        labels[str(item_id)] = _joined(
            dict(zip(questions["band"], questions["label"], strict=True))
        )
        per_code: dict[int, dict[str, str]] = {}
        for band, value, label in rows[rows["value"] != ""][["band", "value", "label"]].itertuples(
            index=False, name=None
        ):
            per_code.setdefault(int(value), {})[str(band)] = str(label)
        value_labels[str(item_id)] = {
            code: _fit(_joined(texts), _VALUE_LABEL_BYTES)
            for code, texts in sorted(per_code.items())
        }
    for name in list(labels):
        labels[name] = _fit(labels[name], _VARIABLE_LABEL_BYTES)
    return {"labels": labels, "value_labels": value_labels, "measures": measures}


def require_spss() -> ModuleType:
    """The optional ``pyreadstat`` module, or ``ConfigurationError`` saying how to install it."""
    try:
        import pyreadstat
    except ImportError as exc:
        raise ConfigurationError(
            f"writing an SPSS .sav file needs the optional package pyreadstat; install it "
            f"with: {SPSS_INSTALL} (or write a .csv)"
        ) from exc
    return pyreadstat


def write_sav(export: ResearchExport, path: Path, questionnaire: Questionnaire) -> None:
    """Write the export as an SPSS ``.sav`` file with variable and value labels.

    Needs the optional ``pyreadstat`` (``pip install 'veilig[spss]'``); without it raises
    ``ConfigurationError`` saying so. Item codes are numeric with value labels (band-specific
    labels joined as ``po: Ja | vo: Mee eens`` where the bands differ), -1 a user-missing
    value labelled "Dat zeg ik liever niet", unanswered system-missing.
    """
    pyreadstat = require_spss()
    meta = _spss_metadata(export)
    frame = export.data.copy()
    for column in frame.columns:
        if column not in ("school_year", "school", "sector", "band"):
            frame[column] = frame[column].astype("Float64").astype(float)
        else:
            frame[column] = frame[column].astype(object)
    items = [column for column in frame.columns if column not in EXPORT_META]
    measures = dict(meta["measures"])
    for item_id in items:
        item = questionnaire.item(item_id)
        kind = questionnaire.answer_scales[item.scale].kind if item is not None else "nominal"
        measures[item_id] = "ordinal" if kind in _ORDINAL_KINDS else "nominal"
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=_fit(
            f"veilig research export {export.school_year}, {export.questionnaire_id}", 64
        ),
        column_labels=[meta["labels"][column] for column in frame.columns],
        variable_value_labels=meta["value_labels"],
        missing_ranges={item_id: [DECLINED_CODE] for item_id in items},
        variable_measure=measures,
    )


def responses_from_export(frame: pd.DataFrame, questionnaire: Questionnaire) -> pd.DataFrame:
    """A Dataset-compatible ``responses`` frame from the export's rows (all cells as text).

    Inverse of the export's coding: empty item cells become :data:`UNANSWERED` (0), -1 stays
    :data:`DECLINED`, codes stay codes (``int8``). Meta columns as in
    :mod:`analytics.dataset`, except that ``grade`` is nullable ``Int8`` and ``group`` (the
    opaque number, as text) may be missing where the export blanked them. Raises
    ``InvalidInput`` naming the column when the columns do not match the questionnaire or a
    cell is not a code.

    >>> text = pd.DataFrame({"school_year": ["2026-2027"], "school": ["12AB00"],
    ...     "sector": ["po"], "band": ["po"], "grade": [""], "group": ["1"],
    ...     "completed": ["1"]})
    >>> from flows import load_questionnaire
    >>> q = load_questionnaire()
    >>> for item in item_ids(q):
    ...     text[item] = ""
    >>> text["safe_school"] = "4"; text["bullied"] = "-1"
    >>> back = responses_from_export(text, q)
    >>> int(back["safe_school"][0]), int(back["bullied"][0]), int(back["safe_class"][0])
    (4, -1, 0)
    >>> back["grade"].isna()[0], bool(back["completed"][0])
    (np.True_, True)
    """
    items = item_ids(questionnaire)
    expected = [*EXPORT_META, *items]
    missing = [column for column in expected if column not in frame.columns]
    extra = [column for column in frame.columns if column not in expected]
    if missing or extra:
        raise InvalidInput(
            f"the export does not match questionnaire {questionnaire.id}: missing columns "
            f"{missing}, unknown columns {extra}; read it with the questionnaire it was "
            "written with"
        )
    text = frame.astype(str).apply(lambda column: column.str.strip())
    out: dict[str, pd.Series] = {}
    for column in ("school", "school_year", "sector", "band"):
        out[column] = text[column].astype("category")
    blank_group = text["group"] == ""
    out["group"] = text["group"].where(~blank_group, None).astype("category")
    out["grade"] = _numbers(text["grade"], "grade").astype("Int8")
    completed = text["completed"]
    if not completed.isin(["0", "1"]).all():
        raise InvalidInput("column 'completed' must hold 0 or 1 in every row")
    out["completed"] = completed == "1"
    for item in items:
        codes = _numbers(text[item], item)
        if ((codes == UNANSWERED) | (codes < DECLINED)).any():
            raise InvalidInput(
                f"column {item!r} holds codes that are neither an option code (>= 1), "
                f"{DECLINED_CODE} (declined) nor empty (unanswered)"
            )
        out[item] = codes.fillna(UNANSWERED).astype("int8")
    responses = pd.DataFrame(out, index=frame.index)
    return responses[[*META_COLUMNS, *items]]


def _numbers(text: pd.Series, column: Hashable) -> pd.Series:
    """Whole numbers from text cells; empty cells missing; anything else an error."""
    blank = text == ""
    numbers = pd.to_numeric(text.where(~blank), errors="coerce")
    if (numbers.isna() & ~blank).any() or (numbers.dropna() % 1 != 0).any():
        raise InvalidInput(f"column {column!r} must hold whole numbers or nothing")
    return numbers.astype("Float64").astype("Int64")


def read_export(path: Path, questionnaire: Questionnaire) -> pd.DataFrame:
    """Read an export CSV back into a Dataset-compatible ``responses`` frame."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    return responses_from_export(frame, questionnaire)
