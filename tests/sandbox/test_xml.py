"""Xero's XML over plain HTTP: XML request bodies and XML answers for contacts and invoices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from tests.conftest import XeroHttp
from tests.sandbox.xml_helpers import call_xml, root_of, text

CONTACT = """
<Contacts>
  <Contact>
    <Name>Harbour Traders</Name>
    <EmailAddress>ap@harbour.example</EmailAddress>
    <ContactPersons>
      <ContactPerson><FirstName>Ann</FirstName><IncludeInEmails>true</IncludeInEmails></ContactPerson>
    </ContactPersons>
    <Addresses>
      <Address><AddressType>POBOX</AddressType><AddressLine1>PO Box 7</AddressLine1></Address>
    </Addresses>
    <Phones>
      <Phone><PhoneType>DEFAULT</PhoneType><PhoneNumber>5550101</PhoneNumber></Phone>
    </Phones>
  </Contact>
</Contacts>
"""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

INVOICE = """
<Invoices>
  <Invoice>
    <Type>ACCREC</Type>
    <Contact><Name>Harbour Traders</Name></Contact>
    <Date>2026-01-10T00:00:00</Date>
    <DueDate>2026-02-10T00:00:00</DueDate>
    <Status>AUTHORISED</Status>
    <Reference>XML-1</Reference>
    <LineItems>
      <LineItem>
        <Description>Rope</Description>
        <Quantity>3</Quantity>
        <UnitAmount>19.99</UnitAmount>
        <AccountCode>200</AccountCode>
        <Tracking>
          <TrackingCategory><Name>Region</Name><Option>North</Option></TrackingCategory>
        </Tracking>
      </LineItem>
      <LineItem>
        <Description>Knots</Description>
        <Quantity>1</Quantity>
        <UnitAmount>0.05</UnitAmount>
        <AccountCode>200</AccountCode>
      </LineItem>
    </LineItems>
  </Invoice>
