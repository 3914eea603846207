"""The CDS services isocourse offers (the discovery document of ``GET /cds-services``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from isocourse.services.cds.hooks import Hook

__all__ = ["PREFETCH", "SERVICES", "Service", "discovery"]

#: The one resource a service asks for: the Patient, whose identifier names the clinic's
#: patient when ``cds_patient_identifier_system`` is set. The course itself is
#: isocourse's own data, so nothing else is requested ("minimum necessary").
PREFETCH = {"patient": "Patient/{{context.patientId}}"}


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    hook: Hook
    title: str
    description: str

    def json(self) -> dict[str, Any]:
        return {"hook": self.hook.value, "id": self.id, "title": self.title,
                "description": self.description, "prefetch": dict(PREFETCH)}


SERVICES = {s.id: s for s in (
    Service("isocourse-patient-view", Hook.PATIENT_VIEW, "Isotretinoin course status",
            "For a patient on an isotretinoin course in isocourse: the open pick-up window, "
            "what is due next and the cumulative dose against the plan's target; a warning "
            "when a window was missed, and a critical card for a positive pregnancy test on "
            "an active course."),
    Service("isocourse-order-select", Hook.ORDER_SELECT,
            "Isotretinoin order check (on selection)",
            "Checks a selected isotretinoin MedicationRequest against the patient's course "
            "and its programme's rules: a negative pregnancy test in the window, days' "
            "supply and refills within the limits (with suggestions that fix them), a dose "
            "outside the label range, a change of formulation family and the cumulative "
            "dose projected past the plan's target."),
    Service("isocourse-order-sign", Hook.ORDER_SIGN, "Isotretinoin order check (on signing)",
            "The checks of isocourse-order-select on every isotretinoin MedicationRequest "
            "about to be signed. Cards inform: the pharmacy's dispense authorization in "
            "isocourse is what enforces the rules."),
)}


def discovery() -> dict[str, Any]:
    return {"services": [s.json() for s in SERVICES.values()]}
