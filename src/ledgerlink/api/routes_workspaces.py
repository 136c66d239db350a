"""Workspaces: a source app makes one per customer and receives its API key, once; a workspace
may bring its own Xero app (client id and secret), used instead of ledgerlink's to connect."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ledgerlink.api.auth import Admin, WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.db import transaction
from ledgerlink.store.workspaces import (
    clear_workspace_app,
    create_workspace,
    get_workspace,
    set_workspace_app,
)
from ledgerlink.sync.limits import tier_day_limit
from ledgerlink.sync.refresh import ring_for

router = APIRouter(tags=["workspaces"], responses=ERROR_RESPONSES)


class NewWorkspace(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="The customer's name.")


class WorkspaceCreated(BaseModel):
    id: str
    name: str
    api_key: str = Field(description="Shown once: only its hash is kept. Store it now.")


class XeroAppOut(BaseModel):
    client_id: str
    has_secret: bool = Field(description="Whether a client secret is stored (it is never shown).")
    has_webhook_key: bool = Field(
        default=False, description="Whether a webhook key is stored (it is never shown)."
    )
    webhook_url_path: str = Field(
        default="", description="Where to point the app's webhook in Xero's developer portal."
    )
    tier: str | None = Field(
        default=None, description="The app's Xero pricing tier; null: not Starter (5,000 a day)."
    )


class WorkspaceOut(BaseModel):
    id: str
    name: str
    xero_app: XeroAppOut | None = Field(
        default=None,
        description="The workspace's own Xero app, used to connect instead of ledgerlink's; "
        "null: ledgerlink's app.",
    )


class XeroAppIn(BaseModel):
    """The app's credentials from Xero's developer portal; no secret: a PKCE app."""

    model_config = ConfigDict(extra="forbid")

    client_id: str = Field(min_length=1, max_length=100)
    client_secret: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Write-only: stored encrypted, never returned.",
    )
    tier: str | None = Field(
        default=None,
        max_length=20,
        description="The app's Xero pricing tier: starter (1,000 calls a day per organisation), "
        "core, plus, advanced or enterprise (5,000); null: not Starter.",
    )
    webhook_key: str | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="Write-only: the webhook key Xero's developer portal shows for this app. "
        "Point the app's webhook at /api/v1/xero/webhooks/{workspace id}; null: no webhooks.",
    )


def _workspace_out(session: Session, workspace_id: str) -> WorkspaceOut:
    workspace = get_workspace(session, workspace_id)
    assert workspace is not None
    app = None
    if workspace.xero_client_id:
        has_secret = workspace.xero_client_secret_enc is not None
        app = XeroAppOut(
            client_id=workspace.xero_client_id,
            has_secret=has_secret,
            tier=workspace.xero_app_tier,
            has_webhook_key=workspace.xero_webhook_key_enc is not None,
            webhook_url_path=f"/api/v1/xero/webhooks/{workspace.id}",
        )
    return WorkspaceOut(id=workspace.id, name=workspace.name, xero_app=app)


@router.post(
    "/workspaces",
    status_code=201,
    response_model=WorkspaceCreated,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": NewWorkspace.model_json_schema()}},
        }
    },
)
async def post_workspace(request: Request, _admin: Admin) -> WorkspaceCreated:
    """Create a workspace; its API key is in the answer and never shown again."""
    body = await read_object(request)
    name = body.get("name")
    if not isinstance(name, str):
        raise LedgerlinkError("VALIDATION_FAILED", "name must be text.", field="name")
    with transaction(services(request).factory) as session:
        workspace, key = create_workspace(session, name)
        return WorkspaceCreated(id=workspace.id, name=workspace.name, api_key=key)


@router.get("/workspace", response_model=WorkspaceOut)
def get_own_workspace(request: Request, workspace_id: WorkspaceId) -> WorkspaceOut:
    """The workspace the API key belongs to, and its own Xero app if it brought one."""
    with services(request).factory() as session:
        return _workspace_out(session, workspace_id)


@router.put(
    "/workspace/xero-app",
    response_model=WorkspaceOut,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": XeroAppIn.model_json_schema()}},
        }
    },
)
async def put_xero_app(request: Request, workspace_id: WorkspaceId) -> WorkspaceOut:
    """Bring the workspace's own Xero app: connections made from now on use it. It replaces an
    app set before: connections made with that one must be connected again (tokens are renewed
    only with the app that issued them); those made with ledgerlink's app keep working."""
    body = XeroAppIn.model_validate(await read_object(request))
    if body.tier is not None:
        try:
            tier_day_limit(body.tier)
        except ValueError as exc:
            raise LedgerlinkError("VALIDATION_FAILED", f"{exc}.", field="tier") from exc
    svc = services(request)
    with transaction(svc.factory) as session:
        set_workspace_app(
            session,
            ring_for(svc.settings),
            workspace_id,
            body.client_id,
            body.client_secret,
            body.tier,
            body.webhook_key,
        )
        return _workspace_out(session, workspace_id)


@router.delete("/workspace/xero-app", response_model=WorkspaceOut)
def delete_xero_app(request: Request, workspace_id: WorkspaceId) -> WorkspaceOut:
    """Go back to ledgerlink's own Xero app; the stored secret is dropped, and connections made
    with the workspace's app must be connected again."""
    with transaction(services(request).factory) as session:
        clear_workspace_app(session, workspace_id)
        return _workspace_out(session, workspace_id)
