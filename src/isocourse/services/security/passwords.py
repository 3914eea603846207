"""Password hashing (argon2id, through argon2-cffi with its default parameters, which
follow RFC 9106's recommendations) and the password policy."""

from __future__ import annotations

import functools
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from isocourse.domain.errors import InvalidInput
from isocourse.services.security.policy import SecurityPolicy

__all__ = [
    "check_password",
    "hash_password",
    "is_common",
    "needs_rehash",
    "verify_nothing",
    "verify_password",
]

_HASHER = PasswordHasher()


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError, ValueError):
        # ValueError covers a stored hash that is not even ASCII (UnicodeEncodeError).
        return False


def needs_rehash(password_hash: str) -> bool:
    return _HASHER.check_needs_rehash(password_hash)


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("isocourse: a password nobody has")


def verify_nothing(password: str) -> None:
    """Spend the time of one verification when there is no account to check against, so
    that the answer's timing does not tell whether a user name exists."""
    verify_password(_dummy_hash(), password)


@functools.cache
def _common() -> frozenset[str]:
    text = resources.files(__package__).joinpath("common-passwords.txt").read_text("utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


_TAIL = frozenset("0123456789!")


def is_common(password: str) -> bool:
    """A listed password, or a listed one followed only by digits and "!" (the usual way
    to stretch a short common password to the required length)."""
    lowered = password.lower()
    common = _common()
    return any(lowered[:cut] in common and all(c in _TAIL for c in lowered[cut:])
               for cut in range(len(lowered), 0, -1))


def check_password(password: str, *, username: str, policy: SecurityPolicy) -> None:
    """The password policy (NIST SP 800-63B style): a length range, not a commonly used
    password, not the user name, not one character repeated. No composition rules."""
    def refuse(message: str) -> InvalidInput:
        return InvalidInput(message, field="password")

    if len(password) < policy.password_min_length:
        raise refuse(f"a password needs at least {policy.password_min_length} characters")
    if len(password) > policy.password_max_length:
        raise refuse(f"a password has at most {policy.password_max_length} characters")
    if is_common(password):
        raise refuse("this password is one of the most commonly used: choose another")
    if username and username.lower() in password.lower():
        raise refuse("a password must not contain the user name")
    if len(set(password)) < 4:
        raise refuse("a password needs more than a few different characters")
