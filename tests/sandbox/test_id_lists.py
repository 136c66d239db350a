"""``IDs`` and ``ContactIDs``: GUIDs with or without dashes, in any case; anything else refused.

Xero matches ``IDs=0f3d...`` (no dashes) to the dashed id, and answers a value it cannot read
with a bare 400 naming the parameter its own way (``Ids``, ``ContactIds``).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import XeroHttp


def make(xero: XeroHttp, path: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Contact": {"Name": "Bayside Club"},
        "Date": "2026-01-10",
        "DueDate": "2026-02-10",
        "Status": "DRAFT",
        "LineItems": [
            {"Description": "Job", "Quantity": 1, "UnitAmount": "100", "AccountCode": "200"}
        ],
    }
    body.update(fields)
    reply = xero.put(path, body)
    assert reply.status == 200, reply.text
    made: dict[str, Any] = reply.json[path.strip("/")][0]
    return made


def undashed(guid: str) -> str:
    return guid.replace("-", "")


def found(xero: XeroHttp, path: str, id_field: str, **params: str) -> list[str]:
    reply = xero.get(path, params=params)
    assert reply.status == 200, reply.text
    return sorted(r[id_field] for r in reply.json[path.strip("/")])


def assert_unparsable(reply: Any, name: str) -> None:
    assert reply.status == 400, reply.text
    assert reply.text == f"Supplied parameter '{name}' cannot be parsed."
    assert reply.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    ("path", "id_field", "fields"),
    [
        ("/Invoices", "InvoiceID", {"Type": "ACCREC"}),
        ("/CreditNotes", "CreditNoteID", {"Type": "ACCRECCREDIT"}),
    ],
)
def test_documents_by_ids_with_or_without_dashes_in_any_case(
    xero: XeroHttp, path: str, id_field: str, fields: dict[str, Any]
) -> None:
    first = make(xero, path, **fields)[id_field]
    second = make(xero, path, **fields)[id_field]
    make(xero, path, **fields)
    wanted = sorted([first, second])
    for given in (
        f"{undashed(first)},{undashed(second)}",
        f"{undashed(first).upper()},{second.upper()}",
        f" {first} , {undashed(second)} ",
    ):
        assert found(xero, path, id_field, IDs=given) == wanted, given


def test_contacts_by_ids_without_dashes(xero: XeroHttp) -> None:
    contacts = xero.get("/Contacts").json["Contacts"]
    bayside = next(c["ContactID"] for c in contacts if c["Name"] == "Bayside Club")
    assert found(xero, "/Contacts", "ContactID", IDs=undashed(bayside).upper()) == [bayside]


def test_invoices_by_contact_ids_without_dashes(xero: XeroHttp) -> None:
    bayside = make(xero, "/Invoices", Type="ACCREC")
    make(xero, "/Invoices", Type="ACCREC", Contact={"Name": "City Limousines"})
    contact_id = bayside["Contact"]["ContactID"]
    by_contact = found(xero, "/Invoices", "InvoiceID", ContactIDs=undashed(contact_id).upper())
    assert by_contact == [bayside["InvoiceID"]]


MALFORMED = [
    "not-a-guid",
    "0f3d",
    "123",
    # one hex digit short, with and without dashes
    "0f3d5a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5",
    "0f3d5a1b2c3d4e5f8a9b0c1d2e3f4a5",
    # a character that is not hex
    "0f3d5a1b-2c3d-4e5f-8a9b-0c1d2e3f4a5g",
    # dashes in the wrong places
    "0f3d5a1b2c3d-4e5f-8a9b-0c1d-2e3f4a5b",
]


@pytest.mark.parametrize("bad", MALFORMED)
@pytest.mark.parametrize("path", ["/Invoices", "/CreditNotes", "/Contacts"])
def test_a_malformed_id_is_refused(xero: XeroHttp, path: str, bad: str) -> None:
    assert_unparsable(xero.get(path, params={"IDs": bad}), "Ids")


def test_one_malformed_id_refuses_the_whole_list(xero: XeroHttp) -> None:
    invoice = make(xero, "/Invoices", Type="ACCREC")["InvoiceID"]
    reply = xero.get("/Invoices", params={"IDs": f"{invoice},nope"})
    assert_unparsable(reply, "Ids")
    # the parameter name is matched without regard to case, as Xero matches it
    assert_unparsable(xero.get("/Invoices", params={"ids": "nope"}), "Ids")


@pytest.mark.parametrize("bad", MALFORMED[:3])
def test_a_malformed_contact_id_is_refused(xero: XeroHttp, bad: str) -> None:
    contacts = xero.get("/Contacts").json["Contacts"]
    bayside = next(c["ContactID"] for c in contacts if c["Name"] == "Bayside Club")
    reply = xero.get("/Invoices", params={"ContactIDs": f"{bayside},{bad}"})
    assert_unparsable(reply, "ContactIds")
