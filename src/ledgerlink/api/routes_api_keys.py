"""The workspace's API keys, as on the dashboard's Developers page: list them, make one with a
name (its plaintext is in the answer and nowhere else), revoke one, rotate one (a new key with
the same name; the old one revoked in the same transaction)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from ledgerlink.api.auth import WorkspaceId
from ledgerlink.api.body import read_object
from ledgerlink.api.errors import ERROR_RESPONSES
from ledgerlink.api.services import services
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ApiKey
from ledgerlink.store.workspaces import (
    MAX_KEY_NAME,
    create_api_key,
    list_api_keys,
    revoke_api_key,
    rotate_api_key,
)

router = APIRouter(prefix="/api-keys", tags=["workspaces"], responses=ERROR_RESPONSES)


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        min_length=1, max_length=MAX_KEY_NAME, description="Who uses it ('billing app')."
    )


class ApiKeyOut(BaseModel):
    id: str
    name: str
    prefix: str = Field(description="The key's first characters, to tell keys apart.")
    created_at: datetime
    revoked_at: datetime | None = Field(description="null: in use.")


class ApiKeyCreated(ApiKeyOut):
    api_key: str = Field(description="Shown once: only its hash is kept. Store it now.")


def _out(row: ApiKey) -> ApiKeyOut:
    return ApiKeyOut(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


@router.get("", response_model=list[ApiKeyOut])
def list_keys(request: Request, workspace_id: WorkspaceId) -> list[ApiKeyOut]:
    """The workspace's keys, oldest first, revoked ones too (never their plaintext)."""
    with services(request).factory() as session:
        return [_out(row) for row in list_api_keys(session, workspace_id)]


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreated,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ApiKeyIn.model_json_schema()}},
        }
    },
)
async def create_key(request: Request, workspace_id: WorkspaceId) -> ApiKeyCreated:
    """A new key for the workspace; its plaintext is in this answer only."""
    body = ApiKeyIn.model_validate(await read_object(request))
    with transaction(services(request).factory) as session:
        row, plaintext = create_api_key(session, workspace_id, body.name)
        return ApiKeyCreated(**_out(row).model_dump(), api_key=plaintext)


@router.post("/{key_id}/revoke", response_model=ApiKeyOut)
def revoke_key(request: Request, workspace_id: WorkspaceId, key_id: str) -> ApiKeyOut:
    """Requests with the key are refused (AUTH_INVALID) from now on; revoking twice is fine."""
    with transaction(services(request).factory) as session:
        return _out(revoke_api_key(session, workspace_id, key_id))


@router.post("/{key_id}/rotate", status_code=201, response_model=ApiKeyCreated)
def rotate_key(request: Request, workspace_id: WorkspaceId, key_id: str) -> ApiKeyCreated:
    """A new key with this one's name (its plaintext in this answer only); this one is revoked."""
    with transaction(services(request).factory) as session:
        row, plaintext = rotate_api_key(session, workspace_id, key_id)
        return ApiKeyCreated(**_out(row).model_dump(), api_key=plaintext)
