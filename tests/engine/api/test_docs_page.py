"""The API docs page works offline: Swagger UI's script, styles and icon come from this server
(the fastapi-offline package, Swagger UI 5), never from a CDN, and nothing on the page points
elsewhere."""

from __future__ import annotations

import re

from tests.engine.api.conftest import Api

ATTRIBUTE = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")


def test_docs_page_references_only_this_server(api: Api) -> None:
    page = api.client.get("/api/v1/docs")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "://" not in html, "an absolute URL on the docs page: it would not load offline"
    assert "//" not in re.sub(r"<script>.*?</script>", "", html, flags=re.S).replace(
        "<!DOCTYPE html>", ""
    ), "a protocol-relative URL"
    assets = ATTRIBUTE.findall(html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
    assert "<script>" not in html, "no inline script: the page starts Swagger UI from a file"
    start = next(u for u in assets if u.endswith("/start.js"))
    script = api.client.get(start).text
    assert '"/openapi.json"' in script
    # Swagger UI's default validator badge loads an image from the internet: it is off.
    assert re.search(r"validatorUrl\s*:\s*null", script)


def test_every_asset_of_the_docs_page_answers(api: Api) -> None:
    html = api.client.get("/api/v1/docs").text
    for url in ATTRIBUTE.findall(html):
        reply = api.client.get(url)
        assert reply.status_code == 200, url
        assert len(reply.content) > 100, url
        if url.endswith(".js"):
            assert "javascript" in reply.headers["content-type"], url
            assert "SwaggerUIBundle" in reply.text
        if url.endswith(".css"):
            assert reply.headers["content-type"].startswith("text/css"), url
    assert api.client.get("/openapi.json").status_code == 200


def test_docs_assets_do_not_list_or_leave_their_folder(api: Api) -> None:
    html = api.client.get("/api/v1/docs").text
    script = next(u for u in ATTRIBUTE.findall(html) if u.endswith(".js"))
    folder = script.rsplit("/", 1)[0]
    assert api.client.get(folder + "/").status_code == 404
    assert api.client.get(folder + "/..%2F..%2Fpyproject.toml").status_code == 404
