"""Separate an article's text from what surrounds it on the page.

Photo credits (``Foto: REUTERS/Denis Balibouse``), the captions they belong to,
``Bild nicht mehr verfügbar.`` and the comment section's notices are not the
article: kept in the searchable text they would make every Reuters photo a hit
for "Reuters". They are removed from the clean text only; the original bytes
are stored untouched.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_text", "guess_title", "shorten", "split_header", "strip_dateline"]

# ` date 2022-01 Text…`: the export format of the user's samples.
_HEADER = re.compile(r"^\s*date\s+(\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?)\b[ \t]*")

_CREDIT_LINE = re.compile(
    r"^(?:foto|fotos|bild|bilder|grafik|illustration|video|quelle|copyright|©)\s*:\s*\S.{0,150}$",
    re.I,
)
# A caption with its credit glued on: "…Sergei Lawrow.Foto: Alex Brandon/Pool AP/dpa".
_GLUED_CREDIT = re.compile(r"\S(?:Foto|Fotos|Bild)\s*:\s*\S.{0,120}$")
_AGENCIES = (
    r"dpa|AP|AFP|Reuters|REUTERS|imago|IMAGO|Getty Images|picture alliance|"
    r"Keystone|APA|EPA|KEYSTONE|Xinhua|Sputnik|TASS|ddp|epd|KNA"
)
# A line opening with a bare credit: "Alex Brandon/Pool AP/dpa Treffen von …".
_LEADING_CREDIT = re.compile(
    rf"^(?:[\w.\- ]{{1,40}}/)+(?:[\w.\- ]{{0,20}}\b(?:{_AGENCIES}))\b", re.U
)
_PICTURE_GONE = re.compile(r"^bild nicht mehr verfügbar\.?$", re.I)
# Where a comment section or page furniture starts; everything after it goes.
_TAIL_MARKERS = re.compile(
    r"^(?:kommentare|kommentar schreiben|liebe leser(?:innen(?: und leser)?)?,?|"
    r"diskutieren sie mit.*|zur startseite|mehr zum thema:?|artikel teilen|"
    r"diesen artikel teilen|jetzt kommentieren)$",
    re.I,
)
_SENTENCE_END = re.compile(r"(?<=[^\s.]{2}[.!?])[\"»«“”']?\s+(?=[A-ZÄÖÜ„»\"\d])")

TITLE_MAX = 140
CAPTION_MAX = 300


def split_header(text: str) -> tuple[str | None, str]:
    """Split off a leading `` date YYYY-MM`` header: (the date text or None, the rest)."""
    match = _HEADER.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end() :]


def normalise(text: str) -> str:
    """NFC, Unix line ends, no trailing blanks, at most one empty line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    text = "\n".join([line.rstrip() for line in text.split("\n")])
    if "\n\n\n" in text:  # the regex scan costs more than the rest together
        text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


def _is_credit(line: str) -> bool:
    return bool(_CREDIT_LINE.match(line) or _PICTURE_GONE.match(line))


def clean_text(text: str) -> str:
    """The article's own words: credits, captions and comment notices removed."""
    lines = normalise(text).split("\n")
    lines = _cut_tail(lines)
    following = _next_content(lines)
    first = _first_content(lines)
    kept: list[str] = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped:
            kept.append("")
            continue
        if _PICTURE_GONE.match(stripped):
            continue
        # The substring tests spare most lines the regex search.
        if ("Foto" in stripped or "Bild" in stripped) and _GLUED_CREDIT.search(stripped):
            if len(stripped) <= CAPTION_MAX:
                continue  # a caption carrying its own credit
            # A paragraph with a credit stuck to its end: keep the paragraph.
            line = stripped = stripped[: _GLUED_CREDIT.search(stripped).start() + 1]  # type: ignore[union-attr]
        if _CREDIT_LINE.match(stripped):
            _drop_caption_before(kept)  # a credit on its own line follows its caption
            continue
        after = following[index]
        if after and after != stripped and after.startswith(stripped):
            continue  # the caption printed twice, once with its credit glued on
        if (
            index == first
            and _LEADING_CREDIT.match(stripped)
            and not _looks_like_prose(_LEADING_CREDIT.sub("", stripped))
        ):
            continue  # "Credit/AP/dpa Caption without a full stop"
        kept.append(line)
    return normalise("\n".join(kept))


def _first_content(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if line.strip()), 0)


def _cut_tail(lines: list[str]) -> list[str]:
    """Drop a comment section: from its first marker in the last half of the text."""
    half = len(lines) // 2
    for index in range(half, len(lines)):
        if _TAIL_MARKERS.match(lines[index].strip()):
            return lines[:index]
    return lines


def _drop_caption_before(kept: list[str]) -> None:
    """Remove the caption a credit line belongs to: the paragraph just before it."""
    while kept and not kept[-1].strip():
        kept.pop()
    if kept and len(kept[-1]) < 400 and not _is_credit(kept[-1].strip()):
        kept.pop()


def _next_content(lines: list[str]) -> list[str]:
    """Per line, the next non-empty line after it, stripped ("" if none): found
    in one pass from the end (looking ahead from every line of a text with
    hard line wraps took quadratic time)."""
    found: list[str] = [""] * len(lines)
    after = ""
    for index in range(len(lines) - 1, -1, -1):
        found[index] = after
        stripped = lines[index].strip()
        if stripped:
            after = stripped
    return found


def _looks_like_prose(text: str) -> bool:
    text = text.strip()
    return len(text) > 200 or bool(re.search(r"[.!?][\"»«“”']?$", text))


# A dateline: the place (and agency) an article was filed from, "Wien." or
# "Berlin (dpa) -". It opens the text, but it is never the headline.
_DATELINE = re.compile(
    r"^(?:[A-ZÄÖÜ][\wäöüß'-]+(?:[ /-][A-ZÄÖÜ][\wäöüß'-]+){0,2})(?:\s*\([^)]{1,30}\))?"
    r"(?:\s*\.|\s+[-–—])(?=\s|$)"
)


def strip_dateline(line: str) -> str:
    """``line`` without a leading dateline (``Wien. Der Kanzler …`` → ``Der Kanzler …``)."""
    match = _DATELINE.match(line)
    if not match or len(match.group(0).split()) > 4:
        return line
    return line[match.end() :].strip()


def guess_title(clean: str) -> str:
    """A title from the first lines: a short headline line, else the first sentence.

    Headlines are short and have no full stop; a long first line is a lead
    paragraph, whose first sentence (cut at a word, with an ellipsis) is the
    best title the text offers. A dateline (``Wien.``) is skipped, whether it
    stands on a line of its own or opens the first sentence.
    """
    lines = (strip_dateline(line.strip()) for line in clean.split("\n"))
    first = next((line for line in lines if line), "")
    if not first:
        return ""
    if len(first) <= TITLE_MAX and not re.search(r"[.!?:]$", first):
        return first
    sentence = _SENTENCE_END.split(first, maxsplit=1)[0].strip()
    return shorten(sentence, TITLE_MAX)


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most ``limit`` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–-") + "…"
