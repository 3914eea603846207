"""The audit trail: who read or changed which patient's record, when, from where, and
whether it was allowed - append-only and hash-chained.

Each entry's ``hash`` is the SHA-256 of its canonical JSON, which includes the previous
entry's hash (``prev_hash``) and its own sequence number. Changing an entry changes its
hash; deleting or inserting one breaks the link to its neighbour; cutting entries off the
end is caught against the stored chain head. :func:`verify_chain` walks the chain
(``isocourse audit verify``). Someone able to rewrite the whole database could rebuild the
chain: to catch that too, record the head hash that ``audit verify`` prints somewhere
outside the database now and then (SECURITY.md).

Entries carry identifiers only (account ids, the internal ids of patients and courses,
route names), never clinical content or a patient's own identifiers.

:class:`AccessContext` collects what one request touched: the face creates it, the unit of
work notes each patient whose record is read or changed, and an entry is written with the
change (in the same transaction) or, for a read or a refusal, when the request ends.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "GENESIS",
    "AccessContext",
    "AuditEntry",
    "ChainReport",
    "describe_target",
    "entry_hash",
    "verify_chain",
]

#: The ``prev_hash`` of the first entry.
GENESIS = "0" * 64


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEntry:
    """One line of the trail. ``subjects`` are the internal ids of the patients whose
    records the request read or changed (sorted). ``outcome`` is ``allowed`` or ``denied``;
    ``status`` is the HTTP status when the entry was written after the answer."""

    seq: int
    at: dt.datetime
    actor_id: str | None
    role: str | None
    on_behalf_of: str | None
    #: The acting account's clinic (``None`` for a request nobody signed): an admin reads
    #: the entries of their own clinic.
    clinic_id: str | None = None
    via: str
    action: str
    target: str
    subjects: tuple[str, ...]
    address: str | None
    outcome: str
    status: int | None
    prev_hash: str
    hash: str = ""

    def payload(self) -> dict[str, Any]:
        """Everything the hash covers (all fields but the hash itself)."""
        data = asdict(self)
        del data["hash"]
        data["at"] = self.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        data["subjects"] = list(self.subjects)
        return data


def entry_hash(entry: AuditEntry) -> str:
    canonical = json.dumps(entry.payload(), sort_keys=True, separators=(",", ":"),
                           ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainReport:
    """The result of walking the chain. ``problems`` name entries by sequence number."""

    entries: int
    head_seq: int
    head_hash: str
    problems: tuple[str, ...]

    @property
    def intact(self) -> bool:
        return not self.problems


def verify_chain(entries: Iterable[AuditEntry], *,
                 head: tuple[int, str] | None) -> ChainReport:
    """Check every link of ``entries`` (in sequence order) and the stored ``head``
    (last sequence number and hash; ``None`` when nothing was ever written).

    Reports every problem found rather than stopping at the first, so that the extent of
    any damage is visible."""
    problems: list[str] = []
    expected_prev, expected_seq, count = GENESIS, 1, 0
    last_seq, last_hash = 0, GENESIS
    for entry in entries:
        count += 1
        if entry.seq != expected_seq:
            problems.append(f"entry {entry.seq}: expected entry {expected_seq} here "
                            "(entries missing or out of order)")
        if entry.prev_hash != expected_prev:
            problems.append(f"entry {entry.seq}: does not link to the entry before it")
        if entry_hash(entry) != entry.hash:
            problems.append(f"entry {entry.seq}: its content was changed after it was written")
        expected_prev, expected_seq = entry.hash, entry.seq + 1
        last_seq, last_hash = entry.seq, entry.hash
    stored_seq, stored_hash = head if head is not None else (0, GENESIS)
    if (stored_seq, stored_hash) != (last_seq, last_hash):
        problems.append(f"the chain ends at entry {last_seq} but its head says entry "
                        f"{stored_seq}: entries were removed from the end or added around it")
    return ChainReport(count, last_seq, last_hash, tuple(problems))


@dataclass(slots=True)
class AccessContext:
    """What one request (or command) did, collected while it runs.

    The face fills in who and where; the unit of work notes the patients touched
    (:meth:`saw`) and writes an entry at each committed change; :attr:`denied` is set when
    the answer was a refusal of access. Whatever was not yet written when the request ends
    (a read, a refusal, a failure) is written then, in one entry.
    """

    action: str
    target: str
    via: str = "anonymous"
    address: str | None = None
    actor_id: str | None = None
    role: str | None = None
    on_behalf_of: str | None = None
    clinic_id: str | None = None
    subjects: set[str] = field(default_factory=set)
    denied: bool = False
    pending: bool = True

    def written(self) -> None:
        self.pending = False

    def saw(self, patient_id: str) -> None:
        self.subjects.add(patient_id)
        self.pending = True

    def entry(self, *, at: dt.datetime, status: int | None) -> AuditEntry:
        """The entry to append now (``seq``, ``prev_hash`` and ``hash`` are set by the
        repository under the chain's lock). Call :meth:`written` once it is committed."""
        return AuditEntry(
            seq=0, at=at, actor_id=self.actor_id, role=self.role,
            on_behalf_of=self.on_behalf_of, clinic_id=self.clinic_id, via=self.via,
            action=self.action,
            target=self.target, subjects=tuple(sorted(self.subjects)),
            address=self.address, outcome="denied" if self.denied else "allowed",
            status=status, prev_hash="")


def describe_target(template: str, params: Mapping[str, str]) -> str:
    """The route with its identifiers, authorization codes masked (a code lets a pharmacy
    dispense, so the trail keeps only enough of it to tell codes apart)."""
    shown = {k: (v[:4] + "-****-****" if k == "code" else v) for k, v in params.items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError, ValueError):
        return template
