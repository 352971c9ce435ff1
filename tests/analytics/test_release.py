"""Issue 9: no hidden figure can be worked out from what a school year's release publishes.

A year with small schools, small groups and declined answers is written into a real database
(SQLite and PostgreSQL), read back with :func:`analytics.load.load_dataset`, and released
through every output: the delivery, the research export, the instrument report and each
school's report with its chat summary. Every published number is collected under a name that
says what it counts; every figure an output shows as hidden is collected too. Then the numbers
are attacked as a reader with all the outputs would: shares times their n, totals minus parts,
a band minus its schools, a band minus the export, started minus completed. No count of 1 to
min_n - 1 that some output hides may come out.

Names of counts (all over the counted respondents of a unit, unless said otherwise):
``(school, band, "respondents" | "started" | "completed" | "partial")`` (started and
completed over every pupil who started) and ``(school, band, item, part)`` with part an option
code, ``"declined"``, ``"unanswered"``, ``"answered"``, ``"seen"`` or ``"unknown"`` (declined
or unanswered); a band's the same with school ``"*"``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Hashable, Iterator
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import insert, select

from analytics.dataset import DECLINED, UNANSWERED, Dataset
from analytics.delivery import build_delivery, render_files
from analytics.export import research_export
from analytics.instrument import instrument_report
from analytics.load import load_dataset
from analytics.report.content import Content
from analytics.report.document import Document, Text
from analytics.scales import mean_scale_items, pupil_scores
from analytics.school_results import SchoolResults, school_results
from analytics.synthetic import synthetic_dataset
from storage.database import Database
from storage.models import Answer, Consent, Group, Item, Respondent, Round, School
from storage.values import RoundStatus, Sector
from tests.analytics.builders import YEAR, Q

MIN_N = 10
BAND = "*"  # the school of a band-level count
Key = tuple[Hashable, ...]

# (sector, pupils, round status, consent): 11 schools of every sector, 8 to 400 pupils.
SCHOOLS = [
    ("po", 8, "closed", True),  # below min_n: in no output at all
    ("po", 11, "closed", True),  # 2 decline "bullied": the share rests on 9
    ("po", 60, "closed", False),  # no consent: not delivered, still in export and report
    ("po", 250, "closed", True),
    ("vo", 400, "closed", True),
    ("vo", 90, "closed", True),
    ("vo", 15, "open", True),  # an open round: in no year output
    ("so", 12, "closed", True),  # 2 of 12 stop part way: "12 begonnen; 10 maakten af"
    ("so", 25, "closed", True),
    ("vso", 40, "closed", True),
    ("vo", 9, "closed", True),  # below min_n too
]
SEEDS = (3, 11, 29)


# --- the year --------------------------------------------------------------------------


def _year(seed: int) -> Dataset:
    """The schools of :data:`SCHOOLS` with the synthetic model's answers, and the cases of
    issue 9 written in: declines on "bullied", a school with 2 partial responses."""
    rng = np.random.default_rng(seed)
    parts, groups, codes = [], [], []
    for index, (sector, size, _, _) in enumerate(SCHOOLS):
        one = synthetic_dataset(
            Q,
            schools=1,
            pupils=max(size, 30),
            school_year=YEAR,
            seed=seed * 100 + index,
            sectors={sector: 1.0},
        )
        rows = one.responses.sample(n=size, replace=size > len(one.responses), random_state=rng)
        code = f"{10 + index:02d}AB00"
        rows = rows.assign(school=code).sort_values(["grade", "group"]).reset_index(drop=True)
        rows["completed"] = rows["completed"].astype(bool)
        if index in (1, 7):
            # Everyone counted: every item of the band's mean scales answered.
            band = str(rows["band"].iloc[0])
            for items in mean_scale_items(Q, band).values():
                for item in items:
                    rows[item] = rows[item].where(rows[item] > 0, 2).astype("int8")
            rows["completed"] = True
        if index == 1:
            rows["bullied"] = np.array([DECLINED, DECLINED, *[1, 1, 2, 3, 1, 4, 1, 1, 2]], "int8")
        if index == 7:
            rows.loc[[3, 8], "completed"] = False
        if index in (8, 9):
            rows["completed"] = True  # so the band's partial pupils are those 2
        parts.append(rows)
        sizes = rows.groupby(["group", "grade"], observed=True).size()
        for (group, grade), n in sizes.items():
            groups.append((code, YEAR, str(group), int(grade), int(np.ceil(n / 0.8))))
        codes.append((code, sector))
    responses = pd.concat(parts, ignore_index=True)
    for column in ("school", "school_year", "sector", "band", "group"):
        responses[column] = responses[column].astype(str).astype("category")
    responses["grade"] = responses["grade"].astype("int8")
    return Dataset(
        questionnaire=Q,
        responses=responses,
        groups=pd.DataFrame(
            groups, columns=["school", "school_year", "group", "grade", "enrolled"]
        ),
        schools=pd.DataFrame(
            [(c, c[:4], c[4:], f"School {c}", s) for c, s in codes],
            columns=["school", "brin", "vestiging", "name", "sector"],
        ),
        rounds=pd.DataFrame(
            [
                (c, YEAR, Q.id, Q.version, status, consent)
                for (c, _), (_, _, status, consent) in zip(codes, SCHOOLS, strict=True)
            ],
            columns=[
                "school",
                "school_year",
                "questionnaire_id",
                "questionnaire_version",
                "status",
                "consent",
            ],
        ),
    )


async def _store(database: Database, year: Dataset) -> None:
    """Write the year as the bot's tables hold it (the same on both backends)."""
    day = date(2026, 11, 2)
    school_id = {c: i for i, c in enumerate(year.schools["school"], 1)}
    group_id = {
        (s, g): i
        for i, (s, g) in enumerate(zip(year.groups["school"], year.groups["group"], strict=True), 1)
    }
    async with database.engine.begin() as connection:
        numbers = dict((await connection.execute(select(Item.name, Item.id))).all())
        missing = [item for item in year.items if item not in numbers]
        for offset, item in enumerate(missing, max(numbers.values(), default=0) + 1):
            numbers[item] = offset
        if missing:
            await connection.execute(
                insert(Item), [{"id": numbers[item], "name": item} for item in missing]
            )
        await connection.execute(
            insert(School),
            [
                {
                    "id": school_id[row.school],
                    "brin": row.brin,
                    "vestiging": row.vestiging,
                    "name": row.name,
                    "sector": Sector(row.sector),
                    "created_on": day,
                }
                for row in year.schools.itertuples()
            ],
        )
        await connection.execute(
            insert(Group),
            [
                {
                    "id": group_id[row.school, row.group],
                    "school_id": school_id[row.school],
                    "school_year": YEAR,
                    "name": row.group,
                    "grade": row.grade,
                    "enrolled": row.enrolled,
                }
                for row in year.groups.itertuples()
            ],
        )
        await connection.execute(
            insert(Round),
            [
                {
                    "id": school_id[row.school],
                    "school_id": school_id[row.school],
                    "school_year": YEAR,
                    "questionnaire_id": row.questionnaire_id,
                    "questionnaire_version": row.questionnaire_version,
                    "status": RoundStatus(row.status),
                }
                for row in year.rounds.itertuples()
            ],
        )
        consenting = year.rounds[year.rounds["consent"]]
        await connection.execute(
            insert(Consent),
            [
                {
                    "school_id": school_id[s],
                    "school_year": YEAR,
                    "given_by": "test",
                    "given_at": datetime(2026, 11, 1, tzinfo=UTC),
                }
                for s in consenting["school"]
            ],
        )
        responses = year.responses
        await connection.execute(
            insert(Respondent),
            [
                {
                    "id": i,
                    "round_id": school_id[s],
                    "group_id": group_id[s, g],
                    "language": "nl",
                    "age_band": b,
                    "channel": "web",
                    "started_on": day,
                    "completed_on": day if done else None,
                }
                for i, (s, g, b, done) in enumerate(
                    zip(
                        responses["school"].astype(str),
                        responses["group"].astype(str),
                        responses["band"].astype(str),
                        responses["completed"],
                        strict=True,
                    ),
                    1,
                )
            ],
        )
        matrix = responses[list(year.items)].to_numpy()
        rows, columns = np.nonzero(matrix)
        item_number = [numbers[item] for item in year.items]
        await connection.execute(
            insert(Answer),
            [
                {
                    "respondent_id": int(r) + 1,
                    "item_id": item_number[c],
                    "value": None if matrix[r, c] == DECLINED else int(matrix[r, c]),
                }
                for r, c in zip(rows.tolist(), columns.tolist(), strict=True)
            ],
        )


