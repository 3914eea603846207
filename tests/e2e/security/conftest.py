"""The security tests' world: one per test module and database backend (see world.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.security.world import World, serve_world
from tests.support.clinics import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def world(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp(f"security-{request.param}")
    with serve_world(request, request.param, folder) as built:
        yield built
