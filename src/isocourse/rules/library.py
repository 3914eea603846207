"""The set of rule packs, and which version of a programme is in force on a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace

from isocourse.domain.errors import InvalidInput, RuleDataError
from isocourse.rules.model import RulePack, RuleSpec

__all__ = ["RuleLibrary"]


@dataclass(frozen=True, slots=True)
class RuleLibrary:
    packs: tuple[RulePack, ...]

    def programmes(self) -> tuple[str, ...]:
        return tuple(sorted({p.programme for p in self.packs}))

    def versions(self, programme: str) -> tuple[RulePack, ...]:
        """The versions of a programme, oldest first."""
        return tuple(sorted((p for p in self.packs if p.programme == programme),
                            key=lambda p: p.effective_from))

    def last_day(self, pack: RulePack) -> dt.date | None:
        """The last day a pack is in force: its own ``effective_to``, else the day before
        the next version takes effect, else None (open-ended)."""
        if pack.effective_to is not None:
            return pack.effective_to
        later = [p.effective_from for p in self.versions(pack.programme)
                 if p.effective_from > pack.effective_from]
        return min(later) - dt.timedelta(days=1) if later else None

    def in_force(self, programme: str, on: dt.date) -> RulePack:
        """The version of ``programme`` in force on ``on``."""
        versions = self.versions(programme)
        if not versions:
            raise InvalidInput(f"no rule packs for programme {programme!r}", field="programme")
        current = [p for p in versions if p.effective_from <= on]
        if current:
            pack = current[-1]
            last = self.last_day(pack)
            if last is None or on <= last:
                return pack
        first = versions[0].effective_from.isoformat()
        raise InvalidInput(
            f"no version of {programme} is in force on {on.isoformat()} (the rules "
            f"isocourse encodes start on {first})", field="on")

    def find(self, rule_id: str) -> tuple[tuple[RulePack, RuleSpec], ...]:
        """Every version of a rule, oldest pack first."""
        found = []
        for programme in self.programmes():
            for pack in self.versions(programme):
                spec = pack.rule(rule_id)
                if spec is not None:
                    found.append((pack, spec))
        return tuple(found)

    def with_effective_dates(self, dates: Mapping[str, dt.date]) -> RuleLibrary:
        """A copy in which the named packs (``programme@version``) take effect on other
        dates: for a go-live date that moves, such as the 2026 iPLEDGE modification."""
        names = {p.name for p in self.packs}
        unknown = set(dates) - names
        if unknown:
            raise RuleDataError(f"effective date given for unknown pack "
                                f"{', '.join(sorted(unknown))}")
        return RuleLibrary(tuple(
            replace(p, effective_from=dates[p.name]) if p.name in dates else p
            for p in self.packs))
