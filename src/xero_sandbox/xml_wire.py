"""Xero's XML wire format, beside its JSON one.

Xero's Accounting API takes XML request bodies (``Content-Type: application/xml`` or
``text/xml``, or the ``xml`` field of a form post, as pyxero sends them) and answers in XML
unless the caller asks for JSON: "By default all successful responses on the accounting API are
returned as XML" (developer.xero.com, HTTP Requests and Responses). Handlers never see XML: a
request body is read here into the same Python structure ``wire.decode`` gives for JSON, and a
JSON answer is rewritten here as XML after the handler, so every resource gets XML for free.

XML answers follow Xero's: the ``<Response>`` envelope, dates in ISO 8601 (XML never uses
``/Date()/``), lists as a plural element of singular elements, and errors as ``<ApiException>``
whose failed elements are ``<DataContractBase xsi:type="Invoice">`` (XML answers quoted in
XeroAPI/XeroAPI-Schemas#13 and in a public gist, holm/1234265).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from starlette.responses import Response

from xero_sandbox import wire
from xero_sandbox.xml_names import BOOLEAN_FIELDS, LIST_FIELDS, canonical, singular

XML_TYPES = ("application/xml", "text/xml")
JSON_TYPES = ("application/json", "text/json")
FORM_TYPE = "application/x-www-form-urlencoded"
# Xero's XML answers carry this type (its HTTP response codes page shows one).
XML_MEDIA_TYPE = "text/xml; charset=utf-8"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XSD = "http://www.w3.org/2001/XMLSchema"
_NIL = f"{{{XSI}}}nil"
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)


# --- requests ---------------------------------------------------------------------------------


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def is_xml_body(content_type: str | None) -> bool:
    kind = media_type(content_type)
    return kind in XML_TYPES or kind.endswith("+xml") or kind == FORM_TYPE


def decode_body(body: bytes, content_type: str | None) -> Any:
    """An XML request body (raw, or a form's ``xml`` field) as the JSON decoder would give it."""
    if media_type(content_type) == FORM_TYPE:
        fields = parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
        # UNCONFIRMED: a form post without an ``xml`` field is read as if its body were empty.
        text = next((value for name, value in fields if name.lower() == "xml"), "")
        if not text.strip():
            return None
        return decode(text.encode())
    return decode(body)


def decode(body: bytes) -> Any:
    """``<Invoices><Invoice>..</Invoice></Invoices>`` -> ``{"Invoices": [{..}]}``; a single
    ``<Invoice>`` root -> its element alone, as a bare JSON object is read."""
    try:
        # No entity is ever expanded: a body with a DTD (an entity-expansion bomb, an external
        # entity) is refused before it is read. UNCONFIRMED: that Xero refuses a DTD with the
        # sentence .NET's XmlReader uses by default (DtdProcessing.Prohibit).
        root = fromstring(body, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise wire.PostDataInvalid(
            "Xml for post data was invalid, For security reasons DTD is prohibited in this XML "
            "document."
        ) from exc
    except ET.ParseError as exc:
        detail = _parse_message(exc, body)
        raise wire.PostDataInvalid(f"Xml for post data was invalid, {detail}") from exc
    except ValueError as exc:
        raise wire.PostDataInvalid(f"Xml for post data was invalid, {exc}") from exc
    name = _local(root.tag)
    try:
        value = _read(root, name)
    except RecursionError as exc:
        # UNCONFIRMED: Xero's words for a body nested past what it reads.
        raise wire.PostDataInvalid(
            "Xml for post data was invalid, The XML document is nested too deeply."
        ) from exc
    if isinstance(value, list) or name in LIST_FIELDS:
        return {name: value if isinstance(value, list) else [value]}
    return value


def _parse_message(exc: ET.ParseError, body: bytes) -> str:
    """The parser's complaint in the words of .NET's XmlReader, which Xero uses.

    Seen of Xero: "Xml for post data was invalid, Reference to undeclared entity 'aacute'."
    (calcinai/xero-php#5) and "..., '', hexadecimal value 0x02, is an invalid character. Line
    149, position 251." (calcinai/xero-php#832). UNCONFIRMED: the other sentences are .NET's
    usual ones, not seen in a Xero answer.
    """
    line, column = getattr(exc, "position", (1, 0))
    where = f"Line {line}, position {column + 1}."
    text = str(exc).split(":", 1)[0]
    if text.startswith("no element found"):
        if re.search(rb"<[A-Za-z_]", body):
            return f"Unexpected end of file has occurred. {where}"
        return "Root element is missing."
    if text.startswith("undefined entity"):
        lines = body.decode("utf-8", errors="replace").splitlines() or [""]
        found = re.match(r"&([^;\s]*);?", lines[min(line, len(lines)) - 1][column:])
        entity = found.group(1) if found else ""
        return f"Reference to undeclared entity '{entity}'. {where}"
    if text.startswith("not well-formed (invalid token)"):
        lines = body.decode("utf-8", errors="replace").splitlines() or [""]
        char = lines[min(line, len(lines)) - 1][column : column + 1]
        if char and ord(char) < 0x20:
            code = f"0x{ord(char):02X}"
            return f"'{char}', hexadecimal value {code}, is an invalid character. {where}"
    start = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if start and not start.startswith(b"<"):
        before = body[: len(body) - len(start)].decode("utf-8", errors="replace")
        line = before.count("\n") + 1
        column = len(before.rsplit("\n", 1)[-1])
        return f"Data at the root level is invalid. Line {line}, position {column + 1}."
    return f"{text[:1].upper()}{text[1:]}. {where}"


def _local(tag: Any) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1] if text.startswith("{") else text


def _is_list(name: str, children: list[ET.Element]) -> bool:
    """Members all of one name: the list's singular (``<LineItems><LineItem>``), or, for a
    known list, records of another name. A known list name holding one plain field is a record
    that shares the name (a contact's ``<BatchPayments><Details>``)."""
    tags = {_local(child.tag) for child in children}
    if len(tags) != 1:
        return False
    if tags == {singular(name)}:
        return True
    return name in LIST_FIELDS and all(len(child) for child in children)


def _read(element: ET.Element, name: str) -> Any:
    if element.get(_NIL, "").lower() == "true":
        return None
    children = list(element)
    if not children:
        text = element.text or ""
        if name in LIST_FIELDS and not text.strip():
            return []
        if name in BOOLEAN_FIELDS and text.strip().lower() in ("true", "false"):
            return text.strip().lower() == "true"
        return text
    if _is_list(name, children):
        return [_read(child, _local(child.tag)) for child in children]
    record: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        key = _local(child.tag)
        value = _read(child, key)
        if key not in record:
            record[key] = value
        elif key in repeated:
            record[key].append(value)
        else:
            record[key] = [record[key], value]
            repeated.add(key)
    return record


# --- responses --------------------------------------------------------------------------------


def wants_xml(accept: str | None) -> bool:
    """Xero answers XML unless the Accept header asks for JSON before it asks for XML."""
    ranges: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept or "").split(",")):
        kind, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            if param.lower().startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        ranges.append((-quality, index, kind.lower()))
    for quality, _, kind in sorted(ranges):
        if quality == 0:
            continue
        if kind in JSON_TYPES or kind.endswith("+json"):
            return False
        if kind in XML_TYPES or kind.endswith("+xml"):
            return True
    return True


