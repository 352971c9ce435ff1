"""The delivery to the Inspectie van het Onderwijs: one school year's school figures as files.

Which schools: every school (vestiging) whose round of the year is closed **and** that gave
consent for that year; each of its units (school x age band) is a row of ``schools``, a
suppressed unit (fewer than ``min_n`` respondents) with its identity only. What may be shown
follows the year's release plan (:func:`analytics.disclosure.release_plan`), as in every
output: an item's option shares only when at least ``min_n`` answered it. Every other
registered school is listed in the manifest with the reasons (:class:`Reason`).

The files (docs/delivery-format.md describes every field):

- ``delivery.json``: ``format``, ``format_version``, ``school_year``, ``min_n``, ``schools``
  (one object per unit) and ``option_shares`` (one object per unit, bullying item and answer
  option); checked against ``docs/delivery.schema.json`` before anything is written;
- ``schools.csv`` and ``option_shares.csv``: the same rows, same fields, same order;
- ``delivery.schema.json``: the schema, so the recipient can check the file;
- ``manifest.json``: format version, school year, row counts, size and SHA-256 of each file,
  the schools not delivered with their reasons.

Deterministic: the same data give the same bytes. Rows are sorted (school code, band, item in
questionnaire order, option code); keys and columns have a fixed order; figures are rounded
with :func:`analytics.rounding.round_figure` and written as the shortest decimal that reads
back as the same number; nothing holds a date or time (the database's ``delivery`` record
keeps when it was delivered).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
import numpy as np
import pandas as pd

from analytics.dataset import Dataset
from analytics.disclosure import RELEASED_STATUSES, ReleasePlan, release_plan
from analytics.national import national_tables
from analytics.rounding import MEAN_DIGITS, SHARE_DIGITS, round_figure
from veilig.errors import ConfigurationError, InvalidInput, QuestionnaireError

__all__ = [
    "DATA_FILES",
    "DELIVERABLE_STATUSES",
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "SCHEMA_PATH",
    "Delivery",
    "NotDelivered",
    "Reason",
    "build_delivery",
    "render_files",
    "validate_document",
    "validate_manifest",
]

FORMAT = "veilig-inspectie-delivery"
FORMAT_VERSION = "1.1"
JSON_FILE = "delivery.json"
SCHOOLS_CSV = "schools.csv"
OPTIONS_CSV = "option_shares.csv"
SCHEMA_FILE = "delivery.schema.json"
MANIFEST = "manifest.json"
#: Every file a delivery consists of, the manifest last (it is written last, too).
DATA_FILES = (JSON_FILE, SCHOOLS_CSV, OPTIONS_CSV, SCHEMA_FILE)
# In a source checkout (and an editable install) the schema is the committed docs/ file; a
# built wheel carries that same file inside the package (pyproject.toml, force-include).
_PACKAGED_SCHEMA = Path(__file__).resolve().parent / SCHEMA_FILE
SCHEMA_PATH = (
    _PACKAGED_SCHEMA
    if _PACKAGED_SCHEMA.is_file()
    else Path(__file__).resolve().parent.parent / "docs" / SCHEMA_FILE
)
#: Round statuses after which no answer can change: the figures are final.
DELIVERABLE_STATUSES = RELEASED_STATUSES

#: The scales delivered, by their names in the questionnaire's ``scales``.
MEAN_SCALES = ("veiligheidsbeleving", "welbevinden")
SHARE_SCALES = ("voelt_zich_veilig", "gepest", "aantasting")
FREQUENCY_SCALE = "gepest"


class Reason(StrEnum):
    """Why a registered school is not in the delivery."""

    NO_ROUND = "no_round"  # no round in that school year
    ROUND_NOT_CLOSED = "round_not_closed"  # pupils may still answer
    NO_CONSENT = "no_consent"  # the school did not consent for that year
    NO_PUPILS = "no_pupils"  # closed and consented, but no groups that take part and no answers


REASON_TEXT = {
    Reason.NO_ROUND: "no round this school year",
    Reason.ROUND_NOT_CLOSED: "round not closed",
    Reason.NO_CONSENT: "no consent",
    Reason.NO_PUPILS: "no pupils: no groups that take part and no responses",
}


@dataclass(frozen=True, slots=True)
class NotDelivered:
    school: str
    reasons: tuple[Reason, ...]


# --- the rows -----------------------------------------------------------------------------

# How each kind of field is rounded and written. "text" and "bool" are never rounded.
_DIGITS = {"share": SHARE_DIGITS, "rate": SHARE_DIGITS, "mean": MEAN_DIGITS}


@dataclass(frozen=True, slots=True)
class Field:
    """A field of a delivery row: its name, kind (text, bool, int, share, rate, mean) and the
    column of the national table it comes from."""

    name: str
    kind: str
    source: str


def _school_fields() -> tuple[Field, ...]:
    fields = [
        Field("school", "text", "school"),
        Field("brin", "text", "brin"),
        Field("vestiging", "text", "vestiging"),
        Field("sector", "text", "sector"),
        Field("school_year", "text", "school_year"),
        Field("band", "text", "band"),
        Field("questionnaire_id", "text", "questionnaire_id"),
        Field("questionnaire_version", "text", "questionnaire_version"),
        Field("suppressed", "bool", "suppressed"),
        Field("suppression_reason", "text", "reason"),
        Field("respondents", "int", "respondents"),
        Field("enrolled", "int", "enrolled"),
        Field("response_rate", "rate", "response_rate"),
    ]
    for scale in MEAN_SCALES:
        fields += [
            Field(f"{scale}_n", "int", f"{scale}_n"),
            Field(f"{scale}_mean", "mean", f"{scale}_mean"),
            Field(f"{scale}_sd", "mean", f"{scale}_sd"),
            Field(f"{scale}_ci_low", "mean", f"{scale}_ci_low"),
            Field(f"{scale}_ci_high", "mean", f"{scale}_ci_high"),
            Field(f"{scale}_scale_min", "int", f"{scale}_scale_min"),
            Field(f"{scale}_scale_max", "int", f"{scale}_scale_max"),
        ]
    for scale in SHARE_SCALES:
        fields += [
            Field(f"{scale}_n", "int", f"{scale}_n"),
            Field(f"{scale}_share", "share", f"{scale}_share"),
            Field(f"{scale}_ci_low", "share", f"{scale}_ci_low"),
            Field(f"{scale}_ci_high", "share", f"{scale}_ci_high"),
        ]
        if scale == FREQUENCY_SCALE:
            fields.append(Field(f"{scale}_mean_frequency", "mean", f"{scale}_mean_frequency"))
    return tuple(fields)


SCHOOL_FIELDS = _school_fields()
OPTION_FIELDS = (
    Field("school", "text", "school"),
    Field("band", "text", "band"),
    Field("item", "text", "item"),
    Field("option_code", "int", "option_code"),
    Field("option_id", "text", "option_id"),
    Field("n", "int", "n"),
    Field("share", "share", "share"),
    Field("suppressed", "bool", "suppressed"),
)


@dataclass(frozen=True)
class Delivery:
    """What is delivered for a school year: the rows as they will be written.

    ``schools`` and ``option_shares`` have one column per field (:data:`SCHOOL_FIELDS`,
    :data:`OPTION_FIELDS`, in that order) holding final Python values: ``str``, ``bool``,
    ``int``, rounded ``float``, or ``None`` for a blank.
    """

    school_year: str
    min_n: int
    schools: pd.DataFrame
    option_shares: pd.DataFrame
    not_delivered: list[NotDelivered]

    @property
    def schools_delivered(self) -> int:
        return int(self.schools["school"].nunique())

    @property
    def units_suppressed(self) -> int:
        return int(self.schools["suppressed"].astype(bool).sum())

    def school_rows(self) -> list[dict[str, Any]]:
        return _records(self.schools)

    def option_rows(self) -> list[dict[str, Any]]:
        return _records(self.option_shares)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    names = list(frame.columns)
    columns = [frame[name].tolist() for name in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)]


def _objects(values: Sequence[Any] | np.ndarray) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = list(values)
    return array


def _final(series: pd.Series, kind: str) -> np.ndarray:
    """A column as final Python values (``None`` for a blank), rounded per its kind.

    Rounding and conversion happen once per distinct value: a national option-share table has
    half a million rows but only a few thousand distinct shares.
    """
    missing = series.isna().to_numpy()
    if kind == "bool":
        return _objects(series.to_numpy(dtype=bool).tolist())
    converted: list[object]
    if kind == "text":
        codes, texts = pd.factorize(series.astype(object).where(~missing, None))
        converted = [str(value) for value in texts]
    else:
        codes, numbers = pd.factorize(series.to_numpy(dtype=np.float64, na_value=np.nan))
        if kind == "int":
            converted = [int(value) for value in numbers]
        else:
            converted = list(_round_figures(numbers, _DIGITS[kind]))
    mapped = _objects([*converted, None])  # a missing value (code -1) becomes None
    return mapped[np.where(codes < 0, len(converted), codes)]


#: Below this many units of the last decimal, a float's product with 10^digits is off from
#: the exact product, and from its printed decimal, by far less than the margin below.
_FAST_LIMIT = 2.0**29
#: How close to a half the scaled value may come before the exact rule decides.
_TIE_MARGIN = 1e-6


def _round_figures(values: np.ndarray, digits: int) -> list[float]:
    """:func:`analytics.rounding.round_figure` of every (non-missing) value, vectorised.

    Away from a tie, half up on the printed decimal and numpy's nearest whole number of
    ``value * 10^digits`` are the same whole number q: below 2^29 the scaled float is within
    a few 2^-23 of the exact product and of the printed decimal's, far less than the 1e-6 it
    keeps from a half. Then ``q / 10^digits`` (both exact as floats) is the one correctly
    rounded division, the float that ``float(Decimal)`` gives too. Values near a tie (0.12345
    to 4 decimals), large or infinite go through ``round_figure`` itself.
    """
    numbers = np.asarray(values, dtype=np.float64)
    scale = 10.0**digits
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = numbers * scale
        fraction = np.abs(scaled - np.trunc(scaled))
        fast = (np.abs(scaled) < _FAST_LIMIT) & (np.abs(fraction - 0.5) > _TIE_MARGIN)
        rounded: list[float] = (np.rint(scaled) / scale + 0.0).tolist()  # + 0.0: no -0.0
    for at in np.flatnonzero(~fast).tolist():
        exact = round_figure(float(numbers[at]), digits)
        if exact is None:  # NaN: the callers pass none, but never print one as a number
            raise InvalidInput("a missing figure reached the rounding of present figures")
        rounded[at] = exact
    return rounded


def _final_frame(frame: pd.DataFrame, fields: Sequence[Field]) -> pd.DataFrame:
    return pd.DataFrame(
        {field.name: _final(frame[field.source], field.kind) for field in fields},
        index=pd.RangeIndex(len(frame)),
    )


def _scale_ranges(dataset: Dataset) -> pd.DataFrame:
    """Per band, the lowest and highest code of each delivered mean scale's items."""
    questionnaire = dataset.questionnaire
    missing = [s for s in (*MEAN_SCALES, *SHARE_SCALES) if s not in questionnaire.scales]
    if missing:
        raise QuestionnaireError(
            f"questionnaire {questionnaire.id} lacks the delivered scales {missing}; "
            "the delivery format needs them (docs/delivery-format.md)"
        )
    rows = []
    for band in questionnaire.bands:
        row: dict[str, object] = {"band": band}
        for scale in MEAN_SCALES:
            codes: list[int] = []
            for item_id in questionnaire.refs(questionnaire.scales[scale]):
                item = questionnaire.item(item_id)
                options = None if item is None else questionnaire.options(item, band)
                if item is not None and band in item.bands and options is not None:
                    codes += [option.code for option in options.options]
            row[f"{scale}_scale_min"] = min(codes) if codes else None
            row[f"{scale}_scale_max"] = max(codes) if codes else None
        rows.append(row)
    ranges = pd.DataFrame(rows)
    for column in ranges.columns.drop("band"):
        ranges[column] = ranges[column].astype("Int64")
    return ranges