# --- what the outputs publish -----------------------------------------------------------


class Release:
    """Published counts by name (``known``) and the names of counts shown as hidden."""

    def __init__(self) -> None:
        self.known: dict[Key, int] = {}
        self.hidden: set[Key] = set()
        self.where: dict[Key, str] = {}
        self.not_closed: set[str] = set()  # from the delivery's manifest

    def show(self, key: Key, value: float | None, source: str) -> None:
        if value is None or pd.isna(value):
            self.hide(key, source)
            return
        self.known.setdefault(key, round(float(value)))
        self.where.setdefault(key, source)

    def hide(self, key: Key, source: str) -> None:
        self.hidden.add(key)
        self.where.setdefault(key, source)


def _option_code(option: str, item: str, band: str) -> Hashable:
    if option == "declined":
        return "declined"
    found = Q.item(item)
    options = None if found is None else Q.options(found, band)
    match = None if options is None else options.by_id(option)
    return option if match is None else match.code


def _delivery(release: Release, year: Dataset) -> None:
    files = render_files(build_delivery(year, YEAR, min_n=MIN_N))
    manifest = json.loads(files["manifest.json"])
    release.not_closed = {
        school["school"]
        for school in manifest["not_delivered"]
        if "round_not_closed" in school["reasons"]
    }
    document = json.loads(files["delivery.json"])
    for row in document["schools"]:
        s, b = row["school"], row["band"]
        release.show((s, b, "respondents"), row["respondents"], "delivery")
        for scale, item in (("voelt_zich_veilig", "safe_school"), ("gepest", "bullied")):
            release.show((s, b, item, "answered"), row[f"{scale}_n"], "delivery")
    seen: dict[Key, int | None] = {}
    for row in document["option_shares"]:
        s, b, item = row["school"], row["band"], row["item"]
        part = _option_code(row["option_id"], item, b)
        if row["suppressed"]:
            release.hide((s, b, item, part), "delivery option share")
            release.hide((s, b, item, "seen"), "delivery option share")
            continue
        seen[s, b, item] = row["n"]
        release.show((s, b, item, "seen"), row["n"], "delivery option share")
        release.show((s, b, item, part), row["share"] * row["n"], "delivery share x n")


