"""API keys: random tokens shown once, stored as SHA-256 hashes, each owned by one user."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import select

from waypost.db.database import Database
from waypost.db.models import ApiKey, User
from waypost.db.types import utcnow
from waypost.errors import NotFound, Unauthorized
from waypost.ids import new_id

KEY_PREFIX = "wp_"
AUTH_CACHE_SECONDS = 2.0  # how long a revocation made elsewhere can take to bite
AUTH_CACHE_SIZE = 10_000


def hash_key(token: str) -> str:
    """Keys carry 256 random bits, so a fast hash is enough (no need for a slow KDF)."""
    return hashlib.sha256(token.encode()).hexdigest()


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
        # key hash -> (user id, monotonic time checked): one DB read per key every few
        # seconds instead of one per request. Only valid keys are cached.
        self._valid: dict[str, tuple[str, float]] = {}

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
        """Revoke by id (``key_…``) or by the shown prefix; revoked keys stop working at once."""
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
            self._valid.pop(key.key_hash, None)
            return self._info(key, uname)

    async def authenticate(self, token: str) -> str:
        """The user id owning ``token``; raises Unauthorized for unknown or revoked keys."""
        digest = hash_key(token)
        cached = self._valid.get(digest)
        if cached is not None and time.monotonic() - cached[1] < AUTH_CACHE_SECONDS:
            return cached[0]
        async with self.db.read() as s:
            row = (
                await s.execute(
                    select(ApiKey.user_id, ApiKey.revoked_at).where(ApiKey.key_hash == digest)
                )
            ).first()
        if row is None or row.revoked_at is not None:
            self._valid.pop(digest, None)
            raise Unauthorized("Invalid or missing API key")
        if len(self._valid) >= AUTH_CACHE_SIZE:
            self._valid.clear()
        self._valid[digest] = (str(row.user_id), time.monotonic())
        return str(row.user_id)

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
