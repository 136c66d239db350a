"""Invoices over HTTP: creation, arithmetic, numbering, contacts and line rules."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp


def line(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Description": "Work",
        "Quantity": 1,
        "UnitAmount": "100",
        "AccountCode": "200",
    }
    base.update(extra)
    return base


def invoice(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Type": "ACCREC",
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "AUTHORISED",
        "LineItems": [line()],
    }
    base.update(extra)
    return base


def errors_of(reply: Any) -> list[str]:
    assert reply.status == 400, reply.text
    body = reply.json
    assert body["ErrorNumber"] == 10 and body["Type"] == "ValidationException"
    return [m["Message"] for e in body["Elements"] for m in e["ValidationErrors"]]


def test_authorised_invoice_totals_number_and_contact(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    reply = xero.put(
        "/Invoices",
        {
            "Invoices": [
                invoice(LineItems=[line(Quantity=3, UnitAmount="19.99"), line(UnitAmount="0.05")])
            ]
        },
    )
    assert reply.status == 200, reply.text
    made = reply.json["Invoices"][0]
    assert made["InvoiceNumber"] == "INV-0001"
    assert (made["SubTotal"], made["TotalTax"], made["Total"]) == (
        D("60.02"),
        D("6.01"),
        D("66.03"),
    )
    assert (made["AmountDue"], made["AmountPaid"], made["AmountCredited"]) == (D("66.03"), 0, 0)
    assert made["LineItems"][0]["TaxType"] == "OUTPUT"
    assert made["LineItems"][0]["TaxAmount"] == D("6.00")
    assert made["Contact"]["IsCustomer"] is True
    assert made["Status"] == "AUTHORISED" and made["HasAttachments"] is False
    events = [(e.category, e.event_type, e.resource_id) for e in sandbox.state.events]
    assert ("INVOICE", "CREATE", made["InvoiceID"]) in events
    second = xero.put("/Invoices", invoice()).json["Invoices"][0]
    assert second["InvoiceNumber"] == "INV-0002"


def test_inclusive_and_unitdp4(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Invoices",
        invoice(
            LineAmountTypes="Inclusive",
            LineItems=[
                line(UnitAmount="19.99"),
                line(UnitAmount="100"),
                line(Quantity=3, UnitAmount="1.23456"),
            ],
        ),
        params={"unitdp": "4"},
    )
    made = reply.json["Invoices"][0]
    # lines 19.99, 100.00, 3 x 1.2346 = 3.7038 -> 3.70; taxes 1.82, 9.09, 0.3363 -> 0.34
    assert [li["UnitAmount"] for li in made["LineItems"]] == [D("19.99"), D("100"), D("1.2346")]
    assert (made["SubTotal"], made["TotalTax"], made["Total"]) == (
        D("112.44"),
        D("11.25"),
        D("123.69"),
    )


def test_bill_with_discount_is_refused_and_sale_discount_applies(xero: XeroHttp) -> None:
    sale = xero.put(
        "/Invoices", invoice(LineItems=[line(Quantity=2, UnitAmount="49.95", DiscountRate=15)])
    )
    made = sale.json["Invoices"][0]
    assert made["LineItems"][0]["LineAmount"] == D("84.92")
    assert made["IsDiscounted"] is True and made["TotalDiscount"] == D("14.98")
    bill = xero.put(
        "/Invoices",
        invoice(Type="ACCPAY", LineItems=[line(AccountCode="429", DiscountRate=10)]),
    )
    assert errors_of(bill) == ["Discounts are only supported on sales invoices (ACCREC)."]


def test_invoice_number_unique_for_sales_only(xero: XeroHttp) -> None:
    assert xero.put("/Invoices", invoice(InvoiceNumber="X-1")).status == 200
    assert errors_of(xero.put("/Invoices", invoice(InvoiceNumber="x-1"))) == [
        "Invoice # must be unique."
    ]
    bill = invoice(Type="ACCPAY", InvoiceNumber="B-1", LineItems=[line(AccountCode="429")])
    assert xero.put("/Invoices", bill).status == 200
    assert xero.put("/Invoices", bill).status == 200


def test_account_codes_checked_per_line(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Invoices",
        invoice(
            LineItems=[
                line(AccountCode="999"),
                line(AccountCode="499"),
                line(AccountCode="090"),
                line(AccountCode="610"),
            ]
        ),
    )
    assert errors_of(reply) == [
        "Account code '999' is not a valid code for this document.",
        "Account code '499' has been archived, or deleted. Each line item must reference a "
        "valid account.",
        "Account code '090' is not a valid code for this document.",
        "Account code '610' is not a valid code for this document.",
    ]


def test_draft_may_leave_account_out_but_approval_needs_it(xero: XeroHttp) -> None:
    draft = xero.put(
        "/Invoices", invoice(Status="DRAFT", LineItems=[{"Description": "x", "UnitAmount": 5}])
    )
    assert draft.status == 200
    invoice_id = draft.json["Invoices"][0]["InvoiceID"]
    reply = xero.post(f"/Invoices/{invoice_id}", {"Status": "AUTHORISED"})
    assert errors_of(reply) == ["Account code must be specified on every line item."]


def test_tax_type_rules(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Invoices", invoice(LineItems=[line(TaxType="GST on Income"), line(TaxType="INPUT")])
    )
    assert errors_of(reply) == [
        "The TaxType code 'GST on Income' does not exist or cannot be used for this type of "
        "transaction.",
        "The TaxType code 'INPUT' cannot be used with account code '200'.",
    ]


def test_currency_must_be_subscribed(xero: XeroHttp) -> None:
    assert errors_of(xero.put("/Invoices", invoice(CurrencyCode="JPY"))) == [
        "Organisation is not subscribed to currency JPY"
    ]
    usd = xero.put("/Invoices", invoice(CurrencyCode="USD", CurrencyRate="0.65")).json["Invoices"][
        0
    ]
    assert (usd["CurrencyCode"], usd["CurrencyRate"]) == ("USD", D("0.65"))
    aud = xero.put("/Invoices", invoice()).json["Invoices"][0]
    assert (aud["CurrencyCode"], aud["CurrencyRate"]) == ("AUD", 1)


def test_lock_date_applies_to_approved_documents(xero: XeroHttp) -> None:
    assert errors_of(xero.put("/Invoices", invoice(Date="2025-06-30"))) == [
        "The document date cannot be before the period lock date of 30 Jun 2025. Please update "
        "the date on the document."
    ]
    assert xero.put("/Invoices", invoice(Date="2025-07-01")).status == 200
    assert xero.put("/Invoices", invoice(Date="2025-06-01", Status="DRAFT")).status == 200


def test_contact_rules(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    assert errors_of(xero.put("/Invoices", invoice(Contact={}))) == [
        "The Contact must contain at least 1 of the following elements to identify the contact: "
        "Name, ContactID, ContactNumber"
    ]
    missing = "00000000-0000-0000-0000-000000000001"
    assert errors_of(xero.put("/Invoices", invoice(Contact={"ContactID": missing}))) == [
        f"The contact with ContactID '{missing}' could not be found."
    ]
    org = sandbox.state.orgs[DEMO_TENANT]
    archived = next(c for c in org.contacts.values() if c["ContactStatus"] == "ARCHIVED")
    assert errors_of(
        xero.put("/Invoices", invoice(Contact={"ContactID": archived["ContactID"]}))
    ) == [
        "The contact 'Old Supplier Pty Ltd' is archived. Unable to assign an Archived contact to a "
        "transaction."
    ]
    before = len(org.contacts)
    refused = xero.put("/Invoices", invoice(Contact={"Name": "Brand New Ltd"}, CurrencyCode="JPY"))
    assert refused.status == 400 and len(org.contacts) == before
    made = xero.put("/Invoices", invoice(Contact={"Name": "Brand New Ltd"})).json["Invoices"][0]
    assert made["Contact"]["Name"] == "Brand New Ltd" and made["Contact"]["IsCustomer"] is True
    assert len(org.contacts) == before + 1
    by_number = xero.put(
        "/Invoices",
        invoice(
            Contact={"ContactNumber": "SUPP-001"},
            Type="ACCPAY",
            LineItems=[line(AccountCode="429")],
        ),
    )
    assert by_number.json["Invoices"][0]["Contact"]["IsSupplier"] is True


def test_due_date_needed_to_approve_unless_terms_give_it(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    doc = invoice()
    del doc["DueDate"]
    assert errors_of(xero.put("/Invoices", doc)) == ["Due Date is required to approve an invoice."]
    org = sandbox.state.orgs[DEMO_TENANT]
    contact = next(c for c in org.contacts.values() if c["Name"] == "Bayside Club")
    contact["PaymentTerms"] = {"Sales": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}}
    made = xero.put("/Invoices", doc).json["Invoices"][0]
    assert made["DueDateString"] == "2026-02-20T00:00:00"
    assert xero.put("/Invoices", dict(doc, Status="DRAFT")).status == 200


def test_tracking_on_lines(xero: XeroHttp) -> None:
    ok = xero.put(
        "/Invoices",
        invoice(
            LineItems=[
                line(
                    Tracking=[
                        {"Name": "Region", "Option": "north"},
                        {"Name": "Department", "Option": "Sales"},
                    ]
                )
            ]
        ),
    )
    tracking = ok.json["Invoices"][0]["LineItems"][0]["Tracking"]
    assert [(t["Name"], t["Option"]) for t in tracking] == [
        ("Region", "North"),
        ("Department", "Sales"),
    ]
    assert all(t["TrackingCategoryID"] and t["TrackingOptionID"] for t in tracking)
    three = [{"Name": "Region", "Option": "North"}] * 3
    assert errors_of(xero.put("/Invoices", invoice(LineItems=[line(Tracking=three)]))) == [
        "A line item can have a maximum of 2 tracking categories."
    ]
    bad = [{"Name": "Region", "Option": "Mars"}]
    assert errors_of(xero.put("/Invoices", invoice(LineItems=[line(Tracking=bad)]))) == [
        "The tracking option 'Mars' does not exist or is not active in the tracking category "
        "'Region'."
    ]


def test_sent_to_contact_reference_and_url(xero: XeroHttp) -> None:
    assert errors_of(xero.put("/Invoices", invoice(Status="DRAFT", SentToContact=True))) == [
        "Only AUTHORISED invoices may have SentToContact updated."
    ]
    made = xero.put(
        "/Invoices", invoice(SentToContact=True, Reference="PO 7", Url="https://app.example/j/1")
    )
    shown = made.json["Invoices"][0]
    assert (shown["SentToContact"], shown["Reference"], shown["Url"]) == (
        True,
        "PO 7",
        "https://app.example/j/1",
    )
    bill = xero.put(
        "/Invoices",
        invoice(Type="ACCPAY", Reference="ignored", LineItems=[line(AccountCode="429")]),
    )
    assert "Reference" not in bill.json["Invoices"][0]
    assert errors_of(xero.put("/Invoices", invoice(Url="app.example"))) == [
        "The Url must be a valid absolute URL (http or https)."
    ]


def test_negative_total_refused_negative_line_allowed(xero: XeroHttp) -> None:
    mixed = xero.put("/Invoices", invoice(LineItems=[line(), line(Quantity=-1, UnitAmount="30")]))
    assert mixed.json["Invoices"][0]["Total"] == D("77.00")
    assert errors_of(xero.put("/Invoices", invoice(LineItems=[line(Quantity=-1)]))) == [
        "Invoice total cannot be negative."
    ]


def test_bad_input_gets_xero_shapes(xero: XeroHttp) -> None:
    wrong = xero.put("/Invoices", invoice(LineItems=[line(Quantity="abc")]))
    assert wrong.status == 400 and wrong.json["Type"] == "PostDataInvalidException"
    assert "LineItems[0].Quantity" in wrong.json["Message"]
    huge = xero.put("/Invoices", invoice(LineItems=[line(UnitAmount="1e20")]))
    assert errors_of(huge) == ["UnitAmount must be less than 1,000,000,000,000."]
    empty = xero.put("/Invoices", {})
    assert empty.status == 400 and empty.json["Type"] == "NoDataProcessedException"
    assert errors_of(xero.put("/Invoices", invoice(Type="SALE"))) == [
        "Invoice Type must be ACCREC or ACCPAY."
    ]
    assert errors_of(xero.put("/Invoices", invoice(Status="PAID"))) == [
        "Invoice not of valid status for creation"
    ]
    mismatch = xero.put(
        "/Invoices", invoice(LineItems=[line(Quantity=2, UnitAmount=10, LineAmount=25)])
    )
    assert errors_of(mismatch)[0].startswith("The LineAmount 25.00 does not match")
    types = xero.put("/Invoices", invoice(LineAmountTypes="Gross"))
    assert types.status == 400 and types.json["Type"] == "PostDataInvalidException"


def test_items_fill_lines_and_tracked_stock_is_checked(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    org = sandbox.state.orgs[DEMO_TENANT]
    org.items["it-1"] = {
        "ItemID": "it-1",
        "Code": "WIDGET",
        "Name": "Widget",
        "Description": "A widget",
        "SalesDetails": {"UnitPrice": D("12.50"), "AccountCode": "200", "TaxType": "OUTPUT"},
        "PurchaseDetails": {"UnitPrice": D("5"), "COGSAccountCode": "310"},
        "InventoryAssetAccountCode": "630",
        "QuantityOnHand": D("2"),
        "TotalCostPool": D("10.00"),
    }
    reply = xero.put("/Invoices", invoice(LineItems=[{"ItemCode": "widget", "Quantity": 3}]))
    assert errors_of(reply)[0].startswith("The quantity on hand for item 'WIDGET' is insufficient")
    ok = xero.put(
        "/Invoices",
        invoice(LineItems=[{"ItemCode": "widget", "Quantity": 3}]),
        params={"allowBackorders": "true"},
    )
    made = ok.json["Invoices"][0]["LineItems"][0]
    assert (made["Description"], made["UnitAmount"], made["LineAmount"]) == (
        "A widget",
        D("12.50"),
        D("37.50"),
    )
    assert org.items["it-1"]["QuantityOnHand"] == D("-1")
    assert errors_of(
        xero.put("/Invoices", invoice(LineItems=[{"ItemCode": "NOPE", "Quantity": 1}]))
    ) == ["Item code 'NOPE' is not valid.", "Account code must be specified on every line item."]