def _eligibility(dataset: Dataset, school_year: str, units: pd.DataFrame) -> pd.DataFrame:
    """Per registered school: may it be delivered, and if not, why (vectorised over schools)."""
    schools = dataset.schools.drop_duplicates("school")[["school", "brin", "vestiging"]].copy()
    schools["school"] = schools["school"].astype(str)
    rounds = dataset.rounds[dataset.rounds["school_year"] == school_year].copy()
    rounds["school"] = rounds["school"].astype(str)
    rounds = rounds.drop_duplicates("school")
    merged = schools.merge(
        rounds[["school", "status", "consent", "questionnaire_id", "questionnaire_version"]],
        on="school",
        how="left",
        validate="one_to_one",
    )
    has_round = merged["status"].notna().to_numpy()
    closed = merged["status"].astype(str).isin(DELIVERABLE_STATUSES).to_numpy() & has_round
    consent = merged["consent"].fillna(False).astype(bool).to_numpy() & has_round
    with_units = merged["school"].isin(set(units["school"].astype(str))).to_numpy()
    merged["no_round"] = ~has_round
    merged["round_not_closed"] = has_round & ~closed
    merged["no_consent"] = has_round & ~consent
    merged["no_pupils"] = closed & consent & ~with_units
    merged["deliver"] = closed & consent & with_units
    return merged.sort_values("school", kind="stable").reset_index(drop=True)


