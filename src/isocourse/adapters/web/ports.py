"""The service ports of a page: the signed-in person's actor and audited units of work
(the same :class:`~isocourse.adapters.api.deps.Ports` the API routes use)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from isocourse.adapters.api.auth import access_of
from isocourse.adapters.api.deps import Ports
from isocourse.adapters.web.signed_in import WebUserDep
from isocourse.bootstrap import Clinic
from isocourse.services.ports import UnitOfWorkFactory

__all__ = ["WebPorts", "web_ports"]


def web_ports(request: Request, user: WebUserDep) -> Ports:
    clinic: Clinic = request.app.state.clinic
    access = access_of(request)
    uows: UnitOfWorkFactory = clinic.uows if access is None else \
        clinic.uows.for_access(access, clinic.clock.now)
    return Ports(clinic, user.actor, uows)


WebPorts = Annotated[Ports, Depends(web_ports)]
