"""Converted documents sent to a running sandbox with plain HTTP: accepted, and Xero's totals
equal the local estimate to the cent (per line and per document), on create and on update."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ledgerlink import kinds
from ledgerlink.documents import Expense, SalesInvoice
from ledgerlink.kinds import validate_document
from ledgerlink.mapping import MappingDefaults, MemoryReference, preflight, resolve_lines
from ledgerlink.mapping.preflight import estimate, find_tax_rate
from ledgerlink.mapping.status import xero_status
from ledgerlink.xero.convert import expense_to_xero, invoice_to_xero
from tests.conftest import XeroHttp
from tests.engine.documents.factories import expense_data, random_invoice
from tests.engine.mapping.conftest import fetch_reference

DEFAULTS = MappingDefaults("200", "OUTPUT", "429", "INPUT")


@dataclass
class FakeLink:
    xero_id: str
    line_item_ids: list[Any] = field(default_factory=list)


def random_expense(rng: random.Random, index: int) -> dict[str, Any]:
    lines = [
        {
            "description": f"Cost {n}",
            "quantity": str(rng.choice(["1", "2.5", "0.3333", "17"])),
            "unit_amount": str(Decimal(rng.randrange(1, 10**6)).scaleb(-rng.choice([2, 3, 4]))),
            "tax_type": rng.choice(["INPUT", "EXEMPTEXPENSES", None]),
            "account_code": rng.choice(["429", "412", "400", None]),
        }
        for n in range(rng.randint(1, 4))
    ]
    for line in lines:
        for key in [k for k, v in line.items() if v is None]:
            del line[key]
    return expense_data(
        source_id=f"exp-{index}",
        reference=f"SUP-{index}",
        amounts_are=rng.choice(["exclusive", "inclusive", "no_tax"]),
        status=rng.choice(["draft", "approved"]),
        lines=lines,
    )


def _body(
    doc: SalesInvoice | Expense, ref: MemoryReference, unitdp: int, existing: Any = None
) -> tuple[dict[str, Any], Any]:
    lines = resolve_lines(doc, defaults=DEFAULTS, reference=ref)
    kind = "invoice" if isinstance(doc, SalesInvoice) else "expense"
    subject = kinds.get(kind).subject(doc)
    assert preflight(doc, lines, ref, None, base_currency="AUD", subject=subject) == []
    rates = [find_tax_rate(ref, line.tax_type) if line.tax_type else None for line in lines]
    expected = estimate(doc, rates, unitdp)
    status = xero_status(doc)
    if isinstance(doc, SalesInvoice):
        contact = {"Name": "Bayside Club"}
        return invoice_to_xero(doc, lines, contact, status, existing, unitdp), expected
    contact = {"Name": "Office Supplies Co"}
    return expense_to_xero(doc, lines, contact, status, existing, unitdp), expected


def _assert_totals(sent: Any, got: dict[str, Any]) -> None:
    assert got["StatusAttributeString"] == "OK", got.get("ValidationErrors")
    assert (got["SubTotal"], got["TotalTax"], got["Total"]) == (
        sent.sub_total,
        sent.total_tax,
        sent.total,
    ), got["InvoiceNumber"]
    for line, mine in zip(got["LineItems"], sent.lines, strict=True):
        assert (line["LineAmount"], line["TaxAmount"]) == (mine.line_amount, mine.tax_amount)


def test_generated_documents_match_xero_totals_to_the_cent(xero: XeroHttp) -> None:
    ref = MemoryReference(**fetch_reference(xero))
    rng = random.Random(7)
    docs: list[SalesInvoice | Expense] = []
    for i in range(200):
        data = random_invoice(rng, i)
        data["status"] = rng.choice(["draft", "sent"])
        docs.append(validate_document("invoice", data))
    docs += [validate_document("expense", random_expense(rng, i)) for i in range(50)]
    rng.shuffle(docs)
    checked = 0
    for start in range(0, len(docs), 50):
        unitdp = 4 if (start // 50) % 2 else 2
        batch = [_body(doc, ref, unitdp) for doc in docs[start : start + 50]]
        reply = xero.put(
            "/Invoices",
            {"Invoices": [body for body, _ in batch]},
            params={"summarizeErrors": "false", "unitdp": str(unitdp)},
        )
        assert reply.status == 200, reply.text
        for (_, expected), got in zip(batch, reply.json["Invoices"], strict=True):
            _assert_totals(expected, got)
            checked += 1
    assert checked == 250


def test_update_keeps_line_ids_and_totals_then_voids(xero: XeroHttp) -> None:
    ref = MemoryReference(**fetch_reference(xero))
    data = random_invoice(random.Random(3), 1)
    data.update(status="sent", lines=data["lines"][:2] + [data["lines"][0]])
    doc = validate_document("invoice", data)
    body, expected = _body(doc, ref, 4)
    created = xero.put("/Invoices", {"Invoices": [body]}, params={"unitdp": "4"})
    assert created.status == 200, created.text
    invoice = created.json["Invoices"][0]
    _assert_totals(expected, {**invoice, "StatusAttributeString": "OK"})
    ids = [line["LineItemID"] for line in invoice["LineItems"]]

    data["lines"][1]["unit_amount"] = "19.9999"
    data["lines"].append({"description": "Extra", "quantity": "3", "unit_amount": "7.07"})
    changed = validate_document("invoice", data)
    link = FakeLink(invoice["InvoiceID"], ids)
    body, expected = _body(changed, ref, 4, existing=link)
    updated = xero.post(f"/Invoices/{link.xero_id}", {"Invoices": [body]}, params={"unitdp": "4"})
    assert updated.status == 200, updated.text
    after = updated.json["Invoices"][0]
    assert [line["LineItemID"] for line in after["LineItems"]][:3] == ids
    assert len(after["LineItems"]) == 4
    _assert_totals(expected, {**after, "StatusAttributeString": "OK"})

    voided = validate_document("invoice", {**data, "status": "voided"})
    body, _ = _body(voided, ref, 4, existing=link)
    assert body == {"InvoiceID": link.xero_id, "Status": "VOIDED"}
    reply = xero.post(f"/Invoices/{link.xero_id}", {"Invoices": [body]})
    assert reply.status == 200, reply.text
    assert reply.json["Invoices"][0]["Status"] == "VOIDED"
