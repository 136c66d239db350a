"""``column IN (a long list)`` with the list as one parameter on PostgreSQL: ``one_of``.

SQLAlchemy expands ``column.in_(values)`` into one placeholder per value on every execution,
and psycopg parses a statement that long again each time (it caches only short statements with
few parameters): for the worker's lists of 50 to 500 ids that was about a fifth of its CPU on
PostgreSQL. There ``one_of`` is ``column = ANY(:values)`` with the values as one array, so the
statement's text is the same for any length and both caches hold it (an index is used as for
``IN``). SQLite keeps ``IN (?, ?, ...)``: binding is cheap there, and its planner needs the
list's length to prefer the key's index over another one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql._typing import _ColumnExpressionArgument
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType


class _OneOf(FunctionElement[Any]):
    """(column, the values expanding, the values as an array): each dialect renders one of
    the two parameters; both are part of the statement's cache key, so a cached statement
    takes the values of the call that runs it."""

    name = "one_of"
    inherit_cache = True
    type = NullType()  # not Boolean: SQLite would get "(... IN ...) = 1", which no index serves


@compiles(_OneOf)
def _in_list(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, listed, _array = element.clauses
    return str(compiler.process(column.in_(listed), **kw))


@compiles(_OneOf, "postgresql")
def _any_array(element: _OneOf, compiler: SQLCompiler, **kw: Any) -> str:
    column, _listed, array = element.clauses
    return f"{compiler.process(column, **kw)} = ANY({compiler.process(array, **kw)})"


def one_of(column: _ColumnExpressionArgument[Any], values: Iterable[str]) -> ColumnElement[bool]:
    """``column IN values`` for a string column; on PostgreSQL the values are one parameter."""
    values = list(values)
    listed: BindParameter[Any] = bindparam(None, values, expanding=True)
    array = bindparam(None, values, type_=ARRAY(String()))
    return _OneOf(column, listed, array)
