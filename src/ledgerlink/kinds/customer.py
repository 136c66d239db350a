"""Customers: the Xero contact a source app's sales invoices for the same key use."""

from __future__ import annotations

from ledgerlink.documents.contact import Customer
from ledgerlink.kinds.contact import ContactKind


class CustomerKind(ContactKind):
    name = "customer"
    model = Customer
    schema_name = "Customer"
    noun = "customer"
    settings_tab = "customers"
    usage = "sales"
    terms_side = "Sales"


KIND = CustomerKind()
