"""Deliveries to the Inspectie: which files were written for a school year, and when.

One record per delivery: the path and SHA-256 of its manifest (which holds the checksum of
every other file), the number of school rows and the time. The files themselves hold no time,
so delivering the same data twice gives the same bytes; this record is where the time lives.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Delivery
from storage.values import parse_school_year
from veilig.errors import InvalidInput

_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_FILE_NAME = 255


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    id: int
    school_year: str
    file_name: str
    sha256: str
    row_count: int
    delivered_at: datetime


def _to_record(row: Delivery) -> DeliveryRecord:
    return DeliveryRecord(
        id=row.id,
        school_year=row.school_year,
        file_name=row.file_name,
        sha256=row.sha256,
        row_count=row.row_count,
        delivered_at=row.delivered_at,
    )


async def record(
    session: AsyncSession,
    *,
    school_year: str,
    file_name: str,
    sha256: str,
    row_count: int,
    now: datetime,
) -> DeliveryRecord:
    """Record that a delivery was written; every delivery gets its own record."""
    year = parse_school_year(school_year)
    if not file_name or len(file_name) > MAX_FILE_NAME:
        raise InvalidInput(
            f"the delivery's file name must be 1 to {MAX_FILE_NAME} characters, got "
            f"{len(file_name)}; choose a shorter path for the delivery"
        )
    if not _SHA256.fullmatch(sha256):
        raise InvalidInput(f"{sha256!r} is not a SHA-256 in lower-case hex (64 characters)")
    if row_count < 0:
        raise InvalidInput(f"row_count must be 0 or more, got {row_count}")
    row = Delivery(
        school_year=year,
        file_name=file_name,
        sha256=sha256,
        row_count=row_count,
        delivered_at=now,
    )
    session.add(row)
    await session.flush()
    return _to_record(row)


async def of_year(session: AsyncSession, school_year: str) -> list[DeliveryRecord]:
    """The deliveries of a school year, oldest first."""
    rows = await session.scalars(
        select(Delivery)
        .where(Delivery.school_year == parse_school_year(school_year))
        .order_by(Delivery.delivered_at, Delivery.id)
    )
    return [_to_record(row) for row in rows]