def build_delivery(
    dataset: Dataset,
    school_year: str,
    *,
    min_n: int = 10,
    schools: pd.DataFrame | None = None,
    options: pd.DataFrame | None = None,
) -> Delivery:
    """The rows of the delivery of ``school_year`` (pure: nothing is read or written).

    ``schools``/``options``: the year's :func:`analytics.national.school_table` and
    :func:`analytics.national.option_share_table`, computed with the same ``min_n``; computed
    here when not given. A given table that shows a unit with fewer than ``min_n``
    respondents is refused, so a mismatch can never publish a small unit.
    """
    if isinstance(min_n, bool) or not isinstance(min_n, int) or min_n < 1:
        raise InvalidInput(f"min_n must be a whole number of 1 or more, got {min_n!r}")
    if (schools is None) != (options is None):
        raise InvalidInput("give both the school table and the option-share table, or neither")
    if schools is None or options is None:
        tables = national_tables(dataset, school_year, min_n=min_n)
        schools, options = tables.schools, tables.options
    shown = schools[~schools["suppressed"].astype(bool)]
    if (shown["respondents"] < min_n).any() or (
        options.loc[~options["suppressed"], "n"] < min_n
    ).any():
        raise InvalidInput(
            f"the tables show figures of fewer than min_n={min_n} pupils; compute them with "
            f"the same min_n as the delivery"
        )
    eligible = _eligibility(dataset, school_year, schools)
    chosen = eligible[eligible["deliver"]]
    identity = chosen[["school", "brin", "vestiging", "questionnaire_id", "questionnaire_version"]]
    rows = schools.assign(school=schools["school"].astype(str)).merge(
        identity, on="school", how="inner", validate="many_to_one"
    )
    rows = rows.merge(_scale_ranges(dataset), on="band", how="left", validate="many_to_one")
    rows = _sorted(rows, dataset)
    # Shares of suppressed units are not delivered at all: their rows would say nothing.
    delivered_units = rows.loc[~rows["suppressed"].astype(bool), ["school", "band"]]
    option_rows = options.assign(school=options["school"].astype(str)).merge(
        delivered_units.assign(band=delivered_units["band"].astype(str)),
        on=["school", "band"],
        how="inner",
    )
    option_rows = _sorted(
        _hide_items(option_rows, release_plan(dataset, school_year, min_n=min_n)),
        dataset,
        by_item=True,
    )
    not_delivered = [
        NotDelivered(
            school=school,
            reasons=tuple(reason for reason in Reason if flags[reason.value]),
        )
        for school, flags in zip(
            eligible.loc[~eligible["deliver"], "school"],
            eligible.loc[~eligible["deliver"], [r.value for r in Reason]].to_dict("records"),
            strict=True,
        )
    ]
    return Delivery(
        school_year=school_year,
        min_n=min_n,
        schools=_final_frame(rows, SCHOOL_FIELDS),
        option_shares=_final_frame(option_rows, OPTION_FIELDS),
        not_delivered=not_delivered,
    )


