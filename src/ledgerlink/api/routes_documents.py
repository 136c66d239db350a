"""Documents of every kind: upsert one or up to 1,000 at a time, read one back with its sync
state and link, list them with their Xero stamps, and "Refresh from Xero".

The kinds and their schemas come from the registry (``ledgerlink.kinds``), so a new kind gets
these routes and its place in the OpenAPI without a change here. Intake validates every
document on its own, so in a bulk upload a bad one is answered with its errors and never stops
the others from being accepted.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from ledgerlink import kinds
from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_json
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.api.views import DocumentOut, document_out, documents_out
from ledgerlink.documents.validation import failure
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store import connections as conns
from ledgerlink.store.models import Connection, Document
from ledgerlink.sync import intake, listing
from ledgerlink.sync.engine import Engine

router = APIRouter(prefix="/documents", tags=["documents"], responses=ERROR_RESPONSES)

MAX_BULK = 1000
MAX_OFFSET = 1_000_000_000


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


class DocumentsOut(BaseModel):
    counts: dict[str, int] = Field(description="Documents by sync state (same filters).")
    documents: list[DocumentOut]


class RefreshIn(BaseModel):
    source_ids: list[str] = Field(min_length=1, max_length=MAX_BULK)


class RefreshOut(BaseModel):
    read: int = Field(description="Documents whose Xero state was read.")
    calls: int = Field(description="Xero calls it took.")
    documents: list[DocumentOut]


def _body_doc(many: bool) -> dict[str, Any]:
    refs = [{"$ref": f"#/components/schemas/{k.schema_name}"} for k in kinds.all_kinds()]
    one: dict[str, Any] = {
        "oneOf": refs,
        "description": "A document of the kind in the path: "
        + ", ".join(f"{k.name} ({k.schema_name})" for k in kinds.all_kinds())
        + ".",
    }
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
    svc: Engine, workspace_id: str, connection_id: str | None, kind: str, items: list[Any]
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


def _check_kind(kind: str) -> str:
    return kinds.get(kind).name


def _named_connection(svc: Engine, workspace_id: str, connection_id: str | None) -> str | None:
    """The connection named, checked to be this workspace's; None lets each document find its
    own (its branch, the document it follows, or the workspace's only connection)."""
    if not connection_id:
        return None
    with svc.factory() as session:
        return conns.get_connection(session, workspace_id, connection_id).id


# ``:path`` so a source id may hold slashes (INV/2026/001), written plainly or as %2F: what
# PUT or bulk accepted, GET reads back.
@router.put(
    "/{kind}/{source_id:path}",
    response_model=ItemResult,
    openapi_extra=_body_doc(False),
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
    named = _named_connection(svc, workspace_id, connection_id)
    raw = await run_in_threadpool(_upsert, svc, workspace_id, named, checked, [data])
    _wake_worker(request, raw)
    result = _results(raw).results[0]
    if result.status == "invalid":
        errors = raw[0].errors
        if len(errors) == 1 and errors[0].code != "VALIDATION_FAILED":
            raise errors[0]  # e.g. BRANCH_UNKNOWN: its own code and status
        raise failure(errors)
    return result


@router.post("/{kind}/bulk", response_model=BulkResult, openapi_extra=_body_doc(True))
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
    named = _named_connection(svc, workspace_id, connection_id)
    raw = await run_in_threadpool(_upsert, svc, workspace_id, named, checked, data)
    _wake_worker(request, raw)
    return _results(raw)


@router.post("/{kind}/refresh", response_model=RefreshOut)
async def refresh_documents(request: Request, workspace_id: WorkspaceId, kind: str) -> RefreshOut:
    """ "Refresh from Xero" for many documents of a kind: Xero's status, amounts paid, due and
    credited and the paid date, read in as few calls as Xero allows (50 invoices a call)."""
    checked = _check_kind(kind)
    data = await read_json(request)
    wanted = RefreshIn.model_validate(data if isinstance(data, dict) else {"source_ids": data})
    return await run_in_threadpool(_refresh, request, workspace_id, checked, wanted.source_ids)


@router.post("/{kind}/{source_id:path}/refresh", response_model=DocumentOut)
async def refresh_document(
    request: Request, workspace_id: WorkspaceId, kind: str, source_id: str
) -> DocumentOut:
    """ "Refresh from Xero" for one document: its link gets Xero's state now (a PO billed in
    Xero reads as paid)."""
    checked = _check_kind(kind)
    found = await run_in_threadpool(_refresh, request, workspace_id, checked, [source_id])
    if not found.documents:
        raise LedgerlinkError(
            "NOT_FOUND", f"No {checked} with source_id {source_id!r}.", field="source_id"
        )
    return found.documents[0]


def _refresh(request: Request, workspace_id: str, kind: str, source_ids: list[str]) -> RefreshOut:
    svc = services(request)
    figures = svc.refresh(workspace_id, kind, source_ids)
    with svc.factory() as session:
        rows = session.scalars(
            select(Document).where(
                Document.workspace_id == workspace_id,
                Document.kind == kind,
                Document.source_id.in_(sorted(set(source_ids))),
            )
        )
        shown = documents_out(session, list(rows), svc.settings.xero_deeplink_url)
    order = {source: n for n, source in enumerate(source_ids)}
    shown.sort(key=lambda d: order.get(d.source_id, len(order)))
    return RefreshOut(read=figures["read"], calls=figures["calls"], documents=shown)


@router.get("", response_model=DocumentsOut)
def list_documents(
    request: Request,
    workspace_id: WorkspaceId,
    kind: str | None = Query(None, description="One kind (see the document schemas)."),
    state: str | None = Query(None, description="Sync state of the newest version."),
    connection_id: str | None = None,
    q: str | None = Query(
        None, max_length=200, description="Text in the source id, the number or the contact."
    ),
    limit: int = Query(100, ge=1, le=1000, description="Documents per page, 1 to 1,000."),
    offset: int = Query(0, ge=0, le=MAX_OFFSET, description="How many to skip."),
) -> DocumentsOut:
    """The workspace's documents, newest change first, each with its sync state and its Xero
    stamp (number, status, amounts, "View in Xero"), and counts by sync state."""
    svc = services(request)
    with svc.factory() as session:
        found = listing.documents_page(
            session,
            workspace_id,
            kind=kind,
            state=state,
            connection_id=connection_id,
            text=q,
            limit=limit,
            offset=offset,
        )
        shown = documents_out(session, found.documents, svc.settings.xero_deeplink_url)
    return DocumentsOut(counts=found.counts, documents=shown)


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
