"""The documents pages: a searchable list with the status on both sides and the blue Xero
stamp that opens the document in Xero (the sandbox's page here); a document's history of
versions, sends, reads and events, and its errors; nothing of another workspace."""

from __future__ import annotations

import html
import re
from typing import Any

import httpx2
from sqlalchemy import select

from ledgerlink.store.models import Document
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.web.conftest import Browser
from tests.engine.web.test_queue_pages import invoice, text

Make = Any  # the ``people`` fixture


def document_id(api: Api, source_id: str) -> str:
    with api.services.factory() as session:
        found = session.scalar(select(Document.id).where(Document.source_id == source_id))
    assert found is not None
    return found


def owner_with(api: Api, people: Make, bodies: list[dict[str, Any]]) -> tuple[Browser, str]:
    owner = people("owner")
    owner.sign_in()
    cid = api.custom(owner.api_key)
    for body in bodies:
        reply = api.call("PUT", f"/documents/invoice/{body['source_id']}", owner.api_key, json=body)
        assert reply.status_code == 200, reply.text
    api.services.sync(max_seconds=60)
    return owner, cid


def stamps(page: str) -> dict[str, str]:
    """The Xero stamps on a page: their text by the address they open."""
    found = re.findall(r'<a class="stamp" href="([^"]+)"[^>]*>([^<]*)</a>', page)
    return {html.unescape(href): label for href, label in found}


def test_the_list_shows_both_sides_and_the_stamp_opens_the_document_in_xero(
    api: Api, people: Make
) -> None:
    owner, cid = owner_with(api, people, [invoice("inv-1", "200"), invoice("inv-2")])
    page = owner.get("/documents")
    assert page.status_code == 200
    rest = api.call("GET", "/documents/invoice/inv-1", owner.api_key).json()["link"]
    assert stamps(page.text) == {rest["url"]: "Xero INV-1"}
    seen = text(page.text)
    assert "invoice inv-1 INV-1 · version 1" in seen
    assert "Bayside Club Done Xero INV-1 AUTHORISED (sent)" in seen
    assert "Needs attention not in Xero" in seen  # inv-2: held, never sent
    assert "Done 1" in seen and "Needs attention 1" in seen

    opened = httpx2.get(rest["url"], follow_redirects=True, timeout=10)  # the sandbox's page
    assert opened.status_code == 200 and "INV-1" in opened.text


@BOTH_DATABASES
def test_search_by_source_id_number_or_contact_with_filters_and_paging(
    api: Api, people: Make
) -> None:
    bodies = [invoice(f"job-{n}", "200") for n in range(3)]
    bodies[1]["contact"] = {"key": "c-9", "name": "Harbour Café 100%"}
    bodies[2]["number"] = "SPECIAL-77"
    owner, cid = owner_with(api, people, bodies)

    def found(params: str) -> list[str]:
        page = owner.get(f"/documents?{params}")
        assert page.status_code == 200, page.text
        return re.findall(r"invoice (job-\d)</a>", page.text)

    assert sorted(found("q=JOB-")) == ["job-0", "job-1", "job-2"]
    assert found("q=harbour+caf%C3%A9") == ["job-1"]  # the contact's name, any case
    assert found("q=100%25") == ["job-1"]  # a % is a character, not a wildcard
    assert found("q=10_") == []  # and so is _
    assert found("q=special-7") == ["job-2"]  # the number
    assert found("q=nothing-like-it") == []
    assert found(f"q=job&kind=invoice&connection={cid}&state=done") != []
    assert found("kind=expense") == []
    first, second = owner.get("/documents?limit=2"), owner.get("/documents?limit=2&offset=2")
    assert 'href="/documents?limit=2&amp;offset=2" rel="next"' in first.text
    assert len(found("limit=2")) == 2 and len(found("limit=2&offset=2")) == 1
    assert 'rel="prev"' in second.text
    assert owner.get("/documents?state=sideways").status_code == 422
    assert owner.get("/documents?q=" + "x" * 201).status_code == 422


def test_a_documents_history(api: Api, people: Make) -> None:
    owner, cid = owner_with(api, people, [invoice("inv-1", "200")])
    changed = invoice("inv-1", "200") | {"reference": "Second thoughts"}
    assert api.call("PUT", "/documents/invoice/inv-1", owner.api_key, json=changed).is_success
    api.services.sync(max_seconds=60)
    doc = document_id(api, "inv-1")
    page = owner.get(f"/documents/{doc}")
    assert page.status_code == 200
    seen = text(page.text)
    rest = api.call("GET", "/documents/invoice/inv-1", owner.api_key).json()
    assert list(stamps(page.text)) == [rest["link"]["url"]]
    assert "Status AUTHORISED (the app reads sent)" in seen
    assert re.search(r"Versions Version Content hash Received 2 \w+ .* 1 \w+", seen)
    assert seen.count("ledgerlink-") >= 2  # a create and an update, each with its key
    assert "PUT /Invoices" in seen or "POST /Invoices" in seen
    assert "document.synced" in seen and "version 2" in seen
    assert "Errors None." in seen
    assert seen.count("Done") >= 2  # both versions' items


def test_a_held_documents_errors_and_another_workspace(api: Api, people: Make) -> None:
    owner, cid = owner_with(api, people, [invoice("inv-2")])
    doc = document_id(api, "inv-2")
    seen = text(owner.get(f"/documents/{doc}").text)
    assert (
        "Errors XERO_ACCOUNT_CODE_MISSING · field lines[0].account_code (version 1, Needs" in seen
    )
    assert "Fix: Set an account code on the line" in seen
    assert "document.held" in seen and "error XERO_ACCOUNT_CODE_MISSING" in seen
    assert "Not in Xero yet." in seen

    viewer = people("viewer", workspace=owner.workspace_id, email="viewer@example.com")
    viewer.sign_in()
    assert viewer.get(f"/documents/{doc}").status_code == 200
    stranger = people("owner")
    stranger.sign_in()
    assert stranger.get(f"/documents/{doc}").status_code == 404
    assert stranger.get(f"/documents?connection={cid}").status_code == 404
    assert "inv-2" not in stranger.get("/documents?q=inv").text
