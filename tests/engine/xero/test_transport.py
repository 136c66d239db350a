"""One connection pool and TLS context per process (``xero.transport``)."""

from __future__ import annotations

import httpx2
import pytest

from ledgerlink.config import Settings
from ledgerlink.sync.clients import outbound_http
from ledgerlink.xero import identity, transport


def _inner(client: httpx2.Client) -> httpx2.BaseTransport:
    borrowed = client._transport
    assert isinstance(borrowed, transport._Borrowed)
    return borrowed.inner


def test_every_client_borrows_the_process_s_one_transport(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in transport.PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    settings = Settings.from_env()
    app = identity.XeroApp("client", "secret")
    clients = [
        outbound_http(settings),
        identity.oauth_client(settings, app, None),
        identity._http(settings, None),
    ]
    shared = {id(_inner(c)) for c in clients}
    assert len(shared) == 1
    for client in clients:
        client.close()  # closing one client leaves the pool to the others
    with outbound_http(settings) as again:
        assert id(_inner(again)) in shared


def test_a_transport_given_is_used_as_is_and_a_proxy_is_left_to_httpx(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    mock = httpx2.MockTransport(lambda request: httpx2.Response(204))
    assert transport.shared_transport(mock) is mock
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    assert transport.shared_transport() is None
