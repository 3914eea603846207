"""FHIR R4 for isocourse: the code tables (``codes.toml``, :mod:`.codes`) and the pure
mapping between a course record and a FHIR Bundle (:mod:`.mapping`).

The mapping is explained in docs/explanation/fhir-mapping.md; why the models are the
``fhir.resources`` R4B ones is docs/adr/0005-fhir-models-r4b.md.
"""
