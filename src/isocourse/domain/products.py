"""Isotretinoin products and the catalog that lists them.

The catalog is data (``catalog/products.toml``); this module is its pure parser. A product
knows its formulation family, capsule strengths, usual mg/kg/day range and label ceiling,
food instruction and whether once-daily dosing is allowed, and every number carries its
provenance. Bad catalog data fails here with a :class:`CatalogError` naming the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from isocourse.domain.errors import CatalogError, UnknownProduct

__all__ = [
    "Catalog",
    "Family",
    "Food",
    "OnceDaily",
    "Product",
    "Provenance",
    "SourceStatus",
    "parse_catalog",
]

CATALOG_FORMAT = "isocourse-catalog/1"

_E = TypeVar("_E", bound=StrEnum)


class Family(StrEnum):
    """Formulation family. Families are never mixed and are not substitutable mg for mg."""

    CONVENTIONAL = "conventional"
    LIDOSE = "lidose"
    MICRONIZED = "micronized"


class Food(StrEnum):
    WITH_FOOD = "with-food"
    WITH_OR_WITHOUT_FOOD = "with-or-without-food"


class OnceDaily(StrEnum):
    NOT_RECOMMENDED = "not-recommended"
    ALLOWED = "allowed"


class SourceStatus(StrEnum):
    """How strong the source of a number is (see the reference documents)."""

    LABEL = "label"
    SECONDARY = "secondary"
    UNCONFIRMED = "unconfirmed"
    DESIGN = "design"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a number comes from: the source's key and text, and how strong it is."""

    key: str
    text: str
    status: SourceStatus


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    family: Family
    market: str
    strengths_mg: tuple[int, ...]
    usual_min_mg_per_kg: Decimal
    usual_max_mg_per_kg: Decimal
    ceiling_mg_per_kg: Decimal
    food: Food
    once_daily: OnceDaily
    #: Conventional-equivalent mg = raw mg / equivalence_factor (1 for non-micronized).
    equivalence_factor: Decimal
    provenance: Mapping[str, Provenance]

    @property
    def smallest_strength_mg(self) -> int:
        return self.strengths_mg[0]


@dataclass(frozen=True, slots=True)
class Catalog:
    products: Mapping[str, Product]

    def get(self, product_id: str) -> Product:
        try:
            return self.products[product_id]
        except KeyError:
            raise UnknownProduct(product_id, list(self.products)) from None

    def __iter__(self) -> Iterator[Product]:
        return iter(self.products.values())

    def __len__(self) -> int:
        return len(self.products)


_PRODUCT_KEYS = {
    "name", "family", "market", "strengths_mg", "usual_mg_per_kg",
    "ceiling_mg_per_kg", "food", "once_daily",
}
_FAMILY_KEYS = {"name", "equivalence_factor"}


