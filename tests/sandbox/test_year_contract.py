"""Every write a seeded year makes fits Xero's OpenAPI spec, and so does every answer to it.

The year's writes go to the handlers in process (``AccountingApi.internal``); here each one is
caught on its way and checked as the contract test checks a call over HTTP. The bank
transactions and transfers a year makes once the sandbox serves them are checked as requests
now, so their shape is right before their endpoints exist.
"""

from __future__ import annotations

import warnings
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from openapi_core import OpenAPI
from starlette.responses import Response

from tests.sandbox.openapi_replay import (
    ACCOUNTING_SPEC,
    Exchange,
    SpecRequest,
    check,
    errordoc_lines,
    load_spec,
)
from tests.sandbox.test_openapi_contract import ALLOWANCES
from xero_sandbox import SandboxConfig, create_app, wire, year_data
from xero_sandbox.api import AccountingApi
from xero_sandbox.routing import API_PREFIX
from xero_sandbox.seed import DEMO_TENANT
from xero_sandbox.state import new_id
from xero_sandbox.year import Seeder, seed_year
from xero_sandbox.year_bank import PayMonth, _card_spends, _monthly, _quarterly
from xero_sandbox.year_docs import contacts

PINNED = date(2026, 11, 30)


@pytest.fixture(scope="module")
def accounting_spec() -> OpenAPI:
    return load_spec(ACCOUNTING_SPEC)


def _exchange(method: str, path: str, body: Any, status: int, answer: bytes) -> Exchange:
    return Exchange(
        label="seeded year",
        method=method,
        path=API_PREFIX + path,
        query=[],
        request_headers={
            "content-type": "application/json",
            "accept": "application/json",
            "xero-tenant-id": DEMO_TENANT,
        },
        request_body=wire.encode(body) if body is not None else b"",
        status=status,
        response_headers={"content-type": "application/json"},
        response_body=answer,
    )


def test_every_write_of_a_year_and_its_answer_fit_the_spec(
    accounting_spec: OpenAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    caught: list[Exchange] = []
    internal = AccountingApi.internal

    def spy(
        self: AccountingApi, org: Any, method: str, path: str, body: Any = None, **kw: Any
    ) -> Response:
        response = internal(self, org, method, path, body, **kw)
        caught.append(_exchange(method, path, body, response.status_code, bytes(response.body)))
        return response

    monkeypatch.setattr(AccountingApi, "internal", spy)
    state = create_app(SandboxConfig()).state
    seed_year(state, state.orgs[DEMO_TENANT], 3, today=PINNED)
    kinds = {(e.method, e.path.split("/")[3]) for e in caught}
    assert {("PUT", "Contacts"), ("PUT", "Invoices"), ("POST", "Invoices")} <= kinds
    assert {("PUT", "CreditNotes"), ("PUT", "Payments"), ("POST", "Payments")} <= kinds
    assert {("PUT", "ManualJournals"), ("POST", "ManualJournals"), ("PUT", "Accounts")} <= kinds
    problems = [line for e in caught for line in check(accounting_spec, e, ALLOWANCES)]
    assert problems == []


def _request_problems(api: OpenAPI, exchange: Exchange) -> list[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        request = SpecRequest(exchange, exchange.path)
        return [
            line
            for exc in api.iter_request_errors(request)
            for line in errordoc_lines("request", exc)
        ]


def test_the_bank_writes_a_year_will_make_fit_the_spec(accounting_spec: OpenAPI) -> None:
    state = create_app(SandboxConfig()).state
    seeder = Seeder(state, state.orgs[DEMO_TENANT], 3, PINNED)
    parties = contacts(seeder)
    # Their contacts are made with them; the requests are only checked here, never sent.
    parties.others = {name: new_id() for name in year_data.BANK_CONTACTS}
    bank, savings = seeder.main_bank(), seeder.bank("091")
    assert bank is not None and savings is not None
    payroll = [
        PayMonth(date(2026, month, 30), Decimal("17160.00"), Decimal("4840.00"), Decimal("2640.00"))
        for month in (4, 5, 6)
    ]
    spends = _monthly(seeder, parties, bank, savings, payroll)
    spends += _quarterly(seeder, parties, bank, payroll) + _card_spends(seeder, parties, bank)
    assert {e["Type"] for e in spends} == {"SPEND", "RECEIVE"}
    assert any(line["AccountCode"] == "825" for e in spends for line in e["LineItems"])
    transfer = {
        "FromBankAccount": {"Code": bank["Code"]},
        "ToBankAccount": {"Code": savings["Code"]},
        "Amount": Decimal("5000.00"),
        "Date": PINNED,
        "Reference": "Surplus to savings",
    }
    writes = [
        _exchange("PUT", "/BankTransactions", {"BankTransactions": spends}, 200, b""),
        _exchange("PUT", "/BankTransfers", {"BankTransfers": [transfer]}, 200, b""),
    ]
    assert [line for e in writes for line in _request_problems(accounting_spec, e)] == []
