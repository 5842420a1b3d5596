"""parse_document: formats, encodings, metadata precedence and every kind of bad input."""

from __future__ import annotations

import codecs
import json

import pytest

from pressearchiv.archive.errors import (
    BinaryInput,
    EmptyInput,
    MalformedJSON,
    NotAnArticle,
    UndecodableInput,
    UnsupportedFormat,
)
from pressearchiv.archive.model import DateSource, DocumentFormat, Overrides, PartialDate
from pressearchiv.archive.parsing import parse_document

BODY = (
    "Die Gesundheitsämter in Bayern melden steigende Fallzahlen. Der Ministerpräsident "
    "kündigte am Dienstag schärfere Maßnahmen für Schulen und Büros an."
)


def only(data: bytes, name: str | None = "artikel.txt", **kw):  # type: ignore[no-untyped-def]
    doc = parse_document(data, name, **kw)
    assert doc.errors == []
    (draft,) = doc.drafts
    return doc, draft


# -- encodings -------------------------------------------------------------------

LATIN1_ARTICLE = "Grüße aus Köln\n\nDer Außenminister äußerte sich über die Größe des Übels. " * 2


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LATIN1_ARTICLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + LATIN1_ARTICLE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF16_LE + LATIN1_ARTICLE.encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + LATIN1_ARTICLE.encode("utf-16-be"), "utf-16-be"),
        (LATIN1_ARTICLE.encode("latin-1"), "cp1252"),
    ],
)
def test_encodings_give_the_same_umlauts(data: bytes, encoding: str) -> None:
    doc, draft = only(data)
    assert doc.encoding == encoding
    assert draft.title == "Grüße aus Köln"
    assert "Der Außenminister äußerte sich über die Größe des Übels." in draft.text
    assert draft.raw == data


def test_windows_1252_quotes_and_dashes() -> None:
    text = "Er sagte: „Wir bleiben hoffnungsvoll“ – so der US-Beamte in Genf am Freitag."
    doc, draft = only(text.encode("cp1252"))
    assert doc.encoding == "cp1252"
    assert draft.text == text


def test_latin1_bytes_as_literal() -> None:
    # "Müller verlässt die Straße …" in Latin-1, byte for byte.
    data = b"M\xfcller verl\xe4sst die Stra\xdfe und geht \xfcber die Br\xfccke nach Hause."
    _, draft = only(data)
    assert draft.text == "Müller verlässt die Straße und geht über die Brücke nach Hause."


# -- bad input -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", EmptyInput, "empty"),
        (b"   \n\t  \n", EmptyInput, "empty"),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), BinaryInput, "PNG image"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", BinaryInput, "PDF document"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(50), BinaryInput, "ZIP archive"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", BinaryInput, "JPEG image"),
        (b"Hallo\x00Welt\x00\x01\x02 binary junk here", BinaryInput, "NUL bytes"),
        (
            "Ein Text ohne BOM in UTF-16 gespeichert.".encode("utf-16-le"),
            UndecodableInput,
            "UTF-16",
        ),
        (
            b"Hallo \xc3\x28 Welt \xff\xfe kaputte Bytes \x80\x81 \x9d\x8f",
            UndecodableInput,
            "neither UTF-8",
        ),
        (b"Zu kurz.", NotAnArticle, "too short"),
        # Five words but too few characters: the message names both measures.
        (b"Ja, so ist es eben.", NotAnArticle, "(5 words, 19 characters)"),
        (codecs.BOM_UTF8 + b"  ", EmptyInput, "white space"),
    ],
)
def test_bad_input_is_refused_with_a_reason(data: bytes, error: type, words: str) -> None:
    with pytest.raises(error) as caught:
        parse_document(data, "upload.txt")
    assert words in str(caught.value)
    assert str(caught.value).startswith("upload.txt: ")


def test_malformed_json_names_line_and_column() -> None:
    with pytest.raises(MalformedJSON) as caught:
        parse_document(b'{"title": "A", "text": "B",,}', "export.json")
    assert str(caught.value) == (
        "export.json: is not valid JSON: Expecting property name enclosed in double quotes "
        "at line 1, column 28"
    )


def test_unsupported_declared_type() -> None:
    with pytest.raises(UnsupportedFormat):
        parse_document(BODY.encode(), "x", content_type="application/msword")


# -- JSON and JSON Lines ---------------------------------------------------------