def _report(release: Release, result: SchoolResults) -> None:
    s, b, figures = result.school, str(result.band), result.figures
    if figures is None:
        release.hide((s, b, "respondents"), "report")
        return
    release.show((s, b, "respondents"), figures.respondents, "report")
    if figures.completion is None:
        release.hide((s, b, "started"), "report")
        release.hide((s, b, "completed"), "report")
    else:
        release.show((s, b, "started"), figures.completion.started, "report")
        release.show((s, b, "completed"), figures.completion.completed, "report")
    for share in (*figures.forms, *figures.items):
        release.show((s, b, share.name, "answered"), share.n, "report share")
    for options in (*figures.bullying_options, *figures.follow_ups):
        if not options.shown:
            release.hide((s, b, options.item, "seen"), "report options")
            release.hide((s, b, options.item, "answered"), "report options")
            continue
        release.show((s, b, options.item, "seen"), options.seen, "report options")
        for option in options.options:
            part = _option_code(option.option, options.item, b)
            release.show((s, b, options.item, part), option.count, "report options")
        for mark in options.marks:
            release.show((s, b, options.item, "answered"), mark.n, "report mark")
    for breakdown in figures.breakdowns:
        if Q.item(breakdown.dimension) is None:
            continue  # grade and group: no other output counts them
        for cell in breakdown.cells:
            part = "unknown" if cell.category == "unknown" else cell.category
            key = (s, b, breakdown.dimension, _option_code(part, breakdown.dimension, b))
            if cell.category != "All":
                release.show(key, cell.n, "report breakdown")


