"""Over REST, a document whose lines add up to less than zero is refused at intake (422, or
"invalid" in bulk) with the credit-note fix, and nothing is queued for it."""

from __future__ import annotations

from typing import Any

from tests.engine.api.conftest import Api
from tests.engine.documents.factories import expense_data, invoice_data


def lines(*amounts: str) -> list[dict[str, Any]]:
    return [{"description": f"line {n}", "unit_amount": a} for n, a in enumerate(amounts)]


def test_rest_refuses_a_negative_invoice_at_intake(api: Api) -> None:
    key = api.workspace()
    api.custom(key)
    put = api.call("PUT", "/documents/invoice/inv-1", key, json=invoice_data(lines=lines("-80")))
    assert put.status_code == 422, put.text
    error = put.json()["error"]
    assert (error["code"], error["field"]) == ("VALIDATION_FAILED", "lines")
    assert "credit note" in error["fix"]
    bulk = api.call("POST", "/documents/expense/bulk", key, json=[expense_data(lines=lines("-1"))])
    assert bulk.json()["counts"] == {"invalid": 1}
    assert "credit note" in bulk.json()["results"][0]["errors"][0]["fix"]
    assert api.call("GET", "/queue", key).json()["counts"] == {}
