"""Hostile input through the HTTP API: every case gets the right 4xx and a clear message.

After each case the service must still be healthy (GET /healthz is 200) and,
for rejected input, the archive must hold exactly as many articles as before and
no spooled upload may be left behind. Most cases run in-process (TestClient);
the size limits are also checked against a real ``pressearchiv serve`` process
over a raw socket, to prove a too-large body is refused before it is complete.
"""

from __future__ import annotations

import json
import socket
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

with warnings.catch_warnings():
    # Same exemption as tests/web/conftest.py: Starlette's TestClient prefers httpx2.
    warnings.filterwarnings(
        "ignore", message="Using `httpx` with `starlette.testclient` is deprecated"
    )
    from starlette.testclient import TestClient

from pressearchiv.settings import Settings
from pressearchiv.web.app import create_app
from tests.resilience.processes import Server
from tests.web.conftest import LOOPBACK, TEST_HOST
from tests.web.shapes import assert_error

MAX_FILES = 3
MAX_FILE_BYTES = 1_000_000

ARTICLE = (
    "Der Bundeskanzler hat am Montag die Werft in Kiel besucht und mit Beschäftigten "
    "über die Zukunft des Schiffbaus an der Förde gesprochen. Die Gewerkschaft begrüßte "
    "den Besuch und forderte mehr Aufträge für die norddeutschen Werften."
)
LATIN1 = (
    "Die Bürgermeisterin von Köln eröffnete am Freitag die neue Brücke über den Rhein. "
    "Größere Staus blieben aus, die Straßenbahn fährt wieder nach Plan."
).encode("latin-1")
XSS = "<script>alert('pressearchiv')</script>"


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        allowed_hosts=TEST_HOST,
        max_files=MAX_FILES,
        max_file_bytes=MAX_FILE_BYTES,
    ).with_overrides(**overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return _settings(tmp_path)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """Loopback client without a token: uploads are allowed. 5xx come back as responses."""
    with TestClient(create_app(settings), client=LOOPBACK, raise_server_exceptions=False) as c:
        yield c


# -- helpers -------------------------------------------------------------------------


def articles(client: TestClient) -> int:
    """The article count, asserting on the way that the service is healthy."""
    health = client.get("/healthz")
    assert health.status_code == 200, health.text
    count = health.json()["articles"]
    assert client.get("/api/stats").json()["total"] == count
    return int(count)


def assert_rejected(
    client: TestClient,
    settings: Settings,
    response: httpx.Response,
    before: int,
    status: int,
    code: str | None = None,
) -> dict[str, Any]:
    """THE error shape, the service still healthy, nothing stored, nothing spooled."""
    error = assert_error(response, status, code)
    assert articles(client) == before
    assert not any(settings.upload_tmp_dir.iterdir()), list(settings.upload_tmp_dir.iterdir())
    return error


def upload(
    client: TestClient,
    *files: tuple[str, bytes],
    content_type: str = "application/octet-stream",
    **fields: str,
) -> httpx.Response:
    response: httpx.Response = client.post(
        "/api/articles",
        files=[("file", (name, data, content_type)) for name, data in files],
        data=fields,
    )
    return response


def item_results(response: httpx.Response) -> list[dict[str, Any]]:
    return response.json()["results"]  # type: ignore[no-any-return]


def search(client: TestClient, **params: Any) -> httpx.Response:
    response: httpx.Response = client.get("/api/search", params=params)
    return response


# -- empty and missing ---------------------------------------------------------------


def test_post_without_body_or_content_type_is_415(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = client.post("/api/articles", content=b"")
    assert_rejected(client, settings, response, before, 415, "unsupported_media_type")


def test_empty_multipart_body_is_400(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = client.post(
        "/api/articles", content=b"", headers={"content-type": "multipart/form-data; boundary=x"}
    )
    error = assert_rejected(client, settings, response, before, 400, "no_file")
    assert "'file'" in error["message"]


def test_empty_json_body_is_422_empty_input(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = client.post(
        "/api/articles", content=b"", headers={"content-type": "application/json"}
    )
    assert_rejected(client, settings, response, before, 422)
    assert [r["code"] for r in item_results(response)] == ["empty_input"]


def test_form_without_file_field_is_400(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    fields_only = {"title": (None, b"Nur ein Titel"), "outlet": (None, b"taz")}
    response = client.post("/api/articles", files=fields_only)  # multipart, but no file part
    assert_rejected(client, settings, response, before, 400, "no_file")


def test_zero_byte_file_is_422_empty_input(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = upload(client, ("leer.txt", b""))
    assert_rejected(client, settings, response, before, 422)
    (result,) = item_results(response)
    assert (result["source"], result["code"]) == ("leer.txt", "empty_input")
    assert "empty" in result["reason"]


# -- limits ----------------------------------------------------------------------------


def test_file_over_the_size_limit_is_413(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = upload(client, ("gross.txt", b"Wort " * (MAX_FILE_BYTES // 5 + 1)))
    error = assert_rejected(client, settings, response, before, 413, "payload_too_large")
    assert "gross.txt" in error["message"]


def test_more_files_than_allowed_is_413(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    files = [(f"{n}.txt", f"{ARTICLE} Nummer {n}.".encode()) for n in range(MAX_FILES + 1)]
    response = upload(client, *files)
    error = assert_rejected(client, settings, response, before, 413, "too_many_files")
    assert str(MAX_FILES) in error["message"]


# -- bytes that are not text -------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), id="png"),
        pytest.param(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\n", id="pdf"),
        pytest.param(b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(100), id="zip"),
        pytest.param(ARTICLE.encode()[:60] + b"\x00" + ARTICLE.encode()[60:], id="nul-bytes"),
    ],
)
def test_binary_bytes_named_txt_are_415(
    client: TestClient, settings: Settings, data: bytes
) -> None:
    before = articles(client)
    response = upload(client, ("artikel.txt", data))
    assert_rejected(client, settings, response, before, 415, "unsupported_media_type")
    (result,) = item_results(response)
    assert result["source"] == "artikel.txt"
    assert result["code"] == "unsupported_media_type" and len(result["reason"]) > 10


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(ARTICLE.encode() + b" \xff\xfe\xc3\x28\x80\x81" * 20, id="invalid-utf8"),
        pytest.param(ARTICLE.encode("utf-16-le"), id="utf16-without-bom"),
    ],
)
def test_undecodable_text_is_422(client: TestClient, settings: Settings, data: bytes) -> None:
    before = articles(client)
    response = upload(client, ("artikel.txt", data))
    assert_rejected(client, settings, response, before, 422)
    (result,) = item_results(response)
    assert result["code"] == "undecodable_input" and len(result["reason"]) > 10


def test_latin1_file_is_accepted_with_umlauts_intact(client: TestClient) -> None:
    response = upload(client, ("koeln.txt", LATIN1))

    assert response.status_code == 201, response.text
    (result,) = item_results(response)
    article = client.get(f"/api/articles/{result['id']}").json()
    for word in ("Bürgermeisterin", "Köln", "Brücke", "Größere", "Straßenbahn", "fährt"):
        assert word in article["text"]
    assert "Ã" not in article["text"]  # no mojibake


def test_jsonl_with_one_broken_line_keeps_the_good_lines(
    client: TestClient, settings: Settings
) -> None:
    before = articles(client)
    good = [
        {"title": "Hafen Hamburg meldet Rekord", "text": ARTICLE + " Hamburg.", "date": "2022-03"},
        {"title": "Radwege in Kiel", "text": ARTICLE + " Radwege.", "date": "2022-04"},
    ]
    body = b"\n".join(
        [
            json.dumps(good[0]).encode(),
            b'{"title": "kaputt", "text": ',
            json.dumps(good[1]).encode(),
        ]
    )
    response = upload(client, ("export.jsonl", body))

    assert response.status_code == 201, response.text
    results = item_results(response)
    assert [(r["result"], r["line"]) for r in results if r["result"] == "rejected"] == [
        ("rejected", 2)
    ]
    bad = next(r for r in results if r["result"] == "rejected")
    assert bad["code"] == "malformed_json" and bad["source"] == "export.jsonl"
    assert response.json()["created"] == 2
    assert articles(client) == before + 2


# -- names, titles and markup ------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../../../../tmp/evil.txt", "..\\..\\windows\\evil.txt", "/etc/evil.txt", "a/../../evil.txt"],
)
def test_path_in_filename_is_never_used_as_a_path(
    client: TestClient, settings: Settings, tmp_path: Path, name: str
) -> None:
    outside_before = {p for p in tmp_path.rglob("*") if settings.data_dir not in p.parents}
    response = upload(client, (name, f"{ARTICLE} Dateiname {name}".encode()))

    assert response.status_code == 201, response.text
    (result,) = item_results(response)
    assert result["source"] == "evil.txt"
    article = client.get(f"/api/articles/{result['id']}").json()
    assert article["source_name"] == "evil.txt"
    disposition = client.get(f"/api/articles/{result['id']}/raw").headers["content-disposition"]
    assert ".." not in disposition and "/" not in disposition.split("filename*=")[0]
    outside_after = {p for p in tmp_path.rglob("*") if settings.data_dir not in p.parents}
    assert outside_after == outside_before


def test_ten_thousand_character_title_field_is_400(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = upload(client, ("a.txt", ARTICLE.encode()), title="T" * 10_000)
    error = assert_rejected(client, settings, response, before, 400)
    assert "title" in error["message"]


def test_ten_thousand_character_title_in_json_is_cut_to_a_readable_length(
    client: TestClient,
) -> None:
    before = articles(client)
    response = client.post("/api/articles", json={"title": "Überschrift " * 834, "text": ARTICLE})

    assert response.status_code == 201, response.text
    (result,) = item_results(response)
    title = client.get(f"/api/articles/{result['id']}").json()["title"]
    assert title.startswith("Überschrift Überschrift") and title.endswith("…")
    assert len(title) <= 300
    assert client.get(f"/artikel/{result['id']}").status_code == 200
    assert articles(client) == before + 1


def test_script_in_title_and_body_is_stored_but_always_rendered_escaped(
    client: TestClient,
) -> None:
    body = {
        "title": f"Werftbesuch {XSS}",
        "text": f"{ARTICLE} Zitat: {XSS} Ende.",
        "outlet": f"Kieler {XSS}",
    }
    response = client.post("/api/articles", json=body)
    assert response.status_code == 201, response.text
    (result,) = item_results(response)

    stored = client.get(f"/api/articles/{result['id']}").json()
    assert XSS in stored["title"] and XSS in stored["text"]  # stored as given
    pages = [
        client.get(f"/artikel/{result['id']}"),
        client.get("/", params={"q": "Werft Kiel"}),
        client.get("/", params={"q": XSS}),
        client.get("/", params={"q": "alert pressearchiv"}),
    ]
    for page in pages:
        assert page.status_code == 200, page.text
        assert "<script>alert" not in page.text
    assert "&lt;script&gt;" in pages[0].text
    hits = search(client, q="Werft Kiel").json()["hits"]
    snippet = next(h["snippet"] for h in hits if h["id"] == result["id"])
    assert "<script>" not in snippet  # the API snippet is HTML with <mark> only


def test_html_file_with_script_is_rendered_without_it(client: TestClient) -> None:
    page = (
        f"<!doctype html><html><head><title>Werft {XSS}</title></head><body><article>"
        f"<h1>Werft {XSS}</h1><p>{ARTICLE}</p><script>alert('body')</script>"
        f"<p>{XSS} Weiterer Absatz über die Werft in Kiel und den Schiffbau.</p>"
        "</article></body></html>"
    ).encode()
    response = upload(client, ("seite.html", page))
    assert response.status_code == 201, response.text
    (result,) = item_results(response)
    for url in (f"/artikel/{result['id']}", "/?q=Werft"):
        html = client.get(url).text
        assert "<script>alert" not in html


def test_deeply_nested_html_is_answered_without_a_server_error(
    client: TestClient, settings: Settings
) -> None:
    before = articles(client)
    nested = b"<div>" * 10_000 + ARTICLE.encode() + b"</div>" * 10_000
    response = upload(client, ("tief.html", b"<html><body>" + nested + b"</body></html>"))

    # Either the text survives, or a clear 422: never a 5xx, never a hang.
    if response.status_code == 201:
        assert articles(client) == before + 1
    else:
        assert_rejected(client, settings, response, before, 422)
        assert item_results(response)[0]["code"] == "not_an_article"


def test_impossible_date_field_is_400(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    response = upload(client, ("a.txt", ARTICLE.encode()), date="2022-13-45")
    error = assert_rejected(client, settings, response, before, 400, "invalid_date")
    assert "date" in error["message"]


@pytest.mark.parametrize(
    ("field", "value"),
    [("url", "javascript:alert(1)"), ("outlet", "x\x00y"), ("title", "A" * 501)],
)
def test_bad_override_fields_are_400(
    client: TestClient, settings: Settings, field: str, value: str
) -> None:
    before = articles(client)
    response = upload(client, ("a.txt", ARTICLE.encode()), **{field: value})
    error = assert_rejected(client, settings, response, before, 400)
    assert field in error["message"]


# -- queries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        '"Lawrow Genf',
        "Lawrow (Genf",
        "Lawrow) Genf(",
        '((("',
        '"""',
        "Genf)))",
        "NOT",
        "OR AND",
        "-",
        "title:",
        '"a b"~',
        "Lawrow~~~",
        "^^^",
        ":::",
    ],
)
def test_malformed_queries_degrade_to_a_200(client: TestClient, query: str) -> None:
    response = search(client, q=query)
    assert response.status_code == 200, response.text
    body = response.json()
    # A consistent answer: five samples fit on one page, so every match is listed.
    assert body["total"] == len(body["hits"]) <= articles(client)
    assert client.get("/", params={"q": query}).status_code == 200


@pytest.mark.parametrize("query", ["*", "?", "?*", "**", "*?*"])
def test_lone_wildcards_list_everything(client: TestClient, query: str) -> None:
    response = search(client, q=query)
    assert response.status_code == 200, response.text
    assert response.json()["total"] == articles(client)


def test_wildcards_over_a_large_vocabulary_stay_fast(client: TestClient) -> None:
    words = " ".join(f"a{n:05d}wort" for n in range(5000))
    response = client.post(
        "/api/articles", json={"title": "Wortliste", "text": f"{ARTICLE} {words}"}
    )
    assert response.status_code == 201, response.text

    for query in ("a*", "a?*", "*wort", "a*wort", "*0*", "?0*"):
        start = time.monotonic()
        found = search(client, q=query)
        assert found.status_code == 200, (query, found.text)
        assert time.monotonic() - start < 5, query
        assert not found.json()["timed_out"], query


def test_five_thousand_terms_are_refused_with_400(client: TestClient) -> None:
    response = search(client, q=" ".join(f"wort{n}" for n in range(5000)))
    assert "'q'" in assert_error(response, 400)["message"]


def test_more_words_than_the_parser_takes_are_400(client: TestClient) -> None:
    response = search(client, q=" ".join(f"w{n}" for n in range(200)))
    assert "64" in assert_error(response, 400, "query_too_complex")["message"]
    articles(client)  # still healthy


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"size": str(10**9)}, "size"),
        ({"size": "0"}, "size"),
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "abc"}, "page"),
        ({"page": "1e3"}, "page"),
        ({"page": "١٢"}, "page"),
        ({"page": str(10**30)}, "page"),
        ({"sort": "DROP TABLE"}, "sort"),
        ({"from": "2022-13"}, "from"),
        ({"from": "2022-02-30"}, "from"),
        ({"to": "gestern"}, "to"),
        ({"from": "2022", "to": "2020"}, "from"),
        ({"q": "Kiel\x00"}, "q"),
    ],
)
def test_bad_search_parameters_are_400_naming_the_culprit(
    client: TestClient, params: dict[str, str], name: str
) -> None:
    for path in ("/api/search", "/api/search.csv", "/api/search.jsonl"):
        error = assert_error(client.get(path, params=params), 400)
        assert f"'{name}'" in error["message"], error
    assert articles(client) > 0


def test_repeated_single_parameter_is_400(client: TestClient) -> None:
    assert_error(client.get("/api/search?page=1&page=2"), 400)


# -- access ----------------------------------------------------------------------------


@pytest.fixture
def token_client(tmp_path: Path) -> Iterator[tuple[TestClient, Settings]]:
    settings = _settings(tmp_path, api_token="richtiges-geheimnis")
    with TestClient(create_app(settings), client=LOOPBACK) as c:
        yield c, settings


def test_missing_token_is_401(token_client: tuple[TestClient, Settings]) -> None:
    client, settings = token_client
    before = articles(client)
    response = upload(client, ("a.txt", ARTICLE.encode()))
    assert_rejected(client, settings, response, before, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "token", [b"falsch", b"richtiges-geheimnisx", b"RICHTIGES-GEHEIMNIS", "geheimnis-ü".encode()]
)
def test_wrong_token_is_403(token_client: tuple[TestClient, Settings], token: bytes) -> None:
    client, settings = token_client
    before = articles(client)
    response = client.post(
        "/api/articles",
        files=[("file", ("a.txt", ARTICLE.encode(), "text/plain"))],
        headers={"authorization": b"Bearer " + token},
    )
    assert_rejected(client, settings, response, before, 403, "invalid_token")


def test_upload_from_another_machine_without_token_is_403(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    with TestClient(create_app(settings), client=("203.0.113.7", 40000)) as client:
        before = articles(client)
        response = upload(client, ("a.txt", ARTICLE.encode()))
        error = assert_rejected(client, settings, response, before, 403, "uploads_disabled")
        assert "PRESSEARCHIV_API_TOKEN" in error["message"]


# -- bodies that are not what we read ----------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/xml", "application/xml", "text/plain", "application/x-www-form-urlencoded"],
)
def test_unsupported_body_type_is_415(
    client: TestClient, settings: Settings, content_type: str
) -> None:
    before = articles(client)
    response = client.post(
        "/api/articles", content=b"<artikel>Text</artikel>", headers={"content-type": content_type}
    )
    assert_rejected(client, settings, response, before, 415, "unsupported_media_type")


@pytest.mark.parametrize("body", [b'{"title": ', b"{'text': 'single quotes'}", b"[1, 2,]", b"[]"])
def test_malformed_json_body_is_422(client: TestClient, settings: Settings, body: bytes) -> None:
    before = articles(client)
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert_rejected(client, settings, response, before, 422)
    assert item_results(response)[0]["code"] == "malformed_json"


@pytest.mark.parametrize("body", [b"null", b"42", b'"nur ein Satz"'])
def test_json_body_that_is_a_bare_value_is_422(
    client: TestClient, settings: Settings, body: bytes
) -> None:
    before = articles(client)
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert_rejected(client, settings, response, before, 422)


def test_json_nested_100000_levels_is_422(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    body = b"[" * 100_000 + b"]" * 100_000
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert_rejected(client, settings, response, before, 422)
    assert item_results(response)[0]["code"] == "malformed_json"


def test_deeply_nested_json_object_followed_by_a_second_line_is_422(
    client: TestClient, settings: Settings
) -> None:
    before = articles(client)
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b'\n{"text": "zweite Zeile"}\n'
    response = client.post(
        "/api/articles", content=body, headers={"content-type": "application/json"}
    )
    assert_rejected(client, settings, response, before, 422)


def test_deeply_nested_jsonl_file_rejects_the_line(client: TestClient, settings: Settings) -> None:
    before = articles(client)
    body = b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b'\n{"text": "zu kurz"}\n'
    response = upload(client, ("tief.jsonl", body))
    assert_rejected(client, settings, response, before, 422)
    assert item_results(response)[0]["line"] == 1


# -- ids, routes and methods ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/articles/0123456789abcdef",
        "/api/articles/..%2F..%2Fetc%2Fpasswd",
        "/api/articles/%2e%2e",
        "/api/articles/%2e%2e/raw",
        "/api/articles/..%5C..%5Cwindows/raw",
        "/api/articles/abc%00def",
        "/api/articles/0123456789abcdef/related",
        "/api/articles/%252e%252e%252f/raw",
        "/api/nichts",
        "/api/articles/a/b/c",
        "/static/../pressearchiv/settings.py",
        "/static/%2e%2e/app.py",
    ],
)
def test_unknown_ids_and_paths_are_404(client: TestClient, path: str) -> None:
    before = articles(client)
    assert_error(client.get(path), 404, "not_found")
    assert articles(client) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/api/articles"),
        ("PUT", "/api/search"),
        ("POST", "/api/search"),
        ("DELETE", "/api/articles/0123456789abcdef"),
        ("PATCH", "/healthz"),
    ],
)
def test_wrong_method_is_405(client: TestClient, method: str, path: str) -> None:
    assert_error(client.request(method, path), 405, "method_not_allowed")
    assert articles(client) > 0


