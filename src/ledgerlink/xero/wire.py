"""Xero's wire format: JSON with exact numbers and Microsoft-style dates.

Money must stay a Decimal end to end. The standard library and pydantic both pass JSON numbers
through float on the way in, and pydantic writes Decimal as a string on the way out; msgspec
keeps ``12345678901234.5678`` exact in both directions, so every byte we send to Xero or read
from it goes through here.

Xero writes timestamps as ``/Date(1439434356790+0000)/``: milliseconds since the epoch in UTC,
followed by an offset that is informational only (the milliseconds are already UTC).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


class WireError(ValueError):
    """Xero answered with something that is not the JSON it documents."""


def encode(value: Any) -> bytes:
    """JSON for a request body; Decimals are written as exact JSON numbers.

    A ``date`` goes out as ``YYYY-MM-DD`` and a ``datetime`` as ISO 8601, both forms Xero
    reads; a float is refused by the callers' types, never converted here.
    """
    try:
        return _ENCODER.encode(value)
    except TypeError as exc:
        raise WireError(f"cannot send this to Xero: {exc}") from exc


def decode(body: bytes | str) -> Any:
    """Parse a reply body; every number with a fraction or exponent becomes a Decimal."""
    try:
        return _DECODER.decode(body)
    except msgspec.DecodeError as exc:
        raise WireError(f"Xero's reply is not JSON: {exc}") from exc


def is_ms_date(value: Any) -> bool:
    return isinstance(value, str) and _MS_DATE.match(value.strip()) is not None


def parse_ms_date(value: str) -> datetime:
    """``/Date(1439434356790+0000)/`` -> an aware UTC datetime."""
    match = _MS_DATE.match(value.strip())
    if match is None:
        raise WireError(f"not a Xero date: {value!r}")
    return _EPOCH + timedelta(milliseconds=int(match.group(1)))


def format_ms_date(value: date | datetime) -> str:
    """An aware or naive (taken as UTC) datetime, or a date at midnight UTC, in Xero's form."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    millis = (value - _EPOCH) // timedelta(milliseconds=1)
    return f"/Date({millis}+0000)/"


def parse_timestamp(value: Any) -> datetime | None:
    """Any timestamp Xero sends (MS date, ISO 8601 with or without zone) as aware UTC, or None.

    Fields such as ``UpdatedDateUTCString`` and ``DateString`` are ISO without a zone; Xero
    means UTC for the former and the organisation's calendar day for the latter, and both read
    the same way here.
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _MS_DATE.match(text):
        return parse_ms_date(text)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def parse_day(value: Any) -> date | None:
    """A document date (``Date``, ``DueDate``) as a calendar day, or None."""
    moment = parse_timestamp(value)
    return moment.date() if moment is not None else None


def updated_at(record: dict[str, Any]) -> datetime | None:
    """When Xero last changed a record (``UpdatedDateUTC``), the mark for If-Modified-Since."""
    return parse_timestamp(record.get("UpdatedDateUTC")) or parse_timestamp(
        record.get("UpdatedDateUTCString")
    )


def if_modified_since(value: datetime) -> str:
    """The If-Modified-Since header value: ISO 8601 in UTC, to the second, as Xero's SDKs send.

    Xero compares to the second, so sub-second parts are dropped (rounding down keeps the
    boundary record in the result rather than losing it).
    """
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat()