def test_json_object_with_synonyms() -> None:
    record = {
        "headline": "Impfkampagne startet",
        "body": BODY,
        "published": "2021-01-05T08:30:00+01:00",
        "site": "tagesspiegel.de",
        "link": "https://www.tagesspiegel.de/politik/impfkampagne-123.html",
        "authors": ["Anna Muster", "Ben Beispiel"],
    }
    doc, draft = only(json.dumps(record).encode(), "a.json")
    assert doc.format is DocumentFormat.JSON
    assert draft.title == "Impfkampagne startet"
    assert draft.text == BODY
    assert draft.date == PartialDate(2021, 1, 5)
    assert draft.date_source is DateSource.PROVIDED
    assert draft.outlet == "Der Tagesspiegel"
    assert draft.url == "https://www.tagesspiegel.de/politik/impfkampagne-123.html"
    assert draft.author == "Anna Muster, Ben Beispiel"


def test_json_outlet_from_url_when_not_given() -> None:
    record = {"title": "T", "text": BODY, "url": "https://www.derstandard.at/story/2000132"}
    _, draft = only(json.dumps(record).encode(), "a.json")
    assert draft.outlet == "DER STANDARD"


def test_json_unknown_domain_keeps_the_domain() -> None:
    record = {"title": "T", "text": BODY, "url": "https://www.lokalblatt-beispiel.de/a/1"}
    _, draft = only(json.dumps(record).encode(), "a.json")
    assert draft.outlet == "lokalblatt-beispiel.de"


def test_json_list_and_container() -> None:
    items = [{"title": f"Artikel {i}", "text": f"{BODY} Nummer {i}."} for i in range(3)]
    for payload in (items, {"articles": items}):
        doc = parse_document(json.dumps(payload).encode(), "batch.json")
        assert [d.title for d in doc.drafts] == ["Artikel 0", "Artikel 1", "Artikel 2"]


def test_json_item_without_text_is_rejected_alone() -> None:
    items = [{"title": "gut", "text": BODY}, {"title": "ohne Text"}, "kein Objekt"]
    doc = parse_document(json.dumps(items).encode(), "batch.json")
    assert [d.title for d in doc.drafts] == ["gut"]
    assert [str(e) for e in doc.errors] == [
        "batch.json, line 2: has no article text (expected a field such as text, body, "
        "article or content)",
        "batch.json, line 3: is a JSON str, not an article object",
    ]


def test_json_with_impossible_date_is_rejected() -> None:
    doc = parse_document(json.dumps({"text": BODY, "date": "2022-13-45"}).encode(), "a.json")
    (error,) = doc.errors
    assert "2022-13-45" in str(error)


def test_jsonl_keeps_good_lines_and_names_bad_ones() -> None:
    lines = [
        json.dumps({"title": "Eins", "text": BODY + " Eins.", "date": "2021-03-5"}),
        '{"title": "kaputt", "text": ',
        "",
        json.dumps({"title": "Drei", "text": BODY + " Drei.", "source": "zeit.de"}),
    ]
    doc = parse_document("\n".join(lines).encode(), "export.jsonl")
    assert doc.format is DocumentFormat.JSONL
    assert [(d.title, d.outlet, d.date) for d in doc.drafts] == [
        ("Eins", "unbekannt", PartialDate(2021, 3, 5)),
        ("Drei", "ZEIT ONLINE", None),
    ]
    (error,) = doc.errors
    assert error.line == 2
    assert str(error).startswith("export.jsonl, line 2: is not valid JSON")
    assert doc.drafts[0].raw == lines[0].encode()  # the line's own bytes


def test_jsonl_line_separators_inside_strings_are_not_line_ends() -> None:
    texts = [BODY + "\u2028Zweiter Absatz.", BODY + "\x85Ende\x1c.", BODY + "\r\n"]
    data = "\r\n".join(json.dumps({"text": t}, ensure_ascii=False) for t in texts).encode()
    doc = parse_document(data, "export.jsonl")
    assert doc.errors == []
    assert len(doc.drafts) == 3


def test_jsonl_detected_without_suffix() -> None:
    lines = [json.dumps({"text": BODY + f" {i}."}) for i in range(2)]
    doc = parse_document("\n".join(lines).encode(), "upload")
    assert doc.format is DocumentFormat.JSONL
    assert len(doc.drafts) == 2


# -- HTML ------------------------------------------------------------------------

