"""The thin client over a mock transport: what it sends, and what each Xero answer becomes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx2
import pytest

from ledgerlink.xero import wire
from ledgerlink.xero.client import XeroClient
from ledgerlink.xero.errors import (
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroRateLimited,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
    XeroValidation,
)

API = "https://api.xero.test/api.xro/2.0"
TENANT = "0b5d1c2e-0000-4000-8000-000000000001"
Handler = Callable[[httpx2.Request], httpx2.Response]


class Recorder:
    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        return self.handler(request)


class FakeLimiter:
    """Stands in for the database limiter; records what the client tells it."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def acquire(self, tenant_id: str, max_wait: float | None = None) -> FakeLimiter.Slot:
        self.events.append(("acquire", tenant_id))
        return FakeLimiter.Slot(self)

    def penalise(self, tenant_id: str, retry_after: float | None, problem: str) -> None:
        self.events.append(("penalise", (tenant_id, retry_after, problem)))

    class Slot:
        def __init__(self, owner: FakeLimiter) -> None:
            self.owner = owner

        def release(self, headers: Any = None) -> None:
            remaining = headers.get("X-MinLimit-Remaining") if headers is not None else None
            self.owner.events.append(("release", remaining))


def make_client(
    handler: Handler, **kw: Any
) -> tuple[XeroClient, Recorder, list[tuple[str, str, int]]]:
    recorder = Recorder(handler)
    calls: list[tuple[str, str, int]] = []
    client = XeroClient(
        API,
        TENANT,
        lambda: "token-1",
        http=httpx2.Client(transport=httpx2.MockTransport(recorder)),
        on_call=lambda m, p, s: calls.append((m, p, s)),
        **kw,
    )
    return client, recorder, calls


def json_reply(status: int, body: Any, headers: dict[str, str] | None = None) -> httpx2.Response:
    return httpx2.Response(
        status,
        content=wire.encode(body),
        headers={"content-type": "application/json", **(headers or {})},
    )


def test_a_get_carries_tenant_token_json_and_if_modified_since() -> None:
    client, recorder, calls = make_client(
        lambda r: json_reply(200, {"Accounts": [{"Code": "200"}]})
    )
    since = datetime(2026, 3, 1, 9, 30, 15, 750000, tzinfo=UTC)
    reply = client.get("/Accounts", {"where": 'Status=="ACTIVE"'}, if_modified_since=since)
    sent = recorder.requests[0]
    assert sent.method == "GET"
    assert sent.url.path == "/api.xro/2.0/Accounts"
    assert sent.url.params["where"] == 'Status=="ACTIVE"'
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["xero-tenant-id"] == TENANT
    assert sent.headers["Authorization"] == "Bearer token-1"
    assert sent.headers["If-Modified-Since"] == "2026-03-01T09:30:15"
    assert "Idempotency-Key" not in sent.headers
    assert reply.items("Accounts") == [{"Code": "200"}]
    assert calls == [("GET", "/Accounts", 200)]


def test_a_put_sends_exact_decimals_and_its_idempotency_key() -> None:
    amount = Decimal("12345678901234.5678")

    def echo(request: httpx2.Request) -> httpx2.Response:
        body = wire.decode(request.content)
        return json_reply(200, {"Invoices": body["Invoices"]})

    client, recorder, _ = make_client(echo)
    body = {"Invoices": [{"LineItems": [{"UnitAmount": amount, "Quantity": Decimal("3")}]}]}
    reply = client.put("/Invoices", body, {"summarizeErrors": "false"}, idempotency_key="k-1")
    sent = recorder.requests[0]
    assert b'"UnitAmount":12345678901234.5678' in sent.content
    assert sent.headers["Idempotency-Key"] == "k-1"
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.url.params["summarizeErrors"] == "false"
    assert reply.items("Invoices")[0]["LineItems"][0]["UnitAmount"] == amount


def test_bytes_are_sent_unchanged_so_a_replay_matches_the_first_send() -> None:
    client, recorder, _ = make_client(lambda r: json_reply(200, {"Contacts": []}))
    raw = b'{"Contacts":[{"Name":"A  B"}]}'
    client.post("/Contacts", raw, idempotency_key="k-2")
    assert recorder.requests[0].content == raw


