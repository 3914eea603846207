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

__all__ = ["EHR_ISSUER", "CdsClientKeys"]

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
