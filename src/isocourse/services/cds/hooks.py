"""What a CDS hook call asks, as plain values (the face reads the JSON and FHIR into these)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["DraftOrder", "Hook", "HookCall"]


class Hook(StrEnum):
    PATIENT_VIEW = "patient-view"
    ORDER_SELECT = "order-select"
    ORDER_SIGN = "order-sign"


@dataclass(frozen=True, slots=True, kw_only=True)
class DraftOrder:
    """An isotretinoin MedicationRequest being written, as far as it could be read.

    ``order_id`` names it in the hook (``MedicationRequest/abc``); ``daily_mg`` is the day's
    total in whole mg, ``days_supply`` the expected supply duration in days (``None``: not
    given or not readable); ``refills`` is ``numberOfRepeatsAllowed`` (absent: 0);
    ``product`` a catalog id from the isocourse ``product`` extension; ``family`` the
    formulation family its medication code names, when a code names one."""

    order_id: str
    daily_mg: int | None = None
    days_supply: int | None = None
    refills: int = 0
    product: str | None = None
    family: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HookCall:
    """``patient_key`` is the clinic's patient id (the course record's ``patient.id``) the
    face matched the hook's patient to; ``orders`` are the isotretinoin drafts in focus
    (order-select: the selected ones; order-sign: all)."""

    service_id: str
    hook: Hook
    patient_key: str
    orders: tuple[DraftOrder, ...] = ()
