"""Tests of the course-record format layer (isocourse.domain.record)."""
