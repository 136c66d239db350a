"""Suppliers (vendors): the Xero contact a source app's bills and purchase orders for the same
key use."""

from __future__ import annotations

from ledgerlink.documents.contact import Supplier
from ledgerlink.kinds.contact import ContactKind


class SupplierKind(ContactKind):
    name = "supplier"
    model = Supplier
    schema_name = "Supplier"
    noun = "supplier"
    settings_tab = "vendors"
    usage = "purchase"
    terms_side = "Bills"


KIND = SupplierKind()
