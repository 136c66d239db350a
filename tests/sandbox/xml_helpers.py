"""Calls in Xero's XML over plain HTTP, and reading Xero's XML answers."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from defusedxml.ElementTree import fromstring

from tests.conftest import Reply, XeroHttp

XML_IN = {"Content-Type": "application/xml", "Accept": "application/xml"}
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


def call_xml(
    xero: XeroHttp,
    method: str,
    path: str,
    body: str | None = None,
    *,
    accept: str = "application/xml",
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    extra = {"Content-Type": "application/xml", "Accept": accept, **(headers or {})}
    raw = body.encode() if body is not None else None
    return xero.call(method, path, params=params, headers=extra, raw=raw)


def root_of(reply: Reply) -> ET.Element:
    assert reply.headers["content-type"] == "text/xml; charset=utf-8", reply.text
    root: ET.Element = fromstring(reply.text.encode())
    return root


def text(element: ET.Element, path: str) -> str:
    found = element.find(path)
    assert found is not None, f"{path} missing in {ET.tostring(element, encoding='unicode')}"
    return found.text or ""


def messages(root: ET.Element) -> list[str]:
    return [
        m.text or "" for m in root.iterfind("Elements/DataContractBase//ValidationError/Message")
    ]