def negotiate(response: Response, accept: str | None, path: str) -> Response:
    """The JSON answer as XML when the caller did not ask for JSON; anything else unchanged.

    Only Accounting API bodies change: the envelope, a bare record and ApiException. Xero's
    gateway answers (401 and 403 problem bodies) stay JSON, and its plain-text ones (404, 405,
    429, offline) stay text. UNCONFIRMED: that the gateway's problem bodies ignore Accept.
    """
    if not wants_xml(accept) or not response.headers.get("content-type", "").startswith(
        "application/json"
    ):
        return response
    try:
        body = _DECODER.decode(bytes(response.body))
    except (msgspec.DecodeError, AttributeError):
        return response
    if not isinstance(body, dict) or {"Title", "Detail", "Instance"} <= body.keys():
        return response
    content = render(body, path)
    headers = {
        k: v
        for k, v in response.headers.items()
        if k.lower() not in ("content-type", "content-length")
    }
    return Response(content, response.status_code, headers=headers, media_type=XML_MEDIA_TYPE)


def render(body: dict[str, Any], path: str) -> bytes:
    """A JSON-shaped answer as Xero's XML."""
    resource = _resource(path)
    if "ErrorNumber" in body:
        root = ET.Element("ApiException", {"xmlns:xsi": XSI, "xmlns:xsd": XSD})
        for key, value in body.items():
            if key == "Elements" and isinstance(value, list):
                holder = ET.SubElement(root, "Elements")
                for element in value:
                    failed = ET.SubElement(holder, "DataContractBase", {"xsi:type": resource})
                    _fill(failed, _errors_first(element))
            else:
                _write(root, key, value)
    elif "Status" in body and "Id" in body:
        root = ET.Element("Response", {"xmlns:xsi": XSI, "xmlns:xsd": XSD})
        _fill(root, body)
    else:
        # UNCONFIRMED: a bare record (the one answer the spec gives without the envelope) is
        # written under its own singular name.
        root = ET.Element(resource)
        _fill(root, body)
    return ET.tostring(root, encoding="unicode").encode("utf-8")


