"""Paging parameters: every one is bounded, so a value out of range (a fuzzer's 2**63, a
negative offset) is answered 422 VALIDATION_FAILED naming the parameter, never a 500."""

from __future__ import annotations

from typing import Any

from tests.engine.api.conftest import BOTH_DATABASES, Api

PAGING = {"limit", "offset", "page", "page_size", "per_page", "size"}
OUT_OF_RANGE = ("9223372036854775808", "9223372036854775807", "-1", "99999999999999999999999")


def paging_parameters(api: Api) -> list[tuple[str, str, dict[str, Any]]]:
    """(path, name, schema) of every paging query parameter of every GET route."""
    spec = api.client.get("/openapi.json").json()
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method != "get":
                continue
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and parameter["name"] in PAGING:
                    found.append((path, parameter["name"], parameter["schema"]))
    return found


def concrete(api: Api, key: str, path: str) -> str:
    """The path under /api/v1 with a real row of the workspace for each path parameter."""
    if "{endpoint_id}" in path:
        made = api.call("POST", "/endpoints", key, json={"url": "https://app.example/hook"})
        path = path.replace("{endpoint_id}", made.json()["id"])
    assert "{" not in path, f"{path}: give the test a value for its path parameters"
    return path[len("/api/v1") :]


def test_every_paging_parameter_states_its_bounds(api: Api) -> None:
    found = paging_parameters(api)
    assert {(path, name) for path, name, _ in found} >= {
        ("/api/v1/queue", "limit"),
        ("/api/v1/queue", "offset"),
        ("/api/v1/jobs", "limit"),
        ("/api/v1/jobs", "offset"),
    }
    for path, name, schema in found:
        assert "minimum" in schema and "maximum" in schema, (path, name, schema)
        assert schema["maximum"] < 2**63, (path, name)


@BOTH_DATABASES
def test_out_of_range_paging_is_refused_naming_the_parameter(api: Api) -> None:
    key = api.workspace()
    for path, name, _ in paging_parameters(api):
        route = concrete(api, key, path)
        for value in OUT_OF_RANGE:
            reply = api.call("GET", route, key, params={name: value})
            assert reply.status_code == 422, (path, name, value, reply.text)
            error = reply.json()["error"]
            assert error["code"] == "VALIDATION_FAILED"
            assert error["field"] == name
            assert name in error["message"]
            assert "parameter" in error["fix"]


@BOTH_DATABASES
def test_the_largest_allowed_values_still_answer(api: Api) -> None:
    key = api.workspace()
    for path, name, schema in paging_parameters(api):
        route = concrete(api, key, path)
        reply = api.call("GET", route, key, params={name: schema["maximum"]})
        assert reply.status_code == 200, (path, name, reply.text)
