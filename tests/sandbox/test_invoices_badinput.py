"""Wrong types and odd values in every field get Xero's 400 shapes, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import XeroHttp
from xero_sandbox import SandboxConfig
from xero_sandbox.config import Limits


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(limits=Limits(enabled=False))


BAD: list[Any] = [None, 1, "x", [], {}, [1], {"a": 1}, True, "1e400", -5, "2026-13-45", 10**30]
FIELDS = [
    "Type",
    "Contact",
    "Date",
    "DueDate",
    "Status",
    "LineAmountTypes",
    "LineItems",
    "CurrencyCode",
    "CurrencyRate",
    "InvoiceNumber",
    "Reference",
    "Url",
    "SentToContact",
    "InvoiceID",
]
LINE_FIELDS = [
    "Description",
    "Quantity",
    "UnitAmount",
    "AccountCode",
    "TaxType",
    "Tracking",
    "DiscountRate",
    "DiscountAmount",
    "LineAmount",
    "TaxAmount",
    "ItemCode",
    "LineItemID",
    "AccountID",
]


def base() -> dict[str, Any]:
    return {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "AUTHORISED",
        "LineItems": [{"Description": "d", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}],
    }


def test_no_field_value_makes_a_server_error(xero: XeroHttp) -> None:
    bad = []
    for path in ("/Invoices", "/CreditNotes"):
        for f in FIELDS:
            for v in BAD:
                b = base()
                if path == "/CreditNotes":
                    b["Type"] = "ACCRECCREDIT"
                b[f] = v
                for m in (xero.put, xero.post):
                    r = m(path, b)
                    if r.status >= 500:
                        bad.append((path, f, v, r.text[:200]))
        for f in LINE_FIELDS:
            for v in BAD:
                b = base()
                b["LineItems"][0][f] = v
                r = xero.put(path, b)
                if r.status >= 500:
                    bad.append((path, "line", f, v, r.text[:200]))
    inv = xero.put("/Invoices", base()).json["Invoices"][0]
    for f in [
        "Invoice",
        "Account",
        "Date",
        "Amount",
        "IsReconciled",
        "CurrencyRate",
        "Reference",
        "CreditNote",
    ]:
        for v in BAD:
            b = {
                "Invoice": {"InvoiceID": inv["InvoiceID"]},
                "Account": {"Code": "090"},
                "Date": "2026-01-20",
                "Amount": 1,
            }
            b[f] = v
            r = xero.put("/Payments", b)
            if r.status >= 500:
                bad.append(("pay", f, v, r.text[:200]))
            cn = xero.put("/CreditNotes", dict(base(), Type="ACCRECCREDIT")).json["CreditNotes"][0]
            a = {"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Amount": 1, "Date": "2026-01-20"}
            a[f if f in a else "Amount"] = v
            r = xero.put(f"/CreditNotes/{cn['CreditNoteID']}/Allocations", a)
            if r.status >= 500:
                bad.append(("alloc", f, v, r.text[:200]))
    for v in BAD:
        for p in ("/Invoices", "/Payments"):
            for q in ("where", "order", "page", "pageSize", "IDs", "Statuses"):
                r = xero.get(p, params={q: str(v)})
                if r.status >= 500:
                    bad.append(("get", p, q, v))
    assert not bad, bad[:10]
