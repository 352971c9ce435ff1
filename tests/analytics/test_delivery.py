"""The delivery to the Inspectie: who is in it, what it says, and that it is byte-stable."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import math
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from analytics.dataset import Dataset
from analytics.delivery import (
    DATA_FILES,
    MANIFEST,
    OPTION_FIELDS,
    SCHEMA_PATH,
    SCHOOL_FIELDS,
    Reason,
    _round_figures,
    build_delivery,
    render_files,
    validate_document,
    validate_manifest,
)
from analytics.national import option_share_table, school_table
from analytics.rounding import round_figure
from tests.analytics.test_national import YEAR, Q, hand_dataset, random_dataset
from veilig.errors import InvalidInput, QuestionnaireError

SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
REFERENCE = jsonschema.Draft202012Validator(SCHEMA)
MANIFEST_REFERENCE = jsonschema.Draft202012Validator(
    {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": "#/$defs/manifest"}
)
FIGURES = [
    field.name
    for field in SCHOOL_FIELDS
    if field.kind in ("int", "share", "rate", "mean")
    and not field.name.endswith(("_scale_min", "_scale_max"))
]


def _document(files: dict[str, bytes]) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(files["delivery.json"])
    return parsed


def _with_rounds(dataset: Dataset, rounds: list[tuple[str, str, bool]]) -> Dataset:
    table = pd.DataFrame(
        [(school, YEAR, Q.id, Q.version, status, consent) for school, status, consent in rounds],
        columns=dataset.rounds.columns,
    )
    return Dataset(Q, dataset.responses, dataset.groups, dataset.schools, table)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return random_dataset(5, schools=15, largest=70)


@pytest.fixture(scope="module")
def files(dataset: Dataset) -> dict[str, bytes]:
    return render_files(build_delivery(dataset, YEAR))


# --- the schema ---------------------------------------------------------------------------


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_names_every_field_in_the_order_written() -> None:
    row = SCHEMA["$defs"]["school_row"]
    assert list(row["properties"]) == [field.name for field in SCHOOL_FIELDS]
    assert row["required"] == [field.name for field in SCHOOL_FIELDS]
    option = SCHEMA["$defs"]["option_row"]
    assert list(option["properties"]) == [field.name for field in OPTION_FIELDS]
    assert all(p.get("description") for p in row["properties"].values())


def test_the_delivery_validates_with_both_validators(files: dict[str, bytes]) -> None:
    document = _document(files)
    validate_document(document)  # jsonschema-rs, as the delivery checks itself
    assert list(REFERENCE.iter_errors(document)) == []  # the reference implementation agrees
    manifest = json.loads(files[MANIFEST])
    validate_manifest(manifest)
    assert list(MANIFEST_REFERENCE.iter_errors(manifest)) == []


def _first_shown(document: dict[str, Any]) -> int:
    return next(i for i, row in enumerate(document["schools"]) if not row["suppressed"])


BROKEN = [
    ("an unknown field", lambda d: d["schools"][0].update(pupil_id=7)),
    ("a missing field", lambda d: d["schools"][0].pop("enrolled")),
    ("a share above 1", lambda d: d["schools"][_first_shown(d)].update(gepest_share=1.2)),
    ("a negative count", lambda d: d["schools"][_first_shown(d)].update(respondents=-1)),
    ("a bad school code", lambda d: d["schools"][0].update(school="12AB0")),
    (
        "a figure in a suppressed row",
        lambda d: d["schools"][_first_suppressed(d)].update(respondents=4),
    ),
    (
        "a suppressed row without its reason",
        lambda d: d["schools"][_first_suppressed(d)].update(suppression_reason=None),
    ),
    ("a share of a suppressed option", lambda d: _suppressed_option(d).update(share=0.5)),
    ("another format version", lambda d: d.update(format_version="0.9")),
    ("a time in the file", lambda d: d.update(written_at="2027-06-30T12:00:00Z")),
]


def _first_suppressed(document: dict[str, Any]) -> int:
    return next(i for i, row in enumerate(document["schools"]) if row["suppressed"])


def _suppressed_option(document: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = next(row for row in document["option_shares"] if row["suppressed"])
    return found


@pytest.mark.parametrize(("what", "damage"), BROKEN, ids=[what for what, _ in BROKEN])
def test_the_schema_refuses(files: dict[str, bytes], what: str, damage: Any) -> None:
    document = copy.deepcopy(_document(files))
    damage(document)
    assert not REFERENCE.is_valid(document)
    with pytest.raises(InvalidInput, match=r"does not match docs/delivery\.schema\.json"):
        validate_document(document)


# --- who is delivered ---------------------------------------------------------------------


def _hand_two_schools() -> Dataset:
    """The hand-worked VO school (3 respondents) plus a copy of it as 34CD00."""
    one = hand_dataset()
    other = one.responses.assign(school="34CD00")
    responses = pd.concat([one.responses, other], ignore_index=True)
    responses["school"] = responses["school"].astype("category")
    groups = pd.concat([one.groups, one.groups.assign(school="34CD00")], ignore_index=True)
    schools = pd.concat(
        [one.schools, one.schools.assign(school="34CD00", brin="34CD")], ignore_index=True
    )
    return Dataset(Q, responses, groups, schools, one.rounds)


@pytest.mark.parametrize(
    ("status", "consent", "reasons"),
    [
        ("closed", False, [Reason.NO_CONSENT]),
        ("open", True, [Reason.ROUND_NOT_CLOSED]),
        ("open", False, [Reason.ROUND_NOT_CLOSED, Reason.NO_CONSENT]),
        ("draft", True, [Reason.ROUND_NOT_CLOSED]),
        (None, False, [Reason.NO_ROUND]),
    ],
)
def test_a_school_without_consent_or_a_closed_round_is_listed_not_delivered(
    status: str | None, consent: bool, reasons: list[Reason]
) -> None:
    rounds = [("12AB00", "closed", True)]
    if status is not None:
        rounds.append(("34CD00", status, consent))
    dataset = _with_rounds(_hand_two_schools(), rounds)
    delivery = build_delivery(dataset, YEAR, min_n=3)
    assert {row["school"] for row in delivery.school_rows()} == {"12AB00"}
    assert {row["school"] for row in delivery.option_rows()} == {"12AB00"}
    (listed,) = delivery.not_delivered
    assert (listed.school, list(listed.reasons)) == ("34CD00", reasons)
    files = render_files(delivery)
    manifest = json.loads(files[MANIFEST])
    assert manifest["not_delivered"] == [
        {"school": "34CD00", "reasons": [reason.value for reason in reasons]}
    ]
    for name in DATA_FILES[:3]:
        assert b"34CD00" not in files[name]


def test_a_delivered_round_counts_as_closed() -> None:
    dataset = _with_rounds(hand_dataset(), [("12AB00", "delivered", True)])
    assert len(build_delivery(dataset, YEAR, min_n=3).school_rows()) == 1


def test_a_consenting_closed_school_without_pupils_is_listed() -> None:
    dataset = hand_dataset()
    schools = pd.concat([dataset.schools, dataset.schools.assign(school="56EF00", brin="56EF")])
    rounds = [("12AB00", "closed", True), ("56EF00", "closed", True)]
    delivery = build_delivery(
        _with_rounds(
            Dataset(Q, dataset.responses, dataset.groups, schools, dataset.rounds), rounds
        ),
        YEAR,
        min_n=3,
    )
    assert [(n.school, n.reasons) for n in delivery.not_delivered] == [
        ("56EF00", (Reason.NO_PUPILS,))
    ]


def test_the_random_year_delivers_exactly_the_closed_consenting_schools(dataset: Dataset) -> None:
    delivery = build_delivery(dataset, YEAR)
    rounds = dataset.rounds.set_index("school")
    wanted = {
        s for s in rounds.index if rounds.loc[s, "status"] == "closed" and rounds.loc[s, "consent"]
    }
    assert {row["school"] for row in delivery.school_rows()} == wanted
    listed = {item.school for item in delivery.not_delivered}
    assert listed == set(dataset.schools["school"]) - wanted


# --- what it says -------------------------------------------------------------------------


def test_a_suppressed_unit_has_no_figures_and_no_option_shares(files: dict[str, bytes]) -> None:
    document = _document(files)
    suppressed = [row for row in document["schools"] if row["suppressed"]]
    assert suppressed, "the random year should have a unit below min_n"
    for row in suppressed:
        assert row["suppression_reason"] == "below_min"
        assert all(row[name] is None for name in FIGURES)
        assert not any(
            o["school"] == row["school"] and o["band"] == row["band"]
            for o in document["option_shares"]
        )
    for row in document["schools"]:
        if not row["suppressed"]:
            assert row["respondents"] >= document["min_n"]
            for name in FIGURES:
                if name.endswith("_n") and row[name] is not None:
                    assert row[name] >= document["min_n"]
    for option in document["option_shares"]:
        assert option["n"] is None or option["n"] >= document["min_n"]


def test_the_hand_worked_school_in_the_file() -> None:
    delivery = build_delivery(hand_dataset(), YEAR, min_n=3)
    (row,) = delivery.school_rows()
    assert (row["school"], row["brin"], row["vestiging"], row["band"]) == (
        "12AB00",
        "12AB",
        "00",
        "vo",
    )
    assert (row["questionnaire_id"], row["questionnaire_version"]) == (Q.id, Q.version)
    assert (row["respondents"], row["enrolled"], row["response_rate"]) == (3, 20, 0.15)
    # scores 4, 20/7, 5: mean 3.95238..., published half up to 3 decimals
    assert row["veiligheidsbeleving_mean"] == 3.952
    assert (row["veiligheidsbeleving_scale_min"], row["veiligheidsbeleving_scale_max"]) == (1, 5)
    assert row["welbevinden_mean"] == 3.667  # 11/3
    assert row["welbevinden_sd"] == 1.528  # sqrt(7/3) = 1.52753
    assert (row["voelt_zich_veilig_n"], row["voelt_zich_veilig_share"]) == (3, 0.6667)
    # only 2 pupils answered the bullied item: below min_n = 3, so blank
    assert row["gepest_share"] is None and row["gepest_n"] is None
    assert row["gepest_mean_frequency"] is None
    # Issue 9: 3 saw the item (2 answered, 1 declined). Shares over the 3 would give the
    # hidden share back (share x n), so the option shares hide with it.
    bullied = [o for o in delivery.option_rows() if o["item"] == "bullied"]
    assert [o["option_id"] for o in bullied] == [
        "never",
        "once_twice",
        "monthly",
        "weekly",
        "several_weekly",
        "declined",
    ]
    assert all(o["suppressed"] and o["share"] is None and o["n"] is None for o in bullied)


def test_every_figure_is_the_tables_figure_rounded(dataset: Dataset) -> None:
    delivery = build_delivery(dataset, YEAR)
    table = school_table(dataset, YEAR).set_index(["school", "band"])
    digits = {"share": 4, "rate": 4, "mean": 3}
    for row in delivery.school_rows():
        source = table.loc[(row["school"], row["band"])]
        for field in SCHOOL_FIELDS:
            if field.kind in digits:
                value = source[field.source]
                expected = (
                    None if pd.isna(value) else round_figure(float(value), digits[field.kind])
                )
                assert row[field.name] == expected, field.name


def test_json_and_csv_hold_the_same_rows(files: dict[str, bytes]) -> None:
    document = _document(files)
    for name, key, fields in [
        ("schools.csv", "schools", SCHOOL_FIELDS),
        ("option_shares.csv", "option_shares", OPTION_FIELDS),
    ]:
        rows = list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))
        assert len(rows) == len(document[key])
        for from_csv, from_json in zip(rows, document[key], strict=True):
            assert list(from_csv) == [field.name for field in fields]
            for field in fields:
                value = from_json[field.name]
                text = from_csv[field.name]
                if value is None:
                    assert text == ""
                elif isinstance(value, bool):
                    assert text == ("true" if value else "false")
                elif isinstance(value, float):
                    assert float(text) == value and text == json.dumps(value)
                else:
                    assert text == str(value)


def test_the_manifest_accounts_for_every_file(files: dict[str, bytes]) -> None:
    manifest = json.loads(files[MANIFEST])
    assert [entry["name"] for entry in manifest["files"]] == list(DATA_FILES)
    for entry in manifest["files"]:
        data = files[entry["name"]]
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    document = _document(files)
    assert manifest["row_counts"] == {
        "schools": len(document["schools"]),
        "option_shares": len(document["option_shares"]),
    }
    assert manifest["schools_delivered"] == len({row["school"] for row in document["schools"]})
    assert manifest["units_suppressed"] == sum(row["suppressed"] for row in document["schools"])
    assert (manifest["format_version"], manifest["school_year"]) == ("1.1", YEAR)
    assert files["delivery.schema.json"] == SCHEMA_PATH.read_bytes()


def test_no_file_holds_a_time_or_a_pupil(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        text = data.decode("utf-8")
        assert "T00:" not in text and "respondent_id" not in text and "completed_on" not in text
        if name != "delivery.schema.json":
            assert "2027-0" not in text  # no date of the delivery


def test_rows_are_in_school_band_item_option_order(files: dict[str, bytes]) -> None:
    document = _document(files)
    bands = list(Q.bands)
    keys = [(row["school"], bands.index(row["band"])) for row in document["schools"]]
    assert keys == sorted(keys)
    items = [item.id for _, item in Q.items()]
    option_keys = [
        (
            o["school"],
            bands.index(o["band"]),
            items.index(o["item"]),
            math.inf if o["option_code"] < 0 else o["option_code"],
        )
        for o in document["option_shares"]
    ]
    assert option_keys == sorted(option_keys)


def test_option_shares_of_an_item_add_up_to_one(files: dict[str, bytes]) -> None:
    frame = pd.DataFrame(_document(files)["option_shares"])
    shown = frame[~frame["suppressed"]]
    totals = shown.groupby(["school", "band", "item"])["share"].sum()
    np.testing.assert_allclose(totals, 1.0, atol=6 * 0.00005)


# --- byte for byte ------------------------------------------------------------------------


def test_delivering_twice_gives_the_same_bytes(dataset: Dataset) -> None:
    first = render_files(build_delivery(dataset, YEAR))
    second = render_files(build_delivery(dataset, YEAR))
    assert list(first) == [*DATA_FILES, MANIFEST]
    assert first == second


#: SHA-256 of the data files of the ``files`` fixture, as the delivery wrote them before its
#: writing was made faster (2026-12): a faster writer must write the very same bytes. A change
#: of the format or of a figure changes them on purpose: then check the new files by hand and
#: put their digests here, saying why in the commit.
GOLDEN_SHA256 = {
    "delivery.json": "04756437a8da9afa6c924b2baddba97a32eef2102972609cf64f4a4b2cea12c8",
    "schools.csv": "21f1049726e1a8e6535b41fa2df69bbae06136a990009953cb6af30df56bc837",
    "option_shares.csv": "7c0764a6378eeb9b9eb6356ed84673f82a41e7349f7892f3e4d2a26e5f9c5e38",
}


def test_the_files_of_a_fixed_year_are_the_bytes_written_before(files: dict[str, bytes]) -> None:
    written = {name: hashlib.sha256(files[name]).hexdigest() for name in GOLDEN_SHA256}
    assert written == GOLDEN_SHA256


def _as_written(values: list[float | None]) -> list[str]:
    return [repr(value) for value in values]


@given(
    st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12),
        max_size=40,
    ),
    st.integers(0, 6),
)
@example([0.12345, 2.0005, 2.675, -0.00004, -2.5, 0.125, 1e9 + 0.5, 2.3335], 3)
@example([0.00005, 0.12345, 0.99995, 0.4999999999, 5e-5 - 1e-20], 4)
def test_vectorised_rounding_is_round_figure(values: list[float], digits: int) -> None:
    expected = [round_figure(value, digits) for value in values]
    assert _as_written(_round_figures(np.asarray(values, dtype=float), digits)) == _as_written(
        expected
    )


@given(st.integers(-(10**9), 10**9), st.integers(0, 6), st.integers(-3, 3))
def test_vectorised_rounding_is_round_figure_at_and_around_a_half(
    whole: int, digits: int, ulps: int
) -> None:
    # (whole + 1/2) / 10^digits and the floats a few steps either side of it.
    value = (whole + 0.5) / 10**digits
    for _ in range(abs(ulps)):
        value = math.nextafter(value, math.inf if ulps > 0 else -math.inf)
    assert _as_written(_round_figures(np.asarray([value]), digits)) == _as_written(
        [round_figure(value, digits)]
    )


def test_vectorised_rounding_refuses_an_infinite_figure() -> None:
    with pytest.raises(InvalidInput, match="infinite"):
        _round_figures(np.asarray([0.5, math.inf]), 3)


def test_the_order_of_the_input_rows_does_not_matter(
    dataset: Dataset, files: dict[str, bytes]
) -> None:
    rng = np.random.default_rng(0)
    shuffled = dataset.responses.iloc[rng.permutation(len(dataset.responses))].reset_index(
        drop=True
    )
    shuffled["school"] = shuffled["school"].cat.reorder_categories(
        list(reversed(shuffled["school"].cat.categories))
    )
    other = Dataset(
        Q,
        shuffled,
        dataset.groups.iloc[::-1],
        dataset.schools.iloc[::-1],
        dataset.rounds.iloc[::-1],
    )
    assert render_files(build_delivery(other, YEAR)) == files


def test_tables_with_a_smaller_min_n_are_refused(dataset: Dataset) -> None:
    schools = school_table(dataset, YEAR, min_n=2)
    options = option_share_table(dataset, YEAR, min_n=2)
    with pytest.raises(InvalidInput, match="same min_n"):
        build_delivery(dataset, YEAR, min_n=10, schools=schools, options=options)


@pytest.mark.parametrize("min_n", [0, -1, True])
def test_min_n_must_be_a_positive_whole_number(dataset: Dataset, min_n: object) -> None:
    with pytest.raises(InvalidInput, match="min_n"):
        build_delivery(dataset, YEAR, min_n=min_n)  # type: ignore[arg-type]


def test_given_tables_give_the_same_delivery(dataset: Dataset, files: dict[str, bytes]) -> None:
    schools = school_table(dataset, YEAR)
    options = option_share_table(dataset, YEAR)
    delivery = build_delivery(dataset, YEAR, schools=schools, options=options)
    assert render_files(delivery) == files


def test_a_questionnaire_without_the_delivered_scales_is_refused() -> None:
    dataset = hand_dataset()
    scales = {k: v for k, v in Q.scales.items() if k != "gepest"}
    other = Q.model_copy(update={"scales": scales})
    with pytest.raises(QuestionnaireError, match="gepest"):
        build_delivery(
            Dataset(other, dataset.responses, dataset.groups, dataset.schools, dataset.rounds),
            YEAR,
            min_n=3,
        )


def test_the_format_document_describes_every_field() -> None:
    text = (SCHEMA_PATH.parent / "delivery-format.md").read_text(encoding="utf-8")
    for field in (*SCHOOL_FIELDS, *OPTION_FIELDS):
        assert f"`{field.name}`" in text, field.name
    for reason in Reason:
        assert f"`{reason.value}`" in text
