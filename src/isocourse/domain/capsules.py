"""Which daily totals a product can give, and with which capsules morning and evening.

Rules (plan-cli.md, clinical.md §10):

* A single dose is any sum of whole capsules of the product's strengths.
* A daily total is *achievable* when it can be given as a morning and an evening dose.
  A total below twice the smallest strength can only be one capsule, and is given once
  daily (the planner warns).
* The split is as even as possible, any larger part in the evening; among equally even
  splits, the fewest capsules for the day; then the fewest different strengths (fewer
  boxes to dispense); then the larger capsules first, so the answer is deterministic.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["CapsuleCount", "CapsuleTable", "DailyDose", "capsule_table"]


@dataclass(frozen=True, slots=True)
class CapsuleCount:
    strength_mg: int
    count: int

    @property
    def mg(self) -> int:
        return self.strength_mg * self.count


@dataclass(frozen=True, slots=True)
class DailyDose:
    """One day's dosing: the capsules of the morning and the evening dose."""

    total_mg: int
    am: tuple[CapsuleCount, ...]
    pm: tuple[CapsuleCount, ...]

    @property
    def once_daily(self) -> bool:
        return not self.am or not self.pm

    @property
    def am_mg(self) -> int:
        return sum(c.mg for c in self.am)

    @property
    def pm_mg(self) -> int:
        return sum(c.mg for c in self.pm)

    @property
    def capsules(self) -> int:
        return sum(c.count for c in self.am) + sum(c.count for c in self.pm)

    def capsules_by_strength(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for c in (*self.am, *self.pm):
            counts[c.strength_mg] = counts.get(c.strength_mg, 0) + c.count
        return dict(sorted(counts.items()))


# A single dose as counts per strength, largest strength first.
_Combo = tuple[CapsuleCount, ...]
_SplitKey = tuple[int, int, int, tuple[int, ...]]


def _larger_first(combo: _Combo) -> tuple[int, ...]:
    return tuple(-c.strength_mg for c in combo for _ in range(c.count))


class CapsuleTable:
    """The achievable daily totals of one set of strengths, up to ``max_total_mg``.

    Built lazily: a coin-change table of the fewest capsules for every single-dose amount
    (microseconds), then each daily total's split is worked out when first asked for.
    """

    def __init__(self, strengths: Sequence[int], max_total_mg: int) -> None:
        self.strengths = tuple(sorted(strengths))
        self.max_total_mg = max_total_mg
        self._descending = tuple(reversed(self.strengths))
        unreachable = max_total_mg + 1
        fewest = [0] + [unreachable] * max_total_mg
        for amount in range(1, max_total_mg + 1):
            best = unreachable
            for s in self.strengths:
                if s <= amount and fewest[amount - s] + 1 < best:
                    best = fewest[amount - s] + 1
            fewest[amount] = best
        self._fewest = fewest
        self._unreachable = unreachable
        self._doses: dict[int, DailyDose | None] = {}
        self._combos: dict[int, list[_Combo]] = {}

    def _single(self, amount: int) -> bool:
        return 0 < amount <= self.max_total_mg and self._fewest[amount] < self._unreachable

    def _minimal_combos(self, amount: int) -> list[_Combo]:
        """Every way to give ``amount`` in one dose with the fewest capsules."""
        cached = self._combos.get(amount)
        if cached is not None:
            return cached
        found: list[_Combo] = []

        def walk(rest: int, count: int, index: int, head: _Combo) -> None:
            if rest == 0:
                if count == 0:
                    found.append(head)
                return
            if index == len(self._descending) or count == 0:
                return
            strength = self._descending[index]
            for n in range(min(count, rest // strength), -1, -1):
                step = (CapsuleCount(strength, n),) if n else ()
                walk(rest - n * strength, count - n, index + 1, head + step)

        walk(amount, self._fewest[amount], 0, ())
        self._combos[amount] = found
        return found

    def dose(self, total_mg: int) -> DailyDose | None:
        """The dosing for exactly ``total_mg`` a day, or None when it cannot be given."""
        if total_mg in self._doses:
            return self._doses[total_mg]
        dose = self._split(total_mg)
        self._doses[total_mg] = dose
        return dose

    def _split(self, total: int) -> DailyDose | None:
        smallest = self.strengths[0]
        if total < smallest or total > self.max_total_mg:
            return None
        if total < 2 * smallest:
            # Below two of the smallest capsule: one capsule, once daily (in the evening).
            return DailyDose(total, (), (CapsuleCount(total, 1),)) if total in self.strengths \
                else None
        best: tuple[_SplitKey, DailyDose] | None = None
        for am_mg in range(total // 2, 0, -1):
            pm_mg = total - am_mg
            if best is not None and best[0][0] < pm_mg - am_mg:
                break  # splits further from even cannot win
            if not (self._single(am_mg) and self._single(pm_mg)):
                continue
            for am in self._minimal_combos(am_mg):
                for pm in self._minimal_combos(pm_mg):
                    key = (
                        pm_mg - am_mg,
                        self._fewest[am_mg] + self._fewest[pm_mg],
                        len({c.strength_mg for c in am} | {c.strength_mg for c in pm}),
                        _larger_first(am) + _larger_first(pm),
                    )
                    if best is None or key < best[0]:
                        best = (key, DailyDose(total, am, pm))
        return best[1] if best is not None else None

    def nearest(self, target_mg: Decimal) -> DailyDose | None:
        """The achievable total nearest ``target_mg``; on a tie, the lower one."""
        below = self.at_most(target_mg)
        above = self.at_least(target_mg)
        if below is None or above is None:
            return below or above
        # Equal distances go to the lower total.
        return below if target_mg - below.total_mg <= above.total_mg - target_mg else above

    def at_most(self, limit_mg: Decimal) -> DailyDose | None:
        """The largest achievable total not above ``limit_mg``."""
        start = min(int(limit_mg), self.max_total_mg)  # int() floors a positive Decimal
        for total in range(start, 0, -1):
            dose = self.dose(total)
            if dose is not None:
                return dose
        return None

    def at_least(self, limit_mg: Decimal) -> DailyDose | None:
        """The smallest achievable total not below ``limit_mg``."""
        start = max(-int(-limit_mg // 1), 1)
        for total in range(start, self.max_total_mg + 1):
            dose = self.dose(total)
            if dose is not None:
                return dose
        return None

    def neighbours(self, target_mg: Decimal) -> tuple[DailyDose, DailyDose] | None:
        """The achievable totals just below and just above ``target_mg``; None when the
        target is itself achievable or has no neighbour on one side."""
        below, above = self.at_most(target_mg), self.at_least(target_mg)
        if below is None or above is None or below.total_mg == above.total_mg:
            return None
        return below, above


@functools.lru_cache(maxsize=64)
def capsule_table(strengths: tuple[int, ...], max_total_mg: int) -> CapsuleTable:
    """A cached :class:`CapsuleTable`, shared by every plan for the same strengths."""
    return CapsuleTable(strengths, max_total_mg)
