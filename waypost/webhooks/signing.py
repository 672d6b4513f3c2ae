"""Standard Webhooks signatures: ``v1,<base64 HMAC-SHA256 of id.timestamp.body>``."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from waypost.errors import Invalid

PREFIX = "whsec_"
SECRET_BYTES = 24  # the specification asks for 24 to 64 random bytes


def new_secret() -> str:
    """A fresh ``whsec_…`` secret, as the specification writes it."""
    return PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def check_secret(secret: str) -> str:
    """A caller's own secret: ``whsec_`` + base64 of 24 to 64 bytes, or a 400."""
    if not secret.startswith(PREFIX):
        raise Invalid("secret: must start with 'whsec_' followed by base64")
    try:
        key = base64.b64decode(secret[len(PREFIX) :], validate=True)
    except ValueError:
        raise Invalid("secret: the part after 'whsec_' is not valid base64") from None
    if not 24 <= len(key) <= 64:
        raise Invalid("secret: must encode 24 to 64 random bytes")
    return secret


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header value for one attempt."""
    key = base64.b64decode(secret[len(PREFIX) :])
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()
