"""The FHIR face over HTTP: a read-only FHIR R4 server at ``/fhir/R4`` (``server``) and the
course-as-Bundle import/export of the API (``bundles``, under ``/api/v1``).

Both authenticate like the API (session cookie or API token) and call the services; the
mapping itself is :mod:`isocourse.adapters.fhir.mapping`. See docs/reference/api.md.
"""

from __future__ import annotations

from isocourse.adapters.fhir.rest.bundles import router as bundle_router
from isocourse.adapters.fhir.rest.server import PATH, PUBLIC_PATHS
from isocourse.adapters.fhir.rest.server import router as fhir_router

__all__ = ["PATH", "PUBLIC_PATHS", "bundle_router", "fhir_router"]
