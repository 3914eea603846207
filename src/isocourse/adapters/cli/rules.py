"""``isocourse rules list|show``: which rule set is in force, every rule and its source."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from isocourse.adapters.cli import output
from isocourse.adapters.cli.parsing import date_option
from isocourse.adapters.cli.plan import Format
from isocourse.catalog import load_rule_library
from isocourse.domain.errors import InvalidInput

if TYPE_CHECKING:  # the rules are imported when a rules command runs, not at start-up
    from isocourse.rules.library import RuleLibrary
    from isocourse.rules.model import Param, RulePack, RuleSpec

rules_app = typer.Typer(help="The rule packs: what is in force, and where each rule comes from.",
                        no_args_is_help=True)


def _param(param: Param) -> dict[str, Any]:
    body: dict[str, Any] = {"value": param.value if not hasattr(param.value, "isoformat")
                            else param.value.isoformat()}
    if param.source is not None:
        body["source"] = param.source.cite()
    if param.unconfirmed:
        body["unconfirmed"] = True
    if param.note:
        body["note"] = param.note
    return body


def rule_to_json(pack: RulePack, spec: RuleSpec, library: RuleLibrary) -> dict[str, Any]:
    from isocourse.rules.registry import lookup

    last = library.last_day(pack)
    return {
        "id": spec.id, "rule_set": pack.name, "title": spec.title, "kind": spec.kind,
        "applies_to": spec.applies_to.value, "source": spec.citation,
        "reliability": spec.source.reliability,
        "effective_from": pack.effective_from.isoformat(),
        "effective_to": last.isoformat() if last else None,
        "params": {name: _param(p) for name, p in spec.params.items()},
        "description": lookup(spec.kind).doc,
    }


@rules_app.command("list")
def list_command(
    jurisdiction: Annotated[str | None, typer.Option(
        help="Only this programme (us-ipledge, eu-ppp, uk-mhra, monitoring).")] = None,
    on: Annotated[str | None, typer.Option(
        help="Only the versions in force on this date (YYYY-MM-DD).")] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """List rule sets and their rules (all versions, or those in force on a date)."""
    library = load_rule_library()
    programmes = [jurisdiction] if jurisdiction else list(library.programmes())
    if jurisdiction and jurisdiction not in library.programmes():
        raise InvalidInput(f"unknown programme {jurisdiction!r}; known: "
                           f"{', '.join(library.programmes())}")
    packs: list[RulePack] = []
    for programme in programmes:
        if on:
            packs.append(library.in_force(programme, date_option(on, "--on")))
        else:
            packs.extend(library.versions(programme))
    if format is Format.JSON:
        output.write_json([{
            "rule_set": p.name, "title": p.title,
            "effective_from": p.effective_from.isoformat(),
            "effective_to": (lambda d: d.isoformat() if d else None)(library.last_day(p)),
            "rules": [rule_to_json(p, s, library) for s in p.rules],
        } for p in packs])
        return
    for pack in packs:
        last = library.last_day(pack)
        output.write_table(
            f"{pack.name}: {pack.title} (in force {pack.effective_from.isoformat()} to "
            f"{last.isoformat() if last else 'now'})",
            ["rule", "applies to", "what it checks", "unconfirmed"],
            [[s.id, s.applies_to.value, s.title,
              ", ".join(n for n, p in s.params.items() if p.unconfirmed) or "—"]
             for s in pack.rules])


@rules_app.command("show")
def show_command(
    rule_id: Annotated[str, typer.Argument(help="A rule id, e.g. us-ipledge.window.")],
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """Show one rule in every version: parameters, sources, what is unconfirmed."""
    library = load_rule_library()
    found = library.find(rule_id)
    if not found:
        raise InvalidInput(f"no rule {rule_id!r} (see `isocourse rules list`)", field="rule_id")
    versions = [rule_to_json(pack, spec, library) for pack, spec in found]
    if format is Format.JSON:
        output.write_json(versions)
        return
    from isocourse.rules.registry import lookup

    output.write_line(f"{rule_id}: {found[-1][1].title}")
    output.write_line(lookup(found[-1][1].kind).doc)
    for version in versions:
        output.write_line()
        output.write_line(f"{version['rule_set']} ({version['effective_from']} to "
                          f"{version['effective_to'] or 'now'}), applies to "
                          f"{version['applies_to']}; source: {version['source']}")
        for name, param in version["params"].items():
            flag = " [UNCONFIRMED: a configurable default]" if param.get("unconfirmed") else ""
            note = f" — {param['note']}" if param.get("note") else ""
            output.write_line(f"  {name} = {param['value']}{flag}{note}")
