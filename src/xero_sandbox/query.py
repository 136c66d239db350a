"""Xero's GET query options: ``where``, ``order``, paging and If-Modified-Since.

Xero's ``where`` is a Dynamic LINQ expression evaluated against the resource, so a small
tokenizer and recursive-descent parser read it here (never ``eval``) and evaluate it per record.
Typing follows LINQ: a GUID field must be compared with ``Guid("...")``, a date with
``DateTime(...)``, a number with a number; a mismatch is Xero's QueryParseException
"Operator '==' incompatible with operand types 'Guid' and 'String'".

String comparisons (``==``, ``!=``, ``<``...) and ``Contains``/``StartsWith``/``EndsWith`` ignore
case: Xero runs these filters on its database, whose collation is case-insensitive, so
``Name=="bayside club"`` finds "Bayside Club". ``ToLower()``/``ToUpper()`` are accepted and
harmless.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from xero_sandbox import errors
from xero_sandbox.context import ApiContext
from xero_sandbox.state import Record

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
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


def _typed(path: str, raw: Any) -> Value:
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
        if last.upper().endswith("ID") and _GUID.match(raw):
            return Value("Guid", raw.lower())
        return Value("String", raw)
    return Value("Object", raw)


# --- tokenizer ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # ident, string, number, op, punct, end
    text: str
    value: Any = None


def _tokenize(text: str) -> list[Token]:
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


# --- parser ---------------------------------------------------------------------------------

Node = Callable[[Record], Value]
_COMPARE = {
    "==": "==",
    "=": "==",
    "!=": "!=",
    "<>": "!=",
    ">": ">",
    ">=": ">=",
    "<": "<",
    "<=": "<=",
}
_STRING_METHODS = {"contains", "startswith", "endswith", "tolower", "toupper", "trim", "equals"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def expect(self, text: str) -> None:
        token = self.take()
        if token.text != text:
            raise errors.query_parse(f"'{text}' expected")

    def is_word(self, *words: str) -> bool:
        token = self.peek()
        return token.kind == "ident" and token.text.lower() in words

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek().kind != "end":
            raise errors.query_parse("Syntax error")
        return node

    def parse_or(self) -> Node:
        left = self.parse_and()
        while self.peek().text == "||" or self.is_word("or"):
            self.take()
            left = _logical(left, self.parse_and(), "||")
        return left

    def parse_and(self) -> Node:
        left = self.parse_not()
        while self.peek().text == "&&" or self.is_word("and"):
            self.take()
            left = _logical(left, self.parse_not(), "&&")
        return left

    def parse_not(self) -> Node:
        if self.peek().text == "!" or self.is_word("not"):
            self.take()
            inner = self.parse_not()

            def negate(record: Record) -> Value:
                value = inner(record)
                if value.kind != "Boolean":
                    raise errors.query_parse(
                        f"Operator '!' incompatible with operand type '{value.kind}'"
                    )
                return Value("Boolean", not value.value)

            return negate
        return self.parse_comparison()

    def parse_comparison(self) -> Node:
        left = self.parse_postfix()
        token = self.peek()
        if token.kind == "op" and token.text in _COMPARE:
            self.take()
            right = self.parse_postfix()
            return _comparison(left, right, _COMPARE[token.text], token.text)
        return left

    def parse_postfix(self) -> Node:
        node, path = self.parse_primary()
        while self.peek().text == ".":
            self.take()
            name = self.take()
            if name.kind != "ident":
                raise errors.query_parse("Identifier expected")
            if self.peek().text == "(":
                self.take()
                args = self.parse_args()
                node = _method(node, name.text, args)
                path = None
            elif path is not None:
                path = f"{path}.{name.text}"
                node = _field(path)
            else:
                node = _property(node, name.text)
        return node

    def parse_args(self) -> list[Node]:
        args: list[Node] = []
        if self.peek().text == ")":
            self.take()
            return args
        while True:
            args.append(self.parse_or())
            token = self.take()
            if token.text == ")":
                return args
            if token.text != ",":
                raise errors.query_parse("')' or ',' expected")

    def parse_primary(self) -> tuple[Node, str | None]:
        token = self.take()
        if token.kind == "string":
            return _const(Value("String", token.value)), None
        if token.kind == "number":
            kind = "Decimal" if "." in token.text else "Int32"
            return _const(Value(kind, token.value)), None
        if token.text == "(":
            node = self.parse_or()
            self.expect(")")
            return node, None
        if token.kind == "ident":
            word = token.text.lower()
            if word in ("true", "false"):
                return _const(Value("Boolean", word == "true")), None
            if word == "null":
                return _const(NULL), None
            if word == "guid" and self.peek().text == "(":
                return self.parse_guid(), None
            if word == "datetime" and self.peek().text == "(":
                return self.parse_datetime(), None
            return _field(token.text), token.text
        raise errors.query_parse("Expression expected")

    def parse_guid(self) -> Node:
        self.expect("(")
        token = self.take()
        if token.kind != "string" or not _GUID.match(str(token.value).strip()):
            raise errors.query_parse("Guid should contain 32 digits with 4 dashes")
        self.expect(")")
        return _const(Value("Guid", str(token.value).strip().lower()))

    def parse_datetime(self) -> Node:
        self.expect("(")
        parts: list[int] = []
        while True:
            token = self.take()
            if token.kind != "number" or "." in token.text:
                raise errors.query_parse("No applicable constructor exists in type 'DateTime'")
            parts.append(int(token.value))
            sep = self.take()
            if sep.text == ")":
                break
            if sep.text != ",":
                raise errors.query_parse("')' or ',' expected")
        if len(parts) not in (3, 6):
            raise errors.query_parse("No applicable constructor exists in type 'DateTime'")
        try:
            year, month, day, *clock = parts
            hour, minute, second = clock or (0, 0, 0)
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError as exc:
            raise errors.query_parse(
                "Year, Month, and Day parameters describe an un-representable DateTime."
            ) from exc
        return _const(Value("DateTime", moment))


def _const(value: Value) -> Node:
    return lambda record: value


def _field(path: str) -> Node:
    return lambda record: _typed(path, field_value(record, path))


def _property(node: Node, name: str) -> Node:
    def read(record: Record) -> Value:
        value = node(record)
        if name.lower() == "length" and value.kind == "String":
            return Value("Decimal", Decimal(len(value.value)))
        if name.lower() == "hasvalue":
            return Value("Boolean", value.value is not None)
        if name.lower() == "value":
            return value
        raise errors.query_parse(f"No property or field '{name}' exists in type '{value.kind}'")

    return read


def _logical(left: Node, right: Node, op: str) -> Node:
    def run(record: Record) -> Value:
        a, b = left(record), right(record)
        if a.kind != "Boolean" or b.kind != "Boolean":
            raise errors.query_parse(
                f"Operator '{op}' incompatible with operand types '{a.kind}' and '{b.kind}'"
            )
        return Value("Boolean", (a.value and b.value) if op == "&&" else (a.value or b.value))

    return run


def _comparable(value: Value) -> Any:
    if value.kind == "String":
        return str(value.value).lower()
    return value.value


def _family(kind: str) -> str:
    """LINQ promotes an integer literal to the decimal it is compared with."""
    return "Decimal" if kind == "Int32" else kind


def _comparison(left: Node, right: Node, op: str, shown: str) -> Node:
    def run(record: Record) -> Value:
        a, b = left(record), right(record)
        if a.value is None or b.value is None:
            if op == "==":
                return Value("Boolean", a.value is None and b.value is None)
            if op == "!=":
                return Value("Boolean", not (a.value is None and b.value is None))
            return Value("Boolean", False)
        if _family(a.kind) != _family(b.kind):
            raise errors.query_parse(
                f"Operator '{shown}' incompatible with operand types '{a.kind}' and '{b.kind}'"
            )
        x, y = _comparable(a), _comparable(b)
        if op in ("==", "!="):
            return Value("Boolean", (x == y) == (op == "=="))
        if a.kind in ("Boolean", "Object"):
            raise errors.query_parse(
                f"Operator '{shown}' incompatible with operand types '{a.kind}' and '{b.kind}'"
            )
        result = {">": x > y, ">=": x >= y, "<": x < y, "<=": x <= y}[op]
        return Value("Boolean", result)

    return run


def _method(node: Node, name: str, args: list[Node]) -> Node:
    lowered = name.lower()

    def run(record: Record) -> Value:
        target = node(record)
        if target.kind not in ("String", "Object") or lowered not in _STRING_METHODS:
            raise errors.query_parse(
                f"No applicable method '{name}' exists in type '{target.kind}'"
            )
        values = [arg(record) for arg in args]
        wants = 0 if lowered in ("tolower", "toupper", "trim") else 1
        if len(values) != wants or any(v.kind not in ("String", "Object") for v in values):
            raise errors.query_parse(f"No applicable method '{name}' exists in type 'String'")
        text = target.value
        if lowered in ("tolower", "toupper", "trim"):
            if text is None:
                return NULL
            shaped = text.lower() if lowered == "tolower" else text.upper()
            return Value("String", text.strip() if lowered == "trim" else shaped)
        needle = values[0].value
        if text is None or needle is None:
            return Value("Boolean", False)
        hay, pin = str(text).lower(), str(needle).lower()
        if lowered == "contains":
            return Value("Boolean", pin in hay)
        if lowered == "startswith":
            return Value("Boolean", hay.startswith(pin))
        if lowered == "endswith":
            return Value("Boolean", hay.endswith(pin))
        return Value("Boolean", hay == pin)

    return run


def compile_where(text: str) -> Callable[[Record], bool]:
    """Parse a ``where`` expression once; the result tells whether a record matches."""
    if not text.strip():
        raise errors.query_parse("Expression expected")
    node = _Parser(text).parse()

    def matches(record: Record) -> bool:
        value = node(record)
        if value.kind != "Boolean":
            raise errors.query_parse("Expression of type 'Boolean' expected")
        return bool(value.value)

    return matches


# --- public helpers used by the GET handlers -----------------------------------------------


def where_filter(ctx: ApiContext, records: list[Record]) -> list[Record]:
    """Keep the records matching the request's ``where`` (all of them without one)."""
    text = ctx.query.get("where")
    if text is None or not text.strip():
        return list(records)
    matches = compile_where(text)
    return [record for record in records if matches(record)]


