"""HTML to PDF with WeasyPrint, offline.

The faces render a summary from their Jinja2 templates (the same template the browser
prints) and pass the HTML string and the stylesheet texts here; the charts are inline SVG
in that HTML. Nothing is fetched: the URL fetcher refuses every address except ``data:``
URIs, so a document can never make the server call out (to another host, or to a
``file:`` path on this one) whatever its markup says. A refused resource is left out, as
WeasyPrint leaves out any resource it cannot load.

The PDF is tagged (PDF/UA-1), so screen readers and reflowing viewers get the document's
structure (headings, tables, lists) and the text in reading order.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# WeasyPrint is imported when a PDF is made, not with this module: it takes seconds to
# import, and every server start (a restart after a crash too) would pay for it.

__all__ = ["html_to_pdf", "offline_fetcher"]

#: ``data:`` URIs only (they carry their own bytes).
_ALLOWED = ("data",)


def offline_fetcher() -> Any:
    """A WeasyPrint fetcher that loads ``data:`` URIs and refuses any other address (a
    new one per document: a fetcher keeps per-request state)."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols=_ALLOWED, allow_redirects=False, timeout=1)


def html_to_pdf(html: str, *, stylesheets: Sequence[str] = ()) -> bytes:
    """The PDF of ``html`` (a whole HTML document) styled with ``stylesheets`` (CSS
    texts, applied after the document's own styles, for the ``print`` medium)."""
    from weasyprint import CSS, HTML

    fetcher = offline_fetcher()
    document = HTML(string=html, url_fetcher=fetcher, media_type="print")
    css = [CSS(string=text, url_fetcher=fetcher) for text in stylesheets]
    pdf = document.write_pdf(stylesheets=css, pdf_variant="pdf/ua-1")
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf without a target
        raise TypeError("WeasyPrint returned no bytes")
    return pdf
