"""API keys: random tokens shown once, stored as SHA-256 hashes, each owned by one user.

Revocation bites at once, on every replica sharing the database: each request reads
its key's row (nothing is cached in one process's memory), and requests that stay
open (SSE streams, long polls) watch their key through :class:`RevocationWatch`,
which re-reads every watched key once every :data:`REVOCATION_CHECK_SECONDS` in
one query and ends the revoked ones' requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import secrets
import sqlite3
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from sqlalchemy import bindparam, select

from waypost.db.database import Database
from waypost.db.models import ApiKey, User
from waypost.db.records import RecordQuery
from waypost.db.types import utcnow
from waypost.errors import NotFound, Unauthorized
from waypost.ids import new_id

log = logging.getLogger(__name__)

KEY_PREFIX = "wp_"
# How often open streams and long polls re-check their key: the most a request that
# is already open can outlive its key's revocation (plus one query's time).
REVOCATION_CHECK_SECONDS = 0.5
_CHECK_CHUNK = 500  # keys per query (SQLite's bound-parameter limit is 999 on old builds)

_VALID_SQLITE = "SELECT user_id FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL"
_VALID = RecordQuery(
    select(ApiKey.user_id).where(
        ApiKey.key_hash == bindparam("digest"), ApiKey.revoked_at.is_(None)
    )
)


def hash_key(token: str) -> str:
    """Keys carry 256 random bits, so a fast hash is enough (no need for a slow KDF)."""
    return hashlib.sha256(token.encode()).hexdigest()


class KeyRevoked(Unauthorized):
    """The key behind an open request was revoked (or deleted) while it waited."""

    def __init__(self) -> None:
        super().__init__("API key revoked", code="key_revoked")


@dataclass(frozen=True)
class KeyInfo:
    """What may be shown about a key after creation (never the key itself)."""

    id: str
    user: str
    name: str
    prefix: str
    created_at: str
    revoked: bool


class KeyService:
    """Create, list, revoke and check API keys."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.watch = RevocationWatch(db)

    async def ensure_user(self, name: str) -> str:
        """The id of user ``name``, creating the user on first use."""
        async with self.db.write() as tx:
            user = (await tx.s.execute(select(User).where(User.name == name))).scalar_one_or_none()
            if user is None:
                user = User(id=new_id("usr"), name=name, created_at=utcnow())
                tx.s.add(user)
            return user.id

    async def create(self, user_name: str, name: str = "") -> tuple[KeyInfo, str]:
        """A new key for ``user_name``; returns its info and the plaintext token (shown once)."""
        user_id = await self.ensure_user(user_name)
        token = KEY_PREFIX + secrets.token_urlsafe(32)
        key = ApiKey(
            id=new_id("key"),
            user_id=user_id,
            name=name,
            prefix=token[:10],
            key_hash=hash_key(token),
            created_at=utcnow(),
        )
        async with self.db.write() as tx:
            tx.s.add(key)
        return self._info(key, user_name), token

    async def list(self, user_name: str | None = None) -> list[KeyInfo]:
        """Every key (or one user's keys), oldest first."""
        async with self.db.read() as s:
            query = select(ApiKey, User.name).join(User, User.id == ApiKey.user_id)
            if user_name is not None:
                query = query.where(User.name == user_name)
            rows = (await s.execute(query.order_by(ApiKey.id))).all()
        return [self._info(key, uname) for key, uname in rows]

    async def revoke(self, key_id_or_prefix: str) -> KeyInfo:
        """Revoke by id (``key_…``) or by the shown prefix.

        Every server on the database refuses the key's next request; its open streams
        and long polls end within :data:`REVOCATION_CHECK_SECONDS` (plus a query).
        """
        async with self.db.write() as tx:
            query = select(ApiKey, User.name).join(User, User.id == ApiKey.user_id)
            row = (
                await tx.s.execute(
                    query.where(
                        (ApiKey.id == key_id_or_prefix) | (ApiKey.prefix == key_id_or_prefix)
                    )
                )
            ).first()
            if row is None:
                raise NotFound.of("key")
            key, uname = row
            if key.revoked_at is None:
                key.revoked_at = utcnow()
            return self._info(key, uname)

    async def authenticate(self, token: str) -> str:
        """The user id owning ``token``; raises Unauthorized for unknown or revoked keys.

        Read from the database on every call (no cache), and the key is remembered as
        the current task's (:func:`key_guard`), so that waits in this request can be
        ended when it is revoked.
        """
        digest = hash_key(token)
        user_id = await self._valid_user(digest)
        if user_id is None:
            raise Unauthorized("Invalid or missing API key")
        _current_key.set(_RequestKey(self.watch, digest))
        return user_id

    async def _valid_user(self, digest: str) -> str | None:
        """One indexed read of the key's row; the cheapest the driver allows.

        SQLite: a plain statement on the writer's reading connection, on the event loop's
        thread (~4 µs); else, and when that file is busy, a record query
        (:meth:`Database.records`: on PostgreSQL the asyncpg connection, outside the ORM).
        """
        writer = self.db.sqlite_writer
        if writer is not None:
            try:
                row = writer.read_inline(_VALID_SQLITE, (digest,))
            except sqlite3.OperationalError:  # SQLITE_BUSY at once, never waited for
                pass
            else:
                return None if row is None else str(row[0])
        found = await self.db.records(lambda records: records.first(_VALID, {"digest": digest}))
        return None if found is None else str(found.user_id)

    async def count(self) -> int:
        """How many keys exist (serve uses it to greet a new operator)."""
        return len(await self.list())

    @staticmethod
    def _info(key: ApiKey, user_name: str) -> KeyInfo:
        return KeyInfo(
            id=key.id,
            user=user_name,
            name=key.name,
            prefix=key.prefix,
            created_at=key.created_at.isoformat(),
            revoked=key.revoked_at is not None,
        )


