"""Who is calling: a workspace API key (``Authorization: Bearer <key>``) scopes every request.

Routes take ``WorkspaceId`` and pass it to every store call, which treats another workspace's
ids as not found: a key can never reach, or even learn of, another customer's rows.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ledgerlink.api.services import services
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.workspaces import verify_api_key

_bearer = HTTPBearer(auto_error=False, description="The workspace API key.")


def _presented(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or not credentials.credentials.strip():
        raise LedgerlinkError(
            "AUTH_MISSING", "This route needs the workspace API key.", field="Authorization"
        )
    return credentials.credentials.strip()


def workspace_id(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    key = _presented(credentials)
    with services(request).factory() as session:
        found = verify_api_key(session, key)
    if found is None:
        raise LedgerlinkError(
            "AUTH_INVALID", "The API key is unknown or revoked.", field="Authorization"
        )
    return found


def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> None:
    """Creating a workspace needs LEDGERLINK_ADMIN_TOKEN (an engine opened with an empty token
    on purpose, as the tests and the offline demo do, lets anyone)."""
    expected = services(request).admin_token
    if expected is None:
        raise LedgerlinkError(
            "AUTH_INVALID",
            "Creating a workspace needs the admin token, and this server has none: set "
            "LEDGERLINK_ADMIN_TOKEN and send it as 'Authorization: Bearer <token>', or create "
            "the first owner with 'ledgerlink admin create-user'.",
            field="Authorization",
        )
    if not expected:
        return
    given = _presented(credentials)
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise LedgerlinkError(
            "AUTH_INVALID", "Creating a workspace needs the admin token.", field="Authorization"
        )


WorkspaceId = Annotated[str, Depends(workspace_id)]
Admin = Annotated[None, Depends(require_admin)]
