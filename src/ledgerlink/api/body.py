"""Reading a JSON body: bounded in size, exact in its numbers, refused with a code when broken.

Bodies are read by hand instead of through FastAPI's model binding for three reasons: money
must stay Decimal (``12.10`` parsed as a float is already wrong), a body over the limit must be
refused while it is still arriving (413), not after it was held in memory, and a document's
problems must be reported in our own words by field (``lines[0].quantity``), all of them at
once, which ``documents.validation`` does.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
from fastapi import Request

from ledgerlink.errors import LedgerlinkError

DEFAULT_MAX_BODY = 20 * 1024 * 1024

_DECODER = msgspec.json.Decoder(float_hook=Decimal)


def too_large(limit: int) -> LedgerlinkError:
    return LedgerlinkError(
        "PAYLOAD_TOO_LARGE",
        f"The request body is larger than {limit} bytes: send fewer documents or lines "
        "per request.",
        field="body",
    )


async def read_json(request: Request, limit: int | None = None) -> Any:
    """The decoded JSON body (numbers with a fraction as Decimal)."""
    if limit is None:
        limit = int(getattr(request.app.state, "max_body", DEFAULT_MAX_BODY))
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise LedgerlinkError("JSON_MALFORMED", "The request body is empty.", field="body")
    try:
        return _DECODER.decode(raw)
    except (msgspec.DecodeError, UnicodeDecodeError) as exc:
        raise LedgerlinkError(
            "JSON_MALFORMED", f"The request body is not valid JSON ({exc}).", field="body"
        ) from None
    except RecursionError:
        raise LedgerlinkError(
            "JSON_MALFORMED", "The request body nests too deeply to be a document.", field="body"
        ) from None


async def read_object(request: Request) -> dict[str, Any]:
    """A JSON object body; anything else is a validation error naming the body."""
    data = await read_json(request)
    if not isinstance(data, dict):
        raise LedgerlinkError(
            "VALIDATION_FAILED",
            f"The body must be a JSON object (got {type(data).__name__}).",
            field="body",
        )
    return data
