"""Workspaces: a source app makes one per customer and receives its API key, once."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from ledgerlink.api.auth import Admin, WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.db import transaction
from ledgerlink.store.workspaces import create_workspace, get_workspace

router = APIRouter(tags=["workspaces"], responses=ERROR_RESPONSES)


class NewWorkspace(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="The customer's name.")


class WorkspaceCreated(BaseModel):
    id: str
    name: str
    api_key: str = Field(description="Shown once: only its hash is kept. Store it now.")


class WorkspaceOut(BaseModel):
    id: str
    name: str


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
    """The workspace the API key belongs to."""
    with services(request).factory() as session:
        workspace = get_workspace(session, workspace_id)
        assert workspace is not None
        return WorkspaceOut(id=workspace.id, name=workspace.name)
