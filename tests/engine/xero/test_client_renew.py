"""A 401 is sent once more with a renewed token: the same request, never a third time.

Over a mock transport, because what is checked is what the client puts on the wire: the second
attempt must be byte for byte the first (body, Idempotency-Key), only the token differs.
"""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from ledgerlink.errors import LedgerlinkError
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import XeroUnauthorized
from tests.engine.xero.test_client import API, TENANT, FakeLimiter, Recorder, json_reply

EXPIRED = {"Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: token expired at x"}


class Tokens:
    """A token source: hands out ``current``; a renewal swaps in the next token."""

    def __init__(self, *later: str) -> None:
        self.current = "token-1"
        self.later = list(later)
        self.renewals: list[str] = []

    def __call__(self) -> str:
        return self.current

    def renew(self, *, rejected: str) -> str:
        self.renewals.append(rejected)
        if self.later:
            self.current = self.later.pop(0)
        return self.current


def refused_unless(good: str) -> Recorder:
    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.headers["Authorization"] != f"Bearer {good}":
            return json_reply(401, EXPIRED)
        return json_reply(200, {"Invoices": [{"InvoiceID": "i-1"}]})

    return Recorder(answer)


def client_for(recorder: Recorder, tokens: Tokens, **kw: Any) -> XeroClient:
    return XeroClient(
        API,
        TENANT,
        tokens,
        http=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        renew=tokens.renew,
        **kw,
    )


def test_a_refused_write_is_sent_again_unchanged_with_the_renewed_token() -> None:
    recorder, tokens = refused_unless("token-2"), Tokens("token-2")
    limiter = FakeLimiter()
    client = client_for(recorder, tokens, limiter=limiter)
    body = b'{"Invoices":[{"Total":10.10}]}'
    reply = client.put("/Invoices", body, {"summarizeErrors": "false"}, idempotency_key="k-1")
    assert reply.items("Invoices") == [{"InvoiceID": "i-1"}]
    assert tokens.renewals == ["token-1"]
    first, second = recorder.requests
    assert [r.headers["Authorization"] for r in recorder.requests] == [
        "Bearer token-1",
        "Bearer token-2",
    ]
    assert first.content == second.content == body
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"] == "k-1"
    assert first.url == second.url
    # Each attempt held its own limiter slot and gave it back.
    assert [e for e, _ in limiter.events] == ["acquire", "release", "acquire", "release"]


def test_a_renewed_token_that_is_refused_too_ends_the_call() -> None:
    recorder, tokens = refused_unless("never"), Tokens("token-2", "token-3")
    client = client_for(recorder, tokens)
    with pytest.raises(XeroUnauthorized):
        client.get("/Invoices")
    assert tokens.renewals == ["token-1"]
    assert len(recorder.requests) == 2


def test_without_a_way_to_renew_a_401_is_raised_at_once() -> None:
    recorder = refused_unless("never")
    client = XeroClient(
        API, TENANT, lambda: "token-1", http=httpx2.Client(transport=httpx2.MockTransport(recorder))
    )
    with pytest.raises(XeroUnauthorized):
        client.get("/Invoices")
    assert len(recorder.requests) == 1


def test_a_renewal_that_gives_back_the_refused_token_is_not_sent_again() -> None:
    recorder, tokens = refused_unless("never"), Tokens()
    client = client_for(recorder, tokens)
    with pytest.raises(XeroUnauthorized):
        client.get("/Invoices")
    assert tokens.renewals == ["token-1"] and len(recorder.requests) == 1


def test_a_refused_renewal_reaches_the_caller_and_nothing_more_is_sent() -> None:
    recorder = refused_unless("never")

    def reconnect(*, rejected: str) -> str:
        raise LedgerlinkError("CONNECTION_NEEDS_REAUTH", "Xero refused the refresh token.")

    client = XeroClient(
        API,
        TENANT,
        lambda: "token-1",
        http=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        renew=reconnect,
    )
    with pytest.raises(LedgerlinkError) as caught:
        client.post("/Invoices", {"Invoices": []}, idempotency_key="k-2")
    assert caught.value.code == "CONNECTION_NEEDS_REAUTH"
    assert len(recorder.requests) == 1


def test_the_connections_call_is_renewed_the_same_way() -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        if request.headers["Authorization"] != "Bearer token-2":
            return json_reply(401, EXPIRED)
        return json_reply(200, [{"tenantId": TENANT}])

    recorder, tokens = Recorder(answer), Tokens("token-2")
    client = client_for(recorder, tokens)
    assert client.connections() == [{"tenantId": TENANT}]
    assert tokens.renewals == ["token-1"]
