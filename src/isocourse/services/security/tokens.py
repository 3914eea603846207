"""API tokens for programs: made by a signed-in person, scoped (read / write / dispense),
shown once, stored as a digest, revocable, and expiring.

A token is ``isc_<id>_<secret>``: the id finds the stored row, the whole token's digest
must match it. The token acts as its owner, limited to its scopes; it ends when revoked,
when it expires, and when the owner's account is disabled or their password changes.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass

from isocourse.domain.errors import Forbidden, Hidden, InvalidInput, NotAuthenticated, NotFound
from isocourse.services.access import Role, Scope
from isocourse.services.ports import Actor, Clock, UnitOfWorkFactory
from isocourse.services.security.policy import SecurityPolicy
from isocourse.services.security.secrets_ import digest, new_secret
from isocourse.services.security.sessions import actor_of
from isocourse.services.stored_accounts import TokenRow

__all__ = ["NewToken", "create_token", "list_tokens", "resolve_token", "revoke_token"]

_TOKEN = re.compile(r"isc_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


@dataclass(frozen=True, slots=True)
class NewToken:
    """A token just made: ``secret`` is the whole token, shown this once."""

    secret: str
    row: TokenRow


def _new_id() -> str:
    import secrets

    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(16))


def create_token(name: str, scopes: Sequence[str], *, expires_in_days: int | None,
                 uows: UnitOfWorkFactory, clock: Clock, actor: Actor,
                 policy: SecurityPolicy) -> NewToken:
    if actor.scopes is not None:
        raise Forbidden("an API token cannot make another token; sign in to make one")
    label = name.strip()
    if not 1 <= len(label) <= 80 or not label.isprintable():
        raise InvalidInput("a token's name is 1 to 80 printable characters", field="name")
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in {x.value for x in Scope}]
    if not chosen or unknown:
        raise InvalidInput("scopes are one or more of: read, write, dispense",
                           field="scopes")
    if Scope.DISPENSE.value in chosen and actor.role not in (Role.PHARMACIST,
                                                             Role.PRESCRIBER):
        raise InvalidInput("only a pharmacist's or prescriber's token can have the "
                           "'dispense' scope", field="scopes")
    days = expires_in_days if expires_in_days is not None else policy.token_default_days
    if not 1 <= days <= policy.token_max_days:
        raise InvalidInput(f"a token lasts 1 to {policy.token_max_days} days",
                           field="expires_in_days")
    token_id = _new_id()
    secret = f"isc_{token_id}_{new_secret(32)}"
    now = clock.now()
    row = TokenRow(id=token_id, user_id=actor.id, name=label, prefix=secret[:12],
                   token_hash=digest(secret), scopes=tuple(chosen), created_at=now,
                   expires_at=now + dt.timedelta(days=days))
    with uows(write=True) as uow:
        uow.tokens.add(row)
        uow.commit()
    return NewToken(secret, row)


def list_tokens(*, uows: UnitOfWorkFactory, actor: Actor) -> Sequence[TokenRow]:
    with uows() as uow:
        return list(uow.tokens.of_user(actor.id))


def revoke_token(token_id: str, *, uows: UnitOfWorkFactory, clock: Clock,
                 actor: Actor) -> TokenRow:
    """Revoke one of one's own tokens (an admin disabling an account revokes them all)."""
    with uows(write=True) as uow:
        row = uow.tokens.get(token_id)
        if row is None or row.user_id != actor.id:
            if row is None:
                raise NotFound("no such token")
            raise Hidden("no such token")  # someone else's: the attempt is audited as denied
        uow.tokens.revoke(token_id, clock.now())
        revoked = uow.tokens.get(token_id)
        uow.commit()
    assert revoked is not None
    return revoked


def resolve_token(secret: str, *, uows: UnitOfWorkFactory, clock: Clock) -> Actor:
    """The actor of a bearer token, or NotAuthenticated (one message for every reason)."""
    refused = NotAuthenticated("the API token is not valid (unknown, expired or revoked)")
    match = _TOKEN.fullmatch(secret)
    if match is None:
        raise refused
    now = clock.now()
    with uows() as uow:
        row = uow.tokens.get(match.group(1))
        user = uow.users.get(row.user_id) if row is not None else None
    if row is None or user is None or not hmac.compare_digest(row.token_hash, digest(secret)):
        raise refused
    if row.revoked_at is not None or now >= row.expires_at or not user.active:
        raise refused
    if row.last_used_at is None or now - row.last_used_at >= dt.timedelta(minutes=1):
        with uows(write=True) as uow:
            uow.tokens.touch(row.id, now)
            uow.commit()
    return actor_of(user, frozenset(row.scopes))
