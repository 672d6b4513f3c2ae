"""Encryption of secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256).

The key comes from ``WAYPOST_SECRET_KEY`` or, on a laptop, from a key file
created in the data dir with mode 0600 on first use.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

KEY_FILE = "secret.key"


class SecretBox:
    """Encrypts and decrypts credential secrets; the key never leaves this object."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    @classmethod
    def from_settings(cls, secret_key: str | None, data_dir: Path) -> SecretBox:
        """The configured key, else the data dir's key file (created 0600 if missing)."""
        if secret_key:
            return cls(secret_key.encode())
        path = data_dir / KEY_FILE
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(Fernet.generate_key())
        return cls(path.read_bytes().strip())

    def seal(self, secret: str) -> bytes:
        """Encrypt a secret for storage."""
        return self._fernet.encrypt(secret.encode())

    def open(self, sealed: bytes) -> str:
        """Decrypt a stored secret (raises ValueError if the key does not match)."""
        try:
            return self._fernet.decrypt(sealed).decode()
        except InvalidToken as exc:
            raise ValueError("credential cannot be decrypted with this server's key") from exc
