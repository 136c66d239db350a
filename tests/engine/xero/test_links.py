""" "View in Xero" links: Xero's deep-link shape, and they open the document in the sandbox."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from ledgerlink.xero.links import document_url, page_path
from tests.conftest import RunningSandbox, XeroHttp

ID = "6d4b2c1a-1111-4222-8333-444455556666"


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("ACCREC", f"/AccountsReceivable/View.aspx?InvoiceID={ID}"),
        ("ACCPAY", f"/AccountsPayable/Edit.aspx?InvoiceID={ID}"),
        ("ACCRECCREDIT", f"/AccountsPayable/ViewCreditNote.aspx?creditNoteID={ID}"),
        ("ACCPAYCREDIT", f"/AccountsPayable/ViewCreditNote.aspx?creditNoteID={ID}"),
        ("PURCHASEORDER", f"/Accounts/Payable/PurchaseOrders/View/{ID}/"),
        ("CONTACT", f"/Contacts/View/{ID}"),
        ("bill", f"/AccountsPayable/Edit.aspx?InvoiceID={ID}"),
    ],
)
def test_each_kind_links_through_organisation_login(kind: str, path: str) -> None:
    url = document_url(None, "!NLglS", kind, ID)
    assert url is not None
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https",
        "go.xero.com",
        "/organisationlogin/default.aspx",
    )
    query = parse_qs(parts.query)
    assert query == {"shortcode": ["!NLglS"], "redirecturl": [path]}
    assert page_path(kind, ID) == path


def test_no_link_without_a_short_code_and_unknown_kinds_are_refused() -> None:
    assert document_url("https://go.xero.com", None, "ACCREC", ID) is None
    with pytest.raises(ValueError, match="known kinds"):
        page_path("PAYSLIP", ID)


def _invoice(xero: XeroHttp, kind: str, number: str) -> dict[str, object]:
    body = {
        "Type": kind,
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-02-01",
        "InvoiceNumber": number,
        "LineItems": [
            {
                "Description": "Link check",
                "Quantity": Decimal("2"),
                "UnitAmount": Decimal("12.50"),
                "AccountCode": "200" if kind == "ACCREC" else "400",
            }
        ],
    }
    reply = xero.put("/Invoices", {"Invoices": [body]})
    assert reply.status == 200, reply.text
    invoice: dict[str, object] = reply.json["Invoices"][0]
    return invoice


@pytest.mark.parametrize(("kind", "number"), [("ACCREC", "LL-LINK-1"), ("ACCPAY", "BILL-LINK-7")])
def test_the_link_opens_the_document_in_the_sandbox(
    sandbox: RunningSandbox, xero: XeroHttp, kind: str, number: str
) -> None:
    invoice = _invoice(xero, kind, number)
    url = document_url(sandbox.url, "!LLdm1", kind, str(invoice["InvoiceID"]))
    assert url is not None
    page = httpx2.get(url, follow_redirects=True)
    assert page.status_code == 200
    assert number in page.text
    assert "Bayside Club" in page.text


def test_the_contact_link_opens_the_contact(sandbox: RunningSandbox, xero: XeroHttp) -> None:
    contact = xero.get("/Contacts", params={"where": 'Name=="Bayside Club"'}).json["Contacts"][0]
    url = document_url(sandbox.url, "!LLdm1", "CONTACT", contact["ContactID"])
    assert url is not None
    page = httpx2.get(url, follow_redirects=True)
    assert page.status_code == 200 and "Bayside Club" in page.text