def _chat(release: Release, result: SchoolResults) -> None:
    """The chat summary: the words a coordinator reads, parsed back into counts."""
    if result.figures is None:
        return
    # The summary page's blocks, as Content.document() begins, without drawing the charts
    # of the later pages (the chat text is cut from the summary page alone).
    content = Content(result, Q, "nl", date(2027, 6, 1))
    blocks = (Text(content.w("for_whom"), "lead"), *content.summary(result.figures))
    text = content.text_summary(Document(content.w.code, "", "", (), blocks))
    s, b = result.school, str(result.band)
    found = re.search(r"(\d+) leerlingen begonnen aan de vragenlijst; (\d+) maakten", text)
    if found:
        release.show((s, b, "started"), int(found.group(1)), "chat summary")
        release.show((s, b, "completed"), int(found.group(2)), "chat summary")


def _instrument(release: Release, year: Dataset) -> None:
    report = instrument_report(year, YEAR, min_n=MIN_N, min_schools=2)
    for row in report.bands.itertuples():
        release.show((BAND, row.band, "respondents"), row.respondents, "instrument")
    for row in report.overview.itertuples():
        if row.part != "All":
            release.show((BAND, row.band, str(row.part)), row.n, "instrument overview")
    for row in report.items.itertuples():
        if row.part == "All":
            continue
        part = int(row.part) if str(row.part).isdigit() else str(row.part)
        release.show((BAND, row.band, row.item, part), row.n, "instrument items")


# --- the truth, and the attacks ---------------------------------------------------------


def _counts(rows: pd.DataFrame, band: str) -> Iterator[tuple[Key, int]]:
    """Every count a name can stand for, over ``rows`` (one unit's or one band's pupils)."""
    yield ("started",), len(rows)
    yield ("completed",), int(rows["completed"].sum())
    yield ("partial",), int((~rows["completed"]).sum())
    for _, item in Q.items_in_band(band):
        if item.id.startswith("_"):
            continue
        codes = rows[item.id].to_numpy()
        answered, declined = int((codes > 0).sum()), int((codes == DECLINED).sum())
        yield (item.id, "answered"), answered
        yield (item.id, "declined"), declined
        yield (item.id, "seen"), answered + declined
        yield (item.id, "unanswered"), int((codes == UNANSWERED).sum())
        yield (item.id, "unknown"), int((codes <= UNANSWERED).sum())
        for code in np.unique(codes[codes > 0]).tolist():
            yield (item.id, int(code)), int((codes == code).sum())


class Truth:
    """The true counts of the year, per unit (counted respondents; started, completed and
    partial over all who started) and per band for a chosen set of pupils."""

    def __init__(self, year: Dataset) -> None:
        self.year = year
        responses = year.responses
        self.counted = pd.Series(False, index=responses.index)
        for band in Q.bands:
            rows = responses[responses["band"] == band]
            if len(rows):
                self.counted[rows.index] = pupil_scores(rows, Q, band)["counted"]
        self.units: dict[Key, int] = {}
        for (s, b), rows in responses.groupby(["school", "band"], observed=True):
            counted = rows[self.counted[rows.index]]
            self.units[s, b, "respondents"] = len(counted)
            for name, value in _counts(rows, str(b)):
                if name[0] in ("started", "completed", "partial"):
                    self.units[(s, b, *name)] = value
            for name, value in _counts(counted, str(b)):
                if name[0] not in ("started", "completed", "partial"):
                    self.units[(s, b, *name)] = value

    def unit(self, key: Key) -> int:
        return self.units.get(key, 0)

    def pupils(self, band: str, schools: set[str], counted: bool) -> pd.DataFrame:
        responses = self.year.responses
        rows = responses[(responses["band"] == band) & responses["school"].isin(schools)]
        return rows[self.counted[rows.index]] if counted else rows


def _small(value: int) -> bool:
    return 1 <= value < MIN_N


