"""Comparing a course record the server exported with the one it was given."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["ids_given_by_the_server_removed"]


def ids_given_by_the_server_removed(exported: Mapping[str, Any],
                                    sent: Mapping[str, Any]) -> dict[str, Any]:
    """``exported`` without the event ids the server added to events sent without one (the
    server names every event so that it can be corrected or authorized against later)."""
    sent_ids = {e.get("id") for e in sent["events"]}
    out = copy.deepcopy(dict(exported))
    for event in out["events"]:
        if event.get("id") not in sent_ids:
            del event["id"]
    return out
