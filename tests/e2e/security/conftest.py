"""The security tests' world (see world.py): one per database backend and test process,
shared by the modules, so that its accounts are hashed once. A test that changes something
for good makes its own objects (``World.fresh_course``, ``add_person``); a test that moves
the clock puts it back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from isocourse.services.ports import FixedClock
from tests.e2e.security.world import World, clock_at_noon, serve_world
from tests.support.clinics import BACKENDS


@pytest.fixture(scope="session", params=BACKENDS)
def world(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"security-{request.param}")
    with serve_world(request, request.param, folder) as built:
        yield built


@pytest.fixture
def clock(world: World) -> Iterator[FixedClock]:
    """The world's clock, at NOON of READY_DAY; put back to its default afterwards."""
    with clock_at_noon(world) as clock:
        yield clock