def _leaks(release: Release, truth: Truth, export_data: pd.DataFrame) -> list[str]:
    """Every hidden count of 1 .. min_n - 1 that the published counts give back."""
    known, found = dict(release.known), []
    units = {(s, b) for s, b, *_ in truth.units if s != BAND}

    def leak(key: Key, value: int, how: str) -> None:
        if key in release.hidden and _small(value):
            found.append(f"{key} = {value} ({release.where[key]} hides it) from {how}")

    # A count shown in one output and hidden in another.
    for key in release.hidden & set(known):
        if key[0] != BAND:
            leak(key, truth.unit(key), f"{release.where[key]} vs another output")
    # Within a unit: seen - declined = answered; respondents - seen = unanswered;
    # started - completed = partial.
    for s, b in units:
        for key in [k for k in list(known) if k[:2] == (s, b) and k[-1] == "seen"]:
            item = key[2]
            if (s, b, item, "declined") in known:
                value = known[key] - known[s, b, item, "declined"]
                leak((s, b, item, "answered"), value, "seen minus declined")
                known.setdefault((s, b, item, "answered"), value)
            if (s, b, "respondents") in known:
                value = known[s, b, "respondents"] - known[key]
                known.setdefault((s, b, item, "unanswered"), value)
        if (s, b, "started") in known and (s, b, "completed") in known:
            value = known[s, b, "started"] - known[s, b, "completed"]
            known.setdefault((s, b, "partial"), value)
    for key in [k for k in list(known) if k[0] == BAND and k[-1] == "declined"]:
        unanswered = (*key[:-1], "unanswered")
        if unanswered in known:
            known.setdefault((*key[:-1], "unknown"), known[key] + known[unanswered])
    # A band minus its schools: the band's pupils are the schools whose totals add up to it
    # (all published schools, or those whose round the delivery's manifest calls closed).
    for band in Q.bands:
        total = known.get((BAND, band, "respondents"))
        if total is None:
            continue
        mine = {s for s, b in units if b == band}
        for name, counted in (("respondents", True), ("started", False)):
            for candidates in (mine, mine - release.not_closed):
                members = {s for s in candidates if (s, band, name) in known}
                if not members or sum(known[s, band, name] for s in members) != total:
                    continue
                pupils = truth.pupils(band, members, counted)
                whole = dict(_counts(pupils, band)) | {("respondents",): len(pupils)}
                for key in [k for k in known if k[:2] == (BAND, band) and len(k) > 3]:
                    parts = [(s, band, *key[2:]) for s in members]
                    unknown = [p for p in parts if p not in known]
                    if len(unknown) == 1 and known[key] == whole.get(key[2:], 0):
                        value = known[key] - sum(known[p] for p in parts if p in known)
                        if value == truth.unit(unknown[0]):
                            leak(unknown[0], value, "the band minus its other schools")
                for key in [k for k in release.hidden if k[:2] == (BAND, band)]:
                    parts = [(s, band, *key[2:]) for s in members]
                    if all(p in known for p in parts):
                        value = sum(known[p] for p in parts)
                        if value == whole.get(key[2:], 0) and _small(value):
                            found.append(f"{key} = {value} (instrument hides it): sum of schools")
    # A band minus the research export: the pupils the export leaves out.
    exported = set(export_data["school"])
    every = set(truth.year.responses["school"].astype(str))
    for band in Q.bands:
        for counted in (True, False):
            inside = dict(_counts(truth.pupils(band, exported, counted), band))
            inside[("respondents",)] = len(truth.pupils(band, exported, counted))
            whole = dict(_counts(truth.pupils(band, every, counted), band))
            whole[("respondents",)] = len(truth.pupils(band, every, counted))
            for key in [k for k in known if k[:2] == (BAND, band)]:
                value = known[key] - inside.get(key[2:], 0)
                left_out = whole.get(key[2:], 0) - inside.get(key[2:], 0)
                if value == left_out and _small(value):
                    found.append(f"{key}: {value} pupils of left-out schools, band minus export")
    return found


# --- the test ---------------------------------------------------------------------------


def _release(year: Dataset) -> tuple[Release, Truth, pd.DataFrame]:
    release = Release()
    _delivery(release, year)
    _instrument(release, year)
    for school in year.schools["school"]:
        result = school_results(year, str(school), YEAR, min_n=MIN_N, min_schools=2)
        _report(release, result)
        _chat(release, result)
    export = research_export(year, YEAR, min_n=MIN_N)
    return release, Truth(year), export.data


@pytest.mark.parametrize("seed", SEEDS)
async def test_no_hidden_count_follows_from_the_whole_release(
    database: Database, seed: int
) -> None:
    await _store(database, _year(seed))
    year = await load_dataset(database, school_year=YEAR)
    release, truth, export = _release(year)
    # The attack has something to attack: each case of the issue is in the year.
    assert ("11AB00", "po", "bullied", "answered") in release.hidden
    assert ("10AB00", "po", "respondents") in release.hidden
    assert len(release.known) > 500 and len(release.hidden) > 50
    assert _leaks(release, truth, export) == []
