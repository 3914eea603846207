"""The REST API (FastAPI), versioned under ``/api/v1``: a thin face over the services."""
