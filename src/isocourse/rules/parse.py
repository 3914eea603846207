"""Reading rule packs (TOML text) into :class:`RulePack` objects, with named errors.

Pack format (``isocourse-rules/1``)::

    format = "isocourse-rules/1"
    programme = "us-ipledge"            # a course jurisdiction, or "monitoring"
    version = "2021-12-13"
    title = "iPLEDGE REMS as modified on 13 December 2021"
    effective_from = 2021-12-13         # in force from this date …
    # effective_to = 2026-08-07         # … to this date (default: the day before the next
    #                                   #    version of the programme takes effect)
    # extends = "us-ipledge@2021-12-13" # start from another version's rules

    [sources.R9]
    document = "iPLEDGE Program for Isotretinoin (awaywithacne.com)"
    reliability = "W"                   # P, S, W or D (design)

    [[rules]]
    id = "us-ipledge.window"            # stable; appears in assessments and the reference
    kind = "pregnancy-test-window"      # the registered code that applies it
    title = "Pick-up within 7 days of the specimen date"
    applies_to = "can-get-pregnant"     # all | can-get-pregnant | cannot-get-pregnant
    source = "R9"
    section = "§1.4 Prescription window and lockout"
    params.window_days = 7                                   # source: the rule's own
    params.lockout_days = { value = 19, source = "R11" }     # another source
    params.x = { value = 30, unconfirmed = true, note = "…" } # a configurable default

    [[overrides]]                       # with extends only: change or drop a base rule
    rule = "us-ipledge.lockout"
    remove = true

The parser is pure; :func:`build_library` resolves ``extends`` and checks every rule against
its registered kind.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from isocourse.domain.errors import RuleDataError
from isocourse.rules.model import Applicability, Param, RulePack, RuleSpec, Source

__all__ = ["PACK_FORMAT", "PackDocument", "build_library", "parse_pack"]

PACK_FORMAT = "isocourse-rules/1"
RELIABILITIES = {"P", "S", "W", "D"}
_TOP_KEYS = {"format", "programme", "version", "title", "effective_from", "effective_to",
             "extends", "notes", "sources", "rules", "overrides"}
_RULE_KEYS = {"id", "kind", "title", "applies_to", "source", "section", "params"}
_PARAM_KEYS = {"value", "source", "unconfirmed", "note"}


@dataclass(frozen=True, slots=True)
class Override:
    rule: str
    remove: bool = False
    params: Mapping[str, Any] = field(default_factory=dict)
    source: str | None = None
    section: str | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class PackDocument:
    """One parsed pack file, before ``extends`` is resolved."""

    origin: str
    programme: str
    version: str
    title: str
    effective_from: dt.date
    effective_to: dt.date | None
    extends: str | None
    notes: str
    sources: Mapping[str, Source]
    rules: tuple[Mapping[str, Any], ...]
    overrides: tuple[Override, ...]

    @property
    def name(self) -> str:
        return f"{self.programme}@{self.version}"


def parse_pack(text: str, *, origin: str = "rule pack") -> PackDocument:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleDataError(f"{origin}: not valid TOML: {exc}") from None

    def fail(where: str, message: str) -> RuleDataError:
        return RuleDataError(f"{origin}: {where}: {message}")

    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise fail(", ".join(sorted(unknown)), "unknown key")
    if data.get("format") != PACK_FORMAT:
        raise fail("format", f"expected {PACK_FORMAT!r}")
    for key in ("programme", "version", "title"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise fail(key, "expected a non-empty string")
    start = data.get("effective_from")
    end = data.get("effective_to")
    if not isinstance(start, dt.date) or isinstance(start, dt.datetime):
        raise fail("effective_from", "expected a date (YYYY-MM-DD, unquoted)")
    if end is not None and (not isinstance(end, dt.date) or isinstance(end, dt.datetime)):
        raise fail("effective_to", "expected a date (YYYY-MM-DD, unquoted)")
    if end is not None and end < start:
        raise fail("effective_to", "is before effective_from")
    extends = data.get("extends")
    if extends is not None and not isinstance(extends, str):
        raise fail("extends", "expected a pack name such as 'us-ipledge@2021-12-13'")

    sources: dict[str, Source] = {}
    raw_sources = data.get("sources", {})
    if not isinstance(raw_sources, dict):
        raise fail("sources", "expected a table")
    for key, body in raw_sources.items():
        if not isinstance(body, dict) or set(body) != {"document", "reliability"}:
            raise fail(f"sources.{key}", "expected { document = …, reliability = … }")
        if not isinstance(body["reliability"], str) or body["reliability"] not in RELIABILITIES:
            raise fail(f"sources.{key}.reliability", f"expected one of {sorted(RELIABILITIES)}")
        sources[key] = Source(key, str(body["document"]), body["reliability"])

    rules = data.get("rules", [])
    if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules):
        raise fail("rules", "expected [[rules]] tables")
    for index, rule in enumerate(rules):
        where = f"rules[{index}]"
        unknown = set(rule) - _RULE_KEYS
        if unknown:
            raise fail(where, f"unknown key {', '.join(sorted(unknown))}")
        missing = {"id", "kind", "title", "source"} - set(rule)
        if missing:
            raise fail(where, f"missing {', '.join(sorted(missing))}")

    raw_overrides = data.get("overrides", [])
    if not isinstance(raw_overrides, list):
        raise fail("overrides", "expected [[overrides]] tables")
    overrides = []
    for index, body in enumerate(raw_overrides):
        where = f"overrides[{index}]"
        if extends is None:
            raise fail(where, "overrides need 'extends'")
        if not isinstance(body, dict) or "rule" not in body:
            raise fail(where, "expected { rule = …, … }")
        unknown = set(body) - {"rule", "remove", "params", "source", "section", "title"}
        if unknown:
            raise fail(where, f"unknown key {', '.join(sorted(unknown))}")
        if not isinstance(body["rule"], str):
            raise fail(f"{where}.rule", "expected a rule id")
        if not isinstance(body.get("params", {}), dict):
            raise fail(f"{where}.params", "expected a table")
        for key in ("source", "section", "title"):
            if not isinstance(body.get(key, ""), str):
                raise fail(f"{where}.{key}", "expected a string")
        overrides.append(Override(
            rule=body["rule"], remove=bool(body.get("remove", False)),
            params=body.get("params", {}), source=body.get("source"),
            section=body.get("section"), title=body.get("title")))

    return PackDocument(
        origin=origin, programme=data["programme"], version=data["version"],
        title=data["title"], effective_from=start, effective_to=end, extends=extends,
        notes=str(data.get("notes", "")), sources=sources, rules=tuple(rules),
        overrides=tuple(overrides))


def _param(name: str, raw: Any, sources: Mapping[str, Source], default: Source,
           where: str) -> Param:
    if isinstance(raw, dict):
        unknown = set(raw) - _PARAM_KEYS
        if unknown or "value" not in raw:
            raise RuleDataError(f"{where}.params.{name}: expected a value or "
                                "{ value = …, source = …, unconfirmed = …, note = … }")
        source = default
        if "source" in raw:
            if not isinstance(raw["source"], str) or raw["source"] not in sources:
                raise RuleDataError(f"{where}.params.{name}.source: {raw['source']!r} is not a "
                                    "key of [sources]")
            source = sources[raw["source"]]
        return Param(name, raw["value"], source, bool(raw.get("unconfirmed", False)),
                     str(raw.get("note", "")))
    return Param(name, raw, default)


def _rule(body: Mapping[str, Any], sources: Mapping[str, Source], where: str) -> RuleSpec:
    source_key = body["source"]
    if not isinstance(source_key, str) or source_key not in sources:
        raise RuleDataError(f"{where}.source: {source_key!r} is not a key of [sources]")
    source = sources[source_key]
    try:
        applies_to = Applicability(body.get("applies_to", "all"))
    except ValueError:
        raise RuleDataError(f"{where}.applies_to: expected all, can-get-pregnant or "
                            "cannot-get-pregnant") from None
    raw_params = body.get("params", {})
    if not isinstance(raw_params, dict):
        raise RuleDataError(f"{where}.params: expected a table")
    params = {name: _param(name, raw, sources, source, where) for name, raw in raw_params.items()}
    return RuleSpec(id=str(body["id"]), kind=str(body["kind"]), title=str(body["title"]),
                    applies_to=applies_to, source=source, section=str(body.get("section", "")),
                    params=params)


def _resolve(document: PackDocument, documents: Mapping[str, PackDocument],
             seen: tuple[str, ...] = ()) -> RulePack:
    if document.name in seen:
        raise RuleDataError(f"{document.origin}: 'extends' goes round in a circle")
    sources = dict(document.sources)
    rules: list[RuleSpec] = []
    if document.extends is not None:
        base_doc = documents.get(document.extends)
        if base_doc is None:
            raise RuleDataError(f"{document.origin}: extends unknown pack {document.extends!r}")
        base = _resolve(base_doc, documents, (*seen, document.name))
        sources = {**base.sources, **sources}
        rules = list(base.rules)
        for override in document.overrides:
            index = next((i for i, r in enumerate(rules) if r.id == override.rule), None)
            if index is None:
                raise RuleDataError(f"{document.origin}: override of unknown rule "
                                    f"{override.rule!r}")
            if override.remove:
                del rules[index]
                continue
            spec = rules[index]
            source = spec.source
            if override.source is not None:
                if override.source not in sources:
                    raise RuleDataError(f"{document.origin}: override source "
                                        f"{override.source!r} is not a key of [sources]")
                source = sources[override.source]
            params = dict(spec.params)
            for name, raw in override.params.items():
                params[name] = _param(name, raw, sources, source,
                                      f"{document.origin}: override {override.rule}")
            rules[index] = replace(spec, source=source, params=params,
                                   section=override.section or spec.section,
                                   title=override.title or spec.title)
    for index, body in enumerate(document.rules):
        rules.append(_rule(body, sources, f"{document.origin}: rules[{index}]"))
    ids = [r.id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise RuleDataError(f"{document.origin}: rule ids repeat: {', '.join(duplicates)}")
    return RulePack(programme=document.programme, version=document.version,
                    title=document.title, effective_from=document.effective_from,
                    effective_to=document.effective_to, rules=tuple(rules), sources=sources,
                    notes=document.notes)


def build_library(documents: Iterable[PackDocument]) -> tuple[RulePack, ...]:
    """Resolve ``extends`` and check each rule's kind and parameters; packs in name order."""
    from isocourse.rules.registry import lookup

    by_name: dict[str, PackDocument] = {}
    for document in documents:
        if document.name in by_name:
            raise RuleDataError(f"{document.origin}: pack {document.name} is defined twice")
        by_name[document.name] = document
    packs = []
    for name in sorted(by_name):
        pack = _resolve(by_name[name], by_name)
        for spec in pack.rules:
            try:
                lookup(spec.kind).check(spec)
            except RuleDataError as error:
                raise RuleDataError(f"{by_name[name].origin}: {error}") from None
        packs.append(pack)
    return tuple(packs)
