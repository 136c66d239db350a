"""The Xero webhook receiver: one URL per Xero app, answered as Xero requires.

``POST /api/v1/xero/webhooks`` takes the deliveries of ledgerlink's own Xero app (its key is
``LEDGERLINK_XERO_WEBHOOK_KEY``); ``POST /api/v1/xero/webhooks/{workspace_id}`` those of a
workspace's own app (its key set with the app, ``PUT /workspace/xero-app``). Xero's rules: a
200 with an empty body for a correctly signed delivery, a 401 for any other, no cookies, within
five seconds. The events are stored before the 200 goes, so an answered delivery is never lost;
the pulls they ask for run in the worker.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ledgerlink import metrics
from ledgerlink.api.services import services
from ledgerlink.store.db import transaction
from ledgerlink.sync import xero_webhooks as hooks
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.refresh import ring_for

log = logging.getLogger(__name__)
router = APIRouter(prefix="/xero", tags=["xero webhooks"], include_in_schema=True)
MAX_DELIVERY_BYTES = 5 * 1024 * 1024


def _receive(svc: Engine, receiver: str, body: bytes, signature: str | None) -> int:
    """The status to answer with; the events stored when it is 200."""
    with transaction(svc.factory) as session:
        key = hooks.webhook_key(session, svc.settings, ring_for(svc.settings), receiver)
        if not hooks.signature_ok(body, signature, key):
            metrics.WEBHOOK_REFUSED.labels("401").inc()
            return 401
        try:
            events = hooks.parse(body)
        except hooks.BadDelivery as exc:
            log.warning("a signed Xero webhook delivery was not understood: %s", exc)
            metrics.WEBHOOK_REFUSED.labels("400").inc()
            return 400
        done = hooks.store(session, receiver, events, datetime.now(UTC))
    metrics.WEBHOOK_EVENTS.labels("new").inc(done.stored)
    metrics.WEBHOOK_EVENTS.labels("repeated").inc(done.repeated)
    if done.events:
        log.info(
            "xero webhook: %d events, %d new, %d repeated", done.events, done.stored, done.repeated
        )
    return 200


async def _answer(request: Request, receiver: str) -> Response:
    body = await request.body()
    if len(body) > MAX_DELIVERY_BYTES:
        return Response(status_code=413)
    signature = request.headers.get("x-xero-signature")
    status = await run_in_threadpool(_receive, services(request), receiver, body, signature)
    if status == 200:
        hook = getattr(request.app.state, "on_intake", None)
        if hook is not None:
            hook()  # the worker reads what the events point at now, not at its next poll
    return Response(status_code=status)


@router.post("/webhooks", status_code=200, response_class=Response)
async def xero_webhooks(request: Request) -> Response:
    """Deliveries of ledgerlink's own Xero app (signed with LEDGERLINK_XERO_WEBHOOK_KEY)."""
    return await _answer(request, hooks.SERVICE_RECEIVER)


@router.post("/webhooks/{workspace_id}", status_code=200, response_class=Response)
async def workspace_xero_webhooks(request: Request, workspace_id: str) -> Response:
    """Deliveries of a workspace's own Xero app (signed with the key set with that app)."""
    return await _answer(request, workspace_id[:36])
