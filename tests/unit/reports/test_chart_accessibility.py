"""What makes the charts usable by everyone: names, descriptions, contrast, no colour alone."""

from __future__ import annotations

import re

import pytest

from isocourse.adapters.reports import Chart, cumulative_chart, lab_charts, lab_thresholds
from isocourse.adapters.reports.charts import model
from isocourse.adapters.reports.charts.plot import INK
from isocourse.adapters.reports.charts.svg import SvgDocument, check_id, xml_text
from tests.spec.harness import ev
from tests.unit.reports.support import CATALOG, LIBRARY, NS, day, parse_svg, plan, record

ON = day("2026-03-01")


def all_charts() -> list[Chart]:
    rec = record(
        [
            ev.dispense("2026-01-01", 60, 30),
            ev.lab("2026-01-01", "alt", 30, "U/L"),
            ev.lab("2026-02-01", "triglycerides", 600, "mg/dL"),
        ]
    )
    return [
        cumulative_chart(rec, plan(), on=ON, catalog=CATALOG),
        *lab_charts(rec, lab_thresholds(rec, LIBRARY, on=ON), on=ON),
    ]


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_on_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


@pytest.mark.parametrize("chart", all_charts(), ids=lambda c: c.chart_id)
def test_every_chart_is_an_image_named_and_described_by_its_title_and_desc(chart: Chart) -> None:
    root = parse_svg(chart.svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img"
    title, desc = root[0], root[1]
    assert (title.tag, desc.tag) == (f"{NS}title", f"{NS}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert (title.text, desc.text) == (chart.title, chart.summary)
    assert root.get("id") == chart.chart_id


@pytest.mark.parametrize("chart", all_charts(), ids=lambda c: c.chart_id)
def test_every_chart_scales_with_its_container_and_has_nothing_active(chart: Chart) -> None:
    root = parse_svg(chart.svg)
    assert root.get("width") == "100%" and root.get("height") is None
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    tags = {element.tag.removeprefix(NS) for element in root.iter()}
    assert tags <= {
        "svg",
        "title",
        "desc",
        "rect",
        "g",
        "line",
        "text",
        "tspan",
        "polyline",
        "circle",
        "polygon",
    }
    assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")]
    assert "href" not in chart.svg


@pytest.mark.parametrize("chart", all_charts(), ids=lambda c: c.chart_id)
def test_every_chart_labels_both_axes_and_gives_its_data_as_rows(chart: Chart) -> None:
    texts = [e.text for e in parse_svg(chart.svg).iter(f"{NS}text")]
    assert any(t and t.startswith("Date") for t in texts)
    assert any(t and "(" in t and ")" in t for t in texts)  # the y axis names its unit
    assert chart.rows and all(len(row) == len(chart.columns) for row in chart.rows)


STYLES = [getattr(model, name) for name in model.__all__ if name.isupper()]


@pytest.mark.parametrize("style", STYLES, ids=lambda s: s.css_class)
def test_every_line_colour_has_at_least_4_5_to_1_contrast_on_white(style: model.Style) -> None:
    assert contrast_on_white(style.stroke) >= 4.5


def test_text_has_at_least_4_5_to_1_contrast_on_white() -> None:
    assert contrast_on_white(INK) >= 4.5


@pytest.mark.parametrize(
    "group",
    [
        [model.ACTUAL, model.PROJECTION, model.PLANNED, model.TARGET, model.REFERENCE],
        [model.LAB_RESULTS, model.INFO, model.WARNING, model.BLOCK],
    ],
)
def test_lines_drawn_together_differ_in_dash_or_marker_not_only_in_colour(
    group: list[model.Style],
) -> None:
    assert len({(s.dash, s.marker) for s in group}) == len(group)


def test_two_charts_on_one_page_have_distinct_ids() -> None:
    ids = [chart.chart_id for chart in all_charts()]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("bad", ["", "1chart", "a b", 'x" onload="y', "é"])
def test_a_chart_id_that_is_not_a_plain_name_is_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="chart id"):
        check_id(bad)


def test_characters_xml_cannot_hold_are_replaced_so_the_svg_still_parses() -> None:
    doc = SvgDocument(
        chart_id="c", width=10, height=10, title="a\x00b\x1bc\ud800", desc="tab\tand\nnewline"
    )
    root = parse_svg(doc.to_string())
    assert root[0].text == "a\ufffdb\ufffdc\ufffd"
    assert root[1].text == "tab\tand\nnewline"
    assert xml_text("<&>") == "<&>"  # escaping is ElementTree's job, not this one's
