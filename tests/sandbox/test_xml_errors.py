"""Xero's errors for XML: ApiException in XML, invalid XML and entity expansion refused."""

from __future__ import annotations

import pytest

from tests.conftest import XeroHttp
from tests.sandbox.xml_helpers import XSI, call_xml, messages, root_of, text

LOCKED_INVOICE = """
<Invoices><Invoice>
  <Type>ACCREC</Type>
  <Contact><Name>Bayside Club</Name></Contact>
  <Date>2025-06-30T00:00:00</Date>
  <DueDate>2025-07-30T00:00:00</DueDate>
  <Status>AUTHORISED</Status>
  <LineItems><LineItem>
    <Description>Work</Description><Quantity>1</Quantity><UnitAmount>100</UnitAmount>
    <AccountCode>200</AccountCode>
  </LineItem></LineItems>
</Invoice></Invoices>
"""

LOCK_MESSAGE = (
    "The document date cannot be before the period lock date of 30 Jun 2025. Please update the "
    "date on the document."
)

BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Contacts><Contact><Name>&lol4;</Name></Contact></Contacts>"""

EXTERNAL = """<?xml version="1.0"?>
<!DOCTYPE c [<!ENTITY secret SYSTEM "file:///etc/hostname">]>
<Contact><Name>&secret;</Name></Contact>"""

DTD_REFUSED = (
    "Xml for post data was invalid, For security reasons DTD is prohibited in this XML document."
)


def test_a_validation_error_in_xml(xero: XeroHttp) -> None:
    reply = call_xml(xero, "PUT", "/Invoices", LOCKED_INVOICE)
    assert reply.status == 400
    root = root_of(reply)
    assert root.tag == "ApiException"
    assert 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in reply.text
    assert [child.tag for child in root] == ["ErrorNumber", "Type", "Message", "Elements"]
    assert text(root, "ErrorNumber") == "10"
    assert text(root, "Type") == "ValidationException"
    assert text(root, "Message") == "A validation exception occurred"
    (failed,) = root.findall("Elements/DataContractBase")
    assert failed.get(f"{XSI}type") == "Invoice"
    assert [child.tag for child in failed][:2] == ["ValidationErrors", "Warnings"]
    none = failed.find("Warnings")
    assert none is not None and len(none) == 0
    assert messages(root) == [LOCK_MESSAGE]
    assert text(failed, "Date") == "2025-06-30T00:00:00"
    # the same body in JSON is refused with the same words
    as_json = call_xml(xero, "PUT", "/Invoices", LOCKED_INVOICE, accept="application/json")
    assert as_json.status == 400
    assert [m["Message"] for m in as_json.json["Elements"][0]["ValidationErrors"]] == [LOCK_MESSAGE]


def test_a_manual_journal_error_names_its_type(xero: XeroHttp) -> None:
    body = """<ManualJournal><Narration>Accrual</Narration><Date>2026-01-31</Date>
      <JournalLines>
        <JournalLine><LineAmount>100</LineAmount><AccountCode>429</AccountCode></JournalLine>
        <JournalLine><LineAmount>-10</LineAmount><AccountCode>880</AccountCode></JournalLine>
      </JournalLines></ManualJournal>"""
    reply = call_xml(xero, "PUT", "/ManualJournals", body, headers={"Content-Type": "text/xml"})
    assert reply.status == 400
    root = root_of(reply)
    (failed,) = root.findall("Elements/DataContractBase")
    assert failed.get(f"{XSI}type") == "ManualJournal"
    assert messages(root) == ["The total debits (100.00) must equal total credits (-10.00)"]


MALFORMED = [
    ("Name=Acme", "Data at the root level is invalid. Line 1, position 1."),
    (
        "<Contacts><Contact><Name>Acme",
        "Unexpected end of file has occurred. Line 1, position 30.",
    ),
    (
        "<Contact><Name>A\x02</Name></Contact>",
        "'\x02', hexadecimal value 0x02, is an invalid character. Line 1, position 17.",
    ),
    (
        "<Contact><Name>Caf&eacute;</Name></Contact>",
        "Reference to undeclared entity 'eacute'. Line 1, position 19.",
    ),
]


@pytest.mark.parametrize(("body", "message"), MALFORMED)
def test_malformed_xml_is_invalid_post_data(xero: XeroHttp, body: str, message: str) -> None:
    as_json = call_xml(xero, "PUT", "/Contacts", body, accept="application/json")
    assert as_json.status == 400
    assert as_json.json == {
        "ErrorNumber": 14,
        "Type": "PostDataInvalidException",
        "Message": f"Xml for post data was invalid, {message}",
    }
    as_xml = root_of(call_xml(xero, "PUT", "/Contacts", body))
    assert as_xml.tag == "ApiException"
    assert (text(as_xml, "ErrorNumber"), text(as_xml, "Type")) == ("14", "PostDataInvalidException")
    # XML cannot carry a control character: the XML answer quotes the message without it
    assert text(as_xml, "Message") == f"Xml for post data was invalid, {message}".replace(
        "\x02", ""
    )


@pytest.mark.parametrize("body", [BOMB, EXTERNAL], ids=["entity-expansion", "external-entity"])
def test_a_dtd_is_refused_and_nothing_is_saved(xero: XeroHttp, body: str) -> None:
    before = len(xero.get("/Contacts").json["Contacts"])
    reply = call_xml(xero, "PUT", "/Contacts", body, accept="application/json")
    assert reply.status == 400
    assert reply.json == {
        "ErrorNumber": 14,
        "Type": "PostDataInvalidException",
        "Message": DTD_REFUSED,
    }
    assert len(xero.get("/Contacts").json["Contacts"]) == before
    form = call_xml(xero, "PUT", "/Contacts", body, headers={"Content-Type": "text/xml"})
    assert text(root_of(form), "Message") == DTD_REFUSED


def test_an_empty_collection_is_no_data(xero: XeroHttp) -> None:
    reply = call_xml(xero, "PUT", "/Invoices", "<Invoices />", accept="application/json")
    assert reply.status == 400
    assert reply.json["ErrorNumber"] == 17
    assert reply.json["Type"] == "NoDataProcessedException"


def test_a_json_body_answered_in_xml_stays_well_formed(xero: XeroHttp) -> None:
    body = {"Contacts": [{"Name": " ", "odd key": "x", "Note": "bell\x07"}]}
    reply = xero.put("/Contacts", body, headers={"Accept": "application/xml"})
    assert reply.status == 400
    root = root_of(reply)
    assert messages(root) == ["The contact name must be specified."]
    (failed,) = root.findall("Elements/DataContractBase")
    assert failed.get(f"{XSI}type") == "Contact"
    assert text(failed, "Note") == "bell"
