"""``isocourse products``: the product catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from isocourse.adapters.cli import output
from isocourse.adapters.cli.plan import Format
from isocourse.catalog import load_catalog
from isocourse.domain.products import Product


def product_to_json(product: Product) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": product.name,
        "family": product.family.value,
        "market": product.market,
        "strengths_mg": list(product.strengths_mg),
        "usual_mg_per_kg": [float(product.usual_min_mg_per_kg),
                            float(product.usual_max_mg_per_kg)],
        "ceiling_mg_per_kg": float(product.ceiling_mg_per_kg),
        "food": product.food.value,
        "once_daily": product.once_daily.value,
        "equivalence_factor": float(product.equivalence_factor),
        "sources": {
            field: {"source": p.key, "status": p.status.value, "text": p.text}
            for field, p in product.provenance.items()
        },
    }


def products_command(
    catalog: Annotated[
        Path | None, typer.Option(help="A product catalog file to use instead of the built-in.")
    ] = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """List the products of the catalog: family, strengths, dose ranges and sources."""
    products = list(load_catalog(catalog))
    if format is Format.JSON:
        output.write_json([product_to_json(p) for p in products])
        return
    rows = []
    for p in products:
        unconfirmed = [f for f, prov in p.provenance.items() if prov.status.value == "unconfirmed"]
        rows.append([
            p.id, p.family.value, p.market, ", ".join(map(str, p.strengths_mg)),
            f"{p.usual_min_mg_per_kg}–{p.usual_max_mg_per_kg}", str(p.ceiling_mg_per_kg),
            p.food.value, ", ".join(unconfirmed) or "—",
        ])
    output.write_table(
        "Products", ["id", "family", "market", "strengths (mg)", "usual mg/kg/day",
                     "ceiling", "food", "unconfirmed"], rows)
