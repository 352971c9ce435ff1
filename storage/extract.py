"""Bulk reads of whole-number columns into numpy, without a Python object per row.

A national school year has tens of millions of answer rows. On PostgreSQL they come through
``COPY (query) TO STDOUT (FORMAT binary)``: every column is a fixed-width integer, so each
row has the same width and a chunk of the stream is one ``numpy.frombuffer`` away from an
array. SQLite (the embedded default, one school's data) reads rows through SQLAlchemy.

Queries name their parameters ``:name``; they are passed positionally to asyncpg.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from veilig.errors import StorageError

__all__ = ["Chunk", "int_columns", "numbered_query", "stream_int_columns"]

Chunk = Callable[[np.ndarray], None]
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_HEADER = len(_SIGNATURE) + 8  # flags, header extension length (always 0 here)
_TRAILER = b"\xff\xff"
_PARAMETER = re.compile(r":([a-z_]+)")
_SQLITE_BATCH = 50_000


def _row_type(widths: Sequence[int]) -> np.dtype[Any]:
    fields: list[tuple[str, str]] = [("count", ">i2")]
    for index, width in enumerate(widths):
        if width not in (2, 4, 8):
            raise ValueError(f"column widths must be 2, 4 or 8 bytes, got {width}")
        fields += [(f"length{index}", ">i4"), (f"c{index}", f">i{width}")]
    return np.dtype(fields)


def numbered_query(sql: str, params: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """``:name`` placeholders as asyncpg's ``$1``, with the values in order."""
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _PARAMETER.sub(number, sql), [params[name] for name in order]


class _BinaryRows:
    """Cuts a binary COPY stream into whole fixed-width rows."""

    def __init__(self, widths: Sequence[int], each: Chunk) -> None:
        self.row = _row_type(widths)
        self.columns = len(widths)
        self.each = each
        self.pending = b""
        self.header_seen = False

    async def feed(self, data: bytes) -> None:
        buffer = self.pending + data if self.pending else data
        if not self.header_seen:
            if len(buffer) < _HEADER:
                self.pending = buffer
                return
            if not buffer.startswith(_SIGNATURE):
                raise StorageError("the database sent an unexpected COPY stream")
            buffer = buffer[_HEADER:]
            self.header_seen = True
        whole = len(buffer) // self.row.itemsize * self.row.itemsize
        self.pending = buffer[whole:]
        if whole:
            rows = np.frombuffer(buffer, dtype=self.row, count=whole // self.row.itemsize)
            if (rows["count"] != self.columns).any() or any(
                (rows[f"length{i}"] != self.row[f"c{i}"].itemsize).any()
                for i in range(self.columns)
            ):
                raise StorageError("a COPY row held a NULL or a wider value than expected")
            self.each(
                np.column_stack([rows[f"c{i}"].astype(np.int64) for i in range(self.columns)])
            )

    def finish(self) -> None:
        if self.pending not in (b"", _TRAILER):
            raise StorageError("the COPY stream ended in the middle of a row")


async def stream_int_columns(
    connection: AsyncConnection,
    sql: str,
    params: Mapping[str, Any],
    widths: Sequence[int],
    each: Chunk,
) -> None:
    """Run ``sql`` and hand its rows to ``each`` as int64 arrays of shape (rows, columns).

    Every column must be a non-NULL integer of the byte width in ``widths`` (cast in the
    query: ``CAST(x AS smallint)`` is 2, ``integer`` 4, ``bigint`` 8).
    """
    if connection.dialect.name == "postgresql":
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        rows = _BinaryRows(widths, each)
        query, args = numbered_query(sql, params)
        await driver.copy_from_query(query, *args, output=rows.feed, format="binary")
        rows.finish()
        return
    result = await connection.stream(text(sql), dict(params))
    async for batch in result.partitions(_SQLITE_BATCH):
        each(np.asarray(batch, dtype=np.int64).reshape(len(batch), len(widths)))


async def int_columns(
    connection: AsyncConnection, sql: str, params: Mapping[str, Any], widths: Sequence[int]
) -> np.ndarray:
    """All rows of ``sql`` as one int64 array of shape (rows, columns)."""
    parts: list[np.ndarray] = []
    await stream_int_columns(connection, sql, params, widths, parts.append)
    if not parts:
        return np.empty((0, len(widths)), dtype=np.int64)
    return np.concatenate(parts)
