"""The ownership rule in one place: a row of another user is as missing as no row."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from waypost.errors import NotFound

T = TypeVar("T")


async def get_owned(s: AsyncSession, model: type[T], row_id: str, user_id: str, resource: str) -> T:
    """``model`` row ``row_id`` if ``user_id`` owns it, else ``<resource>_not_found`` (404)."""
    table: Any = model
    row = (
        await s.execute(select(model).where(table.id == row_id, table.user_id == user_id))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound.of(resource)
    return row
