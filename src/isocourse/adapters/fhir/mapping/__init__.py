"""The pure mapping between a course record and FHIR R4 resources.

:func:`course_to_bundle` / :func:`bundle_to_course` are the two directions; the modules
hold one concern each (patient, course, medication, measurements, observations,
questionnaire, conditions; export-only careplan and findings; errors and validation).
The element-by-element table is docs/explanation/fhir-mapping.md.
"""

from __future__ import annotations

from isocourse.adapters.fhir.mapping.bundle import BundleType, bundle_to_course, course_to_bundle
from isocourse.adapters.fhir.mapping.careplan import careplan_resource
from isocourse.adapters.fhir.mapping.common import Links
from isocourse.adapters.fhir.mapping.findings import detected_issue_resources

__all__ = [
    "BundleType",
    "Links",
    "bundle_to_course",
    "careplan_resource",
    "course_to_bundle",
    "detected_issue_resources",
]
