"""The Accounting API pipeline: auth, tenant, limits, faults, idempotency, handler.

Every step answers in Xero's own shape. The order follows what a caller of Xero sees: a bad
token is refused before the tenant is checked, and a call that reaches the organisation counts
against its limits whether or not it then succeeds.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from xero_sandbox import errors, scopes, wire, xml_wire
from xero_sandbox.context import ApiContext
from xero_sandbox.idempotency import StoredReply, fingerprint
from xero_sandbox.journals import settle
from xero_sandbox.ratelimit import RateLimited, Ticket
from xero_sandbox.routing import API_PREFIX, ApiRouter
from xero_sandbox.state import Org, SandboxState

log = logging.getLogger("xero_sandbox.api")

# Xero honours Idempotency-Key on its PUT and POST operations (the spec has it on no DELETE).
KEYED_METHODS = {"PUT", "POST", "PATCH"}


class LostReply(Exception):
    """The lost-reply fault: the call was applied and its answer must never arrive."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise errors.PayloadTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise errors.PayloadTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _api_path(request: Request) -> str:
    return request.url.path[len(API_PREFIX) :] or "/"


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


class AccountingApi:
    """An ASGI app for everything under /api.xro/2.0."""

    def __init__(self, state: SandboxState, router: ApiRouter) -> None:
        self.state = state
        self.router = router

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        counted = self._counting(request, send)
        ticket: Ticket | None = None
        headers: dict[str, str] = {}
        try:
            response, ticket, headers = await self._handle(request)
        except LostReply:
            await self._drop(counted)
            return
        except errors.XeroError as exc:
            response = exc.response()
        finally:
            if ticket is not None:
                ticket.release()
        # Xero answers in XML unless asked for JSON; replays of stored replies too.
        response = xml_wire.negotiate(response, request.headers.get("accept"), _api_path(request))
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        await response(scope, receive, counted)
        self.state.egress.reply_done()

    def _counting(self, request: Request, send: Send) -> Send:
        """``send`` that adds each body chunk to the egress count of the request's organisation
        (known once ``_tenant`` has found it; replies refused before that count in the total)."""
        egress = self.state.egress

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.body":
                org = getattr(request.state, "sandbox_org", None)
                egress.count(
                    org.tenant_id if org is not None else None, len(message.get("body", b""))
                )
            await send(message)

        return counted

    async def _drop(self, send: Send) -> None:
        """Start a reply that promises a body, then abandon it: the client sees a broken reply."""
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"Id":', "more_body": True})
        raise ConnectionAbortedError("sandbox fault: reply dropped after the call was applied")

    async def _handle(self, request: Request) -> tuple[Response, Ticket | None, dict[str, str]]:
        state = self.state
        method = request.method.upper()
        path = _api_path(request)
        token = _bearer(request)
        now = state.clock.timestamp()
        principal = state.identity.authenticate(token, now) if token else None
        if principal is None:
            expired = state.identity.expired_at(token, now) if token else None
            if expired is not None:
                when = datetime.fromtimestamp(expired, tz=UTC).strftime("%m/%d/%Y %H:%M:%S")
                raise errors.unauthorized(f"TokenExpired: token expired at {when}")
            raise errors.unauthorized()
        app = state.config.app(principal.client_id)
        app_name = app.name if app else principal.client_id

        org = self._tenant(request, principal)
        request.state.sandbox_org = org
        now = state.clock.timestamp()
        try:
            ticket = state.limits.acquire(principal.client_id, org.tenant_id, now)
        except RateLimited:
            self._log(method, path, org, 429, principal.client_id)
            raise
        limit_headers = state.limits.headers(principal.client_id, org.tenant_id, now)
        granted = state.identity.scopes_of(token) if token else []
        try:
            response = await self._after_limits(
                request, path, org, principal.client_id, app_name, method, granted
            )
        except errors.XeroError as exc:
            response = exc.response()
        except LostReply as lost:
            ticket.release()
            self._log(method, path, org, lost.status, principal.client_id, lost_reply=True)
            raise
        except BaseException:
            # A client that went away mid-body (or a cancelled task) must not keep its slot.
            ticket.release()
            raise
        self._log(method, path, org, response.status_code, principal.client_id)
        return response, ticket, limit_headers

    def _tenant(self, request: Request, principal: Any) -> Org:
        state = self.state
        allowed = state.identity.connected_tenants(principal)
        wanted = request.headers.get("xero-tenant-id", "").strip().lower()
        if principal.custom_tenant is not None and not wanted:
            wanted = principal.custom_tenant
        if not wanted or wanted not in allowed:
            raise errors.forbidden()
        org = state.orgs.get(wanted)
        if org is None:
            raise errors.forbidden()
        return org

    async def _after_limits(
        self,
        request: Request,
        path: str,
        org: Org,
        client_id: str,
        app_name: str,
        method: str,
        granted: list[str],
    ) -> Response:
        state = self.state
        # An unknown path still reached the organisation: it counts, and carries the headers.
        route, params, other = self.router.match(method, path)
        if route is None:
            if other:
                raise errors.MethodNotAllowed()
            raise errors.NotFound()
        if not scopes.allowed(granted, method, path):
            if scopes.rule_for(path) is None:
                log.error("no scope rule for %s %s: add its resource to scopes.py", method, path)
            raise errors.insufficient_scope()
        if org.offline:
            raise errors.organisation_offline()
        # The whole request is received before Xero works on it: a slow call whose caller has
        # gone away meanwhile is still applied, and only its reply is lost.
        body = await read_body(request, state.config.max_body_bytes)
        lose_reply = False
        for rule in state.faults.draw(route.endpoint, method, org.tenant_id):
            if rule.kind == "slow":
                await asyncio.sleep(rule.delay_seconds)
            elif rule.kind == "offline":
                raise errors.organisation_offline()
            elif rule.kind == "error":
                if rule.status == 503:
                    raise errors.service_unavailable()
                raise errors.ProblemError(rule.status, "An error occurred", "Injected fault")
            elif rule.kind == "rate_limit":
                raise state.limits.burst(
                    rule.problem, client_id, org.tenant_id, state.clock.timestamp()
                )
            elif rule.kind == "lost_reply":
                lose_reply = True

        key = request.headers.get("idempotency-key") if method in KEYED_METHODS else None
        print_ = ""
        if key is not None:
            print_ = fingerprint(method, request.url.path, request.url.query, org.tenant_id, body)
            stored = state.idempotency.lookup(client_id, key, print_, state.clock.timestamp())
            if stored is not None:
                if lose_reply:
                    raise LostReply(stored.status)
                return Response(
                    stored.body, stored.status, headers=stored.headers, media_type=stored.media_type
                )

        ctx = ApiContext(state, org, request, method, params, body, client_id, app_name)
        response = self._run(route.handler, ctx)
        # Whatever the call posted is journalled now, stamped with the time it was made.
        settle(state, org)
        if key is not None:
            state.idempotency.store(
                client_id,
                key,
                StoredReply(
                    fingerprint=print_,
                    expires=state.clock.timestamp() + state.config.idempotency_seconds,
                    status=response.status_code,
                    body=bytes(response.body),
                    media_type=response.media_type,
                    headers={"content-type": response.headers.get("content-type", "")},
                ),
            )
        if lose_reply:
            raise LostReply(response.status_code)
        return response

    def internal(
        self, org: Org, method: str, path: str, body: Any = None, *, client_id: str, app_name: str
    ) -> Response:
        """A call made inside the sandbox on an organisation's behalf (the seeded year): the
        route's handler and every rule it applies, without the caller's side of the pipeline
        (token, scopes, limits, faults, idempotency, request log), which only a client has."""
        method = method.upper()
        bare, _, query = path.partition("?")
        route, params, _ = self.router.match(method, bare)
        if route is None:
            raise errors.NotFound()
        scope: Scope = {
            "type": "http",
            "method": method,
            "scheme": "http",
            "server": ("sandbox.internal", 80),
            "root_path": "",
            "path": API_PREFIX + bare,
            "raw_path": (API_PREFIX + bare).encode(),
            "query_string": query.encode(),
            "headers": [(b"content-type", b"application/json")],
        }
        raw = wire.encode(body) if body is not None else b""
        ctx = ApiContext(self.state, org, Request(scope), method, params, raw, client_id, app_name)
        response = self._run(route.handler, ctx)
        settle(self.state, org)  # journalled as it posts, as a client's call is
        return response

    def serves(self, method: str, path: str) -> bool:
        """Whether this sandbox has the route (a resource another part may not have yet)."""
        return self.router.match(method.upper(), path)[0] is not None

    def _run(self, handler: Any, ctx: ApiContext) -> Response:
        try:
            result: Response = handler(ctx)
            return result
        except errors.XeroError as exc:
            return exc.response()
        except wire.PostDataInvalid as exc:
            return errors.post_data_invalid(exc.detail).response()
        except Exception:
            log.exception("sandbox handler failed for %s %s", ctx.method, ctx.request.url.path)
            return errors.server_error().response()

    def _log(
        self,
        method: str,
        path: str,
        org: Org,
        status: int,
        client_id: str,
        *,
        lost_reply: bool = False,
    ) -> None:
        entry: dict[str, Any] = {
            "at": self.state.clock.now().isoformat(timespec="milliseconds"),
            "method": method,
            "path": path,
            "tenant": org.tenant_id,
            "org": org.key,
            "client_id": client_id,
            "status": status,
        }
        if lost_reply:
            entry["lost_reply"] = True
        log_ = self.state.request_log
        log_.append(entry)
        if len(log_) > 20000:
            del log_[:10000]
