"""HTML rendering: the Jinja templates of the pages, their German filters, the error page.

Both the pages (``web/pages.py``) and the exception handler (``web/errors.py``)
render through here, so neither has to import the other.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.templating import Jinja2Templates

from pressearchiv.archive.model import PartialDate
from pressearchiv.index import Sort

__all__ = ["MONTHS", "german_date", "is_web_link", "make_templates", "render", "render_error"]

log = logging.getLogger("pressearchiv.web")

MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)

SORT_LABELS = {
    Sort.RELEVANCE: "Relevanz",
    Sort.NEWEST: "Neueste zuerst",
    Sort.OLDEST: "Älteste zuerst",
}


def german_date(date: PartialDate | None) -> str:
    """ "21.01.2022", "Januar 2022" or "2022": exactly as precise as we know it."""
    if date is None:
        return "ohne Datum"
    if date.month is None:
        return f"{date.year}"
    if date.day is None:
        return f"{MONTHS[date.month - 1]} {date.year}"
    return f"{date.day:02d}.{date.month:02d}.{date.year}"


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def is_web_link(url: object) -> bool:
    """True for an absolute http(s) URL with a host: the only URLs pages link to.

    A URL from a JSON upload can be anything (``javascript:``, ``data:``); it is
    then shown as text. ``urlsplit`` drops tabs and line breaks as browsers do,
    so ``java\tscript:`` is judged as the browser would read it.
    """
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return url == url.strip() and parts.scheme.lower() in ("http", "https") and bool(parts.netloc)


def make_templates() -> Jinja2Templates:
    """The page templates with our filters; the app keeps one in ``app.state.templates``."""
    templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
    templates.env.filters["datum"] = german_date
    templates.env.filters["tausend"] = _thousands
    templates.env.tests["weblink"] = is_web_link
    templates.env.globals["sort_labels"] = SORT_LABELS
    return templates


def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    """Render the template ``name`` with ``context``."""
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, message: str) -> Response:
    """The HTML face of an error: same status, same message as the JSON shape."""
    try:
        return render(request, "error.html", {"status": status, "message": message}, status)
    except Exception:  # the error page itself must never fail
        log.exception("error page failed")
        return HTMLResponse(f"<h1>Fehler {status}</h1>", status_code=status)