</Invoices>
"""


def test_contact_created_in_xml_reads_back_the_same_in_xml_and_json(xero: XeroHttp) -> None:
    reply = call_xml(xero, "PUT", "/Contacts", CONTACT)
    assert reply.status == 200, reply.text
    root = root_of(reply)
    assert root.tag == "Response"
    assert root.get("xmlns:xsi") is None  # namespace declarations are not attributes
    assert 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"' in reply.text
    assert 'xmlns:xsd="http://www.w3.org/2001/XMLSchema"' in reply.text
    assert [child.tag for child in root][:4] == ["Id", "Status", "ProviderName", "DateTimeUTC"]
    assert text(root, "Status") == "OK"
    assert "/Date(" not in reply.text
    (contact,) = root.findall("Contacts/Contact")
    contact_id = text(contact, "ContactID")
    assert text(contact, "Name") == "Harbour Traders"
    # one child is still a list: a plural element of singular ones
    assert text(contact, "Addresses/Address/AddressLine1") == "PO Box 7"
    assert text(contact, "Phones/Phone/PhoneNumber") == "5550101"
    assert text(contact, "ContactPersons/ContactPerson/IncludeInEmails") == "true"

    as_json = xero.get(f"/Contacts/{contact_id}").json["Contacts"][0]
    assert as_json["Name"] == "Harbour Traders"
    assert as_json["EmailAddress"] == "ap@harbour.example"
    assert as_json["ContactPersons"] == [
        {"FirstName": "Ann", "IncludeInEmails": True, **_extra(as_json["ContactPersons"][0])}
    ]
    po_box = next(a for a in as_json["Addresses"] if a["AddressType"] == "POBOX")
    assert po_box["AddressLine1"] == "PO Box 7"
    phone = next(p for p in as_json["Phones"] if p["PhoneType"] == "DEFAULT")
    assert phone["PhoneNumber"] == "5550101"

    again = root_of(call_xml(xero, "GET", f"/Contacts/{contact_id}"))
    assert text(again, "Contacts/Contact/ContactID") == contact_id
    assert text(again, "Contacts/Contact/EmailAddress") == "ap@harbour.example"
    updated = datetime.fromisoformat(text(again, "Contacts/Contact/UpdatedDateUTC"))
    millis = round((updated.replace(tzinfo=UTC) - EPOCH) / timedelta(milliseconds=1))
    assert as_json["UpdatedDateUTC"] == f"/Date({millis}+0000)/"


def _extra(person: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in person.items() if k not in ("FirstName", "IncludeInEmails")}


def test_invoice_created_in_xml_matches_its_json(xero: XeroHttp) -> None:
    reply = call_xml(xero, "PUT", "/Invoices", INVOICE)
    assert reply.status == 200, reply.text
    (invoice,) = root_of(reply).findall("Invoices/Invoice")
    invoice_id = text(invoice, "InvoiceID")
    assert text(invoice, "Date") == "2026-01-10T00:00:00"
    assert text(invoice, "DueDate") == "2026-02-10T00:00:00"
    assert invoice.find("DateString") is None  # JSON's helper fields are not in XML
    lines = invoice.findall("LineItems/LineItem")
    assert [text(line, "Description") for line in lines] == ["Rope", "Knots"]
    tracked = lines[0].findall("Tracking/TrackingCategory")
    assert [(text(t, "Name"), text(t, "Option")) for t in tracked] == [("Region", "North")]
    assert lines[1].findall("Tracking/TrackingCategory") == []

    as_json = xero.get(f"/Invoices/{invoice_id}").json["Invoices"][0]
    assert as_json["Reference"] == "XML-1"
    assert as_json["Status"] == "AUTHORISED"
    assert as_json["DateString"] == "2026-01-10T00:00:00"
    assert as_json["LineItems"][0]["Quantity"] == Decimal("3")
    assert as_json["LineItems"][0]["UnitAmount"] == Decimal("19.99")
    assert as_json["LineItems"][0]["Tracking"][0]["Option"] == "North"
    for name in ("SubTotal", "TotalTax", "Total", "AmountDue"):
        assert text(invoice, name) == format(as_json[name], "f"), name
    assert text(invoice, "Contact/ContactID") == as_json["Contact"]["ContactID"]

    read = root_of(call_xml(xero, "GET", f"/Invoices/{invoice_id}"))
    (same,) = read.findall("Invoices/Invoice")
    assert text(same, "InvoiceNumber") == as_json["InvoiceNumber"]
    assert text(same, "Total") == format(as_json["Total"], "f")
    assert text(same, "LineItems/LineItem/LineAmount") == format(
        as_json["LineItems"][0]["LineAmount"], "f"
    )


def test_a_single_invoice_root_and_pyxeros_form_field(xero: XeroHttp) -> None:
    single = INVOICE.replace("<Invoices>", "").replace("</Invoices>", "")
    reply = call_xml(
        xero, "PUT", "/Invoices", single.replace("XML-1", "XML-2"), accept="application/json"
    )
    assert reply.status == 200, reply.text
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json["Invoices"][0]["Reference"] == "XML-2"
    # pyxero posts the XML as the form field ``xml`` and asks for JSON
    form = urlencode({"xml": single.replace("XML-1", "XML-3")}).encode()
    posted = xero.call(
        "POST",
        "/Invoices",
        raw=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert posted.status == 200, posted.text
    assert posted.json["Invoices"][0]["Reference"] == "XML-3"
    assert len(posted.json["Invoices"][0]["LineItems"]) == 2


def test_summarize_errors_false_carries_the_status_attribute(xero: XeroHttp) -> None:
    good = "<Contact><Name>Status Attr Ltd</Name></Contact>"
    bad = "<Contact><Name> </Name></Contact>"
    reply = call_xml(
        xero,
        "PUT",
        "/Contacts",
        f"<Contacts>{good}{bad}</Contacts>",
        params={"summarizeErrors": "false"},
    )
    assert reply.status == 200, reply.text
    contacts = root_of(reply).findall("Contacts/Contact")
    assert [c.get("status") for c in contacts] == ["OK", "ERROR"]
    assert contacts[0].find("StatusAttributeString") is None
    assert text(contacts[1], "ValidationErrors/ValidationError/Message") == (
        "The contact name must be specified."
    )


def test_json_clients_are_unaffected_and_xml_is_xeros_default(xero: XeroHttp) -> None:
    json_reply = xero.get("/Currencies")
    assert json_reply.headers["content-type"].startswith("application/json")
    assert json_reply.json["Status"] == "OK"
    # Xero's Accounting API answers XML unless JSON is asked for
    for accept in ("", "*/*", "text/xml", "application/xml, application/json;q=0.5"):
        reply = xero.get("/Currencies", headers={"Accept": accept})
        assert reply.status == 200
        root = root_of(reply)
        codes = [c.text for c in root.iterfind("Currencies/Currency/Code")]
        assert "AUD" in codes
    assert xero.get("/Currencies", headers={"Accept": "text/xml;q=0.4, application/json"}).json[
        "Currencies"
    ]


def test_gateway_answers_keep_their_own_shape(xero: XeroHttp) -> None:
    missing = xero.get("/Nowhere", headers={"Accept": "application/xml"})
    assert missing.status == 404
    assert missing.headers["content-type"].startswith("text/plain")
    bad_token = XeroHttp(xero.base, "not-a-token", xero.tenant)
    try:
        refused = bad_token.get("/Contacts", headers={"Accept": "application/xml"})
    finally:
        bad_token.close()
    assert refused.status == 401
    assert refused.json["Detail"] == "AuthenticationUnsuccessful"


def test_an_xml_key_replays_in_either_format(xero: XeroHttp) -> None:
    keyed = {"Idempotency-Key": "xml-contact-1"}
    body = "<Contact><Name>Replay Pty</Name></Contact>"
    first = call_xml(xero, "PUT", "/Contacts", body, headers=keyed)
    assert first.status == 200, first.text
    again = call_xml(xero, "PUT", "/Contacts", body, headers=keyed)
    assert again.text == first.text
    as_json = call_xml(xero, "PUT", "/Contacts", body, headers=keyed, accept="application/json")
    root = root_of(first)
    assert as_json.json["Id"] == text(root, "Id")
    assert as_json.json["Contacts"][0]["ContactID"] == text(root, "Contacts/Contact/ContactID")
    names = [c["Name"] for c in xero.get("/Contacts").json["Contacts"]]
    assert names.count("Replay Pty") == 1
