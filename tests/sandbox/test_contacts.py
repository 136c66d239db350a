from __future__ import annotations

from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def _names(reply: Any) -> list[str]:
    return [c["Name"] for c in reply.json["Contacts"]]


def test_list_hides_archived_unless_asked(xero: XeroHttp) -> None:
    reply = xero.get("/Contacts")
    assert reply.status == 200
    assert "Old Supplier Pty Ltd" not in _names(reply)
    assert _names(reply) == sorted(_names(reply), key=str.lower)
    everything = xero.get("/Contacts", params={"includeArchived": "true"})
    assert "Old Supplier Pty Ltd" in _names(everything)


def test_search_term_where_ids_and_summary(xero: XeroHttp) -> None:
    reply = xero.get("/Contacts", params={"searchTerm": "SUPP-001"})
    assert _names(reply) == ["Office Supplies Co"]
    reply = xero.get("/Contacts", params={"searchTerm": "citylimos"})
    assert _names(reply) == ["City Limousines"]
    reply = xero.get("/Contacts", params={"where": 'Name.StartsWith("b")'})
    assert _names(reply) == ["Bayside Club"]
    bayside = reply.json["Contacts"][0]
    ids = xero.get("/Contacts", params={"IDs": bayside["ContactID"]})
    assert _names(ids) == ["Bayside Club"]
    summary = xero.get("/Contacts", params={"summaryOnly": "true", "IDs": bayside["ContactID"]})
    assert "Addresses" not in summary.json["Contacts"][0]
    assert "Addresses" in ids.json["Contacts"][0]


def test_paging_gives_pagination_block(xero: XeroHttp) -> None:
    reply = xero.get("/Contacts", params={"page": 2, "pageSize": 2})
    assert reply.status == 200
    assert reply.json["pagination"] == {"page": 2, "pageSize": 2, "pageCount": 3, "itemCount": 5}
    assert _names(reply) == ["Office Supplies Co", "PowerDirect"]


def test_get_by_id_and_by_contact_number(xero: XeroHttp) -> None:
    by_number = xero.get("/Contacts/CUST-001")
    assert by_number.status == 200
    contact = by_number.json["Contacts"][0]
    assert contact["Name"] == "Bayside Club"
    by_id = xero.get(f"/Contacts/{contact['ContactID']}")
    assert by_id.json["Contacts"][0]["ContactNumber"] == "CUST-001"
    assert xero.get("/Contacts/NOPE-999").status == 404


def test_put_creates_and_emits_event(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    reply = xero.put(
        "/Contacts",
        {
            "Contacts": [
                {
                    "Name": " Acme Ltd ",
                    "EmailAddress": "ap@acme.example",
                    "IsSupplier": True,
                    "ContactPersons": [{"FirstName": "Ann", "EmailAddress": "ann@acme.example"}],
                }
            ]
        },
    )
    assert reply.status == 200
    created = reply.json["Contacts"][0]
    assert created["Name"] == "Acme Ltd"
    assert created["ContactStatus"] == "ACTIVE"
    assert created["IsSupplier"] is False
    assert created["ContactPersons"][0]["FirstName"] == "Ann"
    events = [(e.category, e.event_type, e.resource_id) for e in sandbox.state.events]
    assert ("CONTACT", "CREATE", created["ContactID"]) in events


def test_duplicate_name_and_number_are_refused(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Contacts",
        {"Contacts": [{"Name": "bayside club"}, {"Name": "New One", "ContactNumber": "SUPP-001"}]},
    )
    assert reply.status == 400
    assert reply.json["Message"] == "A validation exception occurred"
    assert _messages(reply, 0) == [
        "The contact name bayside club is already assigned to another contact. The contact "
        "name must be unique across all active contacts."
    ]
    assert _messages(reply, 1) == [
        "The contact number SUPP-001 is already assigned to another contact"
    ]


def test_archived_contact_frees_its_name(xero: XeroHttp) -> None:
    reply = xero.put("/Contacts", {"Name": "Old Supplier Pty Ltd"})
    assert reply.status == 200
    archived = xero.get(
        "/Contacts", params={"includeArchived": "true", "where": 'ContactStatus=="ARCHIVED"'}
    )
    old = archived.json["Contacts"][0]
    back = xero.post(f"/Contacts/{old['ContactID']}", {"ContactStatus": "ACTIVE"})
    assert back.status == 400
    assert _messages(back)[0].startswith("The contact name Old Supplier Pty Ltd is already")


def test_field_limits_and_persons(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Contacts",
        {
            "Name": "x" * 256,
            "ContactNumber": "n" * 51,
            "EmailAddress": "jürgen@example.de",
            "ContactPersons": [{"FirstName": str(i)} for i in range(6)],
        },
    )
    assert reply.status == 400
    assert _messages(reply) == [
        "Name must not be more than 255 characters long.",
        "ContactNumber must not be more than 50 characters long.",
        "Email address must be valid.",
        "A contact can have a maximum of 5 contact persons.",
    ]


def test_name_required_on_create(xero: XeroHttp) -> None:
    reply = xero.put("/Contacts", {"EmailAddress": "a@b.example"})
    assert reply.status == 400
    assert _messages(reply) == ["The contact name must be specified."]


def test_post_updates_by_id_and_creates_others(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    bayside = xero.get("/Contacts/CUST-001").json["Contacts"][0]
    reply = xero.post(
        "/Contacts",
        {
            "Contacts": [
                {"ContactID": bayside["ContactID"], "EmailAddress": "new@bayside.example"},
                {"Name": "Brand New"},
            ]
        },
        params={"summarizeErrors": "false"},
    )
    assert reply.status == 200
    first, second = reply.json["Contacts"]
    assert first["StatusAttributeString"] == "OK"
    assert first["EmailAddress"] == "new@bayside.example"
    assert first["Name"] == "Bayside Club"
    assert second["Name"] == "Brand New"
    kinds = [(e.event_type, e.resource_id) for e in sandbox.state.events]
    assert ("UPDATE", bayside["ContactID"]) in kinds


def test_post_unknown_contact_id(xero: XeroHttp) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    reply = xero.post(
        "/Contacts", {"ContactID": missing, "Name": "X"}, params={"summarizeErrors": "false"}
    )
    assert reply.status == 200
    element = reply.json["Contacts"][0]
    assert element["StatusAttributeString"] == "ERROR"
    assert element["ValidationErrors"] == [
        {"Message": f"The contact with ContactID '{missing}' could not be found."}
    ]
    assert xero.post(f"/Contacts/{missing}", {"Name": "X"}).status == 404


def test_if_modified_since(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    sandbox.state.clock.advance(5)
    since = sandbox.state.clock.now().strftime("%Y-%m-%dT%H:%M:%S")
    sandbox.state.clock.advance(2)
    xero.put("/Contacts", {"Name": "Late Arrival"})
    reply = xero.get("/Contacts", headers={"If-Modified-Since": since})
    assert _names(reply) == ["Late Arrival"]


def test_body_of_wrong_type_is_post_data_invalid(xero: XeroHttp) -> None:
    reply = xero.put("/Contacts", {"Contacts": [{"Name": "A", "ContactPersons": "nope"}]})
    assert reply.status == 400
    assert reply.json["Type"] == "PostDataInvalidException"
