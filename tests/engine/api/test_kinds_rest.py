"""The job-management flow through REST against the sandbox: the registry's kinds in the
OpenAPI, a PO approved and reverted, a credit note applied to an invoice not yet in Xero, a
payment, "Refresh from Xero", the documents list, Xero's lists for dropdowns, branches and the
invoice number sequence."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerlink import kinds
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.kinds.conftest import credit_note, payment, purchase_order
from tests.engine.sync.conftest import invoice
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT

DEFAULTS = {
    "default_revenue_account": "200",
    "default_sales_tax_type": "OUTPUT",
    "default_expense_account": "429",
    "default_purchase_tax_type": "INPUT",
}


def _connected(api: Api) -> tuple[str, str]:
    key = api.workspace()
    cid = api.custom(key)
    reply = api.call("PATCH", f"/connections/{cid}/settings", key, json=DEFAULTS)
    assert reply.status_code == 200, reply.text
    return key, cid


def _put(api: Api, key: str, kind: str, doc: dict[str, Any]) -> None:
    reply = api.call("PUT", f"/documents/{kind}/{doc['source_id']}", key, json=doc)
    assert reply.status_code == 200, reply.text


def _sync(api: Api, key: str, cid: str) -> dict[str, Any]:
    ran = api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})
    assert ran.status_code == 200, ran.text
    return dict(ran.json())


def _get(api: Api, key: str, kind: str, source_id: str) -> dict[str, Any]:
    reply = api.call("GET", f"/documents/{kind}/{source_id}", key)
    assert reply.status_code == 200, reply.text
    return dict(reply.json())


def test_the_openapi_lists_every_kind_with_its_schema(api: Api) -> None:
    spec = api.client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for kind in kinds.all_kinds():
        assert kind.schema_name in schemas, kind.name
    put = spec["paths"]["/api/v1/documents/{kind}/{source_id}"]["put"]
    body = put["requestBody"]["content"]["application/json"]["schema"]
    refs = {one["$ref"].rsplit("/", 1)[1] for one in body["oneOf"]}
    assert refs == {k.schema_name for k in kinds.all_kinds()}
    assert schemas["Payment"]["properties"]["document"]
    assert "allocations" in schemas["CreditNote"]["properties"]


@BOTH_DATABASES
def test_purchase_orders_credit_notes_and_payments_through_rest(api: Api) -> None:
    key, cid = _connected(api)
    _put(api, key, "purchase_order", purchase_order(1))
    note = credit_note(1, allocations=[{"document": "inv-1", "amount": "40.00"}])
    _put(api, key, "credit_note", note)  # before its invoice: the invoice goes first
    _put(api, key, "invoice", invoice(1, status="sent"))
    _put(api, key, "payment", payment(1, "inv-1", "60.00"))
    counts = _sync(api, key, cid)["job"]["counts"]
    assert counts["synced"] == 4 and counts["held"] == 0, counts  # the CN once allocated

    po = _get(api, key, "purchase_order", "po-1")
    assert (po["link"]["status"], po["link"]["source_status"]) == ("SUBMITTED", "approved")
    _put(api, key, "purchase_order", purchase_order(1, status="draft"))
    _sync(api, key, cid)
    po = _get(api, key, "purchase_order", "po-1")
    assert po["link"]["status"] == "SUBMITTED"
    assert "back to Draft" in po["link"]["note"]

    inv = _get(api, key, "invoice", "inv-1")
    cn = _get(api, key, "credit_note", "cn-1")
    assert cn["link"]["allocations"] == {inv["link"]["xero_id"].lower(): "40.00"}
    org = api.sandbox.state.orgs[DEMO_TENANT]
    [made] = [p for p in org.payments.values() if p.get("Status") != "DELETED"]
    assert made["Account"]["Code"] == "090"

    total = Decimal(inv["link"]["total"])
    _put(api, key, "payment", payment(2, "inv-1", str(total - Decimal("100.00"))))
    _sync(api, key, cid)
    refreshed = api.call("POST", "/documents/invoice/inv-1/refresh", key)
    assert refreshed.status_code == 200, refreshed.text
    link = refreshed.json()["link"]
    assert (link["status"], link["source_status"]) == ("PAID", "paid")
    assert Decimal(link["amount_due"]) == 0 and link["paid_date"] == "2026-03-15"
    assert Decimal(link["amount_paid"]) == total - Decimal("40.00")
    assert Decimal(link["amount_credited"]) == Decimal("40.00")
    assert link["refreshed_at"]

    listed = api.call("GET", "/documents?kind=payment&state=done&limit=1", key).json()
    assert listed["counts"] == {"done": 2}
    assert len(listed["documents"]) == 1 and listed["documents"][0]["link"]["status"]
    everything = api.call("GET", "/documents", key).json()
    assert {d["kind"] for d in everything["documents"]} == {
        "invoice",
        "purchase_order",
        "credit_note",
        "payment",
    }


@BOTH_DATABASES
def test_lists_for_dropdowns_fit_the_kind(api: Api) -> None:
    key, cid = _connected(api)
    assert api.call("POST", f"/connections/{cid}/reference/refresh", key).status_code == 200

    def codes(query: str) -> dict[str, str]:
        reply = api.call("GET", f"/connections/{cid}/lists/accounts{query}", key)
        assert reply.status_code == 200, reply.text
        return {a["code"]: a["class"] for a in reply.json()["items"]}

    assert set(codes("?kind=invoice").values()) == {"REVENUE"}
    assert set(codes("?kind=purchase_order").values()) <= {"EXPENSE", "LIABILITY"}
    assert "429" in codes("?kind=expense") and "200" not in codes("?kind=expense")
    assert set(codes("?kind=credit_note&variant=supplier").values()) <= {"EXPENSE", "LIABILITY"}
    assert "090" in codes("?kind=payment") and "200" not in codes("?kind=payment")
    rates = api.call("GET", f"/connections/{cid}/lists/tax_rates?account_code=200", key).json()
    assert "OUTPUT" in {r["tax_type"] for r in rates["items"]}
    assert "INPUT" not in {r["tax_type"] for r in rates["items"]}
    for name in ("items", "tracking", "currencies"):
        reply = api.call("GET", f"/connections/{cid}/lists/{name}", key)
        assert reply.status_code == 200, reply.text
    bad = api.call("GET", f"/connections/{cid}/lists/accounts?kind=invoice&variant=x", key)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "variant"


@BOTH_DATABASES
def test_a_branch_routes_to_its_connection(api: Api) -> None:
    key = api.workspace()
    made = {c["tenant_id"]: c["id"] for c in api.connect(key, tenants="demo,uk")}
    demo, uk = made[DEMO_TENANT], made[UK_TENANT]
    for cid, branch in ((demo, "Sydney"), (uk, "London")):
        reply = api.call(
            "PATCH",
            f"/connections/{cid}/settings",
            key,
            json={"branches": [branch], "default_revenue_account": "200"},
        )
        assert reply.status_code == 200, reply.text
    sydney = invoice(1, branch="Sydney")
    london = invoice(2, branch="london", currency="GBP")
    reply = api.call("POST", "/documents/invoice/bulk", key, json=[sydney, london])
    assert reply.status_code == 200 and reply.json()["counts"] == {"created": 2}, reply.text
    assert _get(api, key, "invoice", "inv-1")["connection_id"] == demo
    assert _get(api, key, "invoice", "inv-2")["connection_id"] == uk
    for cid in (demo, uk):
        _sync(api, key, cid)
    numbers = {
        tenant: {r.get("InvoiceNumber") for r in org.invoices.values()}
        for tenant, org in api.sandbox.state.orgs.items()
    }
    assert "LL-00001" in numbers[DEMO_TENANT] and "LL-00001" not in numbers[UK_TENANT]
    assert "LL-00002" in numbers[UK_TENANT] and "LL-00002" not in numbers[DEMO_TENANT]
    unknown = api.call("PUT", "/documents/invoice/inv-3", key, json=invoice(3, branch="Perth"))
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "BRANCH_UNKNOWN"


@BOTH_DATABASES
def test_invoices_without_numbers_take_the_connection_s_sequence_once(api: Api) -> None:
    key, cid = _connected(api)
    sequence = {"invoice_number_prefix": "JOB-", "invoice_next_number": 100}
    assert api.call("PATCH", f"/connections/{cid}/settings", key, json=sequence).status_code == 200
    docs = [invoice(n, number=None) for n in range(3)]
    for doc in docs:
        doc.pop("number")
    assert api.call("POST", "/documents/invoice/bulk", key, json=docs).status_code == 200
    _sync(api, key, cid)
    changed = dict(docs[0], reference="Changed")
    _put(api, key, "invoice", changed)
    _sync(api, key, cid)
    org = api.sandbox.state.orgs[DEMO_TENANT]
    numbers = sorted(
        str(r["InvoiceNumber"])
        for r in org.invoices.values()
        if str(r.get("InvoiceNumber")).startswith("JOB-")
    )
    assert numbers == ["JOB-100", "JOB-101", "JOB-102"]
    assert _get(api, key, "invoice", "inv-0")["link"]["number"] in numbers


@BOTH_DATABASES
def test_a_document_already_sent_is_not_moved_to_another_branch_s_connection(api: Api) -> None:
    key = api.workspace()
    made = {c["tenant_id"]: c["id"] for c in api.connect(key, tenants="demo,uk")}
    demo, uk = made[DEMO_TENANT], made[UK_TENANT]
    for cid, branch in ((demo, "Sydney"), (uk, "London")):
        settings = {"branches": [branch], "default_revenue_account": "200"}
        assert (
            api.call("PATCH", f"/connections/{cid}/settings", key, json=settings).status_code == 200
        )
    _put(api, key, "invoice", invoice(1, branch="Sydney"))
    _sync(api, key, demo)
    moved = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice(1, branch="London"))
    assert moved.status_code == 422, moved.text
    assert moved.json()["error"]["field"] == "branch"
    assert _get(api, key, "invoice", "inv-1")["connection_id"] == demo