def _resource(path: str) -> str:
    """The singular name of what the path works on: the last resource segment of
    ``/Resource[/{id}[/SubResource[/{id}]]]`` (``/CreditNotes/{id}/Allocations`` ->
    ``Allocation``)."""
    parts = [p for p in path.split("/") if p]
    named = parts[::2]
    return singular(canonical(named[-1])) if named else "DataContractBase"


def _errors_first(element: Any) -> Any:
    """Xero writes a failed element's ValidationErrors and Warnings (``<Warnings />`` when
    there are none) before its other fields, as both XML answers quoted above show."""
    if not isinstance(element, dict):
        return element
    first = {k: element.get(k) or [] for k in ("ValidationErrors", "Warnings")}
    return first | {k: v for k, v in element.items() if k not in first}


def _fill(parent: ET.Element, record: dict[str, Any]) -> None:
    for key, value in record.items():
        if key == "StatusAttributeString":
            # Xero's XML carries an element's batch status as an attribute: <Invoice status="OK">.
            parent.set("status", str(value))
            continue
        if key.endswith("String") and key[: -len("String")] in record:
            continue  # DateString and the like exist only in JSON answers.
        _write(parent, key, value)


def _write(parent: ET.Element, key: str, value: Any) -> None:
    if value is None or not _NAME.match(key):
        return  # an echoed field a caller named in a way no XML element can be
    node = ET.SubElement(parent, key)
    if isinstance(value, dict):
        _fill(node, value)
    elif isinstance(value, list):
        member = singular(key)
        for item in value:
            if isinstance(item, dict):
                _fill(ET.SubElement(node, member), item)
            elif item is not None:
                ET.SubElement(node, member).text = _text(item)
    else:
        node.text = _text(value)


def _text(value: Any) -> str:
    # XML 1.0 cannot carry most control characters, even escaped. UNCONFIRMED: what Xero writes
    # for one (an answer quoting a refused character); left out, the answer stays readable.
    return _NOT_XML.sub("", _plain(value))


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        found = _MS_DATE.match(value)
        if found:
            return _iso(int(found.group(1)))
    return str(value)


def _iso(millis: int) -> str:
    """A Xero JSON date as Xero's XML writes it: ``2014-12-10T00:00:00``, with the fraction
    of a second only when there is one (``2011-09-21T12:27:55.65``)."""
    try:
        moment = _EPOCH + timedelta(milliseconds=millis)
    except OverflowError:
        return str(millis)
    text = moment.replace(tzinfo=None).isoformat(timespec="milliseconds")
    head, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0")
    return f"{head}.{fraction}" if fraction else head
