"""A CDS Hooks client for tests: its own key pair, its entry in the clinic's allow-list
(``cds_clients``) and signed JWTs as CDS Hooks 2.0 describes them."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

__all__ = ["EHR_ISSUER", "SPEC_AUDIENCE", "SPEC_ISSUER", "SPEC_TOKEN", "CdsClientKeys",
           "spec_example_client"]

EHR_ISSUER = "https://ehr.example.org/"


def _ec_key() -> Any:
    return ec.generate_private_key(ec.SECP384R1())


@dataclass
class CdsClientKeys:
    """``alg`` ES384 (an EC P-384 key) or RS384 (an RSA 2048 key)."""

    issuer: str = EHR_ISSUER
    alg: str = "ES384"
    kid: str = "ehr-key-1"
    clinic_id: str = "main"
    private_key: Any = field(default=None)

    def __post_init__(self) -> None:
        if self.private_key is None:
            self.private_key = (_ec_key() if self.alg.startswith("ES")
                                else rsa.generate_private_key(public_exponent=65537,
                                                              key_size=2048))

    @property
    def public_jwk(self) -> dict[str, Any]:
        algorithm = ECAlgorithm if self.alg.startswith("ES") else RSAAlgorithm
        jwk = json.loads(algorithm.to_jwk(self.private_key.public_key()))
        return {**jwk, "kid": self.kid, "use": "sig", "alg": self.alg}

    def entry(self) -> dict[str, Any]:
        """This client in the ``cds_clients`` setting."""
        return {"iss": self.issuer, "clinic_id": self.clinic_id,
                "jwks": {"keys": [self.public_jwk]}}

    def token(self, aud: str | list[str], *, now: dt.datetime, lifetime: int = 120,
              jti: str | None = None, issuer: str | None = None,
              headers: dict[str, Any] | None = None, drop: tuple[str, ...] = (),
              **claims: Any) -> str:
        stamp = int(now.timestamp())
        payload: dict[str, Any] = {"iss": issuer or self.issuer, "aud": aud,
                                   "exp": stamp + lifetime, "iat": stamp,
                                   "jti": jti or str(uuid.uuid4()),
                                   "tenant": "2ddd6c3a-8e9a-44c6-a305-52111ad302a2", **claims}
        for name in drop:
            payload.pop(name, None)
        head = {"kid": self.kid, "typ": "JWT", **(headers or {})}
        head = {name: value for name, value in head.items() if value is not None}
        return jwt.encode(payload, self.private_key, algorithm=self.alg, headers=head)


#: The example of CDS Hooks 2.0, "Trusting CDS Clients": the client's key pair (ES384,
#: P-384), issuer and a token it signed (cds-hooks/docs docs/specification/current.md).
SPEC_ISSUER = "https://fhir-ehr.example.com/"
SPEC_PRIVATE_JWK = {
    "kty": "EC", "d": "SeFXUXda8UomZ8GFUl7HH_Oi15rIbfMcsWj9ecIsDR8kLbqsEz2CGNgwy_IcILxy",
    "use": "sig", "crv": "P-384", "kid": "example-kid",
    "x": "46SDH7Znh821wblCBglA61sNE9ZrHYKKt3qRtRTmSXyOI_FIGBLWrWa0GPUkDCEk",
    "y": "XMcRuuoGW7CXjQdy-F5i3FeBE0x9hPLdeFdSoDd3ELmx404tLX0VRRcqzAsPhXcI", "alg": "ES384"}
SPEC_TOKEN = (
    "eyJhbGciOiJFUzM4NCIsInR5cCI6IkpXVCIsImtpZCI6ImV4YW1wbGUta2lkIiwiamt1IjoiaHR0cHM6Ly9maGly"
    "LWVoci5leGFtcGxlLmNvbS9qd2tfdXJpIn0.eyJpc3MiOiJodHRwczovL2ZoaXItZWhyLmV4YW1wbGUuY29tLyIs"
    "InN1YiI6ImNsaWVudF9pZCIsImF1ZCI6Imh0dHBzOi8vY2RzLmV4YW1wbGUub3JnL2Nkcy1zZXJ2aWNlcy9zb21l"
    "LXNlcnZpY2UiLCJleHAiOjE0MjI1Njg4NjAsImlhdCI6MTMxMTI4MDk3MCwianRpIjoiZWUyMmIwMjEtZTFiNy00"
    "NjExLWJhNWItOGVlYzZhMzNhYzFlIiwidGVuYW50IjoiMmRkZDZjM2EtOGU5YS00NGM2LWEzMDUtNTIxMTFhZDMw"
    "MmEyIn0.CUFPkplnWd6YGIvzoHolWCQBDsCL8QtTWKGg_QFpS169WrqDGzktRi-_we6-6rVzbjerU27ZKww_SW0-b9"
    "RTz-dPJNcqsueMio8r6EqXUXhbLm_ch3XFSbDlGHDl_tqo")
SPEC_AUDIENCE = "https://cds.example.org/cds-services/some-service"


def spec_example_client() -> CdsClientKeys:
    """The specification's example client, signing with its published private key."""
    return CdsClientKeys(issuer=SPEC_ISSUER, alg="ES384", kid="example-kid",
                         private_key=jwt.PyJWK(SPEC_PRIVATE_JWK).key)
