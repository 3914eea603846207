"""Every API request that can reach a patient's record leaves an audit entry, and a line
in the access log that names no one.

The middleware gives each request an :class:`~isocourse.services.audit.AccessContext`.
Changes write their entry in their own transaction (the unit of work does it at commit);
whatever is left - a read, a refusal, a failure - is written here when the answer starts,
*before* it is sent: if the entry cannot be written, the client gets a 503 instead of the
data, so nothing is ever read without a trace.

CDS Hooks calls and FHIR server reads (``also``: ``/cds-services/``, ``/fhir/R4/``, outside
the API's prefix) are audited the same way; discovery (``/cds-services`` itself) and the
FHIR ``metadata`` (``not_also``) read nothing and are not.

The access log line is ``METHOD /route/{template} STATUS ms``: the route's template, never
the identifiers in the path nor the query string.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from isocourse.adapters.api.problems import problem_response
from isocourse.bootstrap import Clinic
from isocourse.services.audit import AccessContext

__all__ = ["AuditRequests"]

log = logging.getLogger("isocourse.access")

#: Paths that never touch a record and are not audited.
_PUBLIC = frozenset({"/health", "/health/ready", "/openapi.json", "/docs",
                     "/docs/oauth2-redirect"})


class AuditRequests:
    def __init__(self, app: ASGIApp, *, clinic: Clinic, prefix: str,
                 also: tuple[str, ...] = (), not_also: frozenset[str] = frozenset()) -> None:
        self.app, self.clinic, self.prefix, self.also = app, clinic, prefix, also
        self.not_also = not_also

    def _audited(self, path: str) -> bool:
        if path.startswith(self.also):
            return path not in self.not_also
        return path.startswith(self.prefix + "/") and path[len(self.prefix):] not in _PUBLIC

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._audited(scope["path"]):
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        access = AccessContext(action="unrouted", target="(no such route)",
                               address=client[0] if client else None)
        scope.setdefault("state", {})["access"] = access
        started = time.perf_counter()
        status = 500
        replaced = False

        async def audited_send(message: Message) -> None:
            nonlocal status, replaced
            if replaced:
                return
            if message["type"] == "http.response.start":
                status = int(message["status"])
                if access.pending and not await self._record(access, status):
                    replaced = True
                    await _unavailable(scope, receive, send)
                    return
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        except Exception:
            if access.pending:
                await self._record(access, 500)
            raise
        finally:
            _log_line(scope, status, started)

    async def _record(self, access: AccessContext, status: int) -> bool:
        def write() -> None:
            self.clinic.uows.record(access, at=self.clinic.clock.now(), status=status)

        try:
            await to_thread.run_sync(write)
        except Exception as error:  # the database is gone: refuse to answer, below
            log.warning("audit entry not written (%s)", type(error).__name__)
            return False
        return True


async def _unavailable(scope: Scope, receive: Receive, send: Send) -> None:
    response = problem_response(
        503, "database-unavailable", "the request could not be recorded in the audit "
        "trail, so it is not answered; try again shortly", headers={"Retry-After": "5"})
    await response(scope, receive, send)


def _log_line(scope: Scope, status: int, started: float) -> None:
    route: Any = scope.get("route")
    template = getattr(route, "path", None) or "(no such route)"
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s %s %d %.0fms", scope["method"], template, status, elapsed)
