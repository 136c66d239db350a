"""The whole OpenAPI replay run again with every request body in Xero's XML.

Every write the replay makes (reference data, contacts, items, documents, payments, allocations,
journals, history, and whatever steps are added to it later) is sent as the XML pyxero and
Xero's XML clients send, and must be answered exactly as its JSON twin is. Then every read the
run made is asked again for XML, which must come back as Xero's envelope with no JSON dates.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

import tests.sandbox.test_openapi_contract as contract
from tests.conftest import Reply, RunningSandbox, XeroHttp, custom_token
from tests.sandbox.openapi_replay import Exchange
from tests.sandbox.replay_people import scoped_xero
from tests.sandbox.xml_helpers import root_of
from xero_sandbox import SandboxConfig
from xero_sandbox.xml_names import canonical, singular


def to_xml(body: Any, path: str) -> bytes:
    """A JSON body as XML: ``{"Invoices": [..]}`` as ``<Invoices><Invoice>``, a bare record
    under the singular name of the resource the path works on."""
    named = [p for p in path.split("?")[0].split("/") if p][::2]
    resource = canonical(named[-1]) if named else "Request"
    if isinstance(body, dict) and len(body) == 1:
        ((key, value),) = body.items()
        if isinstance(value, list):
            root = ET.Element(key)
            _members(root, key, value)
            return ET.tostring(root)
    if isinstance(body, list):
        root = ET.Element(resource)
        _members(root, resource, body)
        return ET.tostring(root)
    root = ET.Element(singular(resource))
    _fields(root, body)
    return ET.tostring(root)


def _members(parent: ET.Element, name: str, values: list[Any]) -> None:
    for value in values:
        member = ET.SubElement(parent, singular(name))
        if isinstance(value, dict):
            _fields(member, value)
        else:
            member.text = _text(value)


def _fields(parent: ET.Element, record: dict[str, Any]) -> None:
    for key, value in record.items():
        if value is None:
            continue
        node = ET.SubElement(parent, key)
        if isinstance(value, dict):
            _fields(node, value)
        elif isinstance(value, list):
            _members(node, key, value)
        else:
            node.text = _text(value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


class XmlBodies(XeroHttp):
    """The replay's client, sending each body as XML and asking for JSON answers."""

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Reply:
        if body is None or kw.get("raw") is not None:
            return super().call(method, path, body, **kw)
        headers = {**(kw.pop("headers", None) or {}), "Content-Type": "application/xml"}
        return super().call(method, path, raw=to_xml(body, path), headers=headers, **kw)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[RunningSandbox]:
    config = SandboxConfig()
    config.limits.enabled = False
    running = RunningSandbox(config).start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def replayed(sandbox: RunningSandbox) -> tuple[list[Exchange], list[str]]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(contract, "XeroHttp", XmlBodies)
        return contract.run_replay(sandbox)


def test_every_write_in_xml_is_answered_as_its_json_twin(
    replayed: tuple[list[Exchange], list[str]],
) -> None:
    exchanges, surprises = replayed
    xml_writes = [
        e for e in exchanges if e.request_headers.get("content-type") == "application/xml"
    ]
    assert len(xml_writes) > 40
    assert surprises == []


def test_every_read_answers_in_xml(
    sandbox: RunningSandbox, replayed: tuple[list[Exchange], list[str]]
) -> None:
    exchanges, _ = replayed
    reads = {
        (e.path, tuple(e.query))
        for e in exchanges
        if e.method == "GET" and e.status == 200 and e.api_path is not None
    }
    assert len(reads) > 30
    xero = XeroHttp(sandbox.url, custom_token(sandbox.url), contract.DEMO_TENANT)
    # Payment services need a scope of their own, as in the replay (``replay_people``).
    paying = scoped_xero(sandbox.url, contract.DEMO_TENANT, "paymentservices")
    answered = 0
    try:
        for path, query in sorted(reads):
            reader = paying if "paymentservices" in path.lower() else xero
            reply = reader.call(
                "GET",
                path[len("/api.xro/2.0") :],
                params=list(query),  # type: ignore[arg-type]
                headers={"Accept": "application/xml"},
            )
            if reply.status == 404:
                continue  # deleted later in the run (an unused account, a draft)
            assert reply.status == 200, (path, reply.text[:300])
            answered += 1
            root = root_of(reply)
            assert root.tag == "Response", path
            assert root.findtext("Status") == "OK", path
            assert "/Date(" not in reply.text, path
    finally:
        xero.close()
        paying.close()
    assert answered > 30


COLLECTIONS = [
    "Accounts", "TaxRates", "TrackingCategories", "Currencies", "Contacts", "Items", "Invoices",
    "CreditNotes", "Payments", "PurchaseOrders", "ManualJournals",
]  # fmt: skip
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)


def _settled(value: Any) -> Any:
    """A record with what differs between two runs left out: ids, and times of change."""
    if isinstance(value, dict):
        return {k: _settled(v) for k, v in value.items() if "UTC" not in k and k != "Id"}
    if isinstance(value, list):
        return [_settled(v) for v in value]
    if isinstance(value, str):
        return _UUID.sub("<id>", value)
    return value


def _organisation(sandbox: RunningSandbox) -> dict[str, Any]:
    xero = XeroHttp(sandbox.url, custom_token(sandbox.url), contract.DEMO_TENANT)
    try:
        return {
            name: _settled(xero.get(f"/{name}", params={"includeArchived": "true"}).json[name])
            for name in COLLECTIONS
        }
    finally:
        xero.close()


def test_the_xml_run_leaves_the_organisation_the_json_run_leaves(
    sandbox: RunningSandbox, replayed: tuple[list[Exchange], list[str]]
) -> None:
    config = SandboxConfig()
    config.limits.enabled = False
    twin = RunningSandbox(config).start()
    try:
        _, surprises = contract.run_replay(twin)
        assert surprises == []
        assert _organisation(sandbox) == _organisation(twin)
    finally:
        twin.stop()
