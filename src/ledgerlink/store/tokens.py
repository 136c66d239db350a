"""Token sets: one consent's tokens (or a custom connection's credentials), sealed at rest.

The plaintext only exists in a ``Tokens`` value while a caller uses it; rows hold sealed bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledgerlink.store.models import Connection, OAuthState, TokenSet, new_id
from ledgerlink.store.secrets import KeyRing

OAUTH = "oauth"
CUSTOM = "custom"
ACTIVE = "active"
NEEDS_REAUTH = "needs_reauth"


@dataclass(frozen=True)
class Tokens:
    """A token set opened for use."""

    id: str
    workspace_id: str
    client_id: str
    kind: str
    access_token: str | None
    refresh_token: str | None
    client_secret: str | None
    expires_at: datetime | None
    version: int
    status: str
    scopes: str

    def fresh(self, now: datetime, margin_seconds: float = 60.0) -> bool:
        """Usable for at least ``margin_seconds`` more (a request started now will not expire)."""
        if not self.access_token or self.expires_at is None:
            return False
        return (self.expires_at - now).total_seconds() > margin_seconds


def open_tokens(ring: KeyRing, row: TokenSet) -> Tokens:
    return Tokens(
        id=row.id,
        workspace_id=row.workspace_id,
        client_id=row.client_id,
        kind=row.kind,
        access_token=ring.open_field(row, "access_token_enc"),
        refresh_token=ring.open_field(row, "refresh_token_enc"),
        client_secret=ring.open_field(row, "client_secret_enc"),
        expires_at=row.expires_at,
        version=row.version,
        status=row.status,
        scopes=row.scopes,
    )


def create_token_set(
    session: Session,
    ring: KeyRing,
    *,
    workspace_id: str,
    client_id: str,
    kind: str,
    access_token: str,
    refresh_token: str | None,
    expires_at: datetime,
    scopes: str = "",
    auth_event_id: str | None = None,
    client_secret: str | None = None,
) -> TokenSet:
    row = TokenSet(
        id=new_id(),
        workspace_id=workspace_id,
        client_id=client_id,
        kind=kind,
        scopes=scopes,
        auth_event_id=auth_event_id,
        expires_at=expires_at,
        version=0,
        status=ACTIVE,
        updated_at=datetime.now(UTC),
    )
    ring.seal_field(row, "access_token_enc", access_token)
    ring.seal_field(row, "refresh_token_enc", refresh_token)
    ring.seal_field(row, "client_secret_enc", client_secret)
    session.add(row)
    session.flush()
    return row


def load_token_set(session: Session, ring: KeyRing, token_set_id: str) -> Tokens | None:
    row = session.get(TokenSet, token_set_id)
    return None if row is None else open_tokens(ring, row)


def store_new_tokens(
    ring: KeyRing,
    row: TokenSet,
    *,
    access_token: str,
    refresh_token: str | None,
    expires_at: datetime,
    scopes: str | None = None,
) -> None:
    """Replace the tokens after a refresh; ``version`` moves so other workers see it happened."""
    ring.seal_field(row, "access_token_enc", access_token)
    if refresh_token is not None:
        ring.seal_field(row, "refresh_token_enc", refresh_token)
    row.expires_at = expires_at
    if scopes is not None:
        row.scopes = scopes
    row.version = (row.version or 0) + 1
    row.status = ACTIVE
    row.updated_at = datetime.now(UTC)


def save_oauth_state(
    session: Session,
    ring: KeyRing,
    *,
    state: str,
    workspace_id: str,
    client_id: str,
    redirect_uri: str,
    code_verifier: str,
    expires_at: datetime,
    return_to: str | None = None,
) -> OAuthState:
    row = OAuthState(
        state=state,
        workspace_id=workspace_id,
        client_id=client_id,
        redirect_uri=redirect_uri,
        return_to=return_to,
        created_at=datetime.now(UTC),
        expires_at=expires_at,
    )
    ring.seal_field(row, "code_verifier_enc", code_verifier)
    session.add(row)
    session.flush()
    return row


def drop_unused_token_sets(session: Session, workspace_id: str, keep: str) -> None:
    """A reconnect moves every organisation to the new consent; the old tokens are dropped."""
    used = select(Connection.token_set_id).where(Connection.token_set_id.is_not(None))
    stale = session.scalars(
        select(TokenSet).where(
            TokenSet.workspace_id == workspace_id, TokenSet.id != keep, TokenSet.id.not_in(used)
        )
    )
    for row in stale:
        session.delete(row)
    session.flush()
