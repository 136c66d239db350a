"""Contact groups and their members over plain HTTP, with Xero's status codes and messages."""

from __future__ import annotations

from typing import Any

from tests.conftest import DEMO_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero

MISSING = "8f2a4c44-1b1e-4f57-9d55-555555555555"


def _messages(reply: Any, index: int = 0) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][index]["ValidationErrors"]]


def _group(xero: XeroHttp, name: str) -> str:
    reply = xero.put("/ContactGroups", {"ContactGroups": [{"Name": name}]})
    assert reply.status == 200, reply.text
    group_id: str = reply.json["ContactGroups"][0]["ContactGroupID"]
    return group_id


def _contacts(xero: XeroHttp) -> dict[str, str]:
    listed = xero.get("/Contacts", params={"includeArchived": "true"}).json["Contacts"]
    return {c["Name"]: c["ContactID"] for c in listed}


def test_create_list_and_get(xero: XeroHttp) -> None:
    made = xero.put(
        "/ContactGroups", {"ContactGroups": [{"Name": " Suppliers "}, {"Name": "VIPs"}]}
    )
    assert made.status == 200
    first = made.json["ContactGroups"][0]
    assert first["Name"] == "Suppliers"
    assert first["Status"] == "ACTIVE"
    assert first["Contacts"] == []
    listed = xero.get("/ContactGroups").json["ContactGroups"]
    assert [g["Name"] for g in listed] == ["Suppliers", "VIPs"]
    desc = xero.get("/ContactGroups", params={"order": "Name DESC"}).json["ContactGroups"]
    assert [g["Name"] for g in desc] == ["VIPs", "Suppliers"]
    where = xero.get("/ContactGroups", params={"where": 'Name.StartsWith("vip")'})
    assert [g["Name"] for g in where.json["ContactGroups"]] == ["VIPs"]
    one = xero.get(f"/ContactGroups/{first['ContactGroupID']}")
    assert one.json["ContactGroups"] == [first]
    missing = xero.get(f"/ContactGroups/{MISSING}")
    assert missing.status == 404


def test_name_required_and_unique(xero: XeroHttp) -> None:
    _group(xero, "Wholesale")
    blank = xero.put("/ContactGroups", {"ContactGroups": [{"Name": "  "}]})
    assert blank.status == 400
    assert blank.json["Message"] == "A validation exception occurred"
    assert _messages(blank) == ["Contact Group Name is required."]
    dup = xero.put("/ContactGroups", {"Name": "wholesale"})
    assert dup.status == 400
    assert _messages(dup) == ["A Contact Group already exists with this name"]
    listed = xero.put(
        "/ContactGroups",
        {"ContactGroups": [{"Name": "Wholesale"}, {"Name": "Retail"}]},
        params={"summarizeErrors": "false"},
    )
    assert listed.status == 200
    assert [g["StatusAttributeString"] for g in listed.json["ContactGroups"]] == ["ERROR", "OK"]


def test_at_most_100_groups(xero: XeroHttp) -> None:
    many = {"ContactGroups": [{"Name": f"Group {n:03d}"} for n in range(100)]}
    assert xero.put("/ContactGroups", many).status == 200
    over = xero.put("/ContactGroups", {"Name": "One too many"})
    assert over.status == 400
    assert _messages(over) == ["You’ve reached the limit of 100 contact groups."]


def test_rename_and_delete(xero: XeroHttp) -> None:
    group = _group(xero, "Trade")
    _group(xero, "Retail")
    renamed = xero.post(f"/ContactGroups/{group}", {"ContactGroups": [{"Name": "Trade Customers"}]})
    assert renamed.status == 200
    assert renamed.json["ContactGroups"][0]["Name"] == "Trade Customers"
    taken = xero.post(f"/ContactGroups/{group}", {"Name": "RETAIL"})
    assert _messages(taken) == ["A Contact Group already exists with this name"]
    bad = xero.post(f"/ContactGroups/{group}", {"Status": "ARCHIVED"})
    assert bad.status == 400
    assert _messages(bad) == ["Contact Group Status must be ACTIVE or DELETED."]
    deleted = xero.post(f"/ContactGroups/{group}", {"Status": "DELETED"})
    assert deleted.status == 200
    assert deleted.json["ContactGroups"][0]["Status"] == "DELETED"
    assert xero.get(f"/ContactGroups/{group}").status == 404
    names = [g["Name"] for g in xero.get("/ContactGroups").json["ContactGroups"]]
    assert names == ["Retail"]
    assert xero.post(f"/ContactGroups/{group}", {"Name": "Back"}).status == 404
    _group(xero, "Trade Customers")


