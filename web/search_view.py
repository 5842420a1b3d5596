"""What the search page shows of a result: links, outlet list, histogram, pages, hits.

Everything here turns a :class:`SearchRequest` and its :class:`SearchResponse`
into plain values for ``search.html``. Links keep the whole search (query,
outlets, dates, order, grouping, page) so that every click, and the way back
from an article, lands on the same search.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup

from pressearchiv.archive.model import PartialDate
from pressearchiv.index import FacetValue, Hit, SearchRequest, Sort, StoryVersions
from pressearchiv.web.rendering import MONTHS, german_date

__all__ = [
    "BACK",
    "TOP_OUTLETS",
    "article_href",
    "back_target",
    "histogram",
    "hit_view",
    "link",
    "outlet_lists",
    "pages",
]

MONTHS_SHORT = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
# Beyond this many months the histogram shows years instead, so bars stay clickable.
MAX_MONTH_BARS = 48
# Up to this many bars each one shows its count; more would not fit the sidebar.
COUNTED_BARS = 12
# Outlets listed before "alle N anzeigen" (the selected ones are always listed).
TOP_OUTLETS = 10
# Outlets named in "+ 4 weitere Fassungen: A, B, C, …".
NAMED_VERSIONS = 3
# The query parameter of an article page that holds the way back to the search.
BACK = "zurueck"
_BACK_MAX = 4000


def link(search: SearchRequest, **changes: Any) -> str:
    """A URL of the search page for ``search`` with some parameters changed."""
    values: dict[str, Any] = {
        "q": search.query,
        "outlet": list(search.outlets),
        "from": search.date_from.isoformat() if search.date_from else "",
        "to": search.date_to.isoformat() if search.date_to else "",
        "sort": search.sort.value,
        # The page groups by default; only the exception is spelled out.
        "group": "" if search.group else "article",
        "page": search.page,
    }
    values.update(changes)
    # Leave out the sort when it is the default for this query, for short, stable URLs.
    default_sort = Sort.RELEVANCE if values["q"] else Sort.NEWEST
    if values["sort"] == default_sort.value:
        values["sort"] = ""
    pairs = []
    for key, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            if item not in ("", None) and not (key == "page" and item == 1):
                pairs.append((key, item))
    return "/?" + urlencode(pairs) if pairs else "/"


def article_href(article_id: str, back: str) -> str:
    """An article page that leads back to the search page ``back``."""
    return f"/artikel/{article_id}" + ("" if back == "/" else "?" + urlencode({BACK: back}))


def back_target(value: str | None) -> str:
    """The search page an article page leads back to: only a URL of the search
    page itself is taken (never another site or path), else the empty search."""
    if value and len(value) <= _BACK_MAX and (value == "/" or value.startswith("/?")):
        return value
    return "/"


def outlet_lists(outlets: list[FacetValue]) -> tuple[list[FacetValue], list[FacetValue]]:
    """The outlets listed at once (the top ones by count, and every selected one)
    and the rest, behind "alle N anzeigen"."""
    ranked = sorted(outlets, key=lambda f: (-f.count, f.value.casefold()))
    top = [f for n, f in enumerate(ranked) if n < TOP_OUTLETS or f.selected]
    rest = [f for n, f in enumerate(ranked) if n >= TOP_OUTLETS and not f.selected]
    return top, rest


def _partial(value: str) -> PartialDate | None:
    try:
        return PartialDate.parse(value)
    except ValueError:
        return None


def _steps(first: PartialDate, last: PartialDate) -> list[PartialDate]:
    span = (last.year - first.year) * 12 + (last.month or 1) - (first.month or 1) + 1
    if span <= MAX_MONTH_BARS:
        return [
            PartialDate(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
            for i in range(span)
            if first.month
        ]
    return [PartialDate(y) for y in range(first.year, last.year + 1)]


def _in_range(date: PartialDate, search: SearchRequest) -> bool:
    if not (search.date_from or search.date_to):
        return False
    after = search.date_from is None or date.end >= search.date_from.start
    before = search.date_to is None or date.start <= search.date_to.end
    return after and before


def _axis_label(date: PartialDate, index: int, count: int) -> str:
    """Bars are labelled sparsely: each month of a short span, else every January
    (and the first bar); years all, or every fifth of a long span."""
    if date.month is None:
        return str(date.year) if count <= 12 or date.year % 5 == 0 or index == 0 else ""
    if count <= 12:
        return MONTHS_SHORT[date.month - 1]
    # The first bar names its year unless the next January is too close to fit both.
    first = index == 0 and date.month <= 9
    return str(date.year) if date.month == 1 or first else ""


def histogram(
    search: SearchRequest, months: list[FacetValue], years: list[FacetValue]
) -> dict[str, Any] | None:
    """Bars for the date histogram, one per month from the first to the last (one
    per year when that is more than MAX_MONTH_BARS months).

    Empty months get an empty bar so the time axis is honest. Each bar links to
    its month (or year); the bars of the selected range are marked.
    """
    month_counts = {v.value: v.count for v in months}
    dates = sorted(d for d in (_partial(v) for v in month_counts) if d is not None and d.month)
    if not dates:
        return None
    steps = _steps(dates[0], dates[-1])
    counts = month_counts if steps[0].month else {v.value: v.count for v in years}
    peak = max(counts.values(), default=0) or 1
    bars: list[dict[str, Any]] = []
    best_name, best_count = "", -1
    for n, date in enumerate(steps):
        count = counts.get(date.isoformat(), 0)
        name = f"{MONTHS[date.month - 1]} {date.year}" if date.month else str(date.year)
        iso = date.isoformat()
        if count > best_count:
            best_name, best_count = name, count
        bars.append(
            {
                "label": _axis_label(date, n, len(steps)),
                "title": f"{name}: {count} Artikel",
                "count": count,
                # CSS classes h0..h100 in steps of 5: the CSP allows no inline styles.
                "percent": max(5, 5 * round(20 * count / peak)) if count else 0,
                "href": link(search, **{"from": iso, "to": iso, "page": 1}) if count else None,
                "selected": _in_range(date, search),
            }
        )
    return {
        "bars": bars,
        "counted": len(bars) <= COUNTED_BARS,
        "peak": f"{best_name} ({best_count} Artikel)",
        "unit": "Monat" if steps[0].month else "Jahr",
        "first": german_date(steps[0]),
        "last": german_date(steps[-1]),
    }


def pages(search: SearchRequest, total: int) -> dict[str, Any]:
    last = max(1, -(-total // search.size))
    window = range(max(1, search.page - 3), min(last, search.page + 3) + 1)
    return {
        "current": search.page,
        "last": last,
        "links": [{"number": n, "href": link(search, page=n)} for n in window],
        "prev": link(search, page=search.page - 1) if search.page > 1 else None,
        "next": link(search, page=search.page + 1) if search.page < last else None,
    }


def hit_view(hit: Hit, back: str, versions: StoryVersions | None) -> dict[str, Any]:
    """One hit of the page; with its story's other versions when the page groups."""
    href = article_href(hit.id, back)
    view: dict[str, Any] = {
        "hit": hit,
        "href": href,
        # Escaped by the index with only <mark> left in: the one place we trust markup.
        "snippet": Markup(hit.snippet),
        "others": None,
    }
    if versions is not None and versions.others:
        outlets = list(dict.fromkeys(v.outlet for v in versions.others))
        view["others"] = {
            "count": len(versions.others),
            "outlets": outlets[:NAMED_VERSIONS],
            "more": len(outlets) > NAMED_VERSIONS,
            "href": href + "#fassungen",
        }
    return view
