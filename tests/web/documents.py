"""Upload documents for the web tests, as bytes, each next to what it must become."""

from __future__ import annotations

import json

# Plain text in the samples' format: " date YYYY-MM" header, then the article.
TEXT = (
    " date 2022-02 Kanzler besucht Werft in Kiel\n\n"
    "Der Bundeskanzler hat am Montag die Werft in Kiel besucht und mit Beschäftigten "
    "über die Zukunft des Schiffbaus an der Förde gesprochen."
).encode()
TEXT_DATE = "2022-02"

# Latin-1 bytes: ü, ö, ß must come back as the same letters, not mojibake.
LATIN1 = (
    "Die Bürgermeisterin von Köln eröffnete am Freitag die neue Brücke über den Rhein. "
    "Größere Staus blieben aus, die Straßenbahn fährt wieder nach Plan."
).encode("latin-1")
LATIN1_WORDS = ("Bürgermeisterin", "Köln", "Straßenbahn")

JSON_ARTICLE = {
    "title": "Hafen Hamburg meldet Rekord",
    "text": "Der Hamburger Hafen hat im vergangenen Jahr so viele Container umgeschlagen "
    "wie nie zuvor, teilte die Hafenbehörde am Dienstag mit.",
    "outlet": "Hamburger Abendblatt",
    "date": "2022-03-04",
    "url": "https://www.abendblatt.de/hamburg/hafen-rekord.html",
}
JSON_BYTES = json.dumps(JSON_ARTICLE, ensure_ascii=False).encode()

JSONL_LINES = [
    {
        "title": "Elbphilharmonie feiert Jubiläum",
        "text": "Die Elbphilharmonie in Hamburg feiert ihr Jubiläum mit einem Festkonzert "
        "und einem Tag der offenen Tür für alle Besucher.",
        "outlet": "NDR",
        "date": "2022-01",
    },
    {
        "title": "Schleswig-Holstein baut Radwege aus",
        "text": "Das Land Schleswig-Holstein will in den nächsten Jahren deutlich mehr Geld "
        "in neue Radwege entlang der Landstraßen investieren.",
        "outlet": "NDR",
        "date": "2021-12-02",
    },
]
JSONL_BAD_LINE = b"{ this is not json"
JSONL_BYTES = (
    json.dumps(JSONL_LINES[0], ensure_ascii=False).encode()
    + b"\n"
    + JSONL_BAD_LINE
    + b"\n"
    + json.dumps(JSONL_LINES[1], ensure_ascii=False).encode()
    + b"\n"
)

HTML = """<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<title>Neue Windräder vor Rügen | Ostsee-Zeitung</title>
<meta property="og:title" content="Neue Windräder vor Rügen">
<meta property="og:site_name" content="Ostsee-Zeitung">
<meta property="article:published_time" content="2021-11-05T08:00:00+01:00">
</head><body><nav>Startseite Politik Wirtschaft</nav>
<article><h1>Neue Windräder vor Rügen</h1>
<p>Vor der Küste Rügens sollen in den kommenden Jahren zahlreiche neue Windräder entstehen.
Das hat die Landesregierung in Schwerin am Donnerstag mitgeteilt.</p>
<p>Der Windpark soll mehrere hunderttausend Haushalte mit Strom versorgen. Naturschützer
äußerten Bedenken wegen der Zugvögel, die im Herbst über die Ostsee ziehen.</p>
<p>Die Gemeinden auf der Insel hoffen auf Einnahmen aus der Gewerbesteuer und auf neue
Arbeitsplätze im Hafen von Mukran, wo die Anlagen gewartet werden sollen.</p>
</article><footer>Impressum Datenschutz</footer></body></html>""".encode()

# A title that must never run as script on our pages.
SCRIPT_TITLE = '<script>alert("x")</script> Hafenfest'
SCRIPT_ARTICLE = {
    "title": SCRIPT_TITLE,
    "text": "Beim Hafenfest in Rostock kamen am Wochenende mehr als hunderttausend Menschen "
    "zusammen, um die Schiffe zu sehen.",
    "outlet": "Ostsee-Zeitung",
    "date": "2022-06-12",
}

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(200))
TOO_SHORT = b"Nur drei Worte."


def article_json(title: str, text: str, outlet: str, date: str) -> dict[str, str]:
    return {"title": title, "text": text, "outlet": outlet, "date": date}
