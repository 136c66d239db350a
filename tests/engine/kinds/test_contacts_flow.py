"""Customers and suppliers: each is the one Xero contact its documents use, with its details.

A customer with source_id K and the invoices naming contact key K share one Xero contact,
whichever reaches ledgerlink first; a supplier likewise with its bills and purchase orders. A
name typed differently (case, spaces, punctuation) takes the existing contact. The sandbox's
contacts are the judge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import SendIntent
from ledgerlink.sync.on_demand import backfill
from ledgerlink.sync.plan import run_plan
from ledgerlink.sync.reconcile import reconcile
from ledgerlink.xero import wire
from tests.engine.kinds.conftest import expense, invoice, purchase_order
from tests.engine.kinds.contact_factories import (
    all_done,
    customer,
    numbered,
    supplier,
    xero_contacts,
)
from tests.engine.sync.conftest import SyncHarness

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def test_a_customer_becomes_one_xero_contact_with_its_details(harness: SyncHarness) -> None:
    harness.push("customer", [customer(1)])
    harness.sync()
    [contact] = numbered(harness, "client-1")
    assert contact["Name"] == "Client 1 Pty Ltd"
    assert contact["EmailAddress"] == "accounts1@client1.example"
    assert (contact["FirstName"], contact["LastName"]) == ("Dana", "Client1")
    assert contact["AccountNumber"] == "ACC-0001"
    assert contact["TaxNumber"] == "12 345 678 001"
    assert contact["SalesDefaultAccountCode"] == "200"
    assert contact["AccountsReceivableTaxType"] == "OUTPUT"
    assert contact["PaymentTerms"] == {"Sales": {"Day": 14, "Type": "DAYSAFTERBILLDATE"}}
    phones = {p["PhoneType"]: p["PhoneNumber"] for p in contact["Phones"]}
    assert phones == {"DEFAULT": "555 0101", "MOBILE": "0400 000 001", "DDI": "", "FAX": ""}
    streets = [a for a in contact["Addresses"] if a["AddressType"] == "STREET"]
    assert streets[0]["AddressLine1"] == "1 Main Street"
    assert streets[0]["City"] == "Sydney"
    assert (contact["IsCustomer"], contact["IsSupplier"]) == (False, False)  # no invoice yet
    sent = _sent_contacts(harness)
    assert {"ContactID", "Name", "TaxNumber", "PaymentTerms"} <= sent
    assert not sent & {"IsCustomer", "IsSupplier"}
    link = next(iter(harness.links().values()))
    assert link.xero_id == contact["ContactID"]
    assert link.xero_status == "ACTIVE"
    all_done(harness)


def _sent_contacts(harness: SyncHarness) -> set[str]:
    """Every field name ledgerlink sent in a Contact element (as its intents keep them)."""
    names: set[str] = set()
    with harness.factory() as session:
        for intent in session.scalars(select(SendIntent)):
            if intent.path.startswith("/Contacts"):
                for element in wire.decode(bytes(intent.body))["Contacts"]:
                    names |= set(element)
    return names


def test_a_customer_sent_after_its_invoice_updates_the_invoices_contact(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1)])  # contact key client-1
    harness.sync()
    harness.push("customer", [customer(1, name="Client One Pty Ltd")])
    harness.sync()
    [contact] = numbered(harness, "client-1")
    assert contact["Name"] == "Client One Pty Ltd"
    assert contact["TaxNumber"] == "12 345 678 001"
    assert contact["IsCustomer"] is True  # Xero's own: set by the invoice, never sent
    [bill] = harness.invoices()
    assert bill["Contact"]["ContactID"] == contact["ContactID"]
    all_done(harness)


def test_an_invoice_sent_after_its_customer_uses_the_customers_contact(
    harness: SyncHarness,
) -> None:
    harness.push("customer", [customer(1, name="Client One")])
    harness.sync()
    harness.push("invoice", [invoice(1)])  # names client-1 "Client 1 Pty Ltd"
    harness.sync()
    [contact] = numbered(harness, "client-1")
    assert contact["Name"] == "Client One"  # the invoice's name never renames it
    [sent] = harness.invoices()
    assert sent["Contact"]["ContactID"] == contact["ContactID"]
    all_done(harness)


def test_a_customer_and_its_invoice_in_one_claim_make_one_contact(harness: SyncHarness) -> None:
    harness.push("invoice", [invoice(1), invoice(21)])  # both client-1
    harness.push("customer", [customer(1)])
    harness.sync()
    assert len(numbered(harness, "client-1")) == 1
    assert len(xero_contacts(harness)) == len({c["Name"] for c in xero_contacts(harness)})
    all_done(harness)


def test_a_supplier_is_the_contact_of_its_bills_and_purchase_orders(harness: SyncHarness) -> None:
    harness.push("expense", [expense(3)])  # supplier-3
    harness.push("supplier", [supplier(3)])
    harness.push("purchase_order", [purchase_order(8)])  # supplier-3
    harness.sync()
    [contact] = numbered(harness, "supplier-3")
    assert contact["PurchasesDefaultAccountCode"] == "400"
    assert contact["AccountsPayableTaxType"] == "INPUT"
    assert contact["PaymentTerms"] == {"Bills": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}}
    [bill] = harness.invoices()
    assert bill["Contact"]["ContactID"] == contact["ContactID"]
    all_done(harness)


def test_a_name_differing_by_case_spaces_or_punctuation_takes_the_existing_contact(
    harness: SyncHarness,
) -> None:
    with harness.xero() as xero:  # typed in Xero by hand, without a contact number
        reply = xero.put("/Contacts", {"Contacts": [{"Name": "Acme Widgets Pty. Ltd."}]})
        assert reply.status == 200, reply.text
    before = len(xero_contacts(harness))
    harness.push("customer", [customer(7, name="ACME  widgets pty ltd")])
    harness.push("invoice", [invoice(9, contact={"key": "other", "name": "Acme-Widgets Pty Ltd"})])
    harness.sync()
    assert len(xero_contacts(harness)) == before
    [acme] = [c for c in xero_contacts(harness) if c["Name"] == "ACME  widgets pty ltd"]
    assert "ContactNumber" not in acme  # found by its name: its own number (none) is kept
    [sent] = harness.invoices()
    assert sent["Contact"]["ContactID"] == acme["ContactID"]
    all_done(harness)


def test_two_new_contacts_whose_names_differ_by_punctuation_are_one_contact(
    harness: SyncHarness,
) -> None:
    before = len(xero_contacts(harness))
    harness.push("customer", [customer(11, name="Harbour-Cafe Pty Ltd")])
    harness.push(
        "invoice", [invoice(12, contact={"key": "k-12", "name": "HARBOUR CAFE PTY. LTD."})]
    )
    harness.sync()
    assert len(xero_contacts(harness)) == before + 1
    [sent] = harness.invoices()
    assert sent["Contact"]["ContactID"] == numbered(harness, "client-11")[0]["ContactID"]
    all_done(harness)


def test_a_phone_removed_in_the_app_is_cleared_and_absent_phones_are_left_alone(
    harness: SyncHarness,
) -> None:
    harness.push("customer", [customer(3)])
    harness.sync()
    harness.push("customer", [customer(3, phones=[{"type": "mobile", "number": "0411 111 111"}])])
    harness.sync()
    [contact] = numbered(harness, "client-3")
    phones = {p["PhoneType"]: p["PhoneNumber"] for p in contact["Phones"]}
    assert phones == {"DEFAULT": "", "MOBILE": "0411 111 111", "DDI": "", "FAX": ""}
    without = customer(3, email="x@client3.example")
    del without["phones"], without["addresses"]
    harness.push("customer", [without])
    harness.sync()
    [contact] = numbered(harness, "client-3")
    assert {p["PhoneType"]: p["PhoneNumber"] for p in contact["Phones"]} == phones
    assert {a["AddressType"] for a in contact["Addresses"]} == {"POBOX", "STREET"}
    assert contact["EmailAddress"] == "x@client3.example"
    all_done(harness)


def test_an_archived_customer_is_archived_in_xero(harness: SyncHarness) -> None:
    harness.push("customer", [customer(2)])
    harness.sync()
    harness.push("customer", [customer(2, status="archived")])
    harness.sync()
    [contact] = numbered(harness, "client-2")
    assert contact["ContactStatus"] == "ARCHIVED"
    assert next(iter(harness.links().values())).xero_status == "ARCHIVED"
    all_done(harness)


def test_an_unknown_default_account_is_held_before_any_call(harness: SyncHarness) -> None:
    harness.push("customer", [customer(4, sales_account_code="999", sales_tax_type="NOPE")])
    harness.admin("DELETE", "/_sandbox/requests")
    harness.sync()
    [item] = harness.items()
    assert item.state == "needs_attention"
    assert item.error_code == "XERO_ACCOUNT_CODE_INVALID"
    assert "sales_tax_type" in (item.error_message or "")
    assert [r for r in harness.requests() if r["method"] != "GET"] == []
    assert numbered(harness, "client-4") == []


def test_an_unchanged_customer_sent_again_makes_no_call(harness: SyncHarness) -> None:
    harness.push("customer", [customer(5)])
    harness.sync()
    harness.admin("DELETE", "/_sandbox/requests")
    harness.push("customer", [customer(5)])
    harness.sync()
    writes = [r for r in harness.requests() if r["method"] in ("PUT", "POST")]
    assert writes == []
    assert Decimal(len(numbered(harness, "client-5"))) == 1


def test_a_reconciliation_leaves_customers_out_and_refuses_them_by_name(
    harness: SyncHarness,
) -> None:
    harness.push("customer", [customer(1)])
    harness.push("invoice", [invoice(1)])
    harness.sync()
    report = reconcile(harness.worker(), harness.workspace_id, harness.connection_id, *MARCH)
    assert "customer" not in report.kinds and "invoice" in report.kinds
    assert report.entries == []
    with pytest.raises(LedgerlinkError) as refused:
        reconcile(harness.worker(), harness.workspace_id, harness.connection_id, *MARCH, "customer")
    assert refused.value.field == "kind"


def test_the_plan_says_a_customer_updates_the_contact_its_invoice_made(
    harness: SyncHarness,
) -> None:
    harness.push("invoice", [invoice(1)])
    harness.sync()
    planned = run_plan(
        harness.worker(),
        harness.workspace_id,
        harness.connection_id,
        "customer",
        [customer(1), customer(2)],
    )
    by_source = {p.source_id: (p.action, p.contact) for p in planned.documents}
    assert by_source == {"client-1": ("update", "existing"), "client-2": ("create", "new")}
    assert planned.contacts_to_create == 1


def test_a_backfill_from_a_day_takes_every_customer(harness: SyncHarness) -> None:
    harness.push("customer", [customer(1), customer(2)])
    harness.sync()
    since = date(2026, 3, 1)
    queued = backfill(
        harness.factory,
        harness.workspace_id,
        harness.connection_id,
        "customer",
        since,
        harness.clock(),
    )
    assert queued == 2  # a customer has no date: none is left out by it
    harness.sync()
    assert len(numbered(harness, "client-1")) == 1
    all_done(harness)


def test_the_apps_own_contact_number_is_kept_in_xero_as_it_changes(harness: SyncHarness) -> None:
    harness.push("customer", [customer(6, contact_number="C-0006")])
    harness.sync()
    assert len(numbered(harness, "C-0006")) == 1
    harness.push("customer", [customer(6, contact_number="C-0106")])
    harness.sync()
    assert numbered(harness, "C-0006") == [] and len(numbered(harness, "C-0106")) == 1
    assert numbered(harness, "client-6") == []
    all_done(harness)
