"""The code tables: every code has a source, doubtful codes are marked, isotretinoin is a
value set, and the docs list what must be verified."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from isocourse.adapters.fhir.codes import Code, in_concept, is_isotretinoin, parse_tables, tables
from isocourse.domain.errors import CatalogError

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
DOC = Path(__file__).parents[3] / "docs" / "explanation" / "fhir-mapping.md"
#: Codes the references mark unconfirmed (clinical.md [UNCONFIRMED], software-anchors §6).
MARKED_IN_THE_REFERENCES = (
    "6064",
    "1742-6",
    "1920-8",
    "2093-3",
    "2118-8",
    "11381005",
    "L70.0",
    "18262-6",
    "88616000",
)


def test_every_code_names_its_source() -> None:
    assert all(code.source.strip() for code in tables().codes)


def test_isotretinoin_is_a_value_set_of_ingredient_substance_class_and_capsule_codes() -> None:
    codes = {code.code for code in tables().concept("isotretinoin")}
    assert {
        "6064",
        "387208003",
        "D10BA01",
        "197843",
        "197844",
        "403930",
        "197845",
        "1547561",
        "1547565",
        "1547567",
    } <= codes
    assert len(codes) > 10


@pytest.mark.parametrize(
    "code", [c for c in tables().codes if c.concept == "isotretinoin"], ids=lambda c: c.code
)
def test_each_code_of_the_value_set_alone_names_isotretinoin(code: Code) -> None:
    assert is_isotretinoin({"coding": [code.coding()]})


@pytest.mark.parametrize(
    "concept",
    [
        {"coding": [{"system": "http://www.whocc.no/atc", "code": "D10AD04"}]},  # topical
        {"coding": [{"system": "http://loinc.org", "code": "197845"}]},  # right code, other system
        {"coding": [{"system": RXNORM}]},
        {"coding": "197845"},
        {"text": "isotretinoin"},
        None,
        [],
    ],
)
def test_anything_else_is_not_isotretinoin(concept: object) -> None:
    assert not is_isotretinoin(concept)


def test_one_matching_coding_among_others_is_enough() -> None:
    assert is_isotretinoin(
        {
            "coding": [
                {"system": "http://example.org", "code": "x"},
                {"system": RXNORM, "code": "197844"},
            ]
        }
    )
    assert in_concept(
        {"coding": [{"system": "http://hl7.org/fhir/sid/icd-10", "code": "L70.9"}]}, "acne"
    )


@pytest.mark.parametrize("code", MARKED_IN_THE_REFERENCES)
def test_codes_the_references_doubt_are_marked_unconfirmed(code: str) -> None:
    (found,) = [c for c in tables().codes if c.code == code]
    assert found.unconfirmed


def test_an_unconfirmed_code_is_written_only_where_no_confirmed_code_says_the_same() -> None:
    for code in tables().codes:
        if code.unconfirmed and code.written:
            rivals = [
                c
                for c in tables().concept(code.concept)
                if c.written and not c.unconfirmed and c.unit == code.unit
            ]
            assert not rivals, code


@pytest.mark.parametrize("code", [c.code for c in tables().codes if c.unconfirmed])
def test_the_mapping_explanation_lists_every_unconfirmed_code(code: str) -> None:
    assert f"`{code}`" in DOC.read_text(encoding="utf-8")


def test_the_mapping_explanation_names_every_code_it_writes() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [c.code for c in tables().codes if c.written and f"`{c.code}`" not in text]
    assert not missing


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("not toml [", "TOMLDecodeError"),
        (
            '[systems]\n[isocourse]\nbase = "x"\n[[unit]]\nucum = "a"\nto = "b"\nfactor = "1"\n',
            "KeyError",
        ),
        (
            '[systems]\nloinc = "l"\n[isocourse]\nbase = "x"\n[[code]]\nconcept = "c"\n'
            'system = "loinc"\ncode = "1"\nsource = ""\n[[unit]]\nucum = "a"\nto = "b"\n'
            'factor = "1"\n',
            "no source",
        ),
    ],
)
def test_a_broken_code_table_is_a_named_catalog_error(text: str, fragment: str) -> None:
    with pytest.raises(CatalogError, match=fragment):
        parse_tables(text)


def test_importing_the_mapping_does_not_load_the_fhir_models() -> None:
    code = (
        "import sys, isocourse.adapters.fhir.mapping; "
        "sys.exit(1 if any(m.startswith('fhir.resources') for m in sys.modules) else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
