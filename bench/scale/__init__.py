"""A synthetic clinic network in PostgreSQL, loaded with COPY, and its measures
(``bench/scale.py`` is the command; docs/perf-notes/scale.md has the figures)."""
