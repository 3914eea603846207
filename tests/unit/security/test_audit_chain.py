"""The audit trail's hash chain: a chain linked the way ``SqlAudit.append`` links it always
verifies, and any tampering - a changed field, a deleted, swapped or inserted entry, a cut
tail - is always reported, naming an entry."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from isocourse.services.audit import GENESIS, AuditEntry, entry_hash, verify_chain

FIELDS = [f.name for f in dataclasses.fields(AuditEntry)]

_ids = st.text(alphabet="abcdef0123456789-", min_size=1, max_size=12)
_maybe_text = st.none() | st.text(max_size=12)
_instants = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                         timezones=st.sampled_from([dt.UTC, dt.timezone(dt.timedelta(hours=5)),
                                                    dt.timezone(dt.timedelta(hours=-8))]))


@st.composite
def unlinked_entries(draw: st.DrawFn) -> AuditEntry:
    """An entry as a request leaves it (seq, prev_hash and hash not yet set)."""
    return AuditEntry(
        seq=0, at=draw(_instants), actor_id=draw(st.none() | _ids),
        role=draw(st.none() | st.sampled_from(["admin", "prescriber", "delegate",
                                               "pharmacist", "patient"])),
        on_behalf_of=draw(st.none() | _ids),
        via=draw(st.sampled_from(["session", "token", "anonymous"])),
        action=draw(st.text(min_size=1, max_size=20)),
        target=draw(st.text(max_size=30)),
        subjects=tuple(sorted(draw(st.sets(_ids, max_size=3)))),
        address=draw(_maybe_text),
        outcome=draw(st.sampled_from(["allowed", "denied"])),
        status=draw(st.none() | st.integers(100, 599)),
        prev_hash="")


def link(entries: list[AuditEntry]) -> list[AuditEntry]:
    """The linking rule of ``SqlAudit.append``: the next sequence number, the previous
    entry's hash, then the entry's own hash."""
    chain: list[AuditEntry] = []
    for entry in entries:
        seq, prev = (chain[-1].seq, chain[-1].hash) if chain else (0, GENESIS)
        linked = dataclasses.replace(entry, seq=seq + 1, prev_hash=prev,
                                     at=entry.at.astimezone(dt.UTC))
        chain.append(dataclasses.replace(linked, hash=entry_hash(linked)))
    return chain


def head_of(chain: list[AuditEntry]) -> tuple[int, str] | None:
    return (chain[-1].seq, chain[-1].hash) if chain else None


chains = st.lists(unlinked_entries(), min_size=1, max_size=8).map(link)


def assert_detected(chain: list[AuditEntry], head: tuple[int, str] | None,
                    *named: int) -> None:
    report = verify_chain(chain, head=head)
    assert not report.intact
    assert report.problems
    assert all(p.startswith(("entry ", "the chain ends at entry ")) for p in report.problems)
    if named:
        assert any(p.startswith(tuple(f"entry {n}:" for n in named))
                   for p in report.problems), report.problems


def _other(value: Any, data: st.DataObject, name: str) -> Any:
    """A different value of the same kind for field ``name``."""
    new: Any
    if name in ("seq", "status"):
        new = data.draw(st.integers(-5, 10_000), label=name)
    elif name == "at":
        new = value + dt.timedelta(microseconds=data.draw(
            st.integers(1, 10**12) | st.integers(-(10**12), -1), label="shift"))
    elif name == "subjects":
        new = tuple(data.draw(st.lists(_ids, max_size=3), label=name))
    elif name in ("prev_hash", "hash"):
        new = data.draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64),
                        label=name)
    else:
        new = data.draw(st.none() | st.text(max_size=20), label=name)
    assume(new != value)
    return new


@given(st.lists(unlinked_entries(), max_size=12))
def test_a_chain_linked_like_the_repository_links_it_always_verifies(
        entries: list[AuditEntry]) -> None:
    chain = link(entries)
    report = verify_chain(chain, head=head_of(chain))
    assert report.intact, report.problems
    assert report.entries == len(chain)
    assert (report.head_seq, report.head_hash) == (head_of(chain) or (0, GENESIS))


def test_the_empty_chain_with_no_head_is_intact() -> None:
    report = verify_chain([], head=None)
    assert report.intact
    assert (report.entries, report.head_seq, report.head_hash) == (0, 0, GENESIS)


def test_the_first_entry_links_to_the_genesis_hash() -> None:
    (first,) = link([AuditEntry(seq=0, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                                actor_id="u", role="admin", on_behalf_of=None, via="session",
                                action="audit_page", target="/audit", subjects=(),
                                address=None, outcome="allowed", status=200, prev_hash="")])
    assert first.prev_hash == GENESIS == "0" * 64
    assert first.seq == 1


@given(chains, st.data())
def test_any_change_to_any_field_of_any_entry_is_detected(
        chain: list[AuditEntry], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(chain) - 1), label="index")
    name = data.draw(st.sampled_from(FIELDS), label="field")
    entry = chain[index]
    changed = dataclasses.replace(entry, **{name: _other(getattr(entry, name), data, name)})
    tampered = [*chain[:index], changed, *chain[index + 1:]]
    assert_detected(tampered, head_of(chain), entry.seq, changed.seq)


@given(chains, st.data())
def test_deleting_any_entry_is_detected(chain: list[AuditEntry], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(chain) - 1), label="index")
    tampered = chain[:index] + chain[index + 1:]
    assert_detected(tampered, head_of(chain))


@given(chains.filter(lambda c: len(c) >= 2), st.data())
def test_swapping_any_two_entries_is_detected(chain: list[AuditEntry],
                                              data: st.DataObject) -> None:
    i, j = sorted(data.draw(st.lists(st.integers(0, len(chain) - 1), min_size=2, max_size=2,
                                     unique=True), label="positions"))
    tampered = list(chain)
    tampered[i], tampered[j] = tampered[j], tampered[i]
    assert_detected(tampered, head_of(chain), chain[i].seq, chain[j].seq)


@given(chains, st.data())
def test_cutting_off_the_tail_is_detected_against_the_stored_head(
        chain: list[AuditEntry], data: st.DataObject) -> None:
    keep = data.draw(st.integers(0, len(chain) - 1), label="keep")
    report = verify_chain(chain[:keep], head=head_of(chain))
    assert not report.intact
    assert report.problems == (
        f"the chain ends at entry {keep} but its head says entry {len(chain)}: entries were "
        "removed from the end or added around it",)


@given(chains)
def test_a_chain_whose_head_was_never_written_is_not_intact(chain: list[AuditEntry]) -> None:
    assert_detected(chain, None)


@given(chains.filter(lambda c: len(c) >= 2), unlinked_entries(), st.data())
def test_a_rehashed_forged_entry_inserted_in_the_middle_is_detected(
        chain: list[AuditEntry], forged: AuditEntry, data: st.DataObject) -> None:
    # The forger links the entry to the one before it and gives it a valid hash of its own.
    after = data.draw(st.integers(0, len(chain) - 2), label="after")
    before = chain[after]
    linked = dataclasses.replace(forged, seq=before.seq + 1, prev_hash=before.hash,
                                 at=forged.at.astimezone(dt.UTC))
    linked = dataclasses.replace(linked, hash=entry_hash(linked))
    tampered = [*chain[:after + 1], linked, *chain[after + 1:]]
    assert_detected(tampered, head_of(chain), chain[after + 1].seq)


@given(chains)
def test_every_problem_is_reported_not_only_the_first(chain: list[AuditEntry]) -> None:
    tampered = [dataclasses.replace(e, action=e.action + "!") for e in chain]
    report = verify_chain(tampered, head=head_of(chain))
    changed = [p for p in report.problems if p.endswith("was changed after it was written")]
    assert len(changed) == len(chain)


@pytest.mark.parametrize("name", FIELDS)
def test_the_hash_covers_every_field_but_itself(name: str) -> None:
    entry = link([AuditEntry(seq=0, at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC), actor_id="u",
                             role="prescriber", on_behalf_of="b", clinic_id="main",
                             via="token",
                             action="get_course", target="/courses/c", subjects=("p",),
                             address="10.0.0.1", outcome="allowed", status=200,
                             prev_hash="")])[0]
    values: dict[str, Any] = {
        "seq": 2, "at": entry.at + dt.timedelta(microseconds=1), "actor_id": None,
        "role": None, "on_behalf_of": None, "clinic_id": "other", "via": "session",
        "action": "x", "target": "y",
        "subjects": ("p", "q"), "address": None, "outcome": "denied", "status": None,
        "prev_hash": "f" * 64, "hash": "e" * 64}
    changed = dataclasses.replace(entry, **{name: values[name]})
    assert (entry_hash(changed) == entry_hash(entry)) is (name == "hash")


def test_the_same_instant_in_another_time_zone_has_the_same_hash() -> None:
    entry = link([AuditEntry(seq=0, at=dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC),
                             actor_id=None, role=None, on_behalf_of=None, via="anonymous",
                             action="sign_in", target="/session", subjects=(), address=None,
                             outcome="denied", status=401, prev_hash="")])[0]
    elsewhere = dataclasses.replace(entry, at=entry.at.astimezone(
        dt.timezone(dt.timedelta(hours=-3))))
    assert entry_hash(elsewhere) == entry.hash
    assert verify_chain([elsewhere], head=(1, entry.hash)).intact
