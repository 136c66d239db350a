"""Customers and suppliers on the pages the registry gives every kind: the documents list
(their own name in the contact column, found by a search for it, the Xero stamp opening the
contact), the queue (filtered by kind, a held one with its code and field), and the
connection's "What syncs" switches (a row each; switched off, a supplier is held until it is
switched back on)."""

from __future__ import annotations

import re
from typing import Any

from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.web.forms import form
from tests.engine.web.test_documents_pages import stamps
from tests.engine.web.test_queue_pages import invoice, text

Make = Any  # the ``people`` fixture


def customer(source_id: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Bayside Club", "email": "accounts@bayside.example"}
    body.update(changes)
    return body


def _put(api: Api, key: str, kind: str, source_id: str, body: dict[str, Any]) -> None:
    reply = api.call("PUT", f"/documents/{kind}/{source_id}", key, json=body)
    assert reply.status_code == 200, reply.text


@BOTH_DATABASES
def test_customers_and_suppliers_are_listed_searched_and_stamped(api: Api, people: Make) -> None:
    owner = people("owner")
    owner.sign_in()
    api.custom(owner.api_key)
    _put(api, owner.api_key, "customer", "c-1", customer("c-1"))  # the invoice's contact key
    _put(api, owner.api_key, "invoice", "inv-1", invoice("inv-1", "200"))
    body = {"name": "Timber Mill", "purchase_account_code": "999"}
    _put(api, owner.api_key, "supplier", "s-1", body)  # no such account: held
    api.services.sync(max_seconds=60)

    page = owner.get("/documents")
    assert page.status_code == 200
    seen = text(page.text)
    assert "customer c-1" in seen and "supplier s-1" in seen
    rest = api.call("GET", "/documents/customer/c-1", owner.api_key).json()["link"]
    assert "%2FContacts%2FView%2F" in rest["url"]  # the contact's page in Xero
    # the organisation's own Bayside Club, found by its name, keeps its contact number
    assert stamps(page.text)[rest["url"]] == "Xero CUST-001"

    def found(params: str) -> list[str]:
        listed = owner.get(f"/documents?{params}")
        assert listed.status_code == 200, listed.text
        return sorted(re.findall(r"(customer|supplier|invoice) ([a-z]+-\d)</a>", listed.text))

    assert found("q=bayside") == [("customer", "c-1"), ("invoice", "inv-1")]
    assert found("q=timber+mill") == [("supplier", "s-1")]
    assert found("kind=customer") == [("customer", "c-1")]

    queue = owner.get("/queue?kind=supplier")
    assert queue.status_code == 200
    held = text(queue.text)
    assert "XERO_ACCOUNT_CODE_INVALID" in held and "purchase_account_code" in held
    assert "inv-1" not in held


def test_what_syncs_has_a_switch_for_customers_and_suppliers(api: Api, people: Make) -> None:
    owner = people("owner")
    owner.sign_in()
    cid = api.custom(owner.api_key)
    action = f"/connections/{cid}/edit"
    page = owner.get(action).text
    assert "Customers" in text(page) and "Suppliers" in text(page)
    shown = form(page, action)
    assert {"customer", "supplier"} <= set(shown.many("send")) & set(shown.many("read"))
    data: dict[str, Any] = {k: v for k, v in shown.fields if k not in ("send", "read")}
    del data["csrf_token"]
    data["send"] = [k for k in shown.many("send") if k != "supplier"]
    data["read"] = shown.many("read")
    assert owner.post(action, data, from_page=action).status_code == 303

    _put(api, owner.api_key, "supplier", "s-2", {"name": "Timber Mill"})
    api.services.sync()
    held = api.call("GET", "/documents/supplier/s-2", owner.api_key).json()["sync"]
    assert held["state"] == "needs_attention" and held["error"]["code"] == "KIND_NOT_SENT"

    data["send"] = shown.many("send")
    assert owner.post(action, data, from_page=action).status_code == 303
    api.services.sync()
    sent = api.call("GET", "/documents/supplier/s-2", owner.api_key).json()
    assert sent["sync"]["state"] == "done" and sent["link"]["status"] == "ACTIVE"
