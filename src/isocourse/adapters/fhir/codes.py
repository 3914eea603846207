"""The code tables of the FHIR mapping, loaded once from ``codes.toml``.

Every standard code the mapping writes or recognises is a row of ``codes.toml`` with its
source and, where a reference doubts it, ``unconfirmed = true``. A *concept* (isotretinoin,
acne, an analyte, a pregnancy result) is a value set: a CodeableConcept means the concept
when ANY of its codings is one of the concept's codes. So isotretinoin is recognised by
ingredient, substance, ATC or any capsule code, never by one code.

Codes of isocourse's own vocabulary (event types, analytes, side effects, rule ids) are
written under local code systems below the base URL of ``[isocourse]``; :func:`local_system`,
:func:`extension_url`, :func:`naming_system` and :func:`questionnaire_url` build those URLs.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from typing import Any

from isocourse.domain.errors import CatalogError

__all__ = [
    "Code",
    "CodeTables",
    "UnitConversion",
    "codings_of",
    "extension_url",
    "in_concept",
    "is_isotretinoin",
    "local_system",
    "naming_system",
    "questionnaire_url",
    "tables",
]

_ORIGIN = "codes.toml"


@dataclass(frozen=True, slots=True)
class Code:
    """One code of a concept. ``unit`` (lab codes): the record unit the code's kind of
    quantity is measured in; ``written``: whether export writes it (import accepts all)."""

    concept: str
    system: str
    code: str
    source: str
    display: str | None = None
    unit: str | None = None
    unconfirmed: bool = False
    written: bool = True

    def coding(self) -> dict[str, str]:
        """The code as a FHIR Coding."""
        out = {"system": self.system, "code": self.code}
        if self.display is not None:
            out["display"] = self.display
        return out


@dataclass(frozen=True, slots=True)
class UnitConversion:
    """A UCUM unit the importer accepts, the record unit it becomes and the exact factor."""

    ucum: str
    to: str
    factor: Decimal


@dataclass(frozen=True, slots=True)
class CodeTables:
    systems: Mapping[str, str]
    base: str
    codes: tuple[Code, ...]
    units: Mapping[str, UnitConversion]

    def concept(self, name: str) -> tuple[Code, ...]:
        """Every code of a concept (its value set)."""
        return tuple(c for c in self.codes if c.concept == name)

    def written(self, name: str, unit: str | None = None) -> list[dict[str, str]]:
        """The codings export writes for a concept (for a value in ``unit``, if given)."""
        return [
            c.coding()
            for c in self.concept(name)
            if c.written and (unit is None or c.unit is None or c.unit == unit)
        ]

    def concept_of(self, system: str, code: str, prefix: str) -> str | None:
        """The concept named ``prefix…`` that (system, code) belongs to, if any."""
        for c in self.codes:
            if c.system == system and c.code == code and c.concept.startswith(prefix):
                return c.concept
        return None

    def code(self, system: str, code: str) -> Code | None:
        return next((c for c in self.codes if c.system == system and c.code == code), None)


def local_system(name: str) -> str:
    """An isocourse code system (the course-record vocabulary ``name``)."""
    return f"{tables().base}/CodeSystem/{name}"


def extension_url(name: str) -> str:
    return f"{tables().base}/StructureDefinition/{name}"


def naming_system(name: str) -> str:
    return f"{tables().base}/NamingSystem/{name}"


def questionnaire_url(name: str) -> str:
    return f"{tables().base}/Questionnaire/{name}"


def codings_of(concept: object) -> list[tuple[str, str]]:
    """The (system, code) pairs of a CodeableConcept as JSON; malformed codings are skipped
    (the model library reports them)."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    return [
        (c["system"], c["code"])
        for c in concept["coding"]
        if isinstance(c, dict)
        and isinstance(c.get("system"), str)
        and isinstance(c.get("code"), str)
    ]


def in_concept(concept: object, name: str) -> bool:
    """Whether any coding of the CodeableConcept is in the value set ``name``."""
    members = {(c.system, c.code) for c in tables().concept(name)}
    return any(pair in members for pair in codings_of(concept))


def is_isotretinoin(concept: object) -> bool:
    """Whether a medication CodeableConcept (JSON) names isotretinoin: any coding of the
    isotretinoin value set (ingredient, substance, ATC or capsule codes) will do."""
    return in_concept(concept, "isotretinoin")


@functools.cache
def tables() -> CodeTables:
    """The packaged ``codes.toml``, read and checked once."""
    text = resources.files(__package__).joinpath(_ORIGIN).read_text(encoding="utf-8")
    return parse_tables(text)


def parse_tables(text: str) -> CodeTables:
    """Check and build the code tables; a mistake in the data raises :class:`CatalogError`."""
    try:
        data = tomllib.loads(text)
        systems: dict[str, str] = dict(data["systems"])
        base = str(data["isocourse"]["base"])
        codes = tuple(_code(row, systems) for row in data["code"])
        units = {
            row["ucum"]: UnitConversion(
                str(row["ucum"]), str(row["to"]), Decimal(str(row["factor"]))
            )
            for row in data["unit"]
        }
    except (tomllib.TOMLDecodeError, KeyError, TypeError, InvalidOperation) as exc:
        raise CatalogError(f"{_ORIGIN}: {type(exc).__name__}: {exc}") from None
    return CodeTables(systems=systems, base=base, codes=codes, units=units)


def _code(row: Mapping[str, Any], systems: Mapping[str, str]) -> Code:
    if not row.get("source"):
        raise CatalogError(f"{_ORIGIN}: code {row.get('code')!r} has no source")
    return Code(
        concept=str(row["concept"]),
        system=systems[row["system"]],
        code=str(row["code"]),
        source=str(row["source"]),
        display=row.get("display"),
        unit=row.get("unit"),
        unconfirmed=bool(row.get("unconfirmed", False)),
        written=bool(row.get("written", True)),
    )
