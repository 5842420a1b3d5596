"""An Atom 1.0 feed (RFC 4287) of a search's newest matches, with conditional GET.

``GET /api/search.atom`` takes the parameters of ``/api/search``. Whatever
``sort`` and ``page`` say, a feed holds the newest matches, newest first
(what a feed reader polls for); ``size`` is the number of entries and
``group=story`` keeps one entry per story. The XML is built as an element
tree by :mod:`xml.etree.ElementTree`, which escapes every text and attribute;
nothing is concatenated into markup.

Readers poll, so the answer carries an ``ETag`` (a digest of the feed's
bytes) and ``Last-Modified`` (when the newest of its articles was archived),
and a conditional request whose feed has not changed gets ``304 Not Modified``
without a body.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime, time
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from pressearchiv.archive.model import Article, PartialDate
from pressearchiv.index import Hit, SearchRequest, SearchResponse, Sort
from pressearchiv.web.operations import Operation, Reply, operation
from pressearchiv.web.params import SEARCH_PARAMS, search_request

__all__ = ["ATOM", "FEED_TYPE", "atom_feed", "feed_url"]

ATOM = "http://www.w3.org/2005/Atom"
FEED_TYPE = "application/atom+xml"
# The feed of an empty result has no article to date it by.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# A feed's own order and page: left out of links between a search and its feed.
_FEED_OWN = ("sort", "page")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def feed_url(pairs: list[tuple[str, str]]) -> str:
    """The feed of the search with these query parameters (its sort and page dropped)."""
    kept = [(k, v) for k, v in pairs if k not in _FEED_OWN and v]
    return "/api/search.atom" + (f"?{urlencode(kept)}" if kept else "")


def _tag(name: str) -> str:
    # Plain names under a literal xmlns on <feed> (see atom_feed): ElementTree
    # would write qualified names as <ns0:feed>, the same to a parser but not
    # to naive feed readers, and its default_namespace refuses plain attributes.
    return name


# Characters XML 1.0 does not allow at all, not even escaped. ElementTree
# escapes markup but writes these as they are, which no parser accepts.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _add(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    clean = {key: _NOT_XML.sub("", value) for key, value in attrs.items()}
    element = ET.SubElement(parent, _tag(name), clean)
    if text is not None:
        element.text = _NOT_XML.sub("", text)
    return element


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    """RFC 3339 in UTC, to the second, as Atom wants it."""
    return _utc(moment).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _updated(date: PartialDate | None, article: Article) -> datetime:
    """An entry's date: the first day its date can mean (midnight UTC); undated
    articles, which come last, are dated by when they were archived."""
    if date is None:
        return _utc(article.ingested_at)
    return datetime.combine(date.start, time(0), tzinfo=UTC)


def _title(search: SearchRequest) -> str:
    parts = [f"„{search.query}“" if search.query else "Neueste Artikel"]
    if search.outlets:
        parts.append("in " + ", ".join(search.outlets))
    if search.date_from or search.date_to:
        start = search.date_from.isoformat() if search.date_from else "…"
        end = search.date_to.isoformat() if search.date_to else "…"
        parts.append(f"({start} bis {end})")
    return "Pressearchiv: " + " ".join(parts)


def _page_link(request: Request, pairs: list[tuple[str, str]]) -> str:
    """The absolute URL of the search page with these query parameters."""
    return str(request.url_for("search_page")) + (f"?{urlencode(pairs)}" if pairs else "")


def build_feed(
    request: Request, search: SearchRequest, found: SearchResponse, articles: dict[str, Article]
) -> tuple[bytes, datetime]:
    """The feed's bytes, and when it last changed (the newest archiving of its articles)."""
    entries = [(hit, articles[hit.id]) for hit in found.hits if hit.id in articles]
    changed = max((_utc(a.ingested_at) for _, a in entries), default=_EPOCH)
    updated = max((_updated(h.date, a) for h, a in entries), default=_EPOCH)
    feed = ET.Element(_tag("feed"), {"xmlns": ATOM, _XML_LANG: "de"})
    self_url = str(request.url)
    _add(feed, "id", self_url)
    _add(feed, "title", _title(search))
    _add(feed, "subtitle", f"{found.total} Artikel; die neuesten zuerst")
    _add(feed, "updated", _stamp(max(updated, changed)))
    _add(feed, "link", rel="self", type=FEED_TYPE, href=self_url)
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in _FEED_OWN]
    _add(feed, "link", rel="alternate", type="text/html", href=_page_link(request, pairs))
    _add(feed, "generator", "Pressearchiv")
    for hit, article in entries:
        feed.append(_entry(request, hit, article))
    body = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body, changed


def _entry(request: Request, hit: Hit, article: Article) -> ET.Element:
    entry = ET.Element(_tag("entry"))
    page = str(request.url_for("article_page", article_id=hit.id))
    _add(entry, "id", page)
    _add(entry, "title", hit.title)
    _add(entry, "link", rel="alternate", type="text/html", href=page)
    if hit.url:
        _add(entry, "link", rel="via", href=hit.url)
    _add(entry, "updated", _stamp(_updated(hit.date, article)))
    author = _add(entry, "author")
    _add(author, "name", hit.outlet)
    if hit.snippet:
        # The snippet is HTML (escaped text, <mark> around the query's words);
        # as the text of a type="html" element it is escaped once more.
        _add(entry, "summary", hit.snippet, type="html")
    if hit.versions > 1:
        _add(entry, "category", term=f"story:{hit.story}", label=f"{hit.versions} Fassungen")
    source = _add(entry, "source")
    # The outlet as the source: its id is the search page listing that outlet.
    _add(source, "id", _page_link(request, [("outlet", hit.outlet)]))
    _add(source, "title", hit.outlet)
    return entry


def _not_modified(request: Request, etag: str, changed: datetime) -> bool:
    """RFC 9110 section 13.1: If-None-Match decides when present, else If-Modified-Since."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        moment = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    return _utc(changed).replace(microsecond=0) <= _utc(moment)


@operation(
    Operation(
        "GET",
        "Atom feed of the newest matches",
        {
            200: Reply("Atom 1.0 (RFC 4287), newest first", media_type=FEED_TYPE),
            304: Reply(
                "Not modified: the feed is the one named by If-None-Match or "
                "older than If-Modified-Since",
                media_type="",
            ),
        },
        errors=(400,),
        query=SEARCH_PARAMS,
        description="The newest matches of a search as an Atom feed: newest first whatever "
        "sort and page say; size entries; group=story keeps one entry per story. Each entry "
        "links to the article page and has the snippet as summary and the outlet as author "
        "and source. ETag and Last-Modified answer conditional requests with 304.",
    )
)
async def atom_feed(request: Request) -> Response:
    """``GET /api/search.atom``: the search's newest matches as an Atom feed."""
    settings = request.app.state.settings
    search = replace(search_request(request.query_params, settings), sort=Sort.NEWEST, page=1)

    def collect() -> tuple[SearchResponse, dict[str, Article]]:
        found: SearchResponse = request.app.state.index.search(search)
        articles = request.app.state.store.get_many([h.id for h in found.hits])
        return found, {a.id: a for a in articles}

    found, articles = await run_in_threadpool(collect)
    body, changed = build_feed(request, search, found, articles)
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(_utc(changed).replace(microsecond=0), usegmt=True),
        # Readers may keep it, but must ask again (cheaply, conditionally) before using it.
        "Cache-Control": "no-cache",
    }
    if _not_modified(request, etag, changed):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=f"{FEED_TYPE}; charset=utf-8", headers=headers)
