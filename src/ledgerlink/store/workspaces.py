"""Workspaces, their API keys and their own Xero app.

An API key is shown once and only its SHA-256 is kept: a stolen database does not hand out
keys. Keys are found by their short prefix (indexed) and checked with a constant-time compare.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import ApiKey, Workspace, new_id
from ledgerlink.store.secrets import KeyRing

KEY_PREFIX = "ll_"
PREFIX_LENGTH = 12
MAX_KEY_NAME = 100


@dataclass(frozen=True)
class WorkspaceApp:
    """A workspace's own Xero app, used instead of the default one when set."""

    client_id: str
    client_secret: str | None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def create_workspace(session: Session, name: str) -> tuple[Workspace, str]:
    """A new workspace and its first API key's plaintext (shown once, never stored)."""
    name = name.strip()
    if not name or len(name) > 200:
        raise LedgerlinkError(
            "VALIDATION_FAILED", "name must be 1 to 200 characters long.", field="name"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        # PostgreSQL cannot store a NUL at all, and no other control character belongs in a name
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            "name must not contain control characters (such as NUL or a line break).",
            field="name",
        )
    workspace = Workspace(id=new_id(), name=name)
    session.add(workspace)
    session.flush()
    _, plaintext = create_api_key(session, workspace.id)
    return workspace, plaintext


def get_workspace(session: Session, workspace_id: str) -> Workspace | None:
    return session.get(Workspace, workspace_id)


def check_key_name(name: str) -> str:
    """A key's name says who uses it ("billing app", "staging"): 1 to 100 characters."""
    name = name.strip()
    if not name or len(name) > MAX_KEY_NAME:
        raise LedgerlinkError(
            "VALIDATION_FAILED", f"name must be 1 to {MAX_KEY_NAME} characters long.", field="name"
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise LedgerlinkError(
            "VALIDATION_FAILED", "name must not contain control characters.", field="name"
        )
    return name


def create_api_key(
    session: Session, workspace_id: str, name: str = "default"
) -> tuple[ApiKey, str]:
    """A new key for the workspace and its plaintext (shown once, never stored)."""
    plaintext = new_api_key()
    row = ApiKey(
        id=new_id(),
        workspace_id=workspace_id,
        prefix=plaintext[:PREFIX_LENGTH],
        key_hash=hash_key(plaintext),
        name=check_key_name(name),
    )
    session.add(row)
    session.flush()
    return row, plaintext


def verify_api_key(session: Session, key: str) -> str | None:
    """The workspace id the key belongs to, or None (unknown, malformed or revoked)."""
    if not key.startswith(KEY_PREFIX) or len(key) < PREFIX_LENGTH:
        return None
    wanted = hash_key(key)
    rows = session.scalars(
        select(ApiKey).where(ApiKey.prefix == key[:PREFIX_LENGTH], ApiKey.revoked_at.is_(None))
    )
    found = None
    for row in rows:
        if hmac.compare_digest(row.key_hash, wanted):
            found = row.workspace_id
    return found


def list_api_keys(session: Session, workspace_id: str) -> list[ApiKey]:
    query = select(ApiKey).where(ApiKey.workspace_id == workspace_id).order_by(ApiKey.created_at)
    return list(session.scalars(query))


def get_api_key(session: Session, workspace_id: str, key_id: str) -> ApiKey:
    """One of the workspace's keys; another workspace's key id is simply not found."""
    row = session.get(ApiKey, key_id)
    if row is None or row.workspace_id != workspace_id:
        raise LedgerlinkError("NOT_FOUND", f"No API key {key_id} in this workspace.", field="id")
    return row


def revoke_api_key(session: Session, workspace_id: str, key_id: str) -> ApiKey:
    """Revoke one of the workspace's keys: requests with it are refused from now on."""
    row = get_api_key(session, workspace_id, key_id)
    if row.revoked_at is None:
        row.revoked_at = datetime.now(UTC)
    session.flush()
    return row


def rotate_api_key(session: Session, workspace_id: str, key_id: str) -> tuple[ApiKey, str]:
    """A new key with the old one's name (its plaintext shown once); the old one is revoked
    in the same transaction."""
    old = revoke_api_key(session, workspace_id, key_id)
    return create_api_key(session, workspace_id, old.name)


def set_workspace_app(
    session: Session,
    ring: KeyRing,
    workspace_id: str,
    client_id: str,
    client_secret: str | None,
    tier: str | None = None,
    webhook_key: str | None = None,
) -> Workspace:
    """Bring the workspace's own Xero app (secret sealed); None secret for a PKCE app; ``tier``:
    the app's Xero pricing tier, checked by the caller (``sync.limits``); ``webhook_key``: the
    key Xero signs the app's webhooks with (sealed; None: no webhooks)."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None:
        raise LedgerlinkError("NOT_FOUND", f"No workspace {workspace_id}.", field="workspace_id")
    client_id = client_id.strip()
    if not client_id or len(client_id) > 100:
        raise LedgerlinkError(
            "VALIDATION_FAILED", "client_id must be 1 to 100 characters long.", field="client_id"
        )
    workspace.xero_client_id = client_id
    workspace.xero_app_tier = tier.strip().lower() if tier else None
    ring.seal_field(workspace, "xero_client_secret_enc", client_secret)
    ring.seal_field(workspace, "xero_webhook_key_enc", webhook_key)
    session.flush()
    return workspace


def clear_workspace_app(session: Session, workspace_id: str) -> None:
    workspace = session.get(Workspace, workspace_id)
    if workspace is not None:
        workspace.xero_client_id = None
        workspace.xero_client_secret_enc = None
        workspace.xero_webhook_key_enc = None
        workspace.xero_app_tier = None
        session.flush()


def workspace_app(session: Session, ring: KeyRing, workspace_id: str) -> WorkspaceApp | None:
    workspace = session.get(Workspace, workspace_id)
    if workspace is None or not workspace.xero_client_id:
        return None
    secret = ring.open_field(workspace, "xero_client_secret_enc")
    return WorkspaceApp(workspace.xero_client_id, secret)


def workspace_webhook_key(session: Session, ring: KeyRing, workspace_id: str) -> str | None:
    """The key the workspace's own Xero app signs its webhooks with (None: none set)."""
    workspace = session.get(Workspace, workspace_id)
    if workspace is None or workspace.xero_webhook_key_enc is None:
        return None
    return ring.open_field(workspace, "xero_webhook_key_enc")
