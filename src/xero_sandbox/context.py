"""What an Accounting API handler is given: the organisation, the request and helpers.

Also the response envelope Xero wraps every Accounting API answer in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from xero_sandbox import errors, wire, xml_wire
from xero_sandbox.state import Org, Record, SandboxState


class QueryParams:
    """Query parameters looked up without regard to case, as Xero does."""

    def __init__(self, request: Request) -> None:
        self._values: dict[str, str] = {}
        for key, value in request.query_params.multi_items():
            self._values.setdefault(key.lower(), value)

    def get(self, name: str, default: str | None = None) -> str | None:
        return self._values.get(name.lower(), default)

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.get(name)
        if value is None or value == "":
            return default
        return value.strip().lower() == "true"

    def integer(self, name: str) -> int | None:
        value = self.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except ValueError as exc:
            raise errors.ApiException(
                f"The value '{value}' is not valid for {name}.", number=10
            ) from exc

    def csv(self, name: str) -> list[str]:
        value = self.get(name)
        if not value:
            return []
        return [part.strip() for part in value.split(",") if part.strip()]


@dataclass
class ApiContext:
    state: SandboxState
    org: Org
    request: Request
    method: str
    params: dict[str, str]
    raw_body: bytes
    client_id: str
    app_name: str
    query: QueryParams = field(init=False)
    _body: Any = field(default=None, init=False)
    _body_read: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.query = QueryParams(self.request)

    @property
    def now(self) -> datetime:
        return self.state.clock.now()

    def body(self) -> Any:
        """The request body, decoded once from JSON or Xero's XML; PostDataInvalid if it is
        neither."""
        if not self._body_read:
            content_type = self.request.headers.get("content-type")
            if not self.raw_body.strip():
                self._body = None
            elif xml_wire.is_xml_body(content_type):
                self._body = xml_wire.decode_body(self.raw_body, content_type)
            else:
                self._body = wire.decode(self.raw_body)
            self._body_read = True
        return self._body

    @property
    def summarize_errors(self) -> bool:
        """Xero summarises errors unless the caller asks it not to."""
        return self.query.flag("summarizeErrors", default=True)

    @property
    def unitdp(self) -> int:
        return 4 if self.query.get("unitdp") == "4" else 2

    def if_modified_since(self) -> datetime | None:
        value = self.request.headers.get("if-modified-since")
        if not value:
            return None
        from email.utils import parsedate_to_datetime

        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError):
            pass
        try:
            return wire.parse_datetime(value, "If-Modified-Since")
        except wire.PostDataInvalid:
            return None


def envelope(
    ctx: ApiContext,
    key: str,
    records: list[Record],
    *,
    pagination: dict[str, int] | None = None,
    warnings: list[dict[str, str]] | None = None,
    status: int = 200,
) -> Response:
    """Xero's response envelope around a list of records."""
    body: dict[str, Any] = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": ctx.app_name,
        "DateTimeUTC": ctx.now,
    }
    if pagination is not None:
        body["pagination"] = pagination
    if warnings:
        body["Warnings"] = warnings
    body[key] = records
    return Response(wire.encode(body), status, media_type="application/json")


Handler = Callable[[ApiContext], Response]
