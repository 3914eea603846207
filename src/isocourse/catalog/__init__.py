"""Loading the product catalog: the packaged ``products.toml`` or a file a clinic supplies.

This is the only module that reads the catalog from disk; the parsing is pure
(:func:`isocourse.domain.products.parse_catalog`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from isocourse.domain.errors import CatalogError
from isocourse.domain.products import Catalog, parse_catalog

if TYPE_CHECKING:
    from isocourse.rules.library import RuleLibrary

__all__ = ["load_catalog", "load_rule_library"]


def load_rule_library(
    extra: Path | None = None, effective_dates: Mapping[str, dt.date] | None = None
) -> RuleLibrary:
    """The packaged rule packs, plus the ``*.toml`` packs in the folder ``extra``, with
    go-live dates moved by ``effective_dates`` (see :mod:`isocourse.catalog.rulebook`).
    Imported on first use, so that commands which need no rules start faster."""
    from isocourse.catalog.rulebook import load_rule_library as load

    return load(extra, effective_dates)


@functools.cache
def _packaged() -> Catalog:
    text = resources.files(__package__).joinpath("products.toml").read_text(encoding="utf-8")
    return parse_catalog(text, origin="products.toml")


def load_catalog(path: str | Path | None = None) -> Catalog:
    """The packaged catalog, or the catalog in ``path`` when one is given."""
    if path is None:
        return _packaged()
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise CatalogError(f"cannot read catalog {file.name}: {exc.strerror}") from None
    return parse_catalog(text, origin=file.name)