def _hide_items(options: pd.DataFrame, plan: ReleasePlan) -> pd.DataFrame:
    """Option shares of an item that fewer than ``min_n`` pupils answered are hidden, even
    when with the decliners ``min_n`` saw it: else they would rebuild the hidden share."""
    keys = zip(
        options["school"], options["band"].astype(str), options["item"].astype(str), strict=True
    )
    hidden = np.fromiter(
        (key in plan.hidden_items for key in keys), dtype=bool, count=len(options)
    ) | options["suppressed"].to_numpy(dtype=bool)
    out = options.copy()
    out["count"] = out["count"].mask(hidden)
    out["n"] = out["n"].mask(hidden)
    out["share"] = out["share"].mask(hidden)
    out["suppressed"] = hidden
    return out


def _sorted(frame: pd.DataFrame, dataset: Dataset, *, by_item: bool = False) -> pd.DataFrame:
    """Rows in the delivery order: school code, band (questionnaire order), item, option."""

    def rank(column: str, order: list[str] | None = None) -> np.ndarray:
        # Categorical codes: ranks without a Python string per row (half a million rows).
        values = pd.Categorical(frame[column].astype(str), categories=order)
        return np.asarray(values.codes, dtype=np.int64)

    keys = [rank("school"), rank("band", list(dataset.questionnaire.bands))]
    if by_item:
        keys.append(rank("item", [item.id for _, item in dataset.questionnaire.items()]))
        # Options by code, "declined" (-1) after them, as the option-share table has them.
        code = frame["option_code"].to_numpy(dtype=np.int64)
        keys.append(np.where(code < 0, np.iinfo(np.int64).max, code))
    order = np.lexsort(keys[::-1])  # lexsort sorts by the last key first
    return frame.iloc[order].reset_index(drop=True)


