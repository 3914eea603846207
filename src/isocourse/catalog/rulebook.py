"""Loading the rule packs: the packaged ``rules/packs/*.toml`` and a clinic's own."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path

from isocourse.domain.errors import CatalogError
from isocourse.rules.library import RuleLibrary
from isocourse.rules.parse import PackDocument, build_library, parse_pack

__all__ = ["load_rule_library"]


@functools.cache
def _packaged_packs() -> tuple[PackDocument, ...]:
    import isocourse.rules.kinds  # noqa: F401  (registers every rule kind)

    folder = resources.files("isocourse.rules").joinpath("packs")
    return tuple(
        parse_pack(entry.read_text(encoding="utf-8"), origin=entry.name)
        for entry in sorted(folder.iterdir(), key=lambda e: e.name)
        if entry.name.endswith(".toml")
    )


@functools.cache
def _packaged_library() -> RuleLibrary:
    return RuleLibrary(build_library(_packaged_packs()))


def load_rule_library(
    extra: Path | None = None, effective_dates: Mapping[str, dt.date] | None = None
) -> RuleLibrary:
    """The packaged rule packs, plus the ``*.toml`` packs in the folder ``extra`` (a clinic's
    own versions), with pack go-live dates moved by ``effective_dates``
    (``{"us-ipledge@2026-08-08": date}``)."""
    if extra is None:
        library = _packaged_library()
    else:
        import isocourse.rules.kinds  # noqa: F401

        documents = list(_packaged_packs())
        try:
            files = sorted(Path(extra).glob("*.toml"))
        except OSError as exc:
            raise CatalogError(f"cannot read rule packs: {exc.strerror}") from None
        for file in files:
            documents.append(parse_pack(file.read_text(encoding="utf-8"), origin=file.name))
        library = RuleLibrary(build_library(documents))
    return library.with_effective_dates(effective_dates) if effective_dates else library
