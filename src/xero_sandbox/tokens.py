"""Identity records: pending consents, authorisation codes, grants, access tokens, connections.

A grant is what one consent creates: one token set shared by every organisation the user chose,
as Xero does. The Accounting API only needs to know which app and which organisations a token
speaks for, and whether it has expired, so every access token is looked up here by its value.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

# The one person who signs in to the sandbox's login page.
DEMO_USER_ID = "5e2f7a10-1c3b-4d5e-8f90-a1b2c3d4e5f6"
DEMO_USER_SUB = "9b4c2d81-6e7f-4a30-b1c2-d3e4f5a6b7c8"
DEMO_USER_EMAIL = "demo.user@ledgerlink.example"
DEMO_USER_GIVEN_NAME = "Demo"
DEMO_USER_FAMILY_NAME = "User"


def token_value(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


@dataclass
class Principal:
    """Who an access token speaks for."""

    client_id: str
    user_id: str
    grant_id: str | None
    custom_tenant: str | None = None


@dataclass
class PendingConsent:
    """An authorize request waiting for the person's decision.

    The consent form carries only this record's random id, so the client and the redirect URI
    the decision goes to are the ones checked at authorize time, never values from the form.
    """

    id: str
    client_id: str
    redirect_uri: str
    scopes: list[str]
    state: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    nonce: str | None
    expires: float


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    user_id: str
    tenant_ids: list[str]
    scopes: list[str]
    expires: float
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    nonce: str | None = None
    used: bool = False


@dataclass
class Grant:
    """One token set (one consent). Refresh tokens rotate; the previous one has a grace period.

    ``grant_id`` doubles as Xero's ``authEventId``: every connection made by the consent carries it.
    """

    grant_id: str
    client_id: str
    user_id: str
    scopes: list[str]
    tenant_ids: list[str]
    refresh_token: str | None
    refresh_expires: float
    previous_refresh_token: str | None = None
    previous_valid_until: float = 0.0
    revoked: bool = False


@dataclass
class AccessToken:
    token: str
    principal: Principal
    expires: float
    scopes: list[str]


@dataclass
class Connection:
    """Xero's Connection object: one app's link to one organisation for one user."""

    id: str
    tenant_id: str
    tenant_name: str
    client_id: str
    user_id: str
    auth_event_id: str
    created: datetime
    updated: datetime
    tenant_type: str = "ORGANISATION"


@dataclass
class IdentityStore:
    pending: dict[str, PendingConsent] = field(default_factory=dict)
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)
    # Scopes are additive across consents for one app and user, until a revocation.
    granted_scopes: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def authenticate(self, token: str, now: float) -> Principal | None:
        """The principal for a live access token, or None (unknown, expired or revoked)."""
        access = self.access_tokens.get(token)
        if access is None or access.expires <= now:
            return None
        grant_id = access.principal.grant_id
        if grant_id is not None:
            grant = self.grants.get(grant_id)
            if grant is None or grant.revoked:
                return None
        return access.principal

    def scopes_of(self, token: str) -> list[str]:
        """The scopes an access token was issued with (none for an unknown token)."""
        access = self.access_tokens.get(token)
        return list(access.scopes) if access is not None else []

    def expired_at(self, token: str, now: float) -> float | None:
        """When a known token expired, if it has; Xero tells a caller its token expired."""
        access = self.access_tokens.get(token)
        if access is not None and access.expires <= now:
            return access.expires
        return None

    def connected_tenants(self, principal: Principal) -> set[str]:
        """The organisations this app may reach for this user right now."""
        if principal.custom_tenant is not None:
            return {principal.custom_tenant}
        return {c.tenant_id for c in self.user_connections(principal.client_id, principal.user_id)}

    def user_connections(
        self, client_id: str, user_id: str, auth_event_id: str | None = None
    ) -> list[Connection]:
        return [
            c
            for c in self.connections.values()
            if c.client_id == client_id
            and c.user_id == user_id
            and (auth_event_id is None or c.auth_event_id == auth_event_id)
        ]

    def connect(
        self,
        client_id: str,
        user_id: str,
        tenants: list[tuple[str, str]],
        auth_event_id: str,
        now: datetime,
    ) -> None:
        """Connect each (tenant id, name); a tenant already connected keeps its connection id.

        Reconnecting moves ``updatedDateUtc`` past ``createdDateUtc``: that difference is how
        Xero tells an app the tenant was connected again.
        """
        existing = {c.tenant_id: c for c in self.user_connections(client_id, user_id)}
        for tenant_id, name in tenants:
            found = existing.get(tenant_id)
            if found is not None:
                found.auth_event_id = auth_event_id
                found.tenant_name = name
                found.updated = max(now, found.created + timedelta(microseconds=1))
                continue
            connection_id = str(uuid.uuid4())
            self.connections[connection_id] = Connection(
                id=connection_id,
                tenant_id=tenant_id,
                tenant_name=name,
                client_id=client_id,
                user_id=user_id,
                auth_event_id=auth_event_id,
                created=now,
                updated=now,
            )

    def grant_for_refresh(self, token: str) -> tuple[Grant, bool] | None:
        """The grant a refresh token belongs to, and whether it is the previous (rotated) one."""
        for grant in self.grants.values():
            if grant.refresh_token == token:
                return grant, False
            if grant.previous_refresh_token == token:
                return grant, True
        return None

    def revoke(self, grant: Grant) -> None:
        """Revoke one token set and remove every connection of that user to that app."""
        grant.revoked = True
        for connection in self.user_connections(grant.client_id, grant.user_id):
            del self.connections[connection.id]
        self.granted_scopes.pop((grant.client_id, grant.user_id), None)

    def purge(self, now: float) -> None:
        """Forget expired consents and codes so a long-running sandbox does not grow."""
        for key in [k for k, p in self.pending.items() if p.expires <= now]:
            del self.pending[key]
        for key in [k for k, c in self.codes.items() if c.expires <= now]:
            del self.codes[key]

    def reset(self) -> None:
        self.pending.clear()
        self.codes.clear()
        self.grants.clear()
        self.access_tokens.clear()
        self.connections.clear()
        self.granted_scopes.clear()
