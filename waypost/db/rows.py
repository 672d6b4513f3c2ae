"""A mapped row as the plain ``{column name: value}`` dict that fast-path inserts take."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect


def row_values(row: Any) -> dict[str, Any]:
    """Every column of ``row`` by its column name (``metadata``, not the ``meta`` attribute)."""
    mapper = inspect(type(row))
    return {attr.columns[0].name: getattr(row, attr.key) for attr in mapper.column_attrs}
