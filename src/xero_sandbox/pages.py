"""Read-only pages at the paths of Xero's web app, so a "view in Xero" link works offline.

The paths are Xero's deep links (fact sheet section 9): the ``organisationlogin`` redirect, the
classic ``.aspx`` pages and the newer ``/app/{shortCode}/...`` ones. Documents are found by id
in any organisation, since a deep link carries only the id (Xero knows the organisation from
the login redirect that comes first).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from xero_sandbox.state import Org, Record, SandboxState

TITLES = {
    "ACCREC": "Invoice",
    "ACCPAY": "Bill",
    "ACCRECCREDIT": "Credit note",
    "ACCPAYCREDIT": "Supplier credit note",
}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, jinja2.Undefined | bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def money(value: Any) -> str:
    amount = _decimal(value)
    return "" if amount is None else f"{amount:,.2f}"


def number(value: Any) -> str:
    amount = _decimal(value)
    if amount is None:
        return ""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def price(value: Any) -> str:
    """Unit prices show two places, or four when the document was sent with unitdp=4."""
    amount = _decimal(value)
    if amount is None:
        return ""
    places = 4 if amount != amount.quantize(Decimal("0.01")) else 2
    return f"{amount:,.{places}f}"


def day(value: Any) -> str:
    if isinstance(value, datetime | date):
        return f"{value.day} {value:%b %Y}"
    if isinstance(value, str):
        return value
    return ""


_TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True
)
_TEMPLATES.filters.update(money=money, number=number, price=price, day=day)


def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    return HTMLResponse(_TEMPLATES.get_template(name).render(**context), status)


def not_found(message: str, org: Org | None = None, status: int = 404) -> HTMLResponse:
    return render("page_not_found.html", status, message=message, org=org)


def query(request: Request, name: str) -> str:
    """A query parameter regardless of case: Xero's links spell InvoiceID and invoiceID."""
    wanted = name.lower()
    for key, value in request.query_params.multi_items():
        if key.lower() == wanted:
            return value.strip()
    return ""


def find(state: SandboxState, collection: str, record_id: str) -> tuple[Org, Record] | None:
    wanted = record_id.strip().lower()
    if not wanted:
        return None
    for org in state.orgs.values():
        records: dict[str, Record] = getattr(org, collection)
        record = records.get(record_id) or records.get(wanted)
        if record is None:
            record = next((r for k, r in records.items() if k.lower() == wanted), None)
        if record is not None:
            return org, record
    return None


def org_by_short_code(state: SandboxState, short_code: str) -> Org | None:
    return next((o for o in state.orgs.values() if o.short_code == short_code), None)


def contact_of(org: Org, record: Record) -> tuple[str, str | None]:
    """The contact's name and page for a document (the record may hold only the ContactID)."""
    contact = record.get("Contact") or {}
    contact_id = contact.get("ContactID")
    stored = org.contacts.get(contact_id) if contact_id else None
    name = contact.get("Name") or (stored or {}).get("Name") or ""
    return name, f"/Contacts/View/{contact_id}" if contact_id else None


def payments_of(org: Org, record: Record, id_field: str) -> list[Record]:
    listed = record.get("Payments")
    if listed:
        return list(listed)
    wanted = record.get(id_field)
    found = []
    for payment in org.payments.values():
        target = payment.get("Invoice") or payment.get("CreditNote") or {}
        if target.get(id_field) == wanted and payment.get("Status") != "DELETED":
            found.append(payment)
    return found


def _facts(pairs: list[tuple[str, Any]]) -> list[tuple[str, str]]:
    shown = []
    for label, value in pairs:
        text = day(value) if isinstance(value, date | datetime) else value
        if text not in (None, ""):
            shown.append((label, str(text)))
    return shown


def invoice_view(org: Org, invoice: Record) -> dict[str, Any]:
    name, contact_url = contact_of(org, invoice)
    currency = invoice.get("CurrencyCode") or org.base_currency
    return {
        "title": TITLES.get(str(invoice.get("Type")), "Invoice"),
        "number": invoice.get("InvoiceNumber") or "",
        "status": invoice.get("Status") or "",
        "contact_name": name,
        "contact_url": contact_url,
        "currency": currency,
        "facts": _facts(
            [
                ("Date", invoice.get("Date")),
                ("Due date", invoice.get("DueDate")),
                ("Reference", invoice.get("Reference")),
                ("Currency", currency),
                ("Amounts are", invoice.get("LineAmountTypes")),
            ]
        ),
        "lines": invoice.get("LineItems") or [],
        "totals": [
            ("Subtotal", invoice.get("SubTotal"), False),
            ("Total tax", invoice.get("TotalTax"), False),
            ("Total", invoice.get("Total"), True),
            ("Amount paid", invoice.get("AmountPaid"), False),
            ("Amount credited", invoice.get("AmountCredited"), False),
            ("Amount due", invoice.get("AmountDue"), True),
        ],
        "payments": payments_of(org, invoice, "InvoiceID"),
        "allocations": [],
    }


