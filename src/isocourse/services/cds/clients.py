"""Which CDS clients may call, and checking the signed JWT each call carries (CDS Hooks 2.0,
"Trusting CDS Clients").

A client is allow-listed by its issuer (``iss``), with the clinic it acts in and its public
keys (a JWK Set, exchanged out of band: a ``jku`` in the token is never fetched). A token
is accepted when, and only when:

* its ``alg`` is one of the configured asymmetric algorithms (``none`` and HMAC never);
* its ``iss`` is allow-listed and its signature verifies with the key its ``kid`` names
  (a client with a single key may omit ``kid``), a key of the algorithm's type;
* ``aud`` (a string or a list) names the endpoint being called;
* ``exp``, ``iat`` and ``jti`` are present; it has not expired, was not issued in the
  future, and expires within the configured lifetime (clock skew of :data:`LEEWAY` allowed);
* its ``jti`` was not used before by the same issuer (kept until the token expires).

Every refusal is the same :class:`NotAuthenticated` ("the CDS client could not be
authenticated"); the reason is logged as a word, never the token.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import jwt

from isocourse.domain.errors import Conflict, InvalidInput, NotAuthenticated
from isocourse.services.access import CDS_CLIENT
from isocourse.services.ports import Actor, Clock, UnitOfWorkFactory

__all__ = ["ASYMMETRIC", "LEEWAY", "ClientRegistry", "TrustedClient", "authenticate_client"]

log = logging.getLogger("isocourse.cds")

#: Clock skew tolerated on ``exp``, ``iat`` and ``nbf``.
LEEWAY = dt.timedelta(seconds=60)

#: The asymmetric JWS algorithms (RFC 7518, RFC 8037) and the key type each needs.
ASYMMETRIC: Mapping[str, tuple[str, str | None]] = {
    "RS256": ("RSA", None), "RS384": ("RSA", None), "RS512": ("RSA", None),
    "PS256": ("RSA", None), "PS384": ("RSA", None), "PS512": ("RSA", None),
    "ES256": ("EC", "P-256"), "ES384": ("EC", "P-384"), "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", None),
}

_REFUSED = "the CDS client could not be authenticated"
_ISSUER_MAX = 64  # the audit trail's actor id


@dataclass(frozen=True, slots=True)
class _Key:
    kid: str | None
    kty: str
    crv: str | None
    alg: str | None
    key: jwt.PyJWK


@dataclass(frozen=True, slots=True)
class TrustedClient:
    issuer: str
    clinic_id: str
    keys: tuple[_Key, ...]


class ClientRegistry:
    """The allow-list, built once from settings (``cds_clients``, ``cds_clients_file``)."""

    def __init__(self, clients: Sequence[TrustedClient], *, algorithms: Sequence[str],
                 max_lifetime: dt.timedelta) -> None:
        unknown = sorted(set(algorithms) - set(ASYMMETRIC))
        if unknown:
            raise InvalidInput("cds_jwt_algorithms: not an asymmetric JWS algorithm: "
                               + ", ".join(unknown), field="cds_jwt_algorithms")
        self.clients = {c.issuer: c for c in clients}
        self.algorithms = frozenset(algorithms)
        self.max_lifetime = max_lifetime

    @classmethod
    def from_settings(cls, entries: Sequence[Mapping[str, Any]], *, algorithms: Sequence[str],
                      max_lifetime_seconds: int) -> ClientRegistry:
        clients = [_client(i, entry) for i, entry in enumerate(entries)]
        issuers = [c.issuer for c in clients]
        repeated = sorted({i for i in issuers if issuers.count(i) > 1})
        if repeated:
            raise InvalidInput("cds_clients: an issuer is listed twice: " + ", ".join(repeated),
                               field="cds_clients")
        return cls(clients, algorithms=algorithms,
                   max_lifetime=dt.timedelta(seconds=max_lifetime_seconds))


def _client(index: int, entry: Mapping[str, Any]) -> TrustedClient:
    where = f"cds_clients[{index}]"
    if not isinstance(entry, Mapping):
        raise InvalidInput(f"{where}: expected an object", field="cds_clients")
    issuer, clinic = entry.get("iss"), entry.get("clinic_id")
    if not isinstance(issuer, str) or not 0 < len(issuer) <= _ISSUER_MAX:
        raise InvalidInput(f"{where}.iss: expected the issuer, 1 to {_ISSUER_MAX} characters",
                           field="cds_clients")
    if not isinstance(clinic, str) or not clinic:
        raise InvalidInput(f"{where}.clinic_id: expected the clinic's id", field="cds_clients")
    jwks = entry.get("jwks")
    raw = jwks.get("keys") if isinstance(jwks, Mapping) else None
    if not isinstance(raw, list) or not raw:
        raise InvalidInput(f"{where}.jwks: expected a JWK Set with at least one key",
                           field="cds_clients")
    keys = []
    for position, jwk in enumerate(raw):
        if not isinstance(jwk, Mapping) or "d" in jwk:
            raise InvalidInput(f"{where}.jwks.keys[{position}]: expected a public key",
                               field="cds_clients")
        try:
            parsed = jwt.PyJWK(dict(jwk))
        except (jwt.PyJWKError, jwt.InvalidKeyError, ValueError, TypeError):
            raise InvalidInput(f"{where}.jwks.keys[{position}]: not a usable public key",
                               field="cds_clients") from None
        keys.append(_Key(jwk.get("kid"), str(jwk.get("kty")), jwk.get("crv"), jwk.get("alg"),
                         parsed))
    return TrustedClient(issuer, clinic, tuple(keys))


class _Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def authenticate_client(token: str, *, audiences: Sequence[str], registry: ClientRegistry,
                        uows: UnitOfWorkFactory, clock: Clock) -> Actor:
    """The actor of a CDS client's request, or :class:`NotAuthenticated`. ``audiences``:
    the URLs the endpoint being called is known by (any one may be the token's ``aud``)."""
    try:
        issuer, jti, expires = _verify(token, audiences, registry, clock.now())
        _remember(issuer, jti, expires, uows, clock.now())
    except _Refused as refusal:
        log.info("CDS client refused: %s", refusal.reason)
        raise NotAuthenticated(_REFUSED) from None
    client = registry.clients[issuer]
    return Actor(id=issuer, role=CDS_CLIENT, clinic_id=client.clinic_id,
                 scopes=frozenset({"read"}))


def _verify(token: str, audiences: Sequence[str], registry: ClientRegistry,
            now: dt.datetime) -> tuple[str, str, dt.datetime]:
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        raise _Refused("not a JWT") from None
    alg = header.get("alg")
    if alg not in registry.algorithms:
        raise _Refused("algorithm not accepted")
    if str(header.get("typ", "JWT")).upper() != "JWT":
        raise _Refused("typ is not JWT")
    issuer = unverified.get("iss")
    client = registry.clients.get(issuer) if isinstance(issuer, str) else None
    if client is None:
        raise _Refused("issuer not allow-listed")
    key = _key_for(client, header.get("kid"), alg)
    try:
        claims = jwt.decode(
            token, key.key, algorithms=[alg], audience=list(audiences), issuer=client.issuer,
            options={"require": ["iss", "aud", "exp", "iat", "jti"], "verify_exp": False,
                     "verify_iat": False, "verify_nbf": False})
    except jwt.InvalidAudienceError:
        raise _Refused("wrong audience") from None
    except jwt.InvalidSignatureError:
        raise _Refused("bad signature") from None
    except jwt.InvalidTokenError as error:
        raise _Refused(f"invalid token ({type(error).__name__})") from None
    expires, issued = _instant(claims.get("exp")), _instant(claims.get("iat"))
    if expires is None or issued is None:
        raise _Refused("exp or iat is not a number")
    if expires <= now - LEEWAY:
        raise _Refused("expired")
    if issued > now + LEEWAY:
        raise _Refused("issued in the future")
    not_before = _instant(claims.get("nbf")) if "nbf" in claims else now
    if not_before is None or not_before > now + LEEWAY:
        raise _Refused("not yet valid")
    if expires > now + registry.max_lifetime + LEEWAY:
        raise _Refused("lifetime longer than allowed")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not 0 < len(jti) <= 255:
        raise _Refused("jti missing or too long")
    return client.issuer, jti, expires


def _key_for(client: TrustedClient, kid: object, alg: str) -> _Key:
    kty, crv = ASYMMETRIC[alg]
    if kid is None:
        candidates = list(client.keys) if len(client.keys) == 1 else []
    else:
        candidates = [k for k in client.keys if k.kid == kid]
    usable = [k for k in candidates if k.kty == kty and (crv is None or k.crv == crv)
              and (k.alg is None or k.alg == alg)]
    if not usable:
        raise _Refused("no key of the client fits the kid and algorithm")
    return usable[0]


def _instant(value: object) -> dt.datetime | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return dt.datetime.fromtimestamp(value, dt.UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _remember(issuer: str, jti: str, expires: dt.datetime, uows: UnitOfWorkFactory,
              now: dt.datetime) -> None:
    try:
        with uows(write=True) as uow:
            fresh = uow.cds_tokens.remember(issuer, jti, expires_at=expires + LEEWAY, now=now)
            if not fresh:
                raise _Refused("jti replayed")
            uow.commit()
    except Conflict:  # the same jti committed meanwhile by a concurrent request
        raise _Refused("jti replayed") from None
