"""Every rule in every pack is checked by at least one spec-table scenario."""

from __future__ import annotations

import importlib
import pkgutil

import tests.spec as spec_package
from isocourse.catalog import load_rule_library


def _expected_rule_ids() -> set[str]:
    ids: set[str] = set()
    for module in pkgutil.iter_modules(spec_package.__path__):
        if module.name.startswith("test_") and module.name != "test_rule_coverage":
            loaded = importlib.import_module(f"tests.spec.{module.name}")
            for scenario in getattr(loaded, "SCENARIOS", []):
                ids.update(scenario.expect)
    return ids


def test_every_rule_of_every_pack_has_a_scenario() -> None:
    library = load_rule_library()
    rule_ids = {rule.id for pack in library.packs for rule in pack.rules}
    missing = sorted(rule_ids - _expected_rule_ids())
    assert not missing, f"rules without a spec scenario: {missing}"
