"""The dashboard in process (Starlette's TestClient keeps the cookies like a browser), over the
REST API's fixtures: a migrated database and a sandbox on a loopback port."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx2
import pyotp
import pytest
from fastapi.testclient import TestClient

from ledgerlink.store import accounts
from ledgerlink.store.db import transaction
from ledgerlink.store.workspaces import create_workspace
from tests.engine.api.conftest import Api, api, api_db_url, api_sandbox  # noqa: F401

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """One person's browser: its own cookie jar, signing in through the forms."""

    client: TestClient
    email: str = ""
    secret: str | None = None
    workspace_id: str = ""
    api_key: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def get(self, path: str, **kw: Any) -> httpx2.Response:
        return self.client.get(path, follow_redirects=False, **kw)

    def csrf(self, path: str = "/account") -> str:
        page = self.client.get(path)
        return csrf_of(page.text)

    def post(
        self,
        path: str,
        data: dict[str, str] | None = None,
        *,
        from_page: str = "/account",
        csrf: str | None = None,
    ) -> httpx2.Response:
        values = dict(data or {})
        values.setdefault("csrf_token", csrf if csrf is not None else self.csrf(from_page))
        return self.client.post(path, data=values, follow_redirects=False)

    def sign_in(self, email: str | None = None, password: str = PASSWORD) -> httpx2.Response:
        form = self.client.get("/signin")
        reply = self.client.post(
            "/signin",
            data={
                "email": email or self.email,
                "password": password,
                "next": "/",
                "csrf_token": csrf_of(form.text),
            },
            follow_redirects=False,
        )
        if reply.status_code == 303 and reply.headers["location"].startswith("/signin/code"):
            assert self.secret, "two-factor is on: the test must know the secret"
            code_page = self.client.get(reply.headers["location"])
            reply = self.client.post(
                "/signin/code",
                data={"code": self.totp_next(), "next": "/", "csrf_token": csrf_of(code_page.text)},
                follow_redirects=False,
            )
        return reply

    def totp_next(self) -> str:
        """A code not yet used: each step is accepted once, so tests move the clock a step on
        by asking for the code of the next step (accepted within the drift window)."""
        assert self.secret
        used = self.extra.get("steps", 0)
        self.extra["steps"] = used + 1
        totp = pyotp.TOTP(self.secret)
        return totp.at(datetime.now(UTC), counter_offset=min(used, 1))

    def enable_two_factor(self) -> list[str]:
        started = self.post("/account/two-factor/start")
        assert started.status_code == 303, started.text
        page = self.client.get("/account/two-factor")
        self.secret = re.search(r'id="totp-secret" class="secret">([A-Z2-7]+)<', page.text).group(1)
        done = self.post(
            "/account/two-factor/confirm",
            {"code": pyotp.TOTP(self.secret).now()},
            csrf=csrf_of(page.text),
        )
        assert done.status_code == 200, done.text
        self.extra["steps"] = 1
        return re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done.text)


@pytest.fixture
def people(api: Api) -> Iterator[Any]:  # noqa: F811
    """``people(role, workspace=None)`` makes a person with a seat and a browser for them."""
    made: list[TestClient] = []
    app = api.client.app

    def person(
        role: str = "owner", workspace: str | None = None, email: str | None = None
    ) -> Browser:
        with transaction(api.services.factory) as session:
            key = ""
            if workspace is None:
                row, key = create_workspace(session, f"Workspace {len(made) + 1}")
                workspace = row.id
            address = email or f"p{len(made) + 1}@example.com"
            user = accounts.find_user(session, address) or accounts.create_user(
                session, address, PASSWORD
            )
            accounts.add_member(session, workspace, user.id, role)
        client = TestClient(app)
        made.append(client)
        browser = Browser(client, address, workspace_id=workspace, api_key=key)
        return browser

    yield person
    for client in made:
        client.close()
