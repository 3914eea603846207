"""Random secrets and their stored form."""

from __future__ import annotations

import hashlib
import secrets

__all__ = ["digest", "new_secret"]


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random string with ``nbytes`` bytes of entropy."""
    return secrets.token_urlsafe(nbytes)


def digest(secret: str) -> str:
    """What is stored of a session id or API token: its SHA-256 (the secret is long and
    random, so it cannot be guessed from the digest; a slow hash is not needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