# --- the files ----------------------------------------------------------------------------


def _json_value(value: Any) -> str:
    # Floats come out as their shortest repr (0.1235, 3.0), the same text as in the CSV files.
    # The common types directly, as json writes them (float.__repr__, int.__repr__): a delivery
    # encodes hundreds of thousands of distinct figures.
    kind = type(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False, allow_nan=False)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return _json_value(value)  # true/false and numbers exactly as in the JSON file
    text = str(value)
    if any(c in text for c in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text


@dataclass(frozen=True, slots=True)
class _Rows:
    """A table's rows as text: a JSON object and a CSV line per row."""

    json: list[str]
    csv: list[str]


def _rows(frame: pd.DataFrame) -> _Rows:
    """Every row as JSON and as CSV, each distinct value of a column encoded once."""
    json_cells: list[np.ndarray] = []
    csv_cells: list[np.ndarray] = []
    for name in frame.columns:
        # Factorize on (type, value) text would be exact but slow; the columns are of one kind
        # each (bools never share a column with ints), so plain factorizing is safe.
        codes, distinct = pd.factorize(frame[name].to_numpy(dtype=object))
        prefix = f"{_json_value(name)}: "
        json_text = _objects(
            [prefix + _json_value(value) for value in distinct] + [prefix + "null"]
        )
        csv_text = _objects([_csv_text(value) for value in distinct] + [""])
        at = np.where(codes < 0, len(distinct), codes)  # a missing value (code -1) is null
        json_cells.append(json_text[at])
        csv_cells.append(csv_text[at])
    return _Rows(
        json=["    {" + ", ".join(row) + "}" for row in zip(*json_cells, strict=True)],
        csv=[",".join(row) for row in zip(*csv_cells, strict=True)],
    )


def _json_document(header: Mapping[str, Any], tables: Mapping[str, _Rows]) -> bytes:
    """Pretty JSON with one row per line: readable, diffable and quick to write."""
    lines = ["{"]
    lines += [f"  {_json_value(key)}: {_json_value(value)}," for key, value in header.items()]
    for position, (name, rows) in enumerate(tables.items()):
        end = "," if position < len(tables) - 1 else ""
        if not rows.json:
            lines.append(f"  {_json_value(name)}: []{end}")
            continue
        lines.append(f"  {_json_value(name)}: [")
        lines.append(",\n".join(rows.json))
        lines.append(f"  ]{end}")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _csv(columns: Sequence[str], rows: _Rows) -> bytes:
    """RFC 4180 CSV with a header, ``\\n`` line ends, blanks for missing values."""
    lines = [",".join(_csv_text(name) for name in columns), *rows.csv]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def _schema_text() -> str:
    try:
        return SCHEMA_PATH.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigurationError(
            f"the delivery schema {SCHEMA_PATH} cannot be read ({exc.strerror}); "
            "reinstall veilig (the schema is part of the package)"
        ) from None


@cache
def _validator(definition: str | None) -> jsonschema_rs.Validator:
    schema = json.loads(_schema_text())
    if definition is not None:
        schema = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": definition}
    return jsonschema_rs.validator_for(schema)


def _validate(document: Any, definition: str | None, what: str) -> None:
    validator = _validator(definition)
    if validator.is_valid(document):
        return
    error = next(iter(validator.iter_errors(document)))
    where = "/".join(str(part) for part in error.instance_path) or "(top)"
    raise InvalidInput(
        f"the {what} does not match docs/{SCHEMA_FILE} at {where}: {error.message}; "
        "this is a bug in the delivery, nothing was written"
    )


def validate_document(document: Any) -> None:
    """Check a parsed ``delivery.json`` against the schema; ``InvalidInput`` names the spot."""
    _validate(document, None, "delivery")


def validate_manifest(manifest: Any) -> None:
    """Check a parsed ``manifest.json`` against the schema's ``$defs/manifest``."""
    _validate(manifest, "#/$defs/manifest", "manifest")


def render_files(delivery: Delivery) -> dict[str, bytes]:
    """Every file of the delivery, in writing order (manifest last), checked against the schema.

    The JSON file is checked as read back from its bytes, so what is checked is what is sent.
    """
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "school_year": delivery.school_year,
        "min_n": delivery.min_n,
    }
    schools, options = _rows(delivery.schools), _rows(delivery.option_shares)
    document = _json_document(header, {"schools": schools, "option_shares": options})
    validate_document(json.loads(document))
    files = {
        JSON_FILE: document,
        SCHOOLS_CSV: _csv(list(delivery.schools.columns), schools),
        OPTIONS_CSV: _csv(list(delivery.option_shares.columns), options),
        SCHEMA_FILE: _schema_text().encode("utf-8"),
    }
    manifest = {
        **header,
        "files": [
            {"name": name, "bytes": len(data), "sha256": _sha256(data)}
            for name, data in files.items()
        ],
        "row_counts": {
            "schools": len(delivery.schools),
            "option_shares": len(delivery.option_shares),
        },
        "schools_delivered": delivery.schools_delivered,
        "units_suppressed": delivery.units_suppressed,
        "not_delivered": [
            {"school": item.school, "reasons": [reason.value for reason in item.reasons]}
            for item in delivery.not_delivered
        ],
    }
    validate_manifest(manifest)
    files[MANIFEST] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files
