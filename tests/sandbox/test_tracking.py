from __future__ import annotations

from typing import Any

from tests.conftest import RunningSandbox, XeroHttp


def _messages(reply: Any) -> list[str]:
    return [m["Message"] for m in reply.json["Elements"][0]["ValidationErrors"]]


def _category(xero: XeroHttp, name: str) -> dict[str, Any]:
    reply = xero.get("/TrackingCategories", params={"where": f'Name=="{name}"'})
    (found,) = reply.json["TrackingCategories"]
    return found


def test_list_ordered_by_name_with_options(xero: XeroHttp) -> None:
    reply = xero.get("/TrackingCategories")
    assert reply.status == 200
    names = [c["Name"] for c in reply.json["TrackingCategories"]]
    assert names == ["Department", "Region"]
    region = _category(xero, "Region")
    assert [o["Name"] for o in region["Options"]] == ["North", "South", "East", "West"]


def test_third_active_category_is_refused(xero: XeroHttp) -> None:
    reply = xero.put("/TrackingCategories", {"Name": "Project"})
    assert reply.status == 400
    assert _messages(reply) == [
        "An organisation can have a maximum of 2 active tracking categories."
    ]


def test_archive_then_create_and_include_archived(xero: XeroHttp) -> None:
    dept = _category(xero, "Department")
    reply = xero.post(f"/TrackingCategories/{dept['TrackingCategoryID']}", {"Status": "ARCHIVED"})
    assert reply.status == 200
    created = xero.put("/TrackingCategories", {"Name": "Project"})
    assert created.status == 200
    assert created.json["TrackingCategories"][0]["Status"] == "ACTIVE"
    names = [c["Name"] for c in xero.get("/TrackingCategories").json["TrackingCategories"]]
    assert names == ["Project", "Region"]
    everything = xero.get("/TrackingCategories", params={"includeArchived": "true"})
    assert [c["Name"] for c in everything.json["TrackingCategories"]] == [
        "Department",
        "Project",
        "Region",
    ]
    reactivate = xero.post(
        f"/TrackingCategories/{dept['TrackingCategoryID']}", {"Status": "ACTIVE"}
    )
    assert reactivate.status == 400
    assert _messages(reactivate) == [
        "An organisation can have a maximum of 2 active tracking categories."
    ]


def test_four_categories_in_all(xero: XeroHttp) -> None:
    for name in ("Department", "Region"):
        found = _category(xero, name)
        xero.post(f"/TrackingCategories/{found['TrackingCategoryID']}", {"Status": "ARCHIVED"})
    assert xero.put("/TrackingCategories", {"Name": "A"}).status == 200
    assert xero.put("/TrackingCategories", {"Name": "B"}).status == 200
    reply = xero.put("/TrackingCategories", {"Name": "C"})
    assert reply.status == 400
    assert _messages(reply) == [
        "An organisation can have a maximum of 4 tracking categories (active and archived)."
    ]


def test_name_unique_and_length(xero: XeroHttp) -> None:
    region = _category(xero, "Region")
    reply = xero.post(f"/TrackingCategories/{region['TrackingCategoryID']}", {"Name": "department"})
    assert reply.status == 400
    assert _messages(reply) == ["A tracking category with the name 'department' already exists."]
    reply = xero.post(f"/TrackingCategories/{region['TrackingCategoryID']}", {"Name": "x" * 101})
    assert _messages(reply) == ["Name must not be more than 100 characters long."]
    renamed = xero.post(f"/TrackingCategories/{region['TrackingCategoryID']}", {"Name": "Area"})
    assert renamed.json["TrackingCategories"][0]["Name"] == "Area"


def test_delete_unused_and_refuse_used(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    dept = _category(xero, "Department")
    reply = xero.delete(f"/TrackingCategories/{dept['TrackingCategoryID']}")
    assert reply.status == 200
    assert reply.json["TrackingCategories"][0]["Status"] == "DELETED"
    assert xero.get(f"/TrackingCategories/{dept['TrackingCategoryID']}").status == 404

    region = _category(xero, "Region")
    org = sandbox.state.org_by_key("demo")
    assert org is not None
    org.invoices["x"] = {"LineItems": [{"Tracking": [{"Name": "Region", "Option": "North"}]}]}
    reply = xero.delete(f"/TrackingCategories/{region['TrackingCategoryID']}")
    assert reply.status == 400
    assert _messages(reply) == [
        "The tracking category 'Region' has been used and cannot be deleted. Archive it instead."
    ]
    north, south = region["Options"][0], region["Options"][1]
    base = f"/TrackingCategories/{region['TrackingCategoryID']}/Options/"
    used = xero.delete(base + north["TrackingOptionID"])
    assert used.status == 400
    assert _messages(used) == [
        "The tracking option 'North' has been used and cannot be deleted. Archive it instead."
    ]
    unused = xero.delete(base + south["TrackingOptionID"])
    assert unused.status == 200
    assert unused.json["Options"][0]["Status"] == "DELETED"


def test_options_add_rename_archive(xero: XeroHttp) -> None:
    region = _category(xero, "Region")
    base = f"/TrackingCategories/{region['TrackingCategoryID']}/Options"
    reply = xero.put(base, {"Options": [{"Name": "Central"}, {"Name": "north"}]})
    assert reply.status == 400
    assert reply.json["Elements"][0]["Name"] == "north"
    assert _messages(reply) == ["A tracking option with the name 'north' already exists."]
    central = next(o for o in _category(xero, "Region")["Options"] if o["Name"] == "Central")
    renamed = xero.post(f"{base}/{central['TrackingOptionID']}", {"Name": "Middle"})
    assert renamed.status == 200
    assert renamed.json["Options"][0]["Name"] == "Middle"
    archived = xero.post(f"{base}/{central['TrackingOptionID']}", {"Status": "ARCHIVED"})
    assert archived.json["Options"][0]["IsArchived"] is True
    shown = [o["Name"] for o in _category(xero, "Region")["Options"]]
    assert "Middle" not in shown
    full = xero.get("/TrackingCategories", params={"includeArchived": "true"})
    region_all = next(c for c in full.json["TrackingCategories"] if c["Name"] == "Region")
    assert "Middle" in [o["Name"] for o in region_all["Options"]]


def test_unknown_category_and_option_are_404(xero: XeroHttp) -> None:
    missing = "00000000-0000-0000-0000-000000000000"
    assert xero.get(f"/TrackingCategories/{missing}").status == 404
    region = _category(xero, "Region")
    reply = xero.delete(f"/TrackingCategories/{region['TrackingCategoryID']}/Options/{missing}")
    assert reply.status == 404
