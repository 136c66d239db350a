"""Documents: upsert one or up to 1,000 at a time, and read one back with its sync state and link.

Intake validates every document on its own, so in a bulk upload a bad one is answered with its
errors and never stops the others from being accepted.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_json
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.api.views import DocumentOut, document_out
from ledgerlink.documents.validation import failure
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Connection, Document
from ledgerlink.sync import intake
from ledgerlink.sync.engine import Engine

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)

MAX_BULK = 1000
Kind = Literal["invoice", "expense"]
SCHEMA_NAMES = {"invoice": "SalesInvoice", "expense": "Expense"}


class ItemResult(BaseModel):
    """What became of one document: created, updated, unchanged (same content) or invalid."""

    index: int
    source_id: str | None
    status: str
    version: int | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list)


class BulkResult(BaseModel):
    counts: dict[str, int]
    results: list[ItemResult]


def _body_doc(kinds: str, many: bool) -> dict[str, Any]:
    one = {"oneOf": [{"$ref": f"#/components/schemas/{SCHEMA_NAMES[k]}"} for k in kinds.split()]}
    schema: dict[str, Any] = one
    if many:
        schema = {
            "oneOf": [
                {"type": "array", "items": one, "maxItems": MAX_BULK},
                {
                    "type": "object",
                    "properties": {
                        "connection_id": {"type": "string"},
                        "documents": {"type": "array", "items": one, "maxItems": MAX_BULK},
                    },
                    "required": ["documents"],
                },
            ]
        }
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def pick_connection(svc: Engine, workspace_id: str, connection_id: str | None) -> Connection:
    """The named connection, else the workspace's only one; documents need to know their org."""
    with svc.factory() as session:
        if connection_id:
            return conns.get_connection(session, workspace_id, connection_id)
        usable = [
            c for c in conns.list_connections(session, workspace_id) if c.status == conns.ACTIVE
        ]
    if len(usable) == 1:
        return usable[0]
    if not usable:
        raise LedgerlinkError(
            "CONNECTION_NOT_FOUND", "This workspace has no active connection.", "connection_id"
        )
    raise LedgerlinkError(
        "VALIDATION_FAILED",
        f"This workspace has {len(usable)} connections: name one with ?connection_id=.",
        field="connection_id",
    )


def _upsert(
    svc: Engine, workspace_id: str, connection_id: str, kind: intake.Kind, items: list[Any]
) -> list[intake.IntakeResult]:
    return intake.upsert_documents(svc.factory, workspace_id, connection_id, kind, items)


def _wake_worker(request: Request, raw: list[intake.IntakeResult]) -> None:
    """In ``ledgerlink serve`` the worker loop starts on new work at once instead of polling."""
    hook = getattr(request.app.state, "on_intake", None)
    if hook is not None and any(r.outcome in ("created", "updated") for r in raw):
        hook()


def _results(raw: list[intake.IntakeResult]) -> BulkResult:
    results = [
        ItemResult(
            index=i,
            source_id=r.source_id,
            status=r.outcome,
            version=r.version,
            errors=[e.as_dict() for e in r.errors],
        )
        for i, r in enumerate(raw)
    ]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return BulkResult(counts=counts, results=results)


def _check_kind(kind: str) -> intake.Kind:
    if kind == "invoice":
        return "invoice"
    if kind == "expense":
        return "expense"
    raise LedgerlinkError(
        "NOT_FOUND", f"kind must be invoice or expense (got {kind!r}).", field="kind"
    )


# ``:path`` so a source id may hold slashes (INV/2026/001), written plainly or as %2F: what
# PUT or bulk accepted, GET reads back.
@router.put(
    "/{kind}/{source_id:path}",
    response_model=ItemResult,
    openapi_extra=_body_doc("invoice expense", False),
)
async def put_document(
    request: Request,
    workspace_id: WorkspaceId,
    kind: str,
    source_id: str,
    connection_id: str | None = None,
) -> ItemResult:
    """Create or update one document by its source id; a new content makes a new version."""
    checked = _check_kind(kind)
    data = await read_json(request)
    if isinstance(data, dict):
        given = data.get("source_id")
        if given is not None and given != source_id:
            raise LedgerlinkError(
                "VALIDATION_FAILED",
                f"source_id in the body ({given!r}) differs from the path ({source_id!r}).",
                field="source_id",
            )
        data = {**data, "source_id": source_id}
    svc = services(request)
    connection = pick_connection(svc, workspace_id, connection_id)
    raw = await run_in_threadpool(_upsert, svc, workspace_id, connection.id, checked, [data])
    _wake_worker(request, raw)
    result = _results(raw).results[0]
    if result.status == "invalid":
        raise failure(raw[0].errors)
    return result


@router.post(
    "/{kind}/bulk", response_model=BulkResult, openapi_extra=_body_doc("invoice expense", True)
)
async def bulk_documents(
    request: Request, workspace_id: WorkspaceId, kind: str, connection_id: str | None = None
) -> BulkResult:
    """Upsert up to 1,000 documents; each gets its own result, a bad one never rejects others."""
    checked = _check_kind(kind)
    data = await read_json(request)
    if isinstance(data, dict):
        connection_id = connection_id or data.get("connection_id")
        data = data.get("documents")
    if not isinstance(data, list) or not data:
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            "The body must be a non-empty list of documents, or an object with a 'documents' list.",
            field="documents",
        )
    if len(data) > MAX_BULK:
        raise LedgerlinkError(
            "PAYLOAD_TOO_LARGE",
            f"{len(data)} documents in one request; at most {MAX_BULK}: split the upload.",
            field="documents",
        )
    svc = services(request)
    connection = pick_connection(svc, workspace_id, connection_id)
    raw = await run_in_threadpool(_upsert, svc, workspace_id, connection.id, checked, data)
    _wake_worker(request, raw)
    return _results(raw)


@router.get("/{kind}/{source_id:path}", response_model=DocumentOut)
def get_document(
    request: Request, workspace_id: WorkspaceId, kind: str, source_id: str
) -> DocumentOut:
    """The document's current version, its place in the queue and its link to Xero."""
    _check_kind(kind)
    svc = services(request)
    with svc.factory() as session:
        document = session.scalars(
            select(Document).where(
                Document.workspace_id == workspace_id,
                Document.kind == kind,
                Document.source_id == source_id,
            )
        ).first()
        if document is None:
            raise LedgerlinkError(
                "NOT_FOUND", f"No {kind} with source_id {source_id!r}.", field="source_id"
            )
        return document_out(session, document, svc.settings.xero_deeplink_url)