def modified_since(ctx: ApiContext, records: list[Record]) -> list[Record]:
    """Records created or changed at or after the If-Modified-Since header (to the second)."""
    since = ctx.if_modified_since()
    if since is None:
        return list(records)
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    since = since.replace(microsecond=0)
    kept = []
    for record in records:
        updated = record.get("UpdatedDateUTC")
        if isinstance(updated, datetime):
            moment = updated if updated.tzinfo else updated.replace(tzinfo=UTC)
            if moment >= since:
                kept.append(record)
    return kept


def _sort_key(raw: Any) -> tuple[int, Any]:
    value = _typed("", raw)
    if value.value is None:
        return (0, 0)
    if value.kind == "Boolean":
        return (1, int(value.value))
    if value.kind == "Decimal":
        return (2, value.value)
    if value.kind == "DateTime":
        return (3, value.value.timestamp())
    return (4, str(value.value).lower())


def order_by(ctx: ApiContext, records: list[Record], default: str) -> list[Record]:
    """Sort by ``order=Field [ASC|DESC], Field2 ...``; ``default`` is used without one."""
    text = ctx.query.get("order") or default
    keys: list[tuple[str, bool]] = []
    for part in text.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise errors.query_parse(f"Syntax error in order '{part.strip()}'")
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    ordered = list(records)
    for path, descending in reversed(keys):

        def key(record: Record, path: str = path) -> tuple[int, Any]:
            return _sort_key(field_value(record, path))

        ordered.sort(key=key, reverse=descending)
    return ordered


def page_size(ctx: ApiContext) -> int:
    """``pageSize`` clamped to Xero's 1..1000 (Xero serves at most 1,000 a page)."""
    size = ctx.query.integer("pageSize")
    if size is None or size < 1:
        return DEFAULT_PAGE_SIZE
    return min(size, MAX_PAGE_SIZE)


def paginate(
    ctx: ApiContext, records: list[Record], *, enforced: bool = False
) -> tuple[list[Record], dict[str, int] | None]:
    """One page and Xero's ``pagination`` block when ``page`` is given (or paging is enforced).

    Without ``page`` Xero returns every record and no pagination block, except on endpoints
    where paging is enforced (purchase orders), which serve page 1.
    """
    page = ctx.query.integer("page")
    if page is None and not enforced:
        return list(records), None
    page = max(page or 1, 1)
    size = page_size(ctx)
    start = (page - 1) * size
    chosen = records[start : start + size]
    info = {
        "page": page,
        "pageSize": size,
        "pageCount": math.ceil(len(records) / size),
        "itemCount": len(records),
    }
    return chosen, info
