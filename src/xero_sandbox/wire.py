"""Xero's wire format: JSON with exact Decimal numbers and Microsoft-style dates.

Xero writes dates as ``/Date(1439434356790+0000)/`` and money as plain JSON numbers. Records are
kept in memory with Python types (Decimal, date, datetime) and turned into wire JSON only here, so
every endpoint shares one encoding and no float ever touches an amount.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder(decimal_format="number")
_DECODER = msgspec.json.Decoder(float_hook=Decimal)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DECIMAL_DIGITS = 28
_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")


class PostDataInvalid(Exception):
    """The request body could not be read as the JSON Xero expects (Xero's error number 14)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def ms_date(value: date | datetime) -> str:
    """Format a date or datetime the way Xero's JSON does."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time(), tzinfo=UTC)
    elif value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    millis = int((value - _EPOCH) / timedelta(milliseconds=1))
    return f"/Date({millis}+0000)/"


def iso_date_string(value: date | datetime) -> str:
    """Xero's ``DateString`` helper fields: ISO 8601 without a zone."""
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    return value.replace(tzinfo=None).isoformat(timespec="seconds")


def to_wire(value: Any) -> Any:
    """Convert a stored record (Python types) into JSON-ready Xero shapes."""
    if isinstance(value, dict):
        return {k: to_wire(v) for k, v in value.items() if v is not None and not k.startswith("_")}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, datetime | date):
        return ms_date(value)
    return value


def encode(value: Any) -> bytes:
    """Encode a stored record or envelope as Xero JSON."""
    return _ENCODER.encode(to_wire(value))


def decode(body: bytes) -> Any:
    """Decode a request body; numbers with a fraction become exact Decimals."""
    try:
        return _DECODER.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise PostDataInvalid(f"JSON for post data was invalid,{exc}") from exc


def parse_date(value: Any, path: str) -> date:
    """Read a date the ways Xero accepts one: ISO, ISO with time, or ``/Date(ms)/``."""
    moment = parse_datetime(value, path)
    return moment.date()


def parse_datetime(value: Any, path: str) -> datetime:
    if isinstance(value, str):
        text = value.strip()
        match = _MS_DATE.match(text)
        if match:
            try:
                return _EPOCH + timedelta(milliseconds=int(match.group(1)))
            except OverflowError:
                pass
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise PostDataInvalid(
        f"JSON for post data was invalid,Could not convert string to DateTime: {value!r}. "
        f"Path '{path}'."
    )


def parse_decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise PostDataInvalid(
            f"JSON for post data was invalid,Error converting value {value!r} to type "
            f"'System.Decimal'. Path '{path}'."
        )
    parsed: Decimal | None = None
    if isinstance(value, Decimal):
        parsed = value
    elif isinstance(value, int):
        parsed = Decimal(value)
    elif isinstance(value, str):
        try:
            parsed = Decimal(value.strip())
        except InvalidOperation:
            parsed = None
    # .NET's System.Decimal holds about 28 digits; anything larger never reaches Xero's rules.
    if parsed is not None and parsed.is_finite() and parsed.adjusted() <= _DECIMAL_DIGITS:
        return parsed
    if parsed is not None and parsed.is_finite():
        raise PostDataInvalid(
            f"JSON for post data was invalid,Value was either too large or too small for a "
            f"Decimal. Path '{path}'."
        )
    raise PostDataInvalid(
        f"JSON for post data was invalid,Error converting value {value!r} to type "
        f"'System.Decimal'. Path '{path}'."
    )


def parse_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise PostDataInvalid(
        f"JSON for post data was invalid,Error converting value {value!r} to type "
        f"'System.Boolean'. Path '{path}'."
    )


def parse_str(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return str(value)
    raise PostDataInvalid(
        f"JSON for post data was invalid,Error reading string. Unexpected token: "
        f"{type(value).__name__}. Path '{path}'."
    )


def parse_object(value: Any, path: str) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    raise PostDataInvalid(
        f"JSON for post data was invalid,Unexpected token when deserializing object: "
        f"{type(value).__name__}. Path '{path}'."
    )


def parse_list(value: Any, path: str) -> list[Any]:
    if isinstance(value, list):
        return value
    raise PostDataInvalid(
        f"JSON for post data was invalid,Cannot deserialize the current JSON object into an "
        f"array. Path '{path}'."
    )
