"""A thin synchronous client for Xero's Accounting API, on httpx2, with no automatic retries.

Why no retries: to Xero a PUT means "create". A client that silently re-sends a write after a
read timeout makes duplicates (the official SDK's urllib3 does exactly that), and one that
sleeps on a 429 blocks a worker for as long as Xero says, which can be hours. So every call is
sent once; the caller learns precisely what happened (see ``errors.py``) and decides, always
replaying a write with the same Idempotency-Key.

Every call takes a slot from the shared limiter first, feeds Xero's remaining-calls headers
back to it after, and reports a 429 to it before raising. Every call is told to the observers of
``observe`` (the process's metrics: its status and reply bytes, a 429's problem, the limiter
wait) and logged with what the log context holds (a send's document ids and request id): writes
at INFO, reads at DEBUG.

The one exception to "sent once" is a 401: Xero refused the token before looking at the request,
so nothing was applied. Our clock may think a token fresh that Xero has expired (skew) or
revoked early, so the client asks its token source, once, for a token in place of the refused
one (``renew``) and sends the very same request again: same bytes, same Idempotency-Key. A
second 401 is raised: a token Xero has just issued and still refuses means a reconnect.

Unless the 401 is a missing scope: when the client knows what the token was granted
(``granted_scopes``) and that lacks the scope the call needs, a renewed token would carry the
same scopes and be refused the same way. It raises ``XeroScopeMissing`` (naming the scope to
add) at once, without renewing.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx2

from ledgerlink.xero import observe, wire
from ledgerlink.xero.errors import (
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroRateLimited,
    XeroScopeMissing,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
    XeroValidation,
)
from ledgerlink.xero.scopes import missing_scope

log = logging.getLogger(__name__)

API_PATH = "/api.xro/2.0"
OnCall = Callable[[str, str, int], None]
# The scopes the current token was granted (Xero's space-separated string); None: unknown.
GrantedScopes = Callable[[], str | None]

# Failures where the request certainly never reached Xero: sending it again is safe.
_NOT_SENT: tuple[type[Exception], ...] = (
    httpx2.ConnectError,
    httpx2.ConnectTimeout,
    httpx2.PoolTimeout,
    httpx2.UnsupportedProtocol,
    httpx2.LocalProtocolError,
    httpx2.ProxyError,
)


@dataclass
class XeroReply:
    """A successful answer: status, headers and the decoded JSON (Decimals kept exact)."""

    status: int
    headers: Mapping[str, str]
    data: Any
    content: bytes

    def items(self, key: str) -> list[dict[str, Any]]:
        """The records under ``key`` (``Invoices``, ``Contacts``...), or an empty list."""
        found = self.data.get(key) if isinstance(self.data, dict) else None
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


class Slot(Protocol):
    """A call's place in the shared budget, given back with Xero's remaining-calls headers."""

    def release(self, headers: Mapping[str, str] | None = None) -> None: ...


class Limiter(Protocol):
    """The budget every caller of one Xero app shares (``ledgerlink.sync.limiter`` keeps it)."""

    def acquire(self, tenant_id: str, max_wait: float | None = None) -> Slot: ...

    def penalise(self, tenant_id: str, retry_after: float | None, problem: str) -> None: ...


class Renew(Protocol):
    """A token in place of one Xero refused (refreshed, unless another worker already did)."""

    def __call__(self, *, rejected: str) -> str: ...


def _retry_after(headers: Mapping[str, str]) -> float | None:
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None


def _detail(data: Any, text: str) -> str:
    if isinstance(data, dict):
        for name in ("Detail", "detail", "Message", "Title"):
            if data.get(name):
                return str(data[name])
    return text.strip()[:300]


class XeroClient:
    """One organisation's Accounting API, as seen by one token."""

    def __init__(
        self,
        api_url: str,
        tenant_id: str | None,
        token: Callable[[], str],
        limiter: Limiter | None = None,
        http: httpx2.Client | None = None,
        on_call: OnCall | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
        identity_url: str | None = None,
        max_wait: float | None = None,
        renew: Renew | None = None,
        granted_scopes: GrantedScopes | None = None,
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.tenant_id = tenant_id
        self.token = token
        self.renew = renew
        self.granted_scopes = granted_scopes
        self.limiter = limiter
        self.on_call = on_call
        self.max_wait = max_wait
        base = self.api_url.removesuffix(API_PATH)
        self.identity_url = (identity_url or base).rstrip("/")
        self._own_http = http is None
        self.http = http or httpx2.Client(
            timeout=httpx2.Timeout(
                read_timeout, connect=connect_timeout, read=read_timeout, pool=connect_timeout
            )
        )

    def close(self) -> None:
        if self._own_http:
            self.http.close()

    def __enter__(self) -> XeroClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # public calls -----------------------------------------------------------------------

    def get(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        if_modified_since: datetime | None = None,
    ) -> XeroReply:
        headers = {}
        if if_modified_since is not None:
            headers["If-Modified-Since"] = wire.if_modified_since(if_modified_since)
        return self.request("GET", path, params=params, headers=headers)

    def put(
        self,
        path: str,
        body: Any,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> XeroReply:
        return self.request("PUT", path, body, params=params, idempotency_key=idempotency_key)

    def post(
        self,
        path: str,
        body: Any,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> XeroReply:
        return self.request("POST", path, body, params=params, idempotency_key=idempotency_key)

    def delete(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> XeroReply:
        return self.request("DELETE", path, params=params, idempotency_key=idempotency_key)

    def pages(
        self,
        path: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        page_size: int = 1000,
        if_modified_since: datetime | None = None,
    ) -> Iterator[XeroReply]:
        """Each page's reply until a short page (or Xero's pageCount) says it was the last."""
        page = 1
        while True:
            query = {**(params or {}), "page": page, "pageSize": page_size}
            reply = self.get(path, query, if_modified_since)
            yield reply
            info = reply.data.get("pagination") if isinstance(reply.data, dict) else None
            count = info.get("pageCount") if isinstance(info, dict) else None
            if len(reply.items(key)) < page_size or (isinstance(count, int) and page >= count):
                return
            page += 1

    def get_all(
        self,
        path: str,
        key: str,
        params: Mapping[str, Any] | None = None,
        page_size: int = 1000,
        if_modified_since: datetime | None = None,
    ) -> list[dict[str, Any]]:
        """Every record of a paged endpoint (Contacts, Invoices...), one call per page."""
        pages = self.pages(path, key, params, page_size, if_modified_since)
        return [record for reply in pages for record in reply.items(key)]

    def connections(self) -> list[dict[str, Any]]:
        """The organisations this token reaches (identity API; not counted against a tenant)."""
        url = self.identity_url + "/connections"

        def send(token: str) -> XeroReply:
            headers = self._headers({}, token, tenant=False)
            return self._send("GET", url, "/connections", None, None, headers, None)

        reply = self._renewing(send)
        return [c for c in reply.data or [] if isinstance(c, dict)]

    # the one way out --------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> XeroReply:
        """Send one call, once (after a 401, once more: see the module's docstring).

        ``body`` may be bytes already encoded (a replayed intent).
        """
        method = method.upper()
        content: bytes | None = None
        extra = dict(headers or {})
        if body is not None:
            content = body if isinstance(body, bytes) else wire.encode(body)
            extra["Content-Type"] = "application/json"
        if idempotency_key is not None and method != "GET":
            extra["Idempotency-Key"] = idempotency_key

        def send(token: str) -> XeroReply:
            prepared = self._headers(extra, token, tenant=True)
            slot = None
            if self.limiter is not None:
                with observe.waiting():
                    slot = self.limiter.acquire(self._limit_key, max_wait=self.max_wait)
            return self._send(method, self.api_url + path, path, content, params, prepared, slot)

        return self._renewing(send)

    def _renewing(self, send: Callable[[str], XeroReply]) -> XeroReply:
        """``send`` with the current token, and once more with a renewed one after a 401.

        The token is fetched before ``send`` takes a limiter slot: a refresh that fails must
        not hold one.
        """
        token = self.token()
        try:
            return send(token)
        except XeroUnauthorized as refused:
            self._raise_if_scope_missing(refused)
            if self.renew is None:
                raise
            fresh = self.renew(rejected=token)
            if fresh == token:
                raise
            log.info("401 from Xero (%s): sending once more with a renewed token", refused)
        try:
            return send(fresh)
        except XeroUnauthorized as refused:
            # The renewal stored the token's scopes as Xero granted them: look again.
            self._raise_if_scope_missing(refused)
            raise

    def _raise_if_scope_missing(self, refused: XeroUnauthorized) -> None:
        """Raise ``XeroScopeMissing`` when the token's known scopes cannot make this call."""
        if self.granted_scopes is None:
            return
        try:
            granted = self.granted_scopes()
        except Exception:  # not knowing the scopes must not hide Xero's 401
            log.exception("could not read the granted scopes after a 401")
            return
        scope = missing_scope(granted or "", refused.method, refused.path)
        if scope is not None:
            raise XeroScopeMissing(scope, method=refused.method, path=refused.path) from refused

    def _headers(self, extra: Mapping[str, str], token: str, *, tenant: bool) -> dict[str, str]:
        headers = {"Accept": "application/json", "Authorization": f"Bearer {token}"}
        if tenant and self.tenant_id:
            headers["xero-tenant-id"] = self.tenant_id
        headers.update(extra)
        return headers

    @property
    def _limit_key(self) -> str:
        return self.tenant_id or "custom-connection"

    def _send(
        self,
        method: str,
        url: str,
        path: str,
        content: bytes | None,
        params: Mapping[str, Any] | None,
        headers: dict[str, str],
        slot: Slot | None,
    ) -> XeroReply:
        started = time.perf_counter()
        try:
            response = self.http.request(
                method, url, content=content, params=dict(params or {}), headers=headers
            )
            raw = response.content
        except httpx2.TransportError as exc:
            if slot is not None:
                slot.release()
            self._report(method, path, 0, 0, started)
            sent = not isinstance(exc, _NOT_SENT)
            raise XeroTransportError(
                f"{type(exc).__name__}: {exc}", sent, method=method, path=path
            ) from exc
        except BaseException:
            if slot is not None:
                slot.release()
            raise
        if slot is not None:
            slot.release(response.headers)
        self._report(method, path, response.status_code, len(raw), started)
        return self._reply(method, path, response.status_code, response.headers, raw)

    def _report(self, method: str, path: str, status: int, size: int, started: float) -> None:
        """Count, log and hand to ``on_call`` one call (``size``: the reply body's bytes)."""
        observe.answered(method, status, size)
        level = logging.DEBUG if method == "GET" else logging.INFO
        if log.isEnabledFor(level):
            ms = round((time.perf_counter() - started) * 1000, 1)
            fields = {"xero_status": status, "response_bytes": size, "elapsed_ms": ms}
            log.log(level, "xero %s %s: %s", method, path, status or "no answer", extra=fields)
        if self.on_call is None:
            return
        token = observe.REPLY_BYTES.set(size)
        try:
            self.on_call(method, path, status)
        except Exception:  # a metrics hook must never turn a sent call into a failed one
            log.exception("on_call hook failed for %s %s", method, path)
        finally:
            observe.REPLY_BYTES.reset(token)

    def _reply(
        self, method: str, path: str, status: int, headers: httpx2.Headers, raw: bytes
    ) -> XeroReply:
        data: Any = None
        text = ""
        if raw.strip():
            text = raw.decode("utf-8", "replace")
            if "json" in headers.get("content-type", "") or raw.lstrip()[:1] in (b"{", b"["):
                try:
                    data = wire.decode(raw)
                except wire.WireError:
                    data = None
        if 200 <= status < 300 or status == 304:
            if raw.strip() and data is None:
                raise XeroTransportError("the reply was not JSON", True, method=method, path=path)
            return XeroReply(status, headers, data, raw)
        where = {"method": method, "path": path}
        if status == 429:
            retry_after = _retry_after(headers)
            problem = headers.get("X-Rate-Limit-Problem", "") or "minute"
            observe.rate_limited(problem.lower())
            if self.limiter is not None:
                self.limiter.penalise(self._limit_key, retry_after, problem)
            raise XeroRateLimited(retry_after, problem, **where)
        if status in (400, 413):
            error = XeroValidation(data, text, **where)
            error.xero_status = status
            raise error
        if status == 401:
            raise XeroUnauthorized(_detail(data, text), **where)
        if status == 403:
            raise XeroForbidden(_detail(data, text), **where)
        if status == 404:
            raise XeroNotFound(_detail(data, text), **where)
        if status in (500, 502, 503, 504):
            raise XeroUnavailable(status, _retry_after(headers), _detail(data, text), **where)
        raise XeroError(_detail(data, text) or f"HTTP {status}", status=status, **where)
