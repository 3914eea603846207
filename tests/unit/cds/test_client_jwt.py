"""CDS client authentication (services/cds/clients.py): the signed JWT of CDS Hooks 2.0,
with keys made here - allow-listed issuer and key, audience, expiry, replay, algorithms."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import logging
from typing import Any

import pytest

from isocourse.domain.errors import InvalidInput, NotAuthenticated
from isocourse.services.access import CDS_CLIENT
from isocourse.services.cds.clients import ClientRegistry, authenticate_client
from isocourse.services.ports import Actor, FixedClock
from tests.support.cds import (
    EHR_ISSUER,
    SPEC_AUDIENCE,
    SPEC_ISSUER,
    SPEC_TOKEN,
    CdsClientKeys,
    spec_example_client,
)
from tests.unit.cds.fakes import CdsStore, FakeUows

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)
AUD = "https://cds.example.org/cds-services/isocourse-order-sign"
REFUSED = "the CDS client could not be authenticated"

EHR = CdsClientKeys()
RSA_EHR = CdsClientKeys(issuer="https://rsa-ehr.example.org", alg="RS384", kid="rsa-1")


def registry(*clients: CdsClientKeys, algorithms: tuple[str, ...] = ("ES384", "RS384")
             ) -> ClientRegistry:
    return ClientRegistry.from_settings([c.entry() for c in clients or (EHR, RSA_EHR)],
                                        algorithms=algorithms, max_lifetime_seconds=300)


def authenticate(token: str, *, store: CdsStore | None = None, at: dt.datetime = NOW,
                 trusted: ClientRegistry | None = None) -> Actor:
    return authenticate_client(token, audiences=[AUD, AUD + "/"],
                               registry=trusted or registry(),
                               uows=FakeUows(store), clock=FixedClock(at.date(), at))


def refused(token: str, **kw: Any) -> None:
    with pytest.raises(NotAuthenticated) as error:
        authenticate(token, **kw)
    assert str(error.value) == REFUSED
    assert not token or token not in str(error.value)


def _b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims(**more: Any) -> dict[str, Any]:
    stamp = int(NOW.timestamp())
    return {"iss": EHR_ISSUER, "aud": AUD, "exp": stamp + 60, "iat": stamp,
            "jti": "forged-1", **more}


# -- accepted ---------------------------------------------------------------------------

def test_a_good_es384_token_makes_the_client_a_read_only_actor_of_its_clinic() -> None:
    actor = authenticate(EHR.token(AUD, now=NOW))
    assert actor == Actor(id=EHR_ISSUER, role=CDS_CLIENT, clinic_id="main",
                          scopes=frozenset({"read"}))


def test_a_good_rs384_token_is_accepted() -> None:
    assert authenticate(RSA_EHR.token(AUD, now=NOW)).id == RSA_EHR.issuer


def test_an_audience_list_naming_the_endpoint_is_accepted() -> None:
    authenticate(EHR.token(["https://elsewhere.example.org", AUD], now=NOW))


def test_the_endpoint_url_with_a_trailing_slash_is_accepted() -> None:
    authenticate(EHR.token(AUD + "/", now=NOW))


def test_a_client_with_one_key_may_leave_out_the_kid() -> None:
    authenticate(EHR.token(AUD, now=NOW, headers={"kid": None}))  # None: left out


def test_a_token_just_expired_within_the_clock_leeway_is_accepted() -> None:
    authenticate(EHR.token(AUD, now=NOW - dt.timedelta(seconds=150)))  # expired 30 s ago


def test_the_specifications_example_token_is_accepted_with_its_example_key() -> None:
    # CDS Hooks 2.0 "Trusting CDS Clients": the example JWT (aud some-service, exp
    # 2015-01-29T22:01:00Z), checked at a moment shortly before it expires.
    trusted = registry(spec_example_client())
    at = dt.datetime(2015, 1, 29, 21, 59, tzinfo=dt.UTC)
    actor = authenticate_client(SPEC_TOKEN, audiences=[SPEC_AUDIENCE], registry=trusted,
                                uows=FakeUows(), clock=FixedClock(at.date(), at))
    assert actor.id == SPEC_ISSUER
    with pytest.raises(NotAuthenticated):  # today it has long expired
        authenticate_client(SPEC_TOKEN, audiences=[SPEC_AUDIENCE], registry=trusted,
                            uows=FakeUows(), clock=FixedClock(NOW.date(), NOW))


# -- refused ----------------------------------------------------------------------------

def test_an_issuer_not_on_the_allow_list_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW, issuer="https://rogue.example.org/"))


def test_an_issuer_that_differs_by_a_trailing_slash_is_another_issuer() -> None:
    refused(EHR.token(AUD, now=NOW, issuer=EHR_ISSUER.rstrip("/")))


def test_a_token_for_another_endpoint_is_refused() -> None:
    refused(EHR.token("https://cds.example.org/cds-services/isocourse-patient-view", now=NOW))


def test_a_token_for_no_endpoint_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW, drop=("aud",)))


def test_an_expired_token_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW - dt.timedelta(minutes=10)))


def test_a_token_valid_for_longer_than_allowed_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW, lifetime=3600))


def test_a_token_issued_in_the_future_is_refused() -> None:
    stamp = int((NOW + dt.timedelta(minutes=10)).timestamp())
    refused(EHR.token(AUD, now=NOW, iat=stamp))


def test_a_token_not_yet_valid_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW, nbf=int((NOW + dt.timedelta(minutes=3)).timestamp())))


@pytest.mark.parametrize("claim", ["exp", "iat", "jti", "iss"])
def test_a_token_missing_a_required_claim_is_refused(claim: str) -> None:
    refused(EHR.token(AUD, now=NOW, drop=(claim,)))


def test_a_replayed_jti_is_refused() -> None:
    store = CdsStore()
    token = EHR.token(AUD, now=NOW, jti="once")
    authenticate(token, store=store)
    refused(token, store=store)
    refused(EHR.token(AUD, now=NOW, jti="once"), store=store)  # a new token, the same jti


def test_a_jti_used_at_the_same_moment_by_a_concurrent_request_is_refused() -> None:
    store = CdsStore(racing=(EHR_ISSUER, "raced"))
    refused(EHR.token(AUD, now=NOW, jti="raced"), store=store)


def test_two_clients_may_use_the_same_jti() -> None:
    store = CdsStore()
    authenticate(EHR.token(AUD, now=NOW, jti="shared"), store=store)
    authenticate(RSA_EHR.token(AUD, now=NOW, jti="shared"), store=store)


def test_a_jti_is_forgotten_once_its_token_has_expired() -> None:
    store = CdsStore()
    authenticate(EHR.token(AUD, now=NOW, jti="daily"), store=store)
    later = NOW + dt.timedelta(hours=1)
    authenticate(EHR.token(AUD, now=later, jti="daily"), store=store, at=later)
    assert list(store.tokens) == [(EHR_ISSUER, "daily")]


def test_a_token_signed_with_another_key_is_refused() -> None:
    impostor = CdsClientKeys()  # same issuer and kid, its own key
    refused(impostor.token(AUD, now=NOW))


def test_a_token_naming_an_unknown_key_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW, headers={"kid": "other-key"}))


def test_an_unsigned_token_alg_none_is_refused() -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': EHR.kid})}.{_b64(claims())}."
    refused(token)


def test_an_hmac_token_keyed_with_the_clients_public_key_is_refused() -> None:
    head = _b64({"alg": "HS384", "typ": "JWT", "kid": EHR.kid})
    body = _b64(claims())
    secret = json.dumps(EHR.public_jwk).encode()
    signature = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha384).digest()
    refused(f"{head}.{body}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}")


def test_an_algorithm_that_does_not_fit_the_key_is_refused() -> None:
    token = RSA_EHR.token(AUD, now=NOW, issuer=EHR_ISSUER, headers={"kid": EHR.kid})
    refused(token)  # RS384 against the client's EC key


def test_an_algorithm_the_clinic_does_not_accept_is_refused() -> None:
    client = CdsClientKeys(alg="ES384")
    refused(client.token(AUD, now=NOW), trusted=registry(client, algorithms=("RS384",)))


def test_a_token_typed_other_than_jwt_is_refused() -> None:
    refused(EHR.token(AUD, now=NOW, headers={"typ": "at+jwt"}))


@pytest.mark.parametrize("token", ["", "not-a-jwt", "a.b.c", "Bearer x.y.z"])
def test_what_is_not_a_jwt_is_refused(token: str) -> None:
    refused(token)


def test_a_refusal_logs_its_reason_and_never_the_token(caplog: pytest.LogCaptureFixture
                                                       ) -> None:
    token = EHR.token("https://cds.example.org/other", now=NOW)
    with caplog.at_level(logging.DEBUG):
        refused(token)
    assert "wrong audience" in caplog.text
    assert token not in caplog.text and token.split(".")[2] not in caplog.text


# -- the allow-list ---------------------------------------------------------------------

def _entry(**changes: Any) -> dict[str, Any]:
    return {**EHR.entry(), **changes}


@pytest.mark.parametrize("entry", [
    _entry(iss="https://" + "x" * 70),
    _entry(iss=""),
    _entry(clinic_id=None),
    _entry(jwks={"keys": []}),
    _entry(jwks={"keys": [{"kty": "EC"}]}),
    _entry(jwks={"keys": [{**EHR.public_jwk, "d": "private"}]}),
], ids=["long issuer", "no issuer", "no clinic", "no keys", "broken key", "private key"])
def test_a_wrong_allow_list_entry_is_refused_at_start_up(entry: dict[str, Any]) -> None:
    with pytest.raises(InvalidInput, match=r"cds_clients\[0\]"):
        ClientRegistry.from_settings([entry], algorithms=["ES384"], max_lifetime_seconds=300)


def test_an_issuer_listed_twice_is_refused_at_start_up() -> None:
    with pytest.raises(InvalidInput, match="listed twice"):
        ClientRegistry.from_settings([EHR.entry(), EHR.entry()], algorithms=["ES384"],
                                     max_lifetime_seconds=300)


@pytest.mark.parametrize("algorithm", ["none", "HS256", "HS384"])
def test_symmetric_or_no_signature_cannot_be_configured(algorithm: str) -> None:
    with pytest.raises(InvalidInput, match="not an asymmetric"):
        ClientRegistry.from_settings([], algorithms=["ES384", algorithm],
                                     max_lifetime_seconds=300)
