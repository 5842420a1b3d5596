"""Page furniture that text extraction lets through, by kind.

Two passes. Before extraction, :func:`prune_furniture` removes whole boxes whose
markup says what they are: login and subscription walls, newsletter forms,
video players, share bars, related-article lists, author boxes. After it,
:func:`clean_page_text` drops the lines that give themselves away by their
words: consent notices for embedded content, "Kennen Sie schon unsere
Plus-Inhalte?", "Lesen Sie auch: …", permalinks, copyright lines, and teaser
lists under a heading such as "Mehr aus Thüringen". A rule here is a *kind* of
furniture that occurs on many sites, never one page's sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml.html import HtmlElement

__all__ = ["clean_page_text", "login_wall", "prune_chrome", "prune_furniture"]


# Class or id words of boxes that are never the article (lower case; matched as parts).
_FURNITURE = re.compile(
    r"paywall|regwall|piano-|tp-modal|login|register|newsletter|"
    r"video-player|videoplayer|jwplayer|audio-player|podcast-player|kaltura|brightcove|video__|vjs-|"
    r"share-bar|sharing|social-share|socialshare|share-buttons|"
    r"related|recommend|more-articles|read-more|readmore|weitere-|"
    r"author-bio|authorbio|author-box|authorbox|autorenbox|author-about|"
    r"consent|cookie|privacy-|embed-placeholder|external-content|"
    r"breadcrumb|skip-link|taboola|outbrain|teaser-list|teaserlist|"
    r"poll|voting|umfrage|survey",
    re.I,
)
_FURNITURE_TAGS = {"figcaption", "aside", "nav", "footer", "form"}
_NEVER_PRUNED = {"html", "body", "main", "article"}


def prune_chrome(tree: HtmlElement) -> None:
    """Remove the site's own header bar, navigation and footer from ``tree`` in place.

    A ``<header>`` inside the article (headline, lead, date line) stays.
    """
    for element in tree.xpath(
        "//header[not(ancestor::article or ancestor::main)] | //nav | //footer"
        " | //*[@role='banner' or @role='navigation' or @role='contentinfo']"
    ):
        if element.getparent() is not None:
            element.drop_tree()


def prune_furniture(tree: HtmlElement) -> int:
    """Remove furniture boxes from ``tree`` in place (one pass); returns how many went."""
    doomed = []
    for element in tree.iter():
        tag = element.tag
        if not isinstance(tag, str) or tag in _NEVER_PRUNED:
            continue  # comments and processing instructions have no class
        marks = f"{element.get('class', '')} {element.get('id', '')}"
        if tag in _FURNITURE_TAGS or (marks.strip() and _FURNITURE.search(marks)):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()
    return len(doomed)


_FLAGS = re.I | re.U
# Whole lines that are furniture, whatever follows on the page.
_LINE = re.compile(
    r"^(?:"
    r"kennen sie schon unsere plus-inhalte\?.*|jetzt .{2,60} testen\.?|"
    r"bereits registriert\?.*|hier anmelden\.?|jetzt (?:abonnieren|anmelden|registrieren)\b.*|"
    r"(?:melden sie sich|bitte melden sie sich) .{0,40}an\b.*|abo abschlie(?:ß|ss)en.*|"
    r"aktuell sind sie nicht eingeloggt.*|zugang zu .{2,40} statt .*|"
    r"danke, dass sie .{2,30} nutzen\.?|"
    r"(?:deine|ihre) privatsphäre-einstellungen verhindern.*|"
    r"an dieser stelle finden sie (?:einen )?.{0,60}externen inhalt.*|"
    r"ich bin damit einverstanden, dass mir .{0,20}externe.*|empfohlener redaktioneller inhalt|"
    r"externer inhalt(?: nicht verfügbar)?|für die darstellung von .{2,60} nutzen wir .*|"
    r"ein klick für den datenschutz.*|(?:infografiken|inhalt) anzeigen|"
    r"datenschutzeinstellungen anpassen|wir verwenden cookies.*|"
    r"fehler (?:gefunden|auf .{2,30} entdeckt)\?.*|permalink: .*|"
    r"der kurz-link dieses artikels lautet.*|"
    r"hier können sie die rechte an diesem artikel erwerben.*|"
    r"(?:©|copyright).{0,80}(?:alle rechte vorbehalten|all rights reserved).*|"
    r"alle rechte vorbehalten.*|mit meiner anmeldung zum newsletter.*|"
    r"lesen sie (?:hier|auch|mehr)(?: zum thema)?:.{0,160}|mehr zum thema:.{0,160}|"
    r"dieses thema im programm:.*|über dieses thema berichtete?.*|"
    r".{0,40} ist eine partnermarke de[sr] .*|"
    r"gastkommentare und beiträge von externen autor.*|"
    r"(?:eine newsübersicht|abonniere den).{0,40}(?:newsletter|whatsapp|kanal).*|"
    r"bleiben sie (?:immer )?auf dem laufenden.{0,120}|"
    r"wenn sie inhaltliche anmerkungen zu diesem artikel haben.*|"
    r"mehr artikel aus dieser rubrik.*|informieren sie sich durch die .{2,30}: testen sie.*|"
    r".{0,200}\b(?:abonnieren sie|abonniere)\b.{0,120}\b(?:podcast|newsletter|whatsapp|kanal|"
    r"telegram|spotify|rss)\b.*|"
    r".{0,200}\bpodcast\b.{0,80}\b(?:spotify|apple podcasts?|deezer|rss)\b.*|"
    r".{0,200}\b(?:vertraulich|anonym) (?:und sicher )?(?:via|über|per) "
    r"(?:signal|threema|securedrop)\b.*"
    r")$",
    _FLAGS,
)
# Headings of teaser lists at the end of an article: nothing after them is the article.
_LIST_HEADING = re.compile(
    r"^(?:mehr (?:aus|von|news)\b.{0,40}|"
    r"weitere (?:artikel|meldungen|nachrichten|themen)\b.{0,30}|"
    r"das könnte sie auch interessieren|verwandte artikel|empfehlungen|aktuelle news|"
    r"die redaktion empfiehlt|meistgelesen|top-themen|"
    r"\d+ wochen (?:kostenlos|gratis) testen)\s*:?$",
    _FLAGS,
)
# Headings of a teaser box inside the article: the heading and the short lines under it go.
_BOX_HEADING = re.compile(
    r"^(?:lesen sie auch|auch interessant|mehr zum thema|mehr zu diesem thema|passend dazu|"
    r"zum thema|hintergrund)\s*:?$",
    _FLAGS,
)
# Login walls say so in a few words.
_WALL = re.compile(
    r"\b(?:anmelden|einloggen|login|registrieren|abonnieren|abo|passwort|benutzerkonto)\b", _FLAGS
)
_TEASER_LINE_MAX = 140
_WALL_WORDS = 80


def _is_author_bio(line: str, authors: Iterable[str]) -> bool:
    """'Seit 2019 bei der taz. …', 'Anne-Marie Slaughter (*1958) war …', 'Carla schreibt seit …'."""
    if re.search(r"\(\*\s?\d{4}\)|^seit \d{4} (?:bei|für) |\bschreibt seit \d{4}\b", line, _FLAGS):
        return True
    for author in authors:
        first = author.split()[0]
        if (
            len(first) > 2
            and line.startswith((author, first + " "))
            and re.search(
                r"\b(?:ist|war|arbeitet|schreibt)\b.{0,80}\b(?:redakteur|korrespondent|autor|"
                r"journalist|leitet|seit \d{4})",
                line[:200],
                _FLAGS,
            )
        ):
            return True
    return False


def clean_page_text(
    text: str, authors: Iterable[str] = (), link_texts: frozenset[str] = frozenset()
) -> str:
    """The extracted text without furniture lines, teaser lists and author bios.

    ``link_texts`` are the page's link texts: a line that is nothing but a link
    (and no sentence) is a teaser of another page.
    """
    authors = [a for a in authors if a]
    lines = text.split("\n")
    kept: list[str] = []
    in_teasers = False
    last_quarter = int(len(lines) * 0.75)
    for index, line in enumerate(lines):
        stripped = " ".join(line.split())
        if not stripped:
            kept.append("")
            continue
        if _LIST_HEADING.match(stripped) and index >= last_quarter:
            break  # a teaser list at the end: nothing after it is the article
        if _BOX_HEADING.match(stripped) or _LIST_HEADING.match(stripped):
            in_teasers = True
            continue
        if in_teasers and len(stripped) <= _TEASER_LINE_MAX and not stripped.endswith("."):
            continue
        in_teasers = False
        if _LINE.match(stripped) or (stripped in link_texts and not stripped.endswith(".")):
            continue
        if index >= last_quarter and _is_author_bio(stripped, authors):
            continue
        kept.append(line)
    return "\n".join(kept).strip()


def login_wall(text: str) -> str | None:
    """A reason to refuse the page if what is left of it is only a login or paywall box."""
    words = re.findall(r"\w+", text)
    if len(words) < _WALL_WORDS and len(_WALL.findall(text)) >= 2:
        return (
            "is a login or subscription page: it holds no article text, only a request to "
            "log in or subscribe"
        )
    return None
