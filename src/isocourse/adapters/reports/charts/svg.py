"""A tiny SVG builder: an ElementTree document with the accessible frame every chart needs.

ElementTree escapes text and attribute values (``&``, ``<``, ``>``, quotes), so any text a
chart draws, including free text from a clinic's catalog or rule packs, stays text. What
ElementTree does not do is drop the characters XML 1.0 forbids (most C0 controls, lone
surrogates): :func:`xml_text` replaces them, so the output always parses.

The root carries ``role="img"``, a ``<title>`` and a ``<desc>`` referenced by
``aria-labelledby``, ``width="100%"`` and a ``viewBox`` (it scales to its container and
prints as vectors). No script, no external reference, no CSS that a page must supply.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping

__all__ = ["SVG_NAMESPACE", "SvgDocument", "check_id", "xml_text"]

SVG_NAMESPACE = "http://www.w3.org/2000/svg"

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"


def xml_text(text: str) -> str:
    """``text`` with every character XML 1.0 cannot hold replaced by U+FFFD, and line ends
    written as ``\\n`` (what any XML parser reads a carriage return as)."""
    return _NOT_XML.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def check_id(value: str) -> str:
    """An element id a page can use: a letter, then letters, digits, ``-`` or ``_``."""
    if not _ID.fullmatch(value):
        raise ValueError("a chart id is a letter followed by up to 63 letters, digits, - or _")
    return value


class SvgDocument:
    """One SVG chart. ``chart_id`` prefixes the ids of its title and description, so several
    charts can share a page; it must be unique on that page."""

    def __init__(self, *, chart_id: str, width: int, height: int, title: str, desc: str) -> None:
        self.chart_id = check_id(chart_id)
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NAMESPACE,
                "id": chart_id,
                "class": "isocourse-chart",
                "viewBox": f"0 0 {width} {height}",
                "width": "100%",
                "preserveAspectRatio": "xMidYMid meet",
                "role": "img",
                "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
                "font-family": FONT,
                "font-size": "12",
            },
        )
        self.add(self.root, "title", {"id": f"{chart_id}-title"}, title)
        self.add(self.root, "desc", {"id": f"{chart_id}-desc"}, desc)
        # A white ground, so the chart keeps its contrast on any page background.
        self.add(
            self.root,
            "rect",
            {"x": "0", "y": "0", "width": str(width), "height": str(height), "fill": "#ffffff"},
        )

    def group(
        self,
        css_class: str,
        parent: ET.Element | None = None,
        attrs: Mapping[str, str] | None = None,
    ) -> ET.Element:
        return self.add(
            self.root if parent is None else parent, "g", {"class": css_class, **(attrs or {})}
        )

    @staticmethod
    def add(
        parent: ET.Element, tag: str, attrs: Mapping[str, str], text: str | None = None
    ) -> ET.Element:
        element = ET.SubElement(parent, tag, {k: xml_text(v) for k, v in attrs.items()})
        if text is not None:
            element.text = xml_text(text)
        return element

    def to_string(self) -> str:
        """The SVG element as markup to place inline in HTML (no XML declaration)."""
        return ET.tostring(self.root, encoding="unicode")
