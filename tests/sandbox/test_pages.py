"""Read-only pages at Xero's deep-link paths, so "view in Xero" opens something offline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import httpx2
import pytest

from tests.conftest import DEMO_TENANT, Reply, RunningSandbox, XeroHttp

BANNER = "Xero sandbox — read-only"


@dataclass
class Documents:
    contact_id: str
    invoice_id: str
    bill_id: str
    credit_note_id: str
    order_id: str


@pytest.fixture
def web(sandbox: RunningSandbox) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=sandbox.url, timeout=10) as client:
        yield client


def line(description: str, amount: int, account: str, tax: str) -> dict[str, object]:
    return {
        "Description": description,
        "Quantity": 2,
        "UnitAmount": amount,
        "AccountCode": account,
        "TaxType": tax,
    }


def created(reply: Reply, key: str) -> str:
    assert reply.status == 200, reply.text
    return str(reply.json[key][0][key[:-1] + "ID"])


@pytest.fixture
def docs(sandbox: RunningSandbox, xero: XeroHttp) -> Documents:
    contact_id = created(xero.put("/Contacts", {"Name": "Acme <Tools> & Co"}), "Contacts")
    contact = {"ContactID": contact_id}
    invoice_id = created(
        xero.put(
            "/Invoices",
            {
                "Type": "ACCREC",
                "Contact": contact,
                "Date": "2026-01-15",
                "DueDate": "2026-02-15",
                "Reference": "JOB-7",
                "Status": "AUTHORISED",
                "LineItems": [line("Consulting", 500, "200", "OUTPUT")],
            },
        ),
        "Invoices",
    )
    payment = {
        "Invoice": {"InvoiceID": invoice_id},
        "Account": {"Code": "090"},
        "Date": "2026-01-20",
        "Amount": 300,
        "Reference": "DEP-1",
    }
    assert xero.put("/Payments", payment).status == 200
    bill_id = created(
        xero.put(
            "/Invoices",
            {
                "Type": "ACCPAY",
                "Contact": contact,
                "Date": "2026-01-10",
                "DueDate": "2026-02-10",
                "InvoiceNumber": "SUP-99",
                "LineItems": [line("Paper", 40, "453", "INPUT")],
            },
        ),
        "Invoices",
    )
    credit_note_id = created(
        xero.put(
            "/CreditNotes",
            {
                "Type": "ACCRECCREDIT",
                "Contact": contact,
                "Date": "2026-01-16",
                "Status": "AUTHORISED",
                "LineItems": [line("Refund", 50, "200", "OUTPUT")],
            },
        ),
        "CreditNotes",
    )
    # purchase orders are stored directly: the page only reads the record
    order_id = "5b0c1c8e-0000-4000-8000-000000000001"
    sandbox.state.orgs[DEMO_TENANT].purchase_orders[order_id] = {
        "PurchaseOrderID": order_id,
        "PurchaseOrderNumber": "PO-0042",
        "Contact": {"ContactID": contact_id},
        "Date": date(2026, 1, 12),
        "DeliveryDate": date(2026, 1, 30),
        "Status": "AUTHORISED",
        "LineItems": [
            {
                "Description": "Steel beams",
                "Quantity": Decimal("3"),
                "UnitAmount": Decimal("1200.00"),
                "LineAmount": Decimal("3600.00"),
                "TaxAmount": Decimal("360.00"),
                "AccountCode": "310",
                "TaxType": "INPUT",
            }
        ],
        "SubTotal": Decimal("3600.00"),
        "TotalTax": Decimal("360.00"),
        "Total": Decimal("3960.00"),
    }
    return Documents(contact_id, invoice_id, bill_id, credit_note_id, order_id)


def page(web: httpx2.Client, path: str, **params: str) -> httpx2.Response:
    reply = web.get(path, params=params)
    assert reply.headers["content-type"].startswith("text/html")
    return reply


def test_an_invoice_page_shows_the_document(web: httpx2.Client, docs: Documents) -> None:
    reply = page(web, "/AccountsReceivable/View.aspx", InvoiceID=docs.invoice_id)
    assert reply.status_code == 200
    html = reply.text
    assert BANNER in html
    assert "<h1>Invoice INV-0001" in html
    assert "Acme &lt;Tools&gt; &amp; Co" in html
    assert "<script" not in html.lower()
    assert f'href="/Contacts/View/{docs.contact_id}"' in html
    for text in ("AUTHORISED", "15 Jan 2026", "15 Feb 2026", "JOB-7", "Consulting", "OUTPUT"):
        assert text in html
    assert '<td class="num">2</td><td class="num">500.00</td>' in html  # quantity, price
    assert "1,000.00" in html  # subtotal
    assert "1,100.00" in html  # total
    assert "800.00" in html  # amount due after the payment
    assert "DEP-1" in html and "20 Jan 2026" in html and "300.00" in html


@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/AccountsReceivable/View.aspx", "invoiceid"),
        ("/AccountsPayable/Edit.aspx", "InvoiceID"),
    ],
)
def test_invoice_links_accept_either_spelling(
    web: httpx2.Client, docs: Documents, path: str, param: str
) -> None:
    reply = page(web, path, **{param: docs.invoice_id.upper()})
    assert reply.status_code == 200
    assert "INV-0001" in reply.text


def test_a_bill_page(web: httpx2.Client, docs: Documents) -> None:
    reply = page(web, "/AccountsPayable/Edit.aspx", InvoiceID=docs.bill_id)
    assert reply.status_code == 200
    assert "<h1>Bill SUP-99" in reply.text
    assert "DRAFT" in reply.text and "Paper" in reply.text and "88.00" in reply.text


def test_the_new_app_invoice_link(web: httpx2.Client, docs: Documents) -> None:
    reply = page(web, f"/app/!LLdm1/invoicing/view/{docs.invoice_id}")
    assert reply.status_code == 200
    assert "INV-0001" in reply.text
    reply = page(web, f"/app/!NOPE1/invoicing/view/{docs.invoice_id}")
    assert reply.status_code == 404
    assert "No organisation has that short code." in reply.text


def test_a_credit_note_page(web: httpx2.Client, docs: Documents) -> None:
    reply = page(web, "/AccountsPayable/ViewCreditNote.aspx", creditNoteID=docs.credit_note_id)
    assert reply.status_code == 200
    html = reply.text
    assert "<h1>Credit note CN-0001" in html
    assert "Refund" in html and "Remaining credit" in html and "110.00" in html


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/Accounts/Payable/PurchaseOrders/View/{id}/", {}),
        ("/AccountsPayable/ViewPurchaseOrder.aspx", {"PurchaseOrderID": "{id}"}),
    ],
)
def test_a_purchase_order_page(
    web: httpx2.Client, docs: Documents, path: str, params: dict[str, str]
) -> None:
    filled = {k: v.format(id=docs.order_id) for k, v in params.items()}
    reply = page(web, path.format(id=docs.order_id), **filled)
    assert reply.status_code == 200
    html = reply.text
    assert "<h1>Purchase order PO-0042" in html
    assert "30 Jan 2026" in html and "Steel beams" in html and "3,960.00" in html


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/Contacts/View/{id}", {}),
        ("/Contacts/View.aspx", {"contactID": "{id}"}),
        ("/app/!LLdm1/contacts/contact/{id}", {}),
    ],
)
def test_a_contact_page_lists_its_documents(
    web: httpx2.Client, docs: Documents, path: str, params: dict[str, str]
) -> None:
    filled = {k: v.format(id=docs.contact_id) for k, v in params.items()}
    reply = page(web, path.format(id=docs.contact_id), **filled)
    assert reply.status_code == 200
    html = reply.text
    assert "<h1>Acme &lt;Tools&gt; &amp; Co" in html
    assert f'href="/AccountsReceivable/View.aspx?InvoiceID={docs.invoice_id}"' in html
    assert f'href="/AccountsPayable/Edit.aspx?InvoiceID={docs.bill_id}"' in html
    assert f'href="/Accounts/Payable/PurchaseOrders/View/{docs.order_id}/"' in html
    assert "CN-0001" in html


@pytest.mark.parametrize(
    ("path", "params", "message"),
    [
        (
            "/AccountsReceivable/View.aspx",
            {"InvoiceID": "nope"},
            "no invoice or bill with the id nope",
        ),
        ("/AccountsReceivable/View.aspx", {}, "no invoice or bill with the id (none)"),
        ("/AccountsPayable/ViewCreditNote.aspx", {"creditNoteID": "x"}, "no credit note"),
        ("/Accounts/Payable/PurchaseOrders/View/x/", {}, "no purchase order with the id x"),
        ("/Contacts/View/x", {}, "no contact with the id x"),
    ],
)
def test_an_unknown_id_is_a_404_page(
    web: httpx2.Client, path: str, params: dict[str, str], message: str
) -> None:
    reply = page(web, path, **params)
    assert reply.status_code == 404
    assert BANNER in reply.text
    assert message in reply.text


def test_organisation_login_redirects_to_the_page(web: httpx2.Client, docs: Documents) -> None:
    target = f"/AccountsReceivable/View.aspx?InvoiceID={docs.invoice_id}"
    reply = web.get(
        "/organisationlogin/default.aspx", params={"shortcode": "!LLdm1", "redirecturl": target}
    )
    assert reply.status_code == 302
    assert reply.headers["location"] == target
    followed = web.get(reply.headers["location"])
    assert "INV-0001" in followed.text


def test_organisation_login_refuses_unknown_orgs_and_other_sites(web: httpx2.Client) -> None:
    reply = page(web, "/organisationlogin/default.aspx", shortcode="!XXXX", redirecturl="/x")
    assert reply.status_code == 404
    assert "No organisation has that short code" in reply.text
    for target in ("https://evil.example/", "//evil.example/x"):
        reply = page(web, "/organisationlogin/default.aspx", shortcode="!LLdm1", redirecturl=target)
        assert reply.status_code == 400
        assert "redirecturl must be a path in Xero" in reply.text


def test_organisation_login_without_a_target_opens_the_home_page(
    web: httpx2.Client, docs: Documents
) -> None:
    reply = web.get("/organisationlogin/default.aspx", params={"shortcode": "!LLdm1"})
    assert reply.headers["location"] == "/app/!LLdm1/homepage"
    home = page(web, "/app/!LLdm1/homepage")
    assert home.status_code == 200
    html = home.text
    assert "Ledgerlink Demo Company (AU)" in html
    assert "INV-0001" in html and "SUP-99" in html and "CN-0001" in html and "PO-0042" in html
    assert "Bayside Club" in html
