""" "View in Xero" links (fact sheet section 9).

Xero's deep links go through ``/organisationlogin/default.aspx``, which picks the organisation
by its short code (``GET /Organisation`` -> ``ShortCode``) before redirecting to the page, so a
person logged into several organisations lands in the right one. The redirect target is
encoded so that a target with its own query string survives as one parameter.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

DEFAULT_DEEPLINK_BASE = "https://go.xero.com"

# kind -> the page in Xero's web app; {id} is the resource's Xero id.
PAGES: dict[str, str] = {
    "ACCREC": "/AccountsReceivable/View.aspx?InvoiceID={id}",
    "ACCPAY": "/AccountsPayable/Edit.aspx?InvoiceID={id}",
    "ACCRECCREDIT": "/AccountsPayable/ViewCreditNote.aspx?creditNoteID={id}",
    "ACCPAYCREDIT": "/AccountsPayable/ViewCreditNote.aspx?creditNoteID={id}",
    "PURCHASEORDER": "/Accounts/Payable/PurchaseOrders/View/{id}/",
    "CONTACT": "/Contacts/View/{id}",
    # As Xero's own MCP server links a payment (fact sheet section 9).
    "PAYMENT": "/Bank/ViewTransaction.aspx?bankTransactionID={id}",
    # A manual journal's page (UNCONFIRMED: the path as Xero's web app shows it, not documented).
    "MANUALJOURNAL": "/Journal/View.aspx?invoiceID={id}",
    # UNCONFIRMED: the fact sheet gives no page of one item; Products and Services lists them.
    "ITEM": "/Accounts/Inventory/",
}

ALIASES: dict[str, str] = {
    "INVOICE": "ACCREC",
    "SALES_INVOICE": "ACCREC",
    "BILL": "ACCPAY",
    "EXPENSE": "ACCPAY",
    "CREDIT_NOTE": "ACCRECCREDIT",
    "CREDITNOTE": "ACCRECCREDIT",
    "PURCHASE_ORDER": "PURCHASEORDER",
}


def page_path(kind: str, xero_id: str) -> str:
    """The path inside Xero's web app for one resource; ``kind`` is a Xero type or an alias."""
    wanted = kind.strip().upper()
    wanted = ALIASES.get(wanted, wanted)
    template = PAGES.get(wanted)
    if template is None:
        known = ", ".join(sorted(PAGES))
        raise ValueError(f"no Xero page for {kind!r}; known kinds: {known}")
    return template.format(id=quote(xero_id.strip(), safe="-"))


def document_url(
    deeplink_base: str | None, short_code: str | None, kind: str, xero_id: str
) -> str | None:
    """The "view in Xero" URL, or None while the organisation's short code is not known yet."""
    if not short_code or not xero_id:
        return None
    base = (deeplink_base or DEFAULT_DEEPLINK_BASE).rstrip("/")
    query = urlencode({"shortcode": short_code, "redirecturl": page_path(kind, xero_id)})
    return f"{base}/organisationlogin/default.aspx?{query}"
