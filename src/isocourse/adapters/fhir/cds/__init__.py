"""The CDS Hooks 2.0 face: discovery, the three isotretinoin services, feedback
(``router.py``) and the override report under ``/api/v1`` (``report.py``).
See docs/explanation/cds-hooks.md."""
