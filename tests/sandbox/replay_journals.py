"""Replay steps for the journals and the trial balance (run after the documents are made)."""

from __future__ import annotations

from tests.sandbox.openapi_replay import Replay, first


def journals(r: Replay) -> None:
    since = {"If-Modified-Since": "2025-01-01T00:00:00Z"}
    listed = r.call("journals", "GET", "/Journals")
    r.call("journals after offset", "GET", "/Journals", params={"offset": 2})
    r.call("journals since", "GET", "/Journals", headers=since)
    r.call("journals cash basis", "GET", "/Journals", params={"paymentsOnly": "true"})
    journal_id = first(listed, "Journals", "JournalID")
    if journal_id:
        r.call("journal by id", "GET", f"/Journals/{journal_id}")
    number = first(listed, "Journals", "JournalNumber")
    if number:
        r.call("journal by number", "GET", f"/Journals/{number}")
    r.call("journal unknown", "GET", "/Journals/99999999", expect=404)
    r.call("journals are read-only", "PUT", "/Journals", {"Journals": []}, expect=405)
    r.call("trial balance", "GET", "/Reports/TrialBalance")
    r.call("trial balance at", "GET", "/Reports/TrialBalance", params={"date": r.day()})
    r.call(
        "trial balance cash",
        "GET",
        "/Reports/TrialBalance",
        params={"date": r.day(), "paymentsOnly": "true"},
    )
