"""People: members with their roles; invitations made by owners and admins (the link shown once,
and it works); roles changed and seats removed; only an owner makes, changes or removes an
owner; the last owner stays; viewers refused; other workspaces' people not found."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from ledgerlink.store.accounts import find_user, role_in
from tests.engine.web.conftest import PASSWORD, Browser, csrf_of
from tests.engine.web.forms import forms

LINK = re.compile(r'<code id="invitation-link">https?://[^/]+(/invitations/[^<]+)</code>')


def _role(api: Any, browser: Browser, email: str) -> str | None:
    with api.services.factory() as session:
        user = find_user(session, email)
        return role_in(session, user.id, browser.workspace_id) if user else None


def _user_id(api: Any, email: str) -> str:
    with api.services.factory() as session:
        user = find_user(session, email)
        assert user is not None
        return user.id


def _signed_in(people: Any, role: str, workspace: str | None = None) -> Browser:
    browser = people(role, workspace=workspace)
    assert browser.sign_in().status_code == 303
    return browser


def test_members_are_listed_with_their_roles(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    people("viewer", workspace=owner.workspace_id, email="vera@example.com")
    page = owner.get("/people")
    assert page.status_code == 200
    rows = re.findall(r"<tr>\s*<td>([^<]+)(?:.|\n)*?<td>(owner|admin|viewer)</td>", page.text)
    assert [(e.strip(), r) for e, r in rows] == [
        ("p1@example.com", "owner"),
        ("vera@example.com", "viewer"),
    ]


def test_an_invitation_link_is_shown_once_and_takes_the_seat(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    made = owner.post("/people/invite", {"email": "New.Person@example.com", "role": "admin"})
    assert made.status_code == 200 and "shown only now" in made.text
    found = LINK.search(made.text)
    assert found, made.text
    link = found.group(1)
    later = owner.get("/people").text
    assert link not in later and "new.person@example.com as admin" in later

    newcomer = TestClient(api.client.app)
    try:
        offered = newcomer.get(link)
        assert offered.status_code == 200 and "as admin" in offered.text
        taken = newcomer.post(
            link,
            data={"password": PASSWORD, "name": "New", "csrf_token": csrf_of(offered.text)},
            follow_redirects=False,
        )
        assert taken.status_code == 303, taken.text
    finally:
        newcomer.close()
    assert _role(api, owner, "new.person@example.com") == "admin"
    assert "new.person@example.com as admin" not in owner.get("/people").text


def test_invitation_errors_name_the_field(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    bad = owner.post("/people/invite", {"email": "not-an-address", "role": "viewer"})
    assert bad.status_code == 422 and 'id="email-error"' in bad.text
    assert 'value="not-an-address"' in bad.text
    role = owner.post("/people/invite", {"email": "a@example.com", "role": "boss"})
    assert role.status_code == 422 and 'id="role-error"' in role.text
    seated = owner.post("/people/invite", {"email": owner.email, "role": "viewer"})
    assert seated.status_code == 422 and "has a seat in this workspace already" in seated.text


def test_roles_change_and_seats_go(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    people("viewer", workspace=owner.workspace_id, email="vera@example.com")
    vera = _user_id(api, "vera@example.com")
    changed = owner.post(f"/people/{vera}/role", {"role": "admin"})
    assert changed.status_code == 303 and changed.headers["location"].endswith("role_changed")
    assert _role(api, owner, "vera@example.com") == "admin"
    made_owner = owner.post(f"/people/{vera}/role", {"role": "owner"})
    assert made_owner.status_code == 303
    assert _role(api, owner, "vera@example.com") == "owner"
    removed = owner.post(f"/people/{vera}/remove")
    assert removed.status_code == 303 and removed.headers["location"].endswith("said=removed")
    assert _role(api, owner, "vera@example.com") is None
    assert "vera@example.com" not in owner.get("/people").text


def test_the_last_owner_stays_an_owner(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    me = _user_id(api, owner.email)
    for path, data in ((f"/people/{me}/role", {"role": "admin"}), (f"/people/{me}/remove", {})):
        refused = owner.post(path, data)
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text, path
        assert f'id="role-{me}-error"' in refused.text
    assert _role(api, owner, owner.email) == "owner"


def test_only_an_owner_makes_changes_or_removes_an_owner(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    admin = _signed_in(people, "admin", workspace=owner.workspace_id)
    people("viewer", workspace=owner.workspace_id, email="vera@example.com")
    boss, vera = _user_id(api, owner.email), _user_id(api, "vera@example.com")
    page = admin.get("/people").text
    assert f"/people/{boss}/remove" not in page and f"/people/{vera}/remove" in page
    assert '<option value="owner"' not in page
    for path, data in (
        ("/people/invite", {"email": "x@example.com", "role": "owner"}),
        (f"/people/{vera}/role", {"role": "owner"}),
        (f"/people/{boss}/role", {"role": "viewer"}),
        (f"/people/{boss}/remove", {}),
    ):
        refused = admin.post(path, data)
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text, path
    assert _role(api, owner, owner.email) == "owner"
    assert _role(api, owner, "vera@example.com") == "viewer"
    # an admin may manage admins and viewers
    assert admin.post(f"/people/{vera}/role", {"role": "admin"}).status_code == 303
    assert _role(api, owner, "vera@example.com") == "admin"


def test_a_viewer_reads_and_is_refused_every_post(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    viewer = _signed_in(people, "viewer", workspace=owner.workspace_id)
    boss = _user_id(api, owner.email)
    page = viewer.get("/people")
    assert page.status_code == 200 and owner.email in page.text
    assert [f.action for f in forms(page.text)] == ["/signout"]
    for path, data in (
        ("/people/invite", {"email": "x@example.com", "role": "viewer"}),
        (f"/people/{boss}/role", {"role": "viewer"}),
        (f"/people/{boss}/remove", {}),
    ):
        refused = viewer.post(path, data)
        assert refused.status_code == 403 and "ROLE_FORBIDDEN" in refused.text, path
    assert _role(api, owner, owner.email) == "owner"


def test_another_workspaces_people_are_not_found(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    people("viewer", workspace=owner.workspace_id, email="vera@example.com")
    vera = _user_id(api, "vera@example.com")
    stranger = _signed_in(people, "owner")
    assert "vera@example.com" not in stranger.get("/people").text
    for path, data in ((f"/people/{vera}/role", {"role": "admin"}), (f"/people/{vera}/remove", {})):
        refused = stranger.post(path, data)
        assert refused.status_code == 404 and "NOT_FOUND" in refused.text, path
    assert _role(api, owner, "vera@example.com") == "viewer"


def test_removing_your_own_seat_ends_the_session_there(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    admin = _signed_in(people, "admin", workspace=owner.workspace_id)
    gone = admin.post(f"/people/{_user_id(api, admin.email)}/remove")
    assert gone.status_code == 303 and gone.headers["location"] == "/signin"
    assert admin.get("/people").headers["location"].startswith("/signin")


def test_the_only_owner_is_offered_no_change_of_their_own_seat(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    me = _user_id(api, owner.email)
    page = owner.get("/people").text
    assert "The only owner: make another owner first" in page
    assert f'action="/people/{me}/remove"' not in page and f'action="/people/{me}/role"' not in page


def test_a_locked_out_member_is_shown_and_an_owner_unlocks_them(people: Any, api: Any) -> None:
    owner = _signed_in(people, "owner")
    vera = people("viewer", workspace=owner.workspace_id, email="vera@example.com")
    for _ in range(5):
        assert vera.sign_in(password="not her password").status_code == 401
    assert vera.sign_in().status_code == 429  # locked, even with the right password
    page = owner.get("/people").text
    assert "Locked until" in page
    me = _user_id(api, "vera@example.com")
    unlocked = owner.post(f"/people/{me}/unlock", from_page="/people")
    assert unlocked.status_code == 303
    assert "Locked until" not in owner.get("/people").text
    assert vera.sign_in().status_code == 303
    other = _signed_in(people, "owner")  # another workspace's owner cannot reach her
    assert other.post(f"/people/{me}/unlock", from_page="/people").status_code == 404
