"""The parser and evaluator of Xero's ``where`` expressions.

Recursive descent over the tokens of ``ref_where_lex``: ``or`` of ``and`` of ``not`` of
comparisons of postfix chains (dotted fields, ``.Contains("x")``...) over literals, fields,
parentheses, ``Guid("...")`` and ``DateTime(y,m,d[,h,mi,s])``. Typing follows LINQ; see
``query`` for the choices (case-insensitive strings) this makes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from xero_sandbox import errors
from xero_sandbox.ref_where_lex import (
    GUID_PATTERN,
    NULL,
    Token,
    Value,
    field_value,
    tokenize,
    typed,
)
from xero_sandbox.state import Record

MAX_DEPTH = 100

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
        self.tokens = tokenize(text)
        self.pos = 0
        self.depth = 0

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
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise errors.query_parse("Expression is too complex")
        try:
            return self._parse_or()
        finally:
            self.depth -= 1

    def _parse_or(self) -> Node:
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
        if token.kind != "string" or not GUID_PATTERN.match(str(token.value).strip()):
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
        except (ValueError, OverflowError) as exc:
            raise errors.query_parse(
                "Year, Month, and Day parameters describe an un-representable DateTime."
            ) from exc
        return _const(Value("DateTime", moment))


def _const(value: Value) -> Node:
    return lambda record: value


def _field(path: str) -> Node:
    return lambda record: typed(path, field_value(record, path))


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
