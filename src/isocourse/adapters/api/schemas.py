"""Request bodies of the API (pydantic, at the edge only). Clinical documents (course
records, events) are not modelled here: they are checked by the core's own parser, and
their schema in the OpenAPI document is the course record's JSON Schema."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AuthorizationIn",
    "EndCourseIn",
    "PasswordChangeIn",
    "PasswordResetIn",
    "PatientIn",
    "PatientSearchIn",
    "PrescriptionIn",
    "ReverseIn",
    "SignInIn",
    "StartCourseIn",
    "TokenIn",
    "UserIn",
]

#: No control characters: they never belong in clinical text, and PostgreSQL cannot store NUL.
PRINTABLE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
Text = Annotated[str, Field(min_length=1, max_length=500, pattern=PRINTABLE)]
Ident = Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PatientIn(_Strict):
    external_id: Annotated[Ident, Field(description="The clinic's opaque patient id; "
                                                    "never a name.")]
    birth_date: dt.date
    can_get_pregnant: bool


class PatientSearchIn(_Strict):
    external_id: Ident


class StartCourseIn(_Strict):
    jurisdiction: Literal["us-ipledge", "eu-ppp", "uk-mhra"]
    product: Ident
    weight_kg: Annotated[Decimal, Field(gt=0, le=500)]
    mg_per_kg: Annotated[Decimal, Field(gt=0, le=5, description="Maintenance dose, mg/kg/day.")]
    start_date: dt.date | None = None
    target_mg_per_kg: Annotated[Decimal, Field(gt=0, le=1000)] = Decimal(120)
    start_mg_per_kg: Annotated[Decimal | None, Field(gt=0, le=5)] = None
    start_days: Annotated[int | None, Field(ge=1, le=365)] = None
    severe: bool = False
    lab_profile: Ident = "default"
    home_tests_allowed: bool = False


class PrescriptionIn(_Strict):
    daily_mg: Annotated[int, Field(ge=1, le=1000)]
    days_supply: Annotated[int, Field(ge=1, le=365)]
    refills: Annotated[int, Field(ge=0, le=12)] = 0
    product: Ident | None = None
    date: dt.date | None = None
    note: Text | None = None
    preview: Annotated[bool, Field(description="Only show the verdict; save nothing.")] = False


class EndCourseIn(_Strict):
    last_dose: dt.date
    reason: Text | None = None


class AuthorizationIn(_Strict):
    course_id: Annotated[Ident | None, Field(
        description="May be left out when the prescription id is unique in the clinic.")] = None
    prescription_id: Ident
    pharmacy: Ident | None = None


class ReverseIn(_Strict):
    reason: Text


#: A password field: long enough for any passphrase; never echoed in errors.
Secret = Annotated[str, Field(min_length=1, max_length=1024)]


class SignInIn(_Strict):
    username: Annotated[str, Field(min_length=1, max_length=128)]
    password: Secret


class PasswordChangeIn(_Strict):
    current_password: Secret
    new_password: Secret


class PasswordResetIn(_Strict):
    new_password: Secret


class TokenIn(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=80, pattern=PRINTABLE)]
    scopes: Annotated[list[Literal["read", "write", "dispense"]],
                      Field(min_length=1, max_length=3)]
    expires_in_days: Annotated[int | None, Field(ge=1, le=3650)] = None


class UserIn(_Strict):
    username: Annotated[str, Field(min_length=3, max_length=64)]
    display_name: Annotated[str, Field(min_length=1, max_length=128, pattern=PRINTABLE)]
    role: Literal["admin", "prescriber", "delegate", "pharmacist", "patient"]
    password: Secret
    patient_external_id: Ident | None = None
    on_behalf_of: Annotated[str | None, Field(max_length=64, description=(
        "A delegate's prescriber (user name).")) ] = None