def credit_note_view(org: Org, note: Record) -> dict[str, Any]:
    view = invoice_view(org, note)
    view["title"] = TITLES.get(str(note.get("Type")), "Credit note")
    view["number"] = note.get("CreditNoteNumber") or ""
    view["totals"] = [
        ("Subtotal", note.get("SubTotal"), False),
        ("Total tax", note.get("TotalTax"), False),
        ("Total", note.get("Total"), True),
        ("Remaining credit", note.get("RemainingCredit"), True),
    ]
    view["payments"] = payments_of(org, note, "CreditNoteID")
    view["allocations"] = note.get("Allocations") or []
    return view


def purchase_order_view(org: Org, order: Record) -> dict[str, Any]:
    view = invoice_view(org, order)
    view["title"] = "Purchase order"
    view["number"] = order.get("PurchaseOrderNumber") or ""
    view["facts"] = _facts(
        [
            ("Date", order.get("Date")),
            ("Delivery date", order.get("DeliveryDate")),
            ("Reference", order.get("Reference")),
            ("Currency", view["currency"]),
            ("Deliver to", order.get("DeliveryAddress")),
            ("Attention", order.get("AttentionTo")),
        ]
    )
    view["totals"] = [
        ("Subtotal", order.get("SubTotal"), False),
        ("Total tax", order.get("TotalTax"), False),
        ("Total", order.get("Total"), True),
    ]
    view["payments"] = []
    return view


def contact_documents(org: Org, contact_id: str) -> list[dict[str, Any]]:
    rows = []
    sources = [
        ("invoices", "InvoiceNumber", "/AccountsReceivable/View.aspx?InvoiceID=", "InvoiceID"),
        (
            "credit_notes",
            "CreditNoteNumber",
            "/AccountsPayable/ViewCreditNote.aspx?creditNoteID=",
            "CreditNoteID",
        ),
        (
            "purchase_orders",
            "PurchaseOrderNumber",
            "/Accounts/Payable/PurchaseOrders/View/",
            "PurchaseOrderID",
        ),
    ]
    for collection, number_field, link, id_field in sources:
        kind = "Purchase order" if collection == "purchase_orders" else "Document"
        records: dict[str, Record] = getattr(org, collection)
        for record in records.values():
            if (record.get("Contact") or {}).get("ContactID") != contact_id:
                continue
            url = link + str(record.get(id_field))
            if collection == "purchase_orders":
                url += "/"
            elif collection == "invoices" and record.get("Type") == "ACCPAY":
                url = "/AccountsPayable/Edit.aspx?InvoiceID=" + str(record.get(id_field))
            rows.append(
                {
                    "kind": TITLES.get(str(record.get("Type")), kind),
                    "number": record.get(number_field) or "(no number)",
                    "url": url,
                    "date": record.get("Date"),
                    "status": record.get("Status") or "",
                    "total": record.get("Total"),
                    "due": record.get("AmountDue", record.get("RemainingCredit")),
                }
            )
    return rows