def test_a_read_timeout_is_sent_once_and_reported_as_maybe_applied() -> None:
    def timeout(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ReadTimeout("read timed out", request=request)

    client, recorder, calls = make_client(timeout)
    with pytest.raises(XeroTransportError) as caught:
        client.put("/Invoices", {"Invoices": []}, idempotency_key="k-3")
    assert len(recorder.requests) == 1  # never re-sent behind the caller's back
    assert caught.value.request_sent is True
    assert caught.value.retryable is False
    assert calls == [("PUT", "/Invoices", 0)]


def test_a_connection_refused_was_never_sent() -> None:
    def refused(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("connection refused", request=request)

    client, _, _ = make_client(refused)
    with pytest.raises(XeroTransportError) as caught:
        client.put("/Invoices", {"Invoices": []})
    assert caught.value.request_sent is False
    assert caught.value.retryable is True
    assert caught.value.as_error().code == "XERO_UNAVAILABLE"


def test_a_429_tells_the_limiter_then_raises() -> None:
    limiter = FakeLimiter()
    headers = {"Retry-After": "17", "X-Rate-Limit-Problem": "minute", "X-MinLimit-Remaining": "0"}
    client, _, _ = make_client(
        lambda r: httpx2.Response(429, text="Rate Limit Exceeded", headers=headers),
        limiter=limiter,  # type: ignore[arg-type]
    )
    with pytest.raises(XeroRateLimited) as caught:
        client.get("/Invoices")
    assert (caught.value.retry_after, caught.value.problem) == (17.0, "minute")
    assert limiter.events == [
        ("acquire", TENANT),
        ("release", "0"),
        ("penalise", (TENANT, 17.0, "minute")),
    ]


def test_limiter_slot_is_released_even_when_the_transport_fails() -> None:
    limiter = FakeLimiter()

    def broken(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.RemoteProtocolError("server disconnected", request=request)

    client, _, _ = make_client(broken, limiter=limiter)  # type: ignore[arg-type]
    with pytest.raises(XeroTransportError) as caught:
        client.post("/Invoices", {"Invoices": []})
    assert caught.value.request_sent is True
    assert limiter.events == [("acquire", TENANT), ("release", None)]


VALIDATION = {
    "ErrorNumber": 10,
    "Type": "ValidationException",
    "Message": "A validation exception occurred",
    "Elements": [
        {
            "InvoiceNumber": "INV-1",
            "ValidationErrors": [
                {"Message": "Account code '999' is not a valid code for this document."}
            ],
            "LineItems": [{"ValidationErrors": [{"Message": "Tax rate must be valid."}]}],
        },
        {"ValidationErrors": [{"Message": "Tax rate must be valid."}]},
    ],
}


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected", "code"),
    [
        (400, VALIDATION, {}, XeroValidation, "XERO_VALIDATION"),
        (
            401,
            {"Title": "Unauthorized", "Status": 401, "Detail": "TokenExpired: token expired at x"},
            {},
            XeroUnauthorized,
            "XERO_UNAUTHORIZED",
        ),
        (
            403,
            {"Title": "Forbidden", "Detail": "AuthenticationUnsuccessful"},
            {},
            XeroForbidden,
            "XERO_FORBIDDEN",
        ),
        (404, "The resource you're looking for cannot be found", {}, XeroNotFound, "NOT_FOUND"),
        (
            503,
            {"Title": "Service Unavailable", "Detail": "The Organisation is offline"},
            {"Retry-After": "30"},
            XeroUnavailable,
            "XERO_UNAVAILABLE",
        ),
        (500, {"Title": "An error occurred"}, {}, XeroUnavailable, "XERO_UNAVAILABLE"),
        (502, "Bad gateway", {}, XeroUnavailable, "XERO_UNAVAILABLE"),
        (504, "", {}, XeroUnavailable, "XERO_UNAVAILABLE"),
    ],
)
def test_each_xero_answer_becomes_its_own_error(
    status: int, body: Any, headers: dict[str, str], expected: type[XeroError], code: str
) -> None:
    def answer(request: httpx2.Request) -> httpx2.Response:
        if isinstance(body, str):
            return httpx2.Response(status, text=body, headers=headers)
        return json_reply(status, body, headers)

    client, _, calls = make_client(answer)
    with pytest.raises(expected) as caught:
        client.put("/Invoices", {"Invoices": []})
    error = caught.value
    assert (error.method, error.path, error.xero_status) == ("PUT", "/Invoices", status)
    assert error.as_error().code == code
    assert calls == [("PUT", "/Invoices", status)]


def test_validation_messages_are_all_there_once() -> None:
    client, _, _ = make_client(lambda r: json_reply(400, VALIDATION))
    with pytest.raises(XeroValidation) as caught:
        client.put("/Invoices", {"Invoices": []})
    assert caught.value.messages() == [
        "Account code '999' is not a valid code for this document.",
        "Tax rate must be valid.",
    ]
    assert "Account code '999'" in caught.value.as_error().message


def test_unauthorized_knows_an_expired_token_from_a_revoked_one() -> None:
    expired = XeroUnauthorized("TokenExpired: token expired at 01/02/2026 10:00:00")
    revoked = XeroUnauthorized("AuthenticationUnsuccessful")
    assert expired.token_expired and not revoked.token_expired


def test_offline_organisation_is_recognised() -> None:
    client, _, _ = make_client(
        lambda r: json_reply(503, {"Detail": "The Organisation is offline"}, {"Retry-After": "30"})
    )
    with pytest.raises(XeroUnavailable) as caught:
        client.get("/Invoices")
    assert caught.value.organisation_offline
    assert caught.value.retry_after == 30.0
    assert caught.value.retryable


def test_get_all_pages_until_a_short_page() -> None:
    contacts = [{"ContactID": f"c{n}"} for n in range(5)]

    def page(request: httpx2.Request) -> httpx2.Response:
        number = int(request.url.params["page"])
        size = int(request.url.params["pageSize"])
        chunk = contacts[(number - 1) * size : number * size]
        return json_reply(200, {"Contacts": chunk})

    client, recorder, _ = make_client(page)
    found = client.get_all("/Contacts", "Contacts", {"includeArchived": "true"}, page_size=2)
    assert [c["ContactID"] for c in found] == ["c0", "c1", "c2", "c3", "c4"]
    assert [r.url.params["page"] for r in recorder.requests] == ["1", "2", "3"]
    assert all(r.url.params["includeArchived"] == "true" for r in recorder.requests)


def test_get_all_trusts_page_count_when_the_last_page_is_full() -> None:
    def page(request: httpx2.Request) -> httpx2.Response:
        number = int(request.url.params["page"])
        pagination = {"page": number, "pageSize": 2, "pageCount": 2, "itemCount": 4}
        items = [{"ContactID": f"{number}-{i}"} for i in range(2)]
        return json_reply(200, {"pagination": pagination, "Contacts": items})

    client, recorder, _ = make_client(page)
    assert len(client.get_all("/Contacts", "Contacts", page_size=2)) == 4
    assert len(recorder.requests) == 2


def test_a_success_that_is_not_json_is_a_lost_reply() -> None:
    client, _, _ = make_client(
        lambda r: httpx2.Response(
            200, content=b'{"Id":', headers={"content-type": "application/json"}
        )
    )
    with pytest.raises(XeroTransportError) as caught:
        client.post("/Invoices", {"Invoices": []})
    assert caught.value.request_sent is True


def test_a_failing_token_source_takes_no_limiter_slot() -> None:
    limiter = FakeLimiter()

    def no_token() -> str:
        raise RuntimeError("refresh failed")

    client = XeroClient(
        API,
        TENANT,
        no_token,
        limiter=limiter,  # type: ignore[arg-type]
        http=httpx2.Client(transport=httpx2.MockTransport(lambda r: json_reply(200, {}))),
    )
    with pytest.raises(RuntimeError):
        client.get("/Invoices")
    assert limiter.events == []
