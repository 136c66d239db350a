"""The sync queue page: filters, live counts, each held item with its code, field, sentence,
fix and the page that fixes it; retry one, retry all of a code, dismiss; a viewer reads it but
changes nothing; another workspace's items and connections are not found."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from sqlalchemy import select

from ledgerlink.store.models import QueueItem
from ledgerlink.web.pages_queue import fix_for
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.web.conftest import Browser
from xero_sandbox.seed import DEMO_TENANT

Make = Any  # the ``people`` fixture


def invoice(source_id: str, account_code: str | None = None) -> dict[str, Any]:
    line: dict[str, Any] = {"description": "Design", "unit_amount": "150.00"}
    if account_code:
        line["account_code"] = account_code
    return {
        "source_id": source_id,
        "number": source_id.upper(),
        "contact": {"key": "c-1", "name": "Bayside Club"},
        "issue_date": "2026-03-02",
        "due_date": "2026-04-01",
        "status": "sent",
        "lines": [line],
    }


def owner_with_held(api: Api, people: Make, *sources: str) -> tuple[Browser, str]:
    """A signed-in owner whose connection holds each source's invoice: no account code on
    the line, none by default (XERO_ACCOUNT_CODE_MISSING)."""
    owner = people("owner")
    owner.sign_in()
    cid = api.custom(owner.api_key)
    for source in sources:
        put = api.call("PUT", f"/documents/invoice/{source}", owner.api_key, json=invoice(source))
        assert put.status_code == 200, put.text
    api.services.sync(max_seconds=60)
    return owner, cid


def item_ids(api: Api, state: str | None = None) -> dict[str, str]:
    """Queue item ids by state (in a test with one workspace)."""
    with api.services.factory() as session:
        rows = session.execute(select(QueueItem.id, QueueItem.state)).all()
    return {item: st for item, st in rows if state is None or st == state}


def in_xero(api: Api, number: str) -> int:
    org = api.sandbox.state.orgs[DEMO_TENANT]
    return sum(1 for r in org.invoices.values() if r.get("InvoiceNumber") == number)


def text(page: str) -> str:
    """What a person reads: the tags gone, the spaces joined."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_a_held_item_shows_its_code_field_sentence_fix_and_the_page_that_fixes_it(
    api: Api, people: Make
) -> None:
    owner, cid = owner_with_held(api, people, "inv-1")
    page = owner.get("/queue")
    assert page.status_code == 200
    seen = text(page.text)
    assert "XERO_ACCOUNT_CODE_MISSING · field lines[0].account_code" in seen
    assert "lines[0].account_code is missing: neither the line, an item override nor the" in seen
    assert "Fix: Set an account code on the line, an item override, or the connection's" in seen
    assert "Set the connection's default account and tax type, then retry." in seen
    assert f'<a href="/connections/{cid}/edit">Edit connection</a>' in page.text
    assert "Needs attention 1" in seen
    assert "Retry all 1 with XERO_ACCOUNT_CODE_MISSING" in seen


@pytest.mark.parametrize(
    ("code", "field", "line", "sentence", "href"),
    [
        ("XERO_ACCOUNT_CODE_INVALID", "lines[0].account_code", {}, "default account", "edit"),
        (
            "XERO_TAX_TYPE_INVALID",
            "lines[0].tax_type",
            {"item_code": "CONSULT"},
            "Mappings",
            "/mappings?connection=c1",
        ),
        (
            "XERO_ACCOUNT_CODE_INVALID",
            "lines[0].account_code",
            {"account_code": "9"},
            "correct it in the source app",
            None,
        ),
        ("PAYMENT_ACCOUNT_MISSING", "account_code", {}, "connection's settings", "edit"),
        ("XERO_CURRENCY_NOT_ENABLED", "currency", {}, "Enable the currency in Xero", "/"),
        ("CONNECTION_NEEDS_REAUTH", None, {}, "Reconnect", "/"),
        ("CONNECTION_SWITCHED_OFF", None, {}, "Switch the connection on", "/"),
    ],
)
def test_each_code_links_to_what_fixes_it(
    code: str, field: str | None, line: dict[str, str], sentence: str, href: str | None
) -> None:
    found = fix_for(code, field, {"lines": [line]}, "c1")
    assert found is not None and sentence in found.sentence
    assert found.href == ("/connections/c1/edit" if href == "edit" else href)


def test_an_unknown_code_links_nowhere() -> None:
    assert fix_for("XERO_VALIDATION", "lines", {}, "c1") is None


@BOTH_DATABASES
def test_dismiss_and_retry_from_the_page(api: Api, people: Make) -> None:
    owner, cid = owner_with_held(api, people, "inv-1")
    [item] = item_ids(api)
    back = f"/queue?connection={cid}"
    done = owner.post(f"/queue/{item}/dismiss", {"back": back}, from_page="/queue")
    assert done.status_code == 303 and done.headers["location"] == back + "&said=dismissed"
    page = text(owner.get(done.headers["location"]).text)
    assert "Dismissed: it stays listed and is never sent." in page
    assert "Dismissed: kept here, never sent. Retry brings it back." in page
    assert item_ids(api) == {item: "dismissed"}

    api.services.sync(max_seconds=60)
    assert item_ids(api) == {item: "dismissed"} and in_xero(api, "INV-1") == 0

    settings = {"default_revenue_account": "200"}
    patched = api.call("PATCH", f"/connections/{cid}/settings", owner.api_key, json=settings)
    assert patched.status_code == 200, patched.text
    retried = owner.post(f"/queue/{item}/retry", {"back": "https://evil.example/"})
    assert retried.headers["location"] == "/queue?said=retried"  # never off-site
    assert item_ids(api) == {item: "queued"}
    api.services.sync(max_seconds=60)
    assert item_ids(api) == {item: "done"} and in_xero(api, "INV-1") == 1


