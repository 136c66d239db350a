"""Identity records: authorisation codes, grants (token sets), access tokens and connections.

A grant is what one consent creates: one token set shared by every organisation the user chose,
as Xero does. Access tokens are opaque random strings here; the Accounting API only needs to
know which app and which organisations a token speaks for, and whether it has expired.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime


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
    """One token set (one consent). Refresh tokens rotate; the previous one has a grace period."""

    grant_id: str
    client_id: str
    user_id: str
    scopes: list[str]
    refresh_token: str | None
    refresh_expires: float
    previous_refresh_token: str | None = None
    previous_valid_until: float = 0.0
    previous_reply: dict[str, object] | None = None
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
    codes: dict[str, AuthCode] = field(default_factory=dict)
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, AccessToken] = field(default_factory=dict)
    connections: dict[str, Connection] = field(default_factory=dict)

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

    def connected_tenants(self, principal: Principal) -> set[str]:
        """The organisations this app may reach for this user right now."""
        if principal.custom_tenant is not None:
            return {principal.custom_tenant}
        return {
            c.tenant_id
            for c in self.connections.values()
            if c.client_id == principal.client_id and c.user_id == principal.user_id
        }

    def reset(self) -> None:
        self.codes.clear()
        self.grants.clear()
        self.access_tokens.clear()
        self.connections.clear()
