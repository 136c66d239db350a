from __future__ import annotations

from tests.conftest import RunningSandbox, XeroHttp


def _account(xero: XeroHttp, code: str) -> dict:
    reply = xero.get("/Accounts", params={"where": f'Code=="{code}"'})
    assert reply.status == 200
    (found,) = reply.json["Accounts"]
    return found


def test_list_is_ordered_by_code_and_filtered_by_where(xero: XeroHttp) -> None:
    reply = xero.get("/Accounts")
    codes = [a["Code"] for a in reply.json["Accounts"] if a.get("Code")]
    assert codes == sorted(codes)
    reply = xero.get("/Accounts", params={"where": 'Type=="BANK"', "order": "Name DESC"})
    assert [a["Code"] for a in reply.json["Accounts"]] == ["091", "090"]


def test_bad_where_is_query_parse_exception(xero: XeroHttp) -> None:
    reply = xero.get("/Accounts", params={"where": "Code=="})
    assert reply.status == 400
    assert reply.json == {
        "ErrorNumber": 16,
        "Type": "QueryParseException",
        "Message": "Expression expected",
    }


def test_get_by_id_and_unknown_id(xero: XeroHttp) -> None:
    sales = _account(xero, "200")
    reply = xero.get(f"/Accounts/{sales['AccountID']}")
    assert reply.status == 200
    assert reply.json["Accounts"][0]["Name"] == "Sales"
    missing = xero.get("/Accounts/00000000-0000-0000-0000-000000000000")
    assert missing.status == 404
    assert missing.text == "The resource you're looking for cannot be found"


def test_if_modified_since_returns_only_changed(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    sandbox.state.clock.advance(5)
    since = sandbox.state.clock.now().strftime("%a, %d %b %Y %H:%M:%S GMT")
    sandbox.state.clock.advance(5)
    sales = _account(xero, "200")
    assert xero.post(f"/Accounts/{sales['AccountID']}", {"Description": "Shop"}).status == 200
    reply = xero.get("/Accounts", headers={"If-Modified-Since": since})
    assert [a["Code"] for a in reply.json["Accounts"]] == ["200"]


def test_put_creates_one_account_only_the_first_of_a_list(xero: XeroHttp) -> None:
    reply = xero.put(
        "/Accounts",
        {
            "Accounts": [
                {"Code": "201", "Name": "Online Sales", "Type": "REVENUE", "TaxType": "OUTPUT"},
                {"Code": "202", "Name": "Other Sales", "Type": "REVENUE"},
            ]
        },
    )
    assert reply.status == 200
    (created,) = reply.json["Accounts"]
    assert created["Code"] == "201"
    assert created["Class"] == "REVENUE"
    assert created["Status"] == "ACTIVE"
    codes = [a.get("Code") for a in xero.get("/Accounts").json["Accounts"]]
    assert "201" in codes and "202" not in codes


def test_put_refuses_long_code_duplicate_name_and_bad_type(xero: XeroHttp) -> None:
    reply = xero.put("/Accounts", {"Code": "12345678901", "Name": "Sales", "Type": "NOPE"})
    assert reply.status == 400
    body = reply.json
    assert body["ErrorNumber"] == 10
    assert body["Type"] == "ValidationException"
    assert body["Message"] == "A validation exception occurred"
    messages = [m["Message"] for m in body["Elements"][0]["ValidationErrors"]]
    assert messages == [
        "Account Code is too long. Maximum of 10 characters allowed",
        "Please enter a unique Name.",
        "Account Type 'NOPE' is not a valid account type.",
    ]


def test_put_refuses_duplicate_code(xero: XeroHttp) -> None:
    reply = xero.put("/Accounts", {"Code": "200", "Name": "Second Sales", "Type": "REVENUE"})
    assert reply.status == 400
    messages = [m["Message"] for m in reply.json["Elements"][0]["ValidationErrors"]]
    assert messages == ["Please enter a unique Code."]


def test_put_wrong_json_type_is_post_data_invalid(xero: XeroHttp) -> None:
    reply = xero.put("/Accounts", {"Code": "300", "Name": ["x"], "Type": "REVENUE"})
    assert reply.status == 400
    assert reply.json["ErrorNumber"] == 14
    assert reply.json["Type"] == "PostDataInvalidException"


def test_archive_and_restore_an_account(xero: XeroHttp) -> None:
    ads = _account(xero, "400")
    reply = xero.post(f"/Accounts/{ads['AccountID']}", {"Status": "ARCHIVED"})
    assert reply.status == 200
    assert reply.json["Accounts"][0]["Status"] == "ARCHIVED"
    reply = xero.post(f"/Accounts/{ads['AccountID']}", {"Accounts": [{"Status": "ACTIVE"}]})
    assert reply.json["Accounts"][0]["Status"] == "ACTIVE"


def test_system_account_cannot_be_archived_or_deleted(xero: XeroHttp) -> None:
    debtors = _account(xero, "610")
    reply = xero.post(f"/Accounts/{debtors['AccountID']}", {"Status": "ARCHIVED"})
    assert reply.status == 400
    errors = reply.json["Elements"][0]["ValidationErrors"]
    assert errors == [{"Message": "System accounts cannot be archived."}]
    reply = xero.delete(f"/Accounts/{debtors['AccountID']}")
    assert reply.status == 400
    assert reply.json["Elements"][0]["ValidationErrors"] == [
        {"Message": "System accounts cannot be deleted."}
    ]


def test_bank_details_cannot_be_updated(xero: XeroHttp) -> None:
    bank = _account(xero, "090")
    reply = xero.post(f"/Accounts/{bank['AccountID']}", {"BankAccountNumber": "999"})
    assert reply.status == 400
    assert reply.json["Elements"][0]["ValidationErrors"] == [
        {"Message": "Bank account details cannot be updated through the API."}
    ]
    same = xero.post(
        f"/Accounts/{bank['AccountID']}",
        {"BankAccountNumber": bank["BankAccountNumber"], "Name": "Main Bank"},
    )
    assert same.status == 200
    assert same.json["Accounts"][0]["Name"] == "Main Bank"


def test_delete_unused_account_and_refuse_used_one(xero: XeroHttp, sandbox: RunningSandbox) -> None:
    created = xero.put("/Accounts", {"Code": "455", "Name": "Scratch", "Type": "EXPENSE"})
    account_id = created.json["Accounts"][0]["AccountID"]
    reply = xero.delete(f"/Accounts/{account_id}")
    assert reply.status == 200
    assert reply.json["Accounts"][0]["Status"] == "DELETED"
    assert xero.get(f"/Accounts/{account_id}").status == 404

    org = sandbox.state.org_by_key("demo")
    assert org is not None
    org.manual_journals["x"] = {"JournalLines": [{"AccountCode": "453", "LineAmount": 1}]}
    office = _account(xero, "453")
    reply = xero.delete(f"/Accounts/{office['AccountID']}")
    assert reply.status == 400
    (error,) = reply.json["Elements"][0]["ValidationErrors"]
    assert error["Message"] == (
        "This account has been used and cannot be deleted. Archive the account instead."
    )