def test_dismissing_a_sent_item_is_refused_with_the_reason(api: Api, people: Make) -> None:
    owner = people("owner")
    owner.sign_in()
    api.custom(owner.api_key)
    api.call("PUT", "/documents/invoice/inv-9", owner.api_key, json=invoice("inv-9", "200"))
    api.services.sync(max_seconds=60)
    [item] = item_ids(api, "done")
    refused = owner.post(f"/queue/{item}/dismiss", from_page="/queue")
    assert refused.status_code == 409
    assert f"Queue item {item} is done: only failed or held items can be dismissed." in text(
        refused.text
    )
    assert "field state" in text(refused.text)
    assert f"/queue/{item}/dismiss" not in owner.get("/queue").text  # no button for it either


def test_retry_all_of_a_code(api: Api, people: Make) -> None:
    owner, cid = owner_with_held(api, people, "inv-1", "inv-2")
    api.call(
        "PATCH",
        f"/connections/{cid}/settings",
        owner.api_key,
        json={"default_revenue_account": "200"},
    )
    moved = owner.post(
        "/queue/retry-code",
        {"code": "XERO_ACCOUNT_CODE_MISSING", "connection": cid, "back": "/queue"},
    )
    assert moved.status_code == 303 and moved.headers["location"] == "/queue?said=retried"
    assert sorted(item_ids(api).values()) == ["queued", "queued"]
    again = owner.post("/queue/retry-code", {"code": "XERO_ACCOUNT_CODE_MISSING"})
    assert again.status_code == 409
    assert "code: no held or failed item has XERO_ACCOUNT_CODE_MISSING now" in text(again.text)
    bad = owner.post("/queue/retry-code", {"code": ""})
    assert bad.status_code == 422 and "field code" in text(bad.text)


def test_filters_paging_and_live_counts(api: Api, people: Make) -> None:
    owner, cid = owner_with_held(api, people, "inv-1", "inv-2", "inv-3")
    page = owner.get("/queue?state=needs_attention&limit=2")
    assert page.status_code == 200
    assert page.text.count('<tr id="item-') == 2
    assert 'href="/queue?state=needs_attention&amp;limit=2&amp;offset=2" rel="next"' in page.text
    assert 'data-live="/queue/counts?state=needs_attention"' in page.text
    second = owner.get("/queue?state=needs_attention&limit=2&offset=2")
    assert second.text.count('<tr id="item-') == 1 and 'rel="prev"' in second.text

    counts = owner.get(f"/queue/counts?connection={cid}&kind=invoice", headers={"X-Partial": "1"})
    assert counts.status_code == 200 and "<html" not in counts.text
    assert '<span class="badge bad" data-state="needs_attention">3</span>' in counts.text
    assert '<span class="badge " data-state="queued">0</span>' in counts.text
    none = owner.get("/queue?kind=expense")
    assert "Nothing in the queue with these filters." in text(none.text)
    assert owner.get("/queue?state=sideways").status_code == 422
    assert "field offset" in text(owner.get("/queue?offset=-1").text)
    assert owner.get("/queue?kind=spaceship").status_code == 404


def test_a_viewer_sees_the_queue_but_cannot_change_it(api: Api, people: Make) -> None:
    owner, cid = owner_with_held(api, people, "inv-1")
    [item] = item_ids(api)
    viewer = people("viewer", workspace=owner.workspace_id, email="viewer@example.com")
    viewer.sign_in()
    page = viewer.get("/queue")
    assert page.status_code == 200 and "XERO_ACCOUNT_CODE_MISSING" in page.text
    assert 'method="post" action="/queue/' not in page.text  # no retry, dismiss or retry-all
    for path, data in (
        (f"/queue/{item}/retry", {}),
        (f"/queue/{item}/dismiss", {}),
        ("/queue/retry-code", {"code": "XERO_ACCOUNT_CODE_MISSING"}),
    ):
        refused = viewer.post(path, data, from_page="/queue")
        assert refused.status_code == 403, path
        assert "ROLE_FORBIDDEN" in refused.text
    assert item_ids(api) == {item: "needs_attention"}


def test_another_workspaces_queue_is_not_found(api: Api, people: Make) -> None:
    owner, cid = owner_with_held(api, people, "inv-1")
    [item] = item_ids(api)
    stranger = people("owner")
    stranger.sign_in()
    assert "XERO_ACCOUNT_CODE_MISSING" not in stranger.get("/queue").text
    assert stranger.get(f"/queue?connection={cid}").status_code == 404
    assert stranger.get(f"/queue/counts?connection={cid}").status_code == 404
    for path, data in (
        (f"/queue/{item}/retry", {}),
        (f"/queue/{item}/dismiss", {}),
        ("/queue/retry-code", {"code": "XERO_ACCOUNT_CODE_MISSING", "connection": cid}),
    ):
        assert stranger.post(path, data, from_page="/queue").status_code == 404, path
    assert item_ids(api) == {item: "needs_attention"}
    missing_csrf = owner.post(f"/queue/{item}/dismiss", csrf="")
    assert missing_csrf.status_code == 403 and "CSRF_FAILED" in missing_csrf.text
