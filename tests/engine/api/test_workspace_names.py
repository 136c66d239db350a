"""A workspace name with a control character is refused with its field, on both databases
(PostgreSQL cannot store a NUL: it used to answer 500)."""

from __future__ import annotations

import pytest

from tests.engine.api.conftest import API, BOTH_DATABASES, Api


@BOTH_DATABASES
@pytest.mark.parametrize("name", ["Acme\u0000Plumbing", "Acme\nPlumbing", "\u001b[2JAcme"])
def test_a_name_with_a_control_character_is_refused_naming_the_field(api: Api, name: str) -> None:
    reply = api.client.post(f"{API}/workspaces", json={"name": name})
    assert reply.status_code == 422, reply.text
    error = reply.json()["error"]
    assert (error["code"], error["field"]) == ("VALIDATION_FAILED", "name")
    assert "control characters" in error["message"]


def test_an_ordinary_name_with_accents_and_symbols_is_kept(api: Api) -> None:
    reply = api.client.post(f"{API}/workspaces", json={"name": "Café & Sons (NZ) — Ōtaki"})
    assert reply.status_code == 201, reply.text
    assert reply.json()["name"] == "Café & Sons (NZ) — Ōtaki"
