"""What every route needs: the clinic's ports, the acting user, paging and ``If-Match``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request

from isocourse.adapters.api.auth import ActorDep, access_of
from isocourse.adapters.api.problems import ApiProblem
from isocourse.bootstrap import Clinic
from isocourse.services.ports import Actor, UnitOfWorkFactory

__all__ = ["Paging", "Ports", "if_match", "paging", "ports", "require_if_match"]


@dataclass(frozen=True, slots=True)
class Ports:
    """The keyword ports of the service functions, for ``fn(cmd, **ports.kw)``: the
    signed-in actor, and units of work that report to the request's audit context."""

    clinic: Clinic
    actor: Actor
    uows: UnitOfWorkFactory

    @property
    def kw(self) -> dict[str, Any]:
        return {"uows": self.uows, "clock": self.clinic.clock, "actor": self.actor,
                "rules": self.clinic.rules}

    @property
    def kw_no_rules(self) -> dict[str, Any]:
        return {"uows": self.uows, "clock": self.clinic.clock, "actor": self.actor}

    @property
    def read(self) -> dict[str, Any]:
        """``uows`` and ``actor`` (for the use cases that only read)."""
        return {"uows": self.uows, "actor": self.actor}


def ports(request: Request, actor: ActorDep) -> Ports:
    clinic: Clinic = request.app.state.clinic
    access = access_of(request)
    uows: UnitOfWorkFactory = clinic.uows if access is None else \
        clinic.uows.for_access(access, clinic.clock.now)
    return Ports(clinic, actor, uows)


@dataclass(frozen=True, slots=True)
class Paging:
    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def paging(request: Request,
           page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
           per_page: Annotated[int | None, Query(ge=1)] = None) -> Paging:
    settings = request.app.state.clinic.settings
    size = per_page or settings.page_size
    if size > settings.max_page_size:
        raise ApiProblem(422, "invalid-input", "per_page is too large",
                         errors=[{"path": "query.per_page",
                                  "message": f"at most {settings.max_page_size}"}])
    return Paging(page, size)


#: A strong ETag as the API makes them: a course version in quotes (RFC 9110: If-Match
#: compares strongly, so a weak W/ tag never matches).
_ETAG = re.compile(r'"[0-9]{1,9}"')


def _parse_if_match(value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip()
    if text == "*":
        return None
    if not _ETAG.fullmatch(text):
        raise ApiProblem(400, "invalid-if-match",
                         'If-Match must be the ETag of the course, like "3"')
    return int(text.strip('"'))


def if_match(request: Request) -> int | None:
    """The course version named by ``If-Match`` (optional on appends)."""
    return _parse_if_match(request.headers.get("if-match"))


def require_if_match(request: Request) -> int | None:
    """``If-Match`` is required to replace a whole course (428 otherwise); ``*`` (RFC 9110:
    any current version) is the client's explicit choice to overwrite, and gives ``None``."""
    header = request.headers.get("if-match")
    if header is not None and header.strip() == "*":
        return None
    version = _parse_if_match(header)
    if version is None:
        raise ApiProblem(428, "if-match-required",
                         "send If-Match with the course's ETag (from GET) to replace it, so "
                         "that a change made meanwhile by someone else is not overwritten")
    return version


PortsDep = Annotated[Ports, Depends(ports)]
PagingDep = Annotated[Paging, Depends(paging)]
IfMatchDep = Annotated[int | None, Depends(if_match)]
RequireIfMatchDep = Annotated[int | None, Depends(require_if_match)]
