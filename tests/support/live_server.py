"""A real HTTP server for end-to-end tests: uvicorn serving the API in a background thread
on a free local port, over a clinic on a real database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from isocourse.adapters.api.app import create_app
from isocourse.bootstrap import Clinic

__all__ = ["live_server"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def live_server(clinic: Clinic) -> Iterator[str]:
    """Serve ``clinic`` over HTTP; yield the base URL (``http://127.0.0.1:PORT``)."""
    port = _free_port()
    config = uvicorn.Config(create_app(clinic), host="127.0.0.1", port=port,
                            log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
