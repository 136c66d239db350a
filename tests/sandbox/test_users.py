"""Users over plain HTTP: read-only, seeded per organisation, with where, order and
If-Modified-Since."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import DEMO_TENANT, UK_TENANT, RunningSandbox, XeroHttp
from tests.sandbox.replay_people import scoped_xero

ROLES = {
    "READONLY",
    "INVOICEONLY",
    "STANDARD",
    "FINANCIALADVISER",
    "MANAGEDCLIENT",
    "CASHBOOKCLIENT",
    "UNKNOWN",
    "REMOVED",
}


def test_each_organisation_has_one_subscriber_and_its_staff(
    sandbox: RunningSandbox, xero: XeroHttp
) -> None:
    reply = xero.get("/Users")
    assert reply.status == 200
    users = reply.json["Users"]
    assert len(users) == 4
    assert {u["OrganisationRole"] for u in users} <= ROLES
    owners = [u for u in users if u["IsSubscriber"]]
    assert [(o["FirstName"], o["OrganisationRole"]) for o in owners] == [
        ("Olivia", "FINANCIALADVISER")
    ]
    for user in users:
        assert user["EmailAddress"].endswith("@demo.example")
        assert user["UpdatedDateUTC"].startswith("/Date(")
    # A custom connection reaches only its own organisation: the UK one is read from the state.
    uk_users = list(sandbox.state.orgs[UK_TENANT].users.values())
    assert {u["UserID"] for u in uk_users}.isdisjoint({u["UserID"] for u in users})
    assert all(u["EmailAddress"].endswith("@uk.example") for u in uk_users)


def test_where_and_order(xero: XeroHttp) -> None:
    subscriber = xero.get("/Users", params={"where": "IsSubscriber==true"}).json["Users"]
    assert [u["LastName"] for u in subscriber] == ["Hart"]
    staff = xero.get(
        "/Users", params={"where": 'OrganisationRole!="FINANCIALADVISER"', "order": "LastName DESC"}
    ).json["Users"]
    assert [u["LastName"] for u in staff] == ["Patel", "Nair", "Becker"]
    wrong = xero.get("/Users", params={"where": 'UserID=="not a guid"'})
    assert wrong.status == 400
    assert wrong.json["Type"] == "QueryParseException"


def test_if_modified_since(sandbox: RunningSandbox, xero: XeroHttp) -> None:
    since = (sandbox.state.clock.now() - timedelta(days=60)).strftime("%Y-%m-%dT%H:%M:%S")
    recent = xero.get("/Users", headers={"If-Modified-Since": since}).json["Users"]
    assert [u["FirstName"] for u in recent] == ["Tom"]


def test_one_user_or_404(xero: XeroHttp) -> None:
    user = xero.get("/Users").json["Users"][0]
    reply = xero.get(f"/Users/{user['UserID']}")
    assert reply.status == 200
    assert reply.json["Users"] == [user]
    missing = xero.get("/Users/8f2a4c44-1b1e-4f57-9d55-333333333333")
    assert missing.status == 404
    assert missing.text == "The resource you're looking for cannot be found"


def test_read_only(xero: XeroHttp) -> None:
    user = xero.get("/Users").json["Users"][0]
    for method, path in (
        ("PUT", "/Users"),
        ("POST", "/Users"),
        ("POST", f"/Users/{user['UserID']}"),
    ):
        reply = xero.call(method, path, {"Users": [{"FirstName": "Eve"}]})
        assert reply.status == 405, (method, path)


def test_settings_read_scope_reads_users_and_contacts_scope_does_not(
    sandbox: RunningSandbox,
) -> None:
    reader = scoped_xero(sandbox.url, DEMO_TENANT, "accounting.settings.read")
    outsider = scoped_xero(sandbox.url, DEMO_TENANT, "accounting.contacts")
    try:
        assert reader.get("/Users").status == 200
        refused = outsider.get("/Users")
        assert refused.status == 401
        assert refused.json["Detail"] == "AuthorizationUnsuccessful"
    finally:
        reader.close()
        outsider.close()