HTML = """<!DOCTYPE html><html lang="de"><head><meta charset="utf-8">
<title>Lawrow und Blinken treffen sich in Genf | DER STANDARD</title>
<meta property="og:site_name" content="DER STANDARD">
<meta name="author" content="Anna Muster">
<meta property="article:published_time" content="2022-01-21T10:00:00+01:00">
<link rel="canonical" href="https://www.derstandard.at/story/2000132650/lawrow-blinken">
</head><body><nav><a href="/">Startseite</a> <a href="/inland">Inland</a></nav>
<article><h1>Lawrow und Blinken treffen sich in Genf</h1>
<p>Die Angst vor einem Krieg in der Ukraine wurde in den vergangenen Tagen spürbar größer,
die Drohgebärden zwischen den USA und Russland immer intensiver.</p>
<p>Am Freitag trafen sich US-Außenminister Antony Blinken und sein russisches Gegenüber
Sergej Lawrow in Genf, um es noch einmal mit Diplomatie zu versuchen.</p></article>
<footer>Impressum · Datenschutz</footer></body></html>"""


def test_html_page_metadata_and_main_text() -> None:
    doc, draft = only(HTML.encode(), "seite.html")
    assert doc.format is DocumentFormat.HTML
    assert draft.title == "Lawrow und Blinken treffen sich in Genf"
    assert draft.outlet == "DER STANDARD"
    assert draft.date == PartialDate(2022, 1, 21)
    assert draft.date_source is DateSource.META  # article:published_time
    assert draft.author == "Anna Muster"
    assert draft.url == "https://www.derstandard.at/story/2000132650/lawrow-blinken"
    assert "Sergej Lawrow in Genf" in draft.text
    assert "Impressum" not in draft.text and "Startseite" not in draft.text


def test_html_in_windows_1252_with_meta_charset() -> None:
    page = HTML.replace('charset="utf-8"', 'charset="windows-1252"')
    _, draft = only(page.encode("cp1252"), "seite.htm")
    assert "US-Außenminister" in draft.text and "größer" in draft.text


def test_html_without_article_text() -> None:
    with pytest.raises(NotAnArticle):
        parse_document(b"<html><body><nav>Menue</nav></body></html>", "leer.html")


def test_deeply_nested_html_does_not_crash() -> None:
    page = "<html><body>" + "<div>" * 5000 + BODY + "</div>" * 5000 + "</body></html>"
    try:
        doc = parse_document(page.encode(), "tief.html")
    except NotAnArticle:
        return  # refusing it is fine; crashing is not
    assert doc.drafts


# -- overrides and precedence ----------------------------------------------------


def test_uploader_overrides_win() -> None:
    data = (" date 2022-01 " + BODY).encode()
    overrides = Overrides(
        title="Eigener Titel",
        outlet="sueddeutsche.de",
        date=PartialDate(2021, 12, 24),
        url="https://www.zeit.de/x",
    )
    _, draft = only(data, overrides=overrides)
    assert draft.title == "Eigener Titel"
    assert draft.outlet == "Süddeutsche Zeitung"
    assert draft.date == PartialDate(2021, 12, 24)
    assert draft.date_source is DateSource.PROVIDED
    assert draft.url == "https://www.zeit.de/x"


def test_outlet_from_url_override_beats_text() -> None:
    data = (BODY + "\n\nIhre Epoch Times - Redaktion").encode()
    _, draft = only(data, overrides=Overrides(url="https://www.zeit.de/politik/1"))
    assert draft.outlet == "ZEIT ONLINE"


def test_no_outlet_is_invented() -> None:
    # "Reuters" and "dpa" are agencies, and a mention of DER SPIEGEL is not a signature.
    data = (BODY + " Das berichtete DER SPIEGEL unter Berufung auf Reuters. (dpa)").encode()
    _, draft = only(data)
    assert draft.outlet == "unbekannt"


def test_impossible_header_date_falls_back_to_text() -> None:
    _, draft = only((" date 2022-13 " + BODY + " (red, 3.2.2021)").encode())
    assert draft.date == PartialDate(2021, 2, 3)
    assert draft.date_source is DateSource.TEXT


def test_long_paragraph_with_glued_credit_keeps_its_text() -> None:
    text = BODY * 3 + " Helena Ott/Foto: oh"
    _, draft = only(text.encode())
    assert draft.text == BODY * 3 + " Helena Ott/"


def test_same_text_different_name_same_id() -> None:
    a = parse_document(BODY.encode(), "a.txt").drafts[0]
    b = parse_document(BODY.replace(" ", "  ").encode("utf-16"), "b.txt").drafts[0]
    c = parse_document(json.dumps({"text": BODY}).encode(), "c.json").drafts[0]
    assert a.id == b.id == c.id
