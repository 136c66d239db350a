"""Values and tokens of Xero's ``where`` language (Dynamic LINQ), read without ``eval``.

Each value carries the LINQ type name Xero shows in its QueryParseException messages; a GUID
field (a name ending in ID holding a GUID) is a 'Guid', dates and datetimes are 'DateTime'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from xero_sandbox import errors
from xero_sandbox.state import Record

GUID_PATTERN = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_OPERATORS = ("==", "!=", "<>", ">=", "<=", "&&", "||", "=", ">", "<", "!")
_PUNCT = "().,"


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Value:
    """A typed value; ``kind`` is the LINQ type name shown in error messages."""

    kind: str
    value: Any


NULL = Value("Object", None)


def field_value(record: Record, path: str) -> Any:
    """A dotted path such as ``Contact.ContactID`` looked up without regard to case."""
    current: Any = record
    for segment in path.split("."):
        if not isinstance(current, dict):
            return None
        if segment in current:
            current = current[segment]
            continue
        lowered = segment.lower()
        current = next((v for k, v in current.items() if k.lower() == lowered), None)
    return current


def typed(path: str, raw: Any) -> Value:
    if raw is None:
        return NULL
    if isinstance(raw, bool):
        return Value("Boolean", raw)
    if isinstance(raw, int | Decimal):
        return Value("Decimal", Decimal(raw))
    if isinstance(raw, float):
        return Value("Decimal", Decimal(str(raw)))
    if isinstance(raw, datetime):
        return Value("DateTime", raw if raw.tzinfo else raw.replace(tzinfo=UTC))
    if isinstance(raw, date):
        return Value("DateTime", datetime(raw.year, raw.month, raw.day, tzinfo=UTC))
    if isinstance(raw, str):
        last = path.split(".")[-1]
        if last.upper().endswith("ID") and GUID_PATTERN.match(raw):
            return Value("Guid", raw.lower())
        return Value("String", raw)
    return Value("Object", raw)


# --- tokenizer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, op, punct, end
    text: str
    value: Any = None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in "\"'":
            value, i = _read_string(text, i)
            tokens.append(Token("string", value, value))
            continue
        negative = ch == "-" and text[i + 1 : i + 2].isdigit() and _expects_operand(tokens)
        if ch.isdigit() or negative:
            j = i + 1
            while j < len(text) and (text[j].isdigit() or text[j] == "."):
                j += 1
            literal = text[i:j].rstrip(".")
            j = i + len(literal)
            try:
                number = Decimal(literal)
            except InvalidOperation as exc:
                raise errors.query_parse(f"Invalid real literal '{literal}'") from exc
            tokens.append(Token("number", literal, number))
            i = j
            continue
        if ch.isalpha() or ch == "_":
            j = i
            while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                j += 1
            tokens.append(Token("ident", text[i:j]))
            i = j
            continue
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is not None:
            tokens.append(Token("op", op))
            i += len(op)
            continue
        if ch in _PUNCT:
            tokens.append(Token("punct", ch))
            i += 1
            continue
        raise errors.query_parse(f"Syntax error '{ch}'")
    tokens.append(Token("end", ""))
    return tokens


def _expects_operand(tokens: list[Token]) -> bool:
    """A minus sign starts a negative number where an operand is due, not after one."""
    if not tokens:
        return True
    last = tokens[-1]
    return last.kind == "op" or last.text in ("(", ",")


def _read_string(text: str, start: int) -> tuple[str, int]:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            if i + 1 < len(text) and text[i + 1] == quote:
                out.append(quote)
                i += 2
                continue
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise errors.query_parse("Unterminated string literal")
