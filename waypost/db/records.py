"""Reads without ORM objects: a model's columns selected under its attribute names.

A row of :func:`record_select` reads like an instance of the model — ``row.meta``,
``row.created_at``, each value converted by its column's type — but it is a plain Core
row: no identity map, no instance state, nothing to expire. Built for the hottest reads
(:meth:`waypost.db.database.Database.records`), where making ORM objects cost more than
running the statement (docs/benchmarks.md). Such a row is read-only: code that would
change it or add it to a session must read the model instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, inspect, select
from sqlalchemy.sql.elements import Label


def record_columns(
    model: type[Any], *, leave_out: frozenset[str] = frozenset()
) -> list[Label[Any]]:
    """Every mapped column of ``model`` labelled with its attribute name (``meta``, not
    ``metadata``), but those in ``leave_out`` (large ones a list never shows)."""
    return [
        getattr(model, attr.key).label(attr.key)
        for attr in inspect(model).column_attrs
        if attr.key not in leave_out
    ]


def record_select(model: type[Any], *, leave_out: frozenset[str] = frozenset()) -> Select[Any]:
    """``SELECT`` of :func:`record_columns`, to add ``WHERE`` clauses to."""
    return select(*record_columns(model, leave_out=leave_out))