def parse_catalog(text: str, *, origin: str = "catalog") -> Catalog:
    """Parse catalog TOML text into a :class:`Catalog`, or raise :class:`CatalogError`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{origin}: not valid TOML: {exc}") from None
    reader = _Reader(origin, data)
    return reader.catalog()


class _Reader:
    """Reads the parsed TOML, naming the exact key of any problem."""

    def __init__(self, origin: str, data: dict[str, Any]) -> None:
        self.origin = origin
        self.data = data

    def fail(self, where: str, message: str) -> CatalogError:
        return CatalogError(f"{self.origin}: {where}: {message}")

    def catalog(self) -> Catalog:
        unknown = set(self.data) - {"format", "sources", "families", "products"}
        if unknown:
            raise self.fail(", ".join(sorted(unknown)), "unknown top-level key")
        if self.data.get("format") != CATALOG_FORMAT:
            raise self.fail("format", f"expected {CATALOG_FORMAT!r}")
        sources = self.data.get("sources", {})
        if not isinstance(sources, dict) or not all(
            isinstance(v, str) and v.strip() for v in sources.values()
        ):
            raise self.fail("sources", "expected a table of non-empty strings")
        self.sources: dict[str, str] = sources
        families = self.table(self.data, "families", "families")
        factors = {
            Family(name): self.family(name, body)
            for name, body in families.items()
            if self.known_family(f"families.{name}", name)
        }
        products = self.table(self.data, "products", "products")
        if not products:
            raise self.fail("products", "the catalog lists no products")
        parsed = {pid: self.product(pid, body, factors) for pid, body in products.items()}
        return Catalog(products=parsed)

    def table(self, parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = parent.get(key)
        if not isinstance(value, dict):
            raise self.fail(where, "expected a table")
        return value

    def known_family(self, where: str, name: object) -> bool:
        if name not in {f.value for f in Family}:
            raise self.fail(where, f"unknown family {name!r}; expected one of "
                            f"{', '.join(f.value for f in Family)}")
        return True

    def family(self, name: str, body: object) -> tuple[Decimal, Provenance]:
        where = f"families.{name}"
        if not isinstance(body, dict):
            raise self.fail(where, "expected a table")
        self.no_unknown_keys(where, body, _FAMILY_KEYS)
        value, prov = self.sourced(where, body, "equivalence_factor")
        factor = self.positive_decimal(f"{where}.equivalence_factor", value)
        if factor > 1:
            raise self.fail(f"{where}.equivalence_factor", "must be at most 1")
        return factor, prov

    def product(
        self, pid: str, body: object, factors: Mapping[Family, tuple[Decimal, Provenance]]
    ) -> Product:
        where = f"products.{pid}"
        if not isinstance(body, dict):
            raise self.fail(where, "expected a table")
        self.no_unknown_keys(where, body, _PRODUCT_KEYS)
        missing = _PRODUCT_KEYS - set(body)
        if missing:
            raise self.fail(where, f"missing {', '.join(sorted(missing))}")
        for key in ("name", "market"):
            if not isinstance(body[key], str) or not body[key].strip():
                raise self.fail(f"{where}.{key}", "expected a non-empty string")
        self.known_family(f"{where}.family", body["family"])
        family = Family(body["family"])
        if family not in factors:
            raise self.fail(f"{where}.family", f"family {family.value!r} is not described "
                            "under [families]")
        provenance: dict[str, Provenance] = {}

        strengths_raw, provenance["strengths_mg"] = self.sourced(where, body, "strengths_mg")
        strengths = self.strengths(f"{where}.strengths_mg", strengths_raw)

        usual_raw, provenance["usual_mg_per_kg"] = self.sourced(where, body, "usual_mg_per_kg")
        if not isinstance(usual_raw, list) or len(usual_raw) != 2:
            raise self.fail(f"{where}.usual_mg_per_kg", "expected [minimum, maximum]")
        usual_min = self.positive_decimal(f"{where}.usual_mg_per_kg[0]", usual_raw[0])
        usual_max = self.positive_decimal(f"{where}.usual_mg_per_kg[1]", usual_raw[1])
        if usual_min >= usual_max:
            raise self.fail(f"{where}.usual_mg_per_kg", "minimum must be below maximum")

        ceiling_raw, provenance["ceiling_mg_per_kg"] = self.sourced(
            where, body, "ceiling_mg_per_kg")
        ceiling = self.positive_decimal(f"{where}.ceiling_mg_per_kg", ceiling_raw)
        if ceiling < usual_max:
            raise self.fail(f"{where}.ceiling_mg_per_kg", "must not be below the usual maximum")

        food_raw, provenance["food"] = self.sourced(where, body, "food")
        food = self.choice(f"{where}.food", food_raw, Food)
        once_raw, provenance["once_daily"] = self.sourced(where, body, "once_daily")
        once_daily = self.choice(f"{where}.once_daily", once_raw, OnceDaily)

        factor, provenance["equivalence_factor"] = factors[family]
        return Product(
            id=pid, name=body["name"].strip(), family=family, market=body["market"].strip(),
            strengths_mg=strengths, usual_min_mg_per_kg=usual_min,
            usual_max_mg_per_kg=usual_max, ceiling_mg_per_kg=ceiling, food=food,
            once_daily=once_daily, equivalence_factor=factor, provenance=provenance,
        )

    def no_unknown_keys(self, where: str, body: dict[str, Any], allowed: set[str]) -> None:
        unknown = set(body) - allowed
        if unknown:
            raise self.fail(where, f"unknown key {', '.join(sorted(unknown))}")

    def sourced(self, where: str, body: dict[str, Any], key: str) -> tuple[Any, Provenance]:
        entry = body.get(key)
        at = f"{where}.{key}"
        if not isinstance(entry, dict) or set(entry) != {"value", "source", "status"}:
            raise self.fail(at, "expected { value = …, source = …, status = … }")
        source_key = entry["source"]
        if source_key not in self.sources:
            raise self.fail(f"{at}.source", f"{source_key!r} is not a key of [sources]")
        status = self.choice(f"{at}.status", entry["status"], SourceStatus)
        return entry["value"], Provenance(source_key, self.sources[source_key], status)

    def strengths(self, where: str, value: object) -> tuple[int, ...]:
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(s, int) and not isinstance(s, bool) and s > 0 for s in value)
        ):
            raise self.fail(where, "expected a non-empty list of whole positive mg")
        if len(set(value)) != len(value):
            raise self.fail(where, "strengths must not repeat")
        return tuple(sorted(value))

    def positive_decimal(self, where: str, value: object) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(where, "expected a number")
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            raise self.fail(where, "expected a number") from None
        if not number.is_finite() or number <= 0:
            raise self.fail(where, "expected a positive number")
        return number

    def choice(self, where: str, value: object, enum: type[_E]) -> _E:
        allowed = [e.value for e in enum]
        if isinstance(value, str) and value in allowed:
            return enum(value)
        raise self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")