def routes(state: SandboxState) -> list[BaseRoute]:
    def invoice_page(invoice_id: str) -> Response:
        found = find(state, "invoices", invoice_id)
        if found is None:
            return not_found(f"There is no invoice or bill with the id {invoice_id or '(none)'}.")
        org, invoice = found
        return render("page_document.html", org=org, doc=invoice_view(org, invoice))

    def credit_note_page(note_id: str) -> Response:
        found = find(state, "credit_notes", note_id)
        if found is None:
            return not_found(f"There is no credit note with the id {note_id or '(none)'}.")
        org, note = found
        return render("page_document.html", org=org, doc=credit_note_view(org, note))

    def purchase_order_page(order_id: str) -> Response:
        found = find(state, "purchase_orders", order_id)
        if found is None:
            return not_found(f"There is no purchase order with the id {order_id or '(none)'}.")
        org, order = found
        return render("page_document.html", org=org, doc=purchase_order_view(org, order))

    def contact_page(contact_id: str) -> Response:
        found = find(state, "contacts", contact_id)
        if found is None:
            return not_found(f"There is no contact with the id {contact_id or '(none)'}.")
        org, contact = found
        roles = [
            r
            for r, flag in (("Customer", "IsCustomer"), ("Supplier", "IsSupplier"))
            if contact.get(flag)
        ]
        facts = _facts(
            [
                ("Contact number", contact.get("ContactNumber")),
                ("Account number", contact.get("AccountNumber")),
                ("Email", contact.get("EmailAddress")),
                ("Tax number", contact.get("TaxNumber")),
                ("Currency", contact.get("DefaultCurrency")),
                ("First name", contact.get("FirstName")),
                ("Last name", contact.get("LastName")),
            ]
        )
        return render(
            "page_contact.html",
            org=org,
            contact=contact,
            roles=" · ".join(roles) or "Contact",
            facts=facts,
            documents=contact_documents(org, str(contact.get("ContactID"))),
        )

    def in_org(request: Request) -> Org | None:
        return org_by_short_code(state, request.path_params["short_code"])

    async def login(request: Request) -> Response:
        org = org_by_short_code(state, query(request, "shortcode"))
        if org is None:
            return not_found("No organisation has that short code, or you have no access to it.")
        target = query(request, "redirecturl") or f"/app/{org.short_code}/homepage"
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            return not_found(
                "redirecturl must be a path in Xero, such as /Contacts/View/...", org, 400
            )
        return RedirectResponse(target, 302)

    async def homepage(request: Request) -> Response:
        org = in_org(request)
        if org is None:
            return not_found("No organisation has that short code.")
        sections = [
            (
                "Invoices and bills",
                org.invoices,
                "InvoiceNumber",
                "InvoiceID",
                "/AccountsReceivable/View.aspx?InvoiceID={}",
            ),
            (
                "Credit notes",
                org.credit_notes,
                "CreditNoteNumber",
                "CreditNoteID",
                "/AccountsPayable/ViewCreditNote.aspx?creditNoteID={}",
            ),
            (
                "Purchase orders",
                org.purchase_orders,
                "PurchaseOrderNumber",
                "PurchaseOrderID",
                "/Accounts/Payable/PurchaseOrders/View/{}/",
            ),
        ]
        shown = []
        for title, records, number_field, id_field, link in sections:
            rows = [
                {
                    "number": r.get(number_field) or "(no number)",
                    "url": link.format(r.get(id_field)),
                    "contact": contact_of(org, r)[0],
                    "date": r.get("Date"),
                    "status": r.get("Status") or "",
                    "total": r.get("Total"),
                }
                for r in records.values()
            ]
            shown.append({"title": title, "rows": rows})
        contacts = sorted(org.contacts.values(), key=lambda c: str(c.get("Name", "")).lower())
        return render("page_org.html", org=org, sections=shown, contacts=contacts)

    async def app_invoice(request: Request) -> Response:
        if in_org(request) is None:
            return not_found("No organisation has that short code.")
        return invoice_page(request.path_params["record_id"])

    async def app_contact(request: Request) -> Response:
        if in_org(request) is None:
            return not_found("No organisation has that short code.")
        return contact_page(request.path_params["record_id"])

    async def by_invoice_id(request: Request) -> Response:
        return invoice_page(query(request, "InvoiceID"))

    async def by_credit_note_id(request: Request) -> Response:
        return credit_note_page(query(request, "creditNoteID"))

    async def by_order_query(request: Request) -> Response:
        return purchase_order_page(query(request, "PurchaseOrderID"))

    async def by_order_path(request: Request) -> Response:
        return purchase_order_page(request.path_params["record_id"])

    async def by_contact_query(request: Request) -> Response:
        return contact_page(query(request, "contactID"))

    async def by_contact_path(request: Request) -> Response:
        return contact_page(request.path_params["record_id"])

    table = [
        ("/organisationlogin/default.aspx", login),
        ("/app/{short_code}/homepage", homepage),
        ("/app/{short_code}/invoicing/view/{record_id}", app_invoice),
        ("/app/{short_code}/contacts/contact/{record_id}", app_contact),
        ("/AccountsReceivable/View.aspx", by_invoice_id),
        ("/AccountsPayable/Edit.aspx", by_invoice_id),
        ("/AccountsPayable/View.aspx", by_invoice_id),
        ("/AccountsPayable/ViewCreditNote.aspx", by_credit_note_id),
        ("/AccountsPayable/ViewPurchaseOrder.aspx", by_order_query),
        ("/Accounts/Payable/PurchaseOrders/View/{record_id}/", by_order_path),
        ("/Contacts/View.aspx", by_contact_query),
        ("/Contacts/View/{record_id}", by_contact_path),
    ]
    return [Route(path, endpoint, methods=["GET"]) for path, endpoint in table]
