"""Signing in and out, and the sessions that follow.

* A failed sign-in says the same thing and takes about the same time whether the name
  exists or not (an unknown name is checked against a dummy hash).
* Failures are counted per user name and per address; past the policy's limit the name
  (or address) is locked for a while - unknown names exactly like real ones - and the
  answer says when to try again.
* A successful sign-in always makes a *new* session id (no session fixation); the id is
  stored only as its digest, with its own CSRF token.
* A session ends after the policy's idle time, after its maximum age, on sign-out, and
  when the account is disabled or its password changes.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace

from isocourse.domain.errors import NotAuthenticated, SignInFailed, SignInLocked
from isocourse.services.ports import Actor, Clock, UnitOfWork, UnitOfWorkFactory
from isocourse.services.security.passwords import (
    hash_password,
    needs_rehash,
    verify_nothing,
    verify_password,
)
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.security.secrets_ import digest, new_secret
from isocourse.services.stored_accounts import SessionRow, SignInFailures, UserRow

__all__ = ["SignedIn", "actor_of", "resolve_session", "sign_in", "sign_out"]

_FAILED = "the user name or password is wrong"


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A new session. ``secret`` goes into the cookie and nowhere else."""

    secret: str
    session: SessionRow
    user: UserRow


def actor_of(user: UserRow, scopes: frozenset[str] | None = None) -> Actor:
    return Actor(id=user.id, role=user.role, clinic_id=user.clinic_id,
                 patient_id=user.patient_id, on_behalf_of=user.on_behalf_of, scopes=scopes)


def _keys(username: str, address: str | None) -> tuple[str, str | None]:
    name_key = "user:" + digest(username.strip().lower())
    return name_key, ("addr:" + digest(address) if address else None)


def _locked_for(uow: UnitOfWork, key: str | None, now: dt.datetime) -> int:
    if key is None:
        return 0
    failures = uow.throttle.get(key)
    if failures is None or failures.locked_until is None or failures.locked_until <= now:
        return 0
    return max(1, math.ceil((failures.locked_until - now).total_seconds()))


def _count_failure(uow: UnitOfWork, key: str | None, limit: int, now: dt.datetime,
                   policy: SecurityPolicy) -> None:
    if key is None:
        return
    failures = uow.throttle.get(key)
    if failures is None or now - failures.window_start > policy.failure_window:
        failures = SignInFailures(key=key, count=0, window_start=now)
    count = failures.count + 1
    locked = now + policy.lockout if count >= limit else None
    uow.throttle.put(replace(failures, count=count, locked_until=locked))


def sign_in(username: str, password: str, *, address: str | None, uows: UnitOfWorkFactory,
            clock: Clock, policy: SecurityPolicy) -> SignedIn:
    now = clock.now()
    name_key, address_key = _keys(username, address)
    with uows(write=True) as uow:
        wait = max(_locked_for(uow, name_key, now), _locked_for(uow, address_key, now))
        if wait:
            raise SignInLocked("too many failed sign-ins: try again later", retry_after=wait)
        user = uow.users.by_username(username.strip().lower()) if username else None
        if user is None:
            verify_nothing(password)
            ok = False
        else:
            ok = verify_password(user.password_hash, password) and user.active
        if not ok or user is None:
            _count_failure(uow, name_key, policy.max_failures, now, policy)
            _count_failure(uow, address_key, policy.max_failures_per_address, now, policy)
            uow.commit()
            raise SignInFailed(_FAILED)
        uow.throttle.clear(name_key)
        if needs_rehash(user.password_hash):
            user = replace(user, password_hash=hash_password(password))
            uow.users.update(user)
        secret = new_secret()
        session = SessionRow(id_hash=digest(secret), user_id=user.id,
                             csrf_token=new_secret(24), created_at=now, last_seen_at=now,
                             expires_at=now + policy.session_max)
        uow.sessions.add(session)
        uow.commit()
    return SignedIn(secret, session, user)


def resolve_session(secret: str, *, uows: UnitOfWorkFactory, clock: Clock,
                    policy: SecurityPolicy) -> tuple[Actor, SessionRow]:
    """The signed-in person of a session cookie, or NotAuthenticated. Each use moves the
    idle deadline on (written at most once a minute, to spare the database)."""
    now = clock.now()
    key = digest(secret)
    with uows() as uow:
        session = uow.sessions.get(key)
        user = uow.users.get(session.user_id) if session is not None else None
    if session is None or user is None or not user.active or session.revoked_at is not None \
            or now >= session.expires_at or now - session.last_seen_at >= policy.session_idle:
        raise NotAuthenticated("sign in first (the session has ended or is not valid)")
    if now - session.last_seen_at >= dt.timedelta(minutes=1):
        with uows(write=True) as uow:
            uow.sessions.touch(key, now)
            uow.commit()
    return actor_of(user), session


def sign_out(secret: str, *, uows: UnitOfWorkFactory, clock: Clock) -> None:
    with uows(write=True) as uow:
        uow.sessions.revoke(digest(secret), clock.now())
        uow.commit()
