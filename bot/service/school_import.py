"""Reading a CSV file of schools for ``veilig school import``: all rows good, or none taken.

Spreadsheets save CSV with commas or semicolons (Dutch Excel uses ``;``) and often with a
byte-order mark; both are accepted. Each problem is reported with its line number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.repositories.schools import NewSchool
from storage.values import SchoolCode, parse_contact, parse_name, parse_sector
from veilig.errors import CsvImportError, InvalidInput, VeiligError

REQUIRED = ("brin", "vestiging", "name", "sector")
OPTIONAL = ("support_contact",)


@dataclass(frozen=True, slots=True)
class SchoolRow:
    line: int
    school: NewSchool


def new_school(
    brin: str, vestiging: str, name: str, sector: str, support_contact: str | None
) -> NewSchool:
    """A school to register, from the text an operator typed or a CSV row holds."""
    return NewSchool(
        code=SchoolCode.of(brin, vestiging),
        name=parse_name(name, "school name"),
        sector=parse_sector(sector),
        support_contact=parse_contact(support_contact),
    )


def read_schools(path: Path) -> list[SchoolRow]:
    """Parse and validate every row; ``CsvImportError`` lists every bad one."""
    text = _read_text(path)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    # A reader over the whole text, not its lines: a quoted name may hold a line break
    # (which the name rules then refuse, with its line number).
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    lines = _rows(path, reader)
    header = [cell.strip().lower() for cell in next(lines, [])]
    _check_header(path, header)
    rows: list[SchoolRow] = []
    problems: list[str] = []
    seen: dict[SchoolCode, int] = {}
    for cells in lines:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            problems.append(f"line {line}: {len(cells)} fields, the header has {len(header)}")
            continue
        record = dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=True))
        try:
            school = new_school(
                record["brin"],
                record["vestiging"],
                record["name"],
                record["sector"],
                record.get("support_contact"),
            )
        except VeiligError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if school.code in seen:
            problems.append(
                f"line {line}: school {school.code} is also on line {seen[school.code]}"
            )
            continue
        seen[school.code] = line
        rows.append(SchoolRow(line, school))
    if problems:
        raise CsvImportError(str(path), problems)
    if not rows:
        raise InvalidInput(f"{path} has no schools in it; nothing was imported")
    return rows


def _rows(path: Path, reader: Any) -> Iterator[list[str]]:
    """The reader's rows; a malformed file (a field over the csv module's limit, a quote
    that never closes) is one clear error, not a traceback."""
    try:
        yield from reader
    except csv.Error as exc:
        raise InvalidInput(
            f"{path} line {reader.line_num}: {exc}; fix the file (is it a CSV of schools?)"
        ) from None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidInput(f"{path} does not exist; give the path of a CSV file") from None
    except UnicodeDecodeError:
        raise InvalidInput(
            f"{path} is not UTF-8 text; save it from your spreadsheet as 'CSV UTF-8'"
        ) from None
    except OSError as exc:
        raise InvalidInput(f"{path} cannot be read: {exc.strerror}") from None


def _check_header(path: Path, header: list[str]) -> None:
    expected = ", ".join((*REQUIRED, *OPTIONAL))
    missing = [name for name in REQUIRED if name not in header]
    unknown = [name for name in header if name not in REQUIRED + OPTIONAL]
    if missing or unknown or len(set(header)) != len(header):
        what = []
        if missing:
            what.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            what.append(f"unknown column(s) {', '.join(unknown)}")
        if len(set(header)) != len(header):
            what.append("a column appears twice")
        raise InvalidInput(
            f"{path} line 1: {'; '.join(what)}; the header must name the columns {expected}"
        )
