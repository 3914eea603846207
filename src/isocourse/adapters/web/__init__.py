"""The web app: server-rendered HTML pages for prescribers, pharmacists and patients.

Every page is a thin face over the service layer (the same use cases as the API), rendered
with Jinja2; charts are server-side SVG; the pages work without JavaScript. See
docs/explanation/web-app.md.
"""

from isocourse.adapters.web.app import install_web

__all__ = ["install_web"]
