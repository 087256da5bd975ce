"""Cursor (keyset) pagination: stable under inserts, as fast on page 1000 as on page 1.

A cursor is the sort key of the last row of a page, base64-encoded JSON; the next page
is every row after it in the same order. Each sort is a list of (SQL expression, SQL
type, direction); the last columns are a unique tie-breaker.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

Direction = Literal["asc", "desc"]


@dataclass(frozen=True, slots=True)
class SortColumn:
    expression: str
    sql_type: str
    direction: Direction
    # The field of the selected row that holds this key.
    field: str


class BadCursor(ValueError):
    """A cursor that this API did not hand out (or for another sort order)."""


def order_by(columns: list[SortColumn]) -> str:
    return ", ".join(f"{c.expression} {c.direction}" for c in columns)


def after(columns: list[SortColumn], values: list[Any]) -> tuple[str, dict[str, Any]]:
    """The SQL condition 'strictly after these key values', and its parameters."""
    alternatives = []
    params: dict[str, Any] = {}
    for index, column in enumerate(columns):
        equal = [
            f"{c.expression} = cast(:k{i} as {c.sql_type})" for i, c in enumerate(columns[:index])
        ]
        beyond = ">" if column.direction == "asc" else "<"
        equal.append(f"{column.expression} {beyond} cast(:k{index} as {column.sql_type})")
        alternatives.append("(" + " and ".join(equal) + ")")
        params[f"k{index}"] = values[index]
    # Implied by the alternatives, and a range an index on the first key can start from.
    first = columns[0]
    reach = ">=" if first.direction == "asc" else "<="
    start = f"{first.expression} {reach} cast(:k0 as {first.sql_type})"
    return f"({start} and (" + " or ".join(alternatives) + "))", params


def encode_cursor(sort: str, columns: list[SortColumn], row: object) -> str:
    values = [_plain(getattr(row, c.field)) for c in columns]
    payload = json.dumps({"sort": sort, "key": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str, columns: list[SortColumn]) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()))
        given_sort, values = payload["sort"], list(payload["key"])
    except (binascii.Error, ValueError, KeyError, TypeError) as error:
        raise BadCursor("not a cursor from this API: use the next_cursor of a page") from error
    if given_sort != sort or len(values) != len(columns):
        raise BadCursor("the cursor belongs to another sort order: start from the first page")
    return [_typed(value, column) for value, column in zip(values, columns, strict=True)]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _typed(value: Any, column: SortColumn) -> Any:
    """asyncpg wants Python types matching the SQL ones."""
    try:
        if column.sql_type == "date":
            return date.fromisoformat(value)
        if column.sql_type == "timestamptz":
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:
                raise ValueError(value)
            return moment
        if column.sql_type in ("real", "double precision"):
            number = float(value)
            if not math.isfinite(number):
                raise ValueError(value)
            return number
        if column.sql_type == "integer":
            integer = int(value)
            if not _INT_MIN <= integer <= _INT_MAX:
                raise ValueError(value)
            return integer
        text = str(value)
        if "\x00" in text:
            raise ValueError(value)
        return text
    except (TypeError, ValueError, OverflowError) as error:
        raise BadCursor("not a cursor from this API: use the next_cursor of a page") from error


# PostgreSQL's integer
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
