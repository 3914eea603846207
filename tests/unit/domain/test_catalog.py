"""The product catalog: the packaged data, its validation, and extending it with data only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from isocourse.catalog import load_catalog
from isocourse.domain.errors import CatalogError
from isocourse.domain.planner import PlanRequest, plan_course
from isocourse.domain.products import Family, parse_catalog

PACKAGED = Path(__file__).parents[3] / "src/isocourse/catalog/products.toml"


def test_every_product_of_the_record_spec_is_in_the_catalog() -> None:
    catalog = load_catalog()
    expected = {
        "us-conventional": ("conventional", (10, 20, 30, 40)),
        "us-absorica": ("lidose", (10, 20, 25, 30, 35, 40)),
        "us-absorica-ld": ("micronized", (8, 16, 20, 24, 28, 32)),
        "uk-generic": ("conventional", (5, 10, 20, 40)),
        "uk-roaccutane": ("conventional", (10, 20)),
        "ca-absorica-ld": ("micronized", (8, 16, 24, 32)),
    }
    assert {p.id: (p.family.value, p.strengths_mg) for p in catalog} == expected


def test_family_ranges_and_ceilings_are_those_of_the_labels() -> None:
    for product in load_catalog():
        if product.family is Family.MICRONIZED:
            assert (product.usual_min_mg_per_kg, product.usual_max_mg_per_kg,
                    product.ceiling_mg_per_kg) == (Decimal("0.4"), Decimal("0.8"),
                                                   Decimal("1.6"))
            assert product.equivalence_factor == Decimal("0.8")
        else:
            assert (product.usual_min_mg_per_kg, product.usual_max_mg_per_kg,
                    product.ceiling_mg_per_kg) == (Decimal("0.5"), Decimal("1.0"),
                                                   Decimal("2.0"))
            assert product.equivalence_factor == 1


def test_every_number_has_a_source_and_weak_ones_are_marked_unconfirmed() -> None:
    for product in load_catalog():
        assert set(product.provenance) == {"strengths_mg", "usual_mg_per_kg",
                                           "ceiling_mg_per_kg", "food", "once_daily",
                                           "equivalence_factor"}
        assert all(p.text for p in product.provenance.values())
    uk = load_catalog().get("uk-generic")
    assert uk.provenance["ceiling_mg_per_kg"].status.value == "unconfirmed"


def test_a_new_market_is_a_data_change_only(tmp_path: Path) -> None:
    india = PACKAGED.read_text() + '''
[products.in-generic]
name = "Isotretinoin soft capsules (India)"
family = "conventional"
market = "IN"
strengths_mg = { value = [5, 10, 20, 30, 40], source = "uk-smpc", status = "unconfirmed" }
usual_mg_per_kg = { value = [0.5, 1.0], source = "uk-smpc", status = "label" }
ceiling_mg_per_kg = { value = 2.0, source = "hsa-roaccutane", status = "unconfirmed" }
food = { value = "with-food", source = "uk-smpc", status = "label" }
once_daily = { value = "allowed", source = "uk-smpc", status = "label" }
'''
    file = tmp_path / "catalog.toml"
    file.write_text(india)
    catalog = load_catalog(file)
    plan = plan_course(PlanRequest("in-generic", Decimal(47), Decimal("0.5"),
                                   dt.date(2026, 1, 5)), catalog)
    assert plan.phases[0].dose.total_mg == 25


BAD_CATALOGS = [
    ("not toml [", "not valid TOML"),
    ('format = "other"', "format"),
    ("strengths_mg = { value = [], ", "products.us-conventional.strengths_mg"),
    ("strengths_mg = { value = [10, 10], ", "must not repeat"),
    ("strengths_mg = { value = [10.5], ", "whole positive mg"),
    ('family = "conventional"', "unknown family"),
    ('source = "us-generic-label"', "is not a key of [sources]"),
    ('status = "label" }', "is not one of"),
    ("usual_mg_per_kg = { value = [0.5, 1.0]", "minimum must be below maximum"),
    ("ceiling_mg_per_kg = { value = 2.0", "must not be below the usual maximum"),
    ('food = { value = "with-food"', "food"),
    ("market =", "unknown key"),
]


def _break(text: str, needle: str) -> str:
    replacements = {
        "not toml [": ("format =", "not toml [\nformat ="),
        'format = "other"': ('format = "isocourse-catalog/1"', 'format = "other"'),
        "strengths_mg = { value = [], ": ("strengths_mg = { value = [10, 20, 30, 40], ",
                                          "strengths_mg = { value = [], "),
        "strengths_mg = { value = [10, 10], ": ("strengths_mg = { value = [10, 20, 30, 40], ",
                                                "strengths_mg = { value = [10, 10], "),
        "strengths_mg = { value = [10.5], ": ("strengths_mg = { value = [10, 20, 30, 40], ",
                                              "strengths_mg = { value = [10.5], "),
        'family = "conventional"': ('family = "conventional"', 'family = "liquid"'),
        'source = "us-generic-label"': ('source = "us-generic-label"', 'source = "nowhere"'),
        'status = "label" }': ('status = "label" }', 'status = "hearsay" }'),
        "usual_mg_per_kg = { value = [0.5, 1.0]": ("usual_mg_per_kg = { value = [0.5, 1.0]",
                                                   "usual_mg_per_kg = { value = [1.0, 0.5]"),
        "ceiling_mg_per_kg = { value = 2.0": ("ceiling_mg_per_kg = { value = 2.0",
                                              "ceiling_mg_per_kg = { value = 0.9"),
        'food = { value = "with-food"': ('food = { value = "with-food"',
                                         'food = { value = "on-the-moon"'),
        "market =": ('market = "US"', 'market = "US"\nmarkte = "US"'),
    }
    old, new = replacements[needle]
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(("breakage", "message"), BAD_CATALOGS)
def test_bad_catalog_data_fails_at_load_with_a_named_error(breakage: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message.replace("[", r"\[")):
        parse_catalog(_break(PACKAGED.read_text(), breakage))


def test_an_unreadable_catalog_file_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="cannot read catalog"):
        load_catalog(tmp_path / "missing.toml")