def test_members_added_listed_and_shown_on_the_contact(xero: XeroHttp) -> None:
    ids = _contacts(xero)
    group = _group(xero, "Key Accounts")
    members = {
        "Contacts": [{"ContactID": ids["Ridgeway University"]}, {"ContactID": ids["Bayside Club"]}]
    }
    added = xero.put(f"/ContactGroups/{group}/Contacts", members)
    assert added.status == 200
    assert [c["ContactID"] for c in added.json["Contacts"]] == [
        ids["Ridgeway University"],
        ids["Bayside Club"],
    ]
    again = xero.put(f"/ContactGroups/{group}/Contacts", {"ContactID": ids["Bayside Club"]})
    assert again.status == 200
    shown = xero.get(f"/ContactGroups/{group}").json["ContactGroups"][0]
    assert [(c["ContactID"], c["Name"]) for c in shown["Contacts"]] == [
        (ids["Bayside Club"], "Bayside Club"),
        (ids["Ridgeway University"], "Ridgeway University"),
    ]
    listed = xero.get("/ContactGroups").json["ContactGroups"]
    assert listed[0]["Contacts"] == []
    contact = xero.get(f"/Contacts/{ids['Bayside Club']}").json["Contacts"][0]
    assert contact["ContactGroups"] == [
        {
            "ContactGroupID": group,
            "Name": "Key Accounts",
            "Status": "ACTIVE",
            "Contacts": [],
            "HasValidationErrors": False,
        }
    ]
    outsider = xero.get(f"/Contacts/{ids['PowerDirect']}").json["Contacts"][0]
    assert outsider["ContactGroups"] == []


def test_unknown_and_archived_contacts_are_refused(xero: XeroHttp) -> None:
    ids = _contacts(xero)
    group = _group(xero, "Partners")
    path = f"/ContactGroups/{group}/Contacts"
    unknown = xero.put(path, {"Contacts": [{"ContactID": MISSING}]})
    assert unknown.status == 400
    assert unknown.json["Message"] == "A validation exception occurred"
    assert _messages(unknown) == [f"The contact with ContactID '{MISSING}' could not be found."]
    archived = xero.put(path, {"ContactID": ids["Old Supplier Pty Ltd"]})
    assert _messages(archived) == ["Unable to assign an Archived contact."]
    mixed = {"Contacts": [{"ContactID": MISSING}, {"ContactID": ids["PowerDirect"]}]}
    listed = xero.put(path, mixed, params={"summarizeErrors": "false"})
    assert listed.status == 200
    assert [c["StatusAttributeString"] for c in listed.json["Contacts"]] == ["ERROR", "OK"]
    members = xero.get(f"/ContactGroups/{group}").json["ContactGroups"][0]["Contacts"]
    assert [c["Name"] for c in members] == ["PowerDirect"]
    assert xero.put(f"/ContactGroups/{MISSING}/Contacts", mixed).status == 404


def test_remove_one_member_then_all(xero: XeroHttp) -> None:
    ids = _contacts(xero)
    group = _group(xero, "Newsletter")
    wanted = ("Bayside Club", "City Limousines", "PowerDirect")
    xero.put(
        f"/ContactGroups/{group}/Contacts", {"Contacts": [{"ContactID": ids[n]} for n in wanted]}
    )
    gone = xero.delete(f"/ContactGroups/{group}/Contacts/{ids['City Limousines']}")
    assert gone.status == 204
    assert gone.text == ""
    members = xero.get(f"/ContactGroups/{group}").json["ContactGroups"][0]["Contacts"]
    assert [c["Name"] for c in members] == ["Bayside Club", "PowerDirect"]
    twice = xero.delete(f"/ContactGroups/{group}/Contacts/{ids['City Limousines']}")
    assert twice.status == 400
    assert twice.json["Message"] == "The contact is not a member of this contact group."
    assert xero.delete(f"/ContactGroups/{group}/Contacts/{MISSING}").status == 404
    cleared = xero.delete(f"/ContactGroups/{group}/Contacts")
    assert cleared.status == 204
    assert xero.get(f"/ContactGroups/{group}").json["ContactGroups"][0]["Contacts"] == []
    assert xero.get(f"/Contacts/{ids['PowerDirect']}").json["Contacts"][0]["ContactGroups"] == []


def test_deleting_a_group_releases_its_members(xero: XeroHttp) -> None:
    ids = _contacts(xero)
    group = _group(xero, "Seasonal")
    xero.put(f"/ContactGroups/{group}/Contacts", {"ContactID": ids["Bayside Club"]})
    xero.post(f"/ContactGroups/{group}", {"Status": "DELETED"})
    contact = xero.get(f"/Contacts/{ids['Bayside Club']}").json["Contacts"][0]
    assert contact["ContactGroups"] == []


def test_contacts_read_scope_reads_but_does_not_write(sandbox: RunningSandbox) -> None:
    reader = scoped_xero(sandbox.url, DEMO_TENANT, "accounting.contacts.read")
    try:
        assert reader.get("/ContactGroups").status == 200
        refused = reader.put("/ContactGroups", {"Name": "Readers"})
        assert refused.status == 401
        assert refused.json["Detail"] == "AuthorizationUnsuccessful"
    finally:
        reader.close()
