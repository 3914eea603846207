"""CDS Hooks use cases: the cards a clinic's course gives an EHR, the clients allowed to ask,
and what clinicians did with the cards (feedback and the override report).

Framework-free like every service: the FHIR face (``adapters/fhir/cds``) reads the hook
request and the draft MedicationRequests into the plain values these functions take, and
turns the cards they return into CDS Hooks JSON. See docs/explanation/cds-hooks.md.
"""
