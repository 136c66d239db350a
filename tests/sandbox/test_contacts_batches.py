"""Contacts as ledgerlink writes customers and suppliers: 50 to a PUT or POST with
``summarizeErrors=false`` (200, each element with its own status and Xero's messages), the
unique-name rule across active contacts whatever the case, the details Xero keeps (phones and
addresses one per type, payment terms, default accounts, tax types and currency), archiving,
and a CONTACT webhook event for every create and update."""

from __future__ import annotations

from typing import Any

from tests.conftest import RunningSandbox, XeroHttp

BATCH = {"summarizeErrors": "false"}


def _events(sandbox: RunningSandbox, event_type: str) -> list[str]:
    return [
        e.resource_id
        for e in sandbox.state.events
        if e.category == "CONTACT" and e.event_type == event_type
    ]


def test_a_put_of_fifty_keeps_the_good_ones_and_names_the_clash(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    elements: list[dict[str, Any]] = [
        {"Name": f"Batch Customer {n}", "ContactNumber": f"cust-{n}"} for n in range(49)
    ]
    elements.append({"Name": "BAYSIDE CLUB ", "ContactNumber": "cust-49"})  # the seed's, any case
    reply = xero.put("/Contacts", {"Contacts": elements}, params=BATCH)
    assert reply.status == 200
    statuses = [c["StatusAttributeString"] for c in reply.json["Contacts"]]
    assert statuses == ["OK"] * 49 + ["ERROR"]
    assert reply.json["Contacts"][49]["ValidationErrors"] == [
        {
            "Message": "The contact name BAYSIDE CLUB is already assigned to another contact. "
            "The contact name must be unique across all active contacts."
        }
    ]
    made = [c["ContactID"] for c in reply.json["Contacts"][:49]]
    assert sorted(_events(sandbox, "CREATE")) == sorted(made)
    assert xero.get("/Contacts/cust-49").status == 404


def test_a_post_of_fifty_updates_details_and_archives(
    xero: XeroHttp, sandbox: RunningSandbox
) -> None:
    made = xero.put(
        "/Contacts",
        {"Contacts": [{"Name": f"Supplier {n}", "ContactNumber": f"sup-{n}"} for n in range(50)]},
        params=BATCH,
    ).json["Contacts"]
    updates: list[dict[str, Any]] = [
        {
            "ContactID": c["ContactID"],
            "Name": f"Supplier {n} Pty Ltd",
            "TaxNumber": "12 345 678 901",
            "DefaultCurrency": "USD",
            "PurchasesDefaultAccountCode": "400",
            "AccountsPayableTaxType": "INPUT",
            "PaymentTerms": {"Bills": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}},
            "Phones": [
                {"PhoneType": "DEFAULT", "PhoneNumber": "555 0100", "PhoneAreaCode": "02"},
                {"PhoneType": "MOBILE", "PhoneNumber": ""},
            ],
            "Addresses": [{"AddressType": "POBOX", "AddressLine1": "PO Box 1", "City": "Perth"}],
            "ContactStatus": "ARCHIVED" if n == 0 else "ACTIVE",
        }
        for n, c in enumerate(made)
    ]
    reply = xero.post("/Contacts", {"Contacts": updates}, params=BATCH)
    assert reply.status == 200
    assert {c["StatusAttributeString"] for c in reply.json["Contacts"]} == {"OK"}
    assert sorted(_events(sandbox, "UPDATE")) == sorted(c["ContactID"] for c in made)
    one = xero.get("/Contacts/sup-7").json["Contacts"][0]
    assert one["Name"] == "Supplier 7 Pty Ltd"
    assert (one["DefaultCurrency"], one["AccountsPayableTaxType"]) == ("USD", "INPUT")
    assert one["PaymentTerms"] == {"Bills": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}}
    assert "IsSupplier" in one and one["IsSupplier"] is False  # Xero's own, set by bills

    listed = xero.get("/Contacts", params={"searchTerm": "sup-0"}).json["Contacts"]
    assert listed == []  # archived: hidden unless asked
    archived = xero.get("/Contacts", params={"searchTerm": "sup-0", "includeArchived": "true"})
    assert archived.json["Contacts"][0]["ContactStatus"] == "ARCHIVED"


def test_phones_and_addresses_are_kept_one_per_type(xero: XeroHttp) -> None:
    body = {
        "Name": "Slots Ltd",
        "Phones": [
            {"PhoneType": "DEFAULT", "PhoneNumber": "1"},
            {"PhoneType": "FAX", "PhoneNumber": "2"},
        ],
        "Addresses": [{"AddressType": "STREET", "AddressLine1": "1 Road"}],
    }
    made = xero.put("/Contacts", body).json["Contacts"][0]
    change = {
        "Phones": [{"PhoneType": "FAX", "PhoneNumber": ""}],
        "Addresses": [{"AddressType": "POBOX", "AddressLine1": "PO Box 3"}],
    }
    after = xero.post(f"/Contacts/{made['ContactID']}", change).json["Contacts"][0]
    assert {p["PhoneType"]: p["PhoneNumber"] for p in after["Phones"]} == {
        "DEFAULT": "1",
        "FAX": "",
    }
    lines = {a["AddressType"]: a["AddressLine1"] for a in after["Addresses"]}
    assert lines == {"STREET": "1 Road", "POBOX": "PO Box 3"}


def test_an_update_to_another_active_contacts_name_is_refused(xero: XeroHttp) -> None:
    made = xero.put("/Contacts", {"Name": "Renamed Later"}).json["Contacts"][0]
    reply = xero.post(
        "/Contacts", {"ContactID": made["ContactID"], "Name": "bayside club"}, params=BATCH
    )
    assert reply.status == 200
    [element] = reply.json["Contacts"]
    assert element["StatusAttributeString"] == "ERROR"
    assert element["ValidationErrors"][0]["Message"].startswith(
        "The contact name bayside club is already assigned to another contact."
    )