# -- a real server: limits enforced while the body streams ------------------------------------

REAL_FILE_LIMIT = 64 * 1024
REAL_REQUEST_LIMIT = 1024 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    folder = tmp_path_factory.mktemp("hostile-server")
    running = Server(
        folder / "data",
        folder / "serve.log",
        PRESSEARCHIV_MAX_FILE_BYTES=str(REAL_FILE_LIMIT),
        PRESSEARCHIV_MAX_REQUEST_BYTES=str(REAL_REQUEST_LIMIT),
    ).start()
    try:
        yield running
    finally:
        running.stop()


def raw_exchange(
    port: int, head: bytes, parts: list[bytes], timeout: float = 15
) -> tuple[int, dict]:  # type: ignore[type-arg]
    """Send ``head`` and then ``parts`` (never the whole body); return status and JSON body.

    The response has to arrive while the body is still incomplete: we stop
    sending and read, so a server that waited for the rest would time out.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head)
        for part in parts:
            try:
                sock.sendall(part)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server stopped reading: it has answered already
        data = b""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in data and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        header_text, _, body = data.partition(b"\r\n\r\n")
        lines = header_text.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
        length = int({k.lower(): v for k, v in headers.items()}.get("content-length", "0"))
        while len(body) < length and time.monotonic() < deadline:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
    return status, json.loads(body)


def _multipart_head(port: int, boundary: str, length: int | None) -> bytes:
    framing = (
        f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    )
    return (
        f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n{framing}\r\n"
    ).encode()


def _file_preamble(boundary: str) -> bytes:
    return (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="gross.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()


def _real_count(server: Server) -> int:
    health = httpx.get(f"{server.url}/healthz", timeout=10)
    assert health.status_code == 200
    return int(health.json()["articles"])


def _no_spooled_files(server: Server) -> None:
    tmp = server.data_dir / "tmp"
    deadline = time.monotonic() + 5
    while any(tmp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(tmp.iterdir()), list(tmp.iterdir())


@pytest.mark.slow
def test_real_server_refuses_an_announced_huge_body_before_any_byte_of_it(server: Server) -> None:
    before = _real_count(server)
    status, body = raw_exchange(
        server.port, _multipart_head(server.port, "b0undary", 50 * 1024**3), []
    )
    assert status == 413 and body["error"]["code"] == "payload_too_large", body
    assert _real_count(server) == before
    _no_spooled_files(server)


@pytest.mark.slow
def test_real_server_cuts_off_a_file_over_the_limit_while_it_streams(server: Server) -> None:
    before = _real_count(server)
    boundary = "b0undary"
    announced = REAL_REQUEST_LIMIT - 1024  # under the request limit, far over the file limit
    parts = [_file_preamble(boundary)] + [b"Wort " * 3277] * 12  # ~196 KB of the ~1 MB
    status, body = raw_exchange(
        server.port, _multipart_head(server.port, boundary, announced), parts
    )
    assert status == 413, body
    assert body["error"]["code"] == "payload_too_large"
    assert "gross.txt" in body["error"]["message"]
    assert _real_count(server) == before
    _no_spooled_files(server)


@pytest.mark.slow
def test_real_server_cuts_off_a_chunked_upload_without_length(server: Server) -> None:
    before = _real_count(server)
    boundary = "b0undary"
    payload = b"Wort " * 3277
    chunks = [_file_preamble(boundary)] + [payload] * 12  # never the final 0-chunk
    framed = [f"{len(c):x}\r\n".encode() + c + b"\r\n" for c in chunks]
    status, body = raw_exchange(server.port, _multipart_head(server.port, boundary, None), framed)
    assert status == 413 and body["error"]["code"] == "payload_too_large", body
    assert _real_count(server) == before
    _no_spooled_files(server)


@pytest.mark.slow
def test_real_server_cuts_off_a_chunked_json_body_over_the_limit(server: Server) -> None:
    before = _real_count(server)
    head = (
        f"POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    chunk = b"[" * 16384
    framed = [f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"] * 12
    status, body = raw_exchange(server.port, head, framed)
    assert status == 413 and body["error"]["code"] == "payload_too_large", body
    assert _real_count(server) == before


@pytest.mark.slow
def test_real_server_answers_a_100_kb_query_string_with_400(server: Server) -> None:
    head = (
        f"GET /api/search?q={'a' * 100_000}&outlet={'b' * 1000} HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n"
    ).encode()
    status, body = raw_exchange(server.port, head, [])
    assert status == 400 and "'q'" in body["error"]["message"], body
    assert _real_count(server) > 0


@pytest.mark.slow
def test_real_server_stays_healthy_after_the_hostile_requests(server: Server) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as client:
        response = client.post(
            "/api/articles", files=[("file", ("ok.txt", ARTICLE.encode(), "text/plain"))]
        )
        assert response.status_code == 201, response.text
        found = client.get("/api/search", params={"q": '"Zukunft des Schiffbaus"'})
        assert found.json()["total"] == 1
