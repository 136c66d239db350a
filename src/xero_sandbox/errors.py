"""Xero's error responses, each in the shape Xero answers with.

Handlers raise these; the pipeline in ``app.py`` turns them into responses. Messages that Xero is
known to use come from the fact sheet's catalogue (../shared/xero-facts.md section 6.3).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from starlette.responses import PlainTextResponse, Response

from xero_sandbox import wire


class XeroError(Exception):
    """An error Xero answers with instead of a result."""

    status = 400

    def response(self) -> Response:
        raise NotImplementedError


class ApiException(XeroError):
    """Xero's ApiException body: ``{ErrorNumber, Type, Message[, Elements]}``."""

    def __init__(
        self,
        message: str,
        *,
        number: int = 10,
        kind: str = "ValidationException",
        elements: list[dict[str, Any]] | None = None,
        status: int = 400,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.number = number
        self.kind = kind
        self.elements = elements
        self.status = status

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ErrorNumber": self.number,
            "Type": self.kind,
            "Message": self.message,
        }
        if self.elements is not None:
            body["Elements"] = self.elements
        return body

    def response(self) -> Response:
        return Response(wire.encode(self.body()), self.status, media_type="application/json")


def validation_exception(elements: list[dict[str, Any]]) -> ApiException:
    """A summarised batch failure: 400 with only the failed elements."""
    return ApiException("A validation exception occurred", elements=elements)


def post_data_invalid(detail: str) -> ApiException:
    return ApiException(detail, number=14, kind="PostDataInvalidException")


def query_parse(detail: str) -> ApiException:
    return ApiException(detail, number=16, kind="QueryParseException")


def no_data_processed(resource: str) -> ApiException:
    return ApiException(
        "No data has been processed for this endpoint. This endpoint is expecting "
        f"{resource} data, specifed in the request body.",
        number=17,
        kind="NoDataProcessedException",
    )


class ProblemError(XeroError):
    """Identity-style problem bodies Xero uses for 401, 403 and 5xx answers."""

    def __init__(
        self, status: int, title: str, detail: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail
        self.headers = headers or {}

    def response(self) -> Response:
        body: dict[str, Any] = {
            "Type": None,
            "Title": self.title,
            "Status": self.status,
            "Detail": self.detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        }
        # Not wire.encode: it leaves out nulls, and Xero sends "Type": null.
        content = json.dumps(body, separators=(",", ":")).encode()
        return Response(content, self.status, headers=self.headers, media_type="application/json")


def unauthorized(detail: str = "AuthenticationUnsuccessful") -> ProblemError:
    return ProblemError(401, "Unauthorized", detail)


def insufficient_scope() -> ProblemError:
    """A live token without the scope the operation needs.

    Xero answers 401 with Detail "AuthorizationUnsuccessful" (reported in XeroAPI's SDK issues,
    e.g. Xero-NetStandard #298, xero-ruby-oauth2-app #82), where a bad token gets
    "AuthenticationUnsuccessful". A Xero staff answer on the developer forum mentions
    ``insufficient_scope`` in WWW-Authenticate; its exact value is unconfirmed, so the sandbox
    sends the RFC 6750 form.
    """
    return ProblemError(
        401,
        "Unauthorized",
        "AuthorizationUnsuccessful",
        headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
    )


def forbidden(detail: str = "AuthenticationUnsuccessful") -> ProblemError:
    return ProblemError(403, "Forbidden", detail)


def server_error() -> ProblemError:
    return ProblemError(
        500,
        "An error occurred",
        "An error occurred in Xero. Check the API Status page for current service status.",
    )


def organisation_offline() -> ProblemError:
    return ProblemError(503, "Service Unavailable", "The Organisation is offline")


def service_unavailable() -> ProblemError:
    return ProblemError(503, "Service Unavailable", "The Xero API is currently unavailable")


class NotFound(XeroError):
    """Xero answers an unknown resource with a plain-text 404."""

    status = 404

    def __init__(self, text: str = "The resource you're looking for cannot be found") -> None:
        super().__init__(text)
        self.text = text

    def response(self) -> Response:
        return PlainTextResponse(self.text, 404)


class UnparsableParameter(XeroError):
    """A query list Xero could not read is refused before any filtering, as a bare line of text.

    Reported answers (XeroAPI/xero-node#502, XeroAPI/xero-php-oauth2-app#17) are a 400 with
    ``text/html`` and ``Supplied parameter 'ContactIds' cannot be parsed.`` (or ``'Ids'``): not
    an ApiException, and the parameter under Xero's own spelling rather than the caller's.
    """

    status = 400

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    def response(self) -> Response:
        text = f"Supplied parameter '{self.name}' cannot be parsed."
        return Response(text, 400, media_type="text/html")


class PayloadTooLarge(XeroError):
    status = 413

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    def response(self) -> Response:
        body = {
            "ErrorNumber": 413,
            "Type": "RequestEntityTooLarge",
            "Message": f"The request body exceeds the maximum of {self.limit} bytes.",
        }
        return Response(wire.encode(body), 413, media_type="application/json")


class MethodNotAllowed(XeroError):
    status = 405

    def response(self) -> Response:
        return PlainTextResponse("The requested resource does not support this http method", 405)


class ElementErrors(Exception):
    """Validation errors for one element of a batch; the batch carries on with the others."""

    def __init__(self, messages: list[str], warnings: list[str] | None = None) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages
        self.warnings = warnings or []


def element_error(message: str) -> ElementErrors:
    return ElementErrors([message])
