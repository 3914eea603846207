"""FHIR Bulk Data for isocourse: a clinic's courses as ndjson files (one resource per
line, one file per resource type) and the asynchronous ``$export`` jobs that write them.

* :mod:`.ndjson` - :class:`NdjsonWriter`: course records to ``<dir>/<Type>.ndjson``.
* :mod:`.jobs` - :class:`ExportJobs`: the in-process registry of ``$export`` jobs (a
  background thread each; files under ``<data_dir>/exports/<job>/``).

The routes are the API face's (``adapters/api/routes/bulk.py``); the command is the
CLI's (``isocourse export``). How-to: docs/how-to/export-a-clinic.md.
"""
