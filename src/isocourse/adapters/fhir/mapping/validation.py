"""Validation against the FHIR models of ``fhir.resources`` (R4B, wire-compatible with R4
for every resource used here: docs/adr/0005-fhir-models-r4b.md).

The library is imported on first use (it costs most of a second), so importing the
mapping stays cheap. The Bundle is checked in parts: its own elements with the entries'
resources left out, then each resource with the model of its ``resourceType``. That gives
each problem a precise path, and keeps a library failure that is not a validation error
(an unknown type in ``contained`` raises ``KeyError`` inside the library) local to one
resource, where it is reported as a problem like any other.

What the library does not check, the mapping does: status codes and other required
bindings, ``null`` values, and the R4 choice types that R4B added to ``Extension.value[x]``.
Modifier elements the mapping cannot interpret are refused here, wherever they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from isocourse.adapters.fhir.mapping.errors import library_problems
from isocourse.domain.errors import Problem

__all__ = ["R4B_ONLY", "validate_bundle", "validate_resource"]

#: ``Extension.value[x]`` types that R4B added; R4 has no such element.
R4B_ONLY = ("valueCodeableReference", "valueRatioRange")
_REFUSED = {
    **dict.fromkeys(R4B_ONLY, "not an element of FHIR R4 (R4B only)"),
    "modifierExtension": "modifier extensions are not accepted: isocourse cannot tell what "
    "they change",
    "implicitRules": "resources under implicit rules are not accepted",
}


def validate_bundle(bundle: Mapping[str, Any], path: str = "Bundle") -> list[Problem]:
    """Problems of the Bundle's own elements (each entry's ``resource`` left out)."""
    shell = dict(bundle)
    entries = shell.get("entry")
    if isinstance(entries, list):
        shell["entry"] = [
            {k: v for k, v in entry.items() if k != "resource"}
            if isinstance(entry, dict)
            else entry
            for entry in entries
        ]
    return _validate("Bundle", shell, path)


def validate_resource(resource: Mapping[str, Any], path: str) -> list[Problem]:
    """Problems of one resource, by the model of its ``resourceType`` (which the caller has
    checked is a type the mapping knows)."""
    problems = _validate(str(resource.get("resourceType")), resource, path)
    problems.extend(_refused_elements(resource, path))
    return problems


def _validate(resource_type: str, data: Mapping[str, Any], path: str) -> list[Problem]:
    from fhir.resources.R4B import get_fhir_model_class
    from pydantic import ValidationError

    model = get_fhir_model_class(resource_type)
    try:
        model.model_validate(data)
    except ValidationError as error:
        return library_problems(error.errors(include_url=False, include_input=False), path, data)
    except (KeyError, TypeError, ValueError, AttributeError, RecursionError):
        # Not a validation error but a failure inside the library on input it does not
        # expect (an unknown resourceType inside ``contained``, for one): still bad input.
        return [Problem(path, "not a valid FHIR R4 resource")]
    return []


def _refused_elements(resource: object, path: str) -> list[Problem]:
    """Elements the mapping refuses wherever they are: R4B-only ones, and modifiers it cannot
    interpret (a modifier extension or ``implicitRules`` may change what the rest means, so
    ignoring one could turn a fact into its opposite). Iterative: input may nest deeply."""
    problems: list[Problem] = []
    stack: list[tuple[object, str]] = [(resource, path)]
    while stack:
        value, here = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key in _REFUSED:
                    problems.append(Problem(f"{here}.{key}", _REFUSED[key]))
                else:
                    stack.append((item, f"{here}.{key}"))
        elif isinstance(value, list):
            stack.extend((item, f"{here}[{i}]") for i, item in enumerate(value))
    return sorted(problems, key=lambda p: p.path)