# --- ending open requests of revoked keys -------------------------------------------


@dataclass(frozen=True)
class _RequestKey:
    watch: RevocationWatch
    digest: str


# The key the current request authenticated with (None: gateway user, or no request).
_current_key: ContextVar[_RequestKey | None] = ContextVar("waypost_request_key", default=None)


def detach_from_request_key() -> None:
    """Forget the current request's key in this context (for work that outlives it).

    Call it inside a copied context, e.g. the one a background task will run in.
    """
    _current_key.set(None)


@dataclass(eq=False)
class _Watched:
    """One key with open requests: how many, whether it was found revoked, their guards."""

    refs: int = 0
    revoked: bool = False
    guards: set[Guard] = field(default_factory=set)

    def revoke(self) -> None:
        self.revoked = True
        for guard in tuple(self.guards):
            guard.fire()


class Guard:
    """``async with guard:`` around a wait ends it with :class:`KeyRevoked` once the
    request's key is found revoked (also raised on entry if it already was).

    Like ``asyncio.timeout``: the waiting task is cancelled and the cancellation is
    turned into the exception at the block's end. Guard only waits that may be cut
    short (reading a queue, a shielded future), not writes.
    """

    __slots__ = ("_fired", "_task", "_watched")

    def __init__(self, watched: _Watched | None) -> None:
        self._watched = watched
        self._task: asyncio.Task[Any] | None = None
        self._fired = False

    async def __aenter__(self) -> None:
        watched = self._watched
        if watched is None:
            return
        if watched.revoked:
            raise KeyRevoked()
        self._task = asyncio.current_task()
        self._fired = False
        watched.guards.add(self)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        watched = self._watched
        if watched is None:
            return
        watched.guards.discard(self)
        if self._fired:
            self._fired = False
            assert self._task is not None
            if self._task.uncancel() == 0:  # nobody else cancelled the task meanwhile
                raise KeyRevoked() from None

    def fire(self) -> None:
        if self._task is not None and not self._fired:
            self._fired = True
            self._task.cancel()


_NO_GUARD = Guard(None)


@contextlib.asynccontextmanager
async def key_guard() -> AsyncIterator[Guard]:
    """While the block runs, watch the key of the current request (if it has one).

    Yields a :class:`Guard` to put around each wait inside the block.
    """
    current = _current_key.get()
    if current is None:
        yield _NO_GUARD
        return
    watched = current.watch.enter(current.digest)
    try:
        yield Guard(watched)
    finally:
        current.watch.leave(current.digest, watched)


class RevocationWatch:
    """The keys of open streams and long polls, re-checked in the database together.

    One query per :data:`REVOCATION_CHECK_SECONDS` while any are open, however many
    streams share however many keys; nothing runs when none is open.
    """

    def __init__(self, db: Database, interval: float = REVOCATION_CHECK_SECONDS) -> None:
        self.db = db
        self.interval = interval
        self._watched: dict[str, _Watched] = {}
        self._task: asyncio.Task[None] | None = None

    def enter(self, digest: str) -> _Watched:
        watched = self._watched.get(digest)
        if watched is None:
            watched = self._watched[digest] = _Watched()
        watched.refs += 1
        if self._task is None:
            self._task = asyncio.create_task(self._poll(), name="waypost-key-revocations")
        return watched

    def leave(self, digest: str, watched: _Watched) -> None:
        watched.refs -= 1
        if watched.refs <= 0 and self._watched.get(digest) is watched:
            del self._watched[digest]

    async def _poll(self) -> None:
        try:
            while self._watched:
                await asyncio.sleep(self.interval)
                digests = [d for d, w in self._watched.items() if not w.revoked]
                try:
                    valid = await self._still_valid(digests)
                except Exception:  # a database hiccup must not end every open stream
                    log.warning("could not re-check API keys of open streams", exc_info=True)
                    continue
                for digest in digests:
                    watched = self._watched.get(digest)
                    if watched is not None and digest not in valid:
                        watched.revoke()
        finally:
            self._task = None

    async def _still_valid(self, digests: list[str]) -> set[str]:
        """Which of ``digests`` belong to keys that exist and are not revoked."""
        valid: set[str] = set()
        async with self.db.read() as s:
            for i in range(0, len(digests), _CHECK_CHUNK):
                chunk = digests[i : i + _CHECK_CHUNK]
                rows = await s.execute(
                    select(ApiKey.key_hash).where(
                        ApiKey.key_hash.in_(chunk), ApiKey.revoked_at.is_(None)
                    )
                )
                valid.update(rows.scalars())
        return valid
