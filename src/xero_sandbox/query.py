"""Xero's GET query options: ``where``, ``order``, paging and If-Modified-Since.

Xero's ``where`` is a Dynamic LINQ expression evaluated against the resource, so a small
tokenizer and recursive-descent parser (``ref_where_lex``, ``ref_where``; never ``eval``) read
it and evaluate it per record.
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
import uuid
from datetime import UTC, datetime
from typing import Any

from xero_sandbox import errors
from xero_sandbox.context import ApiContext
from xero_sandbox.ref_where import compile_where
from xero_sandbox.ref_where_lex import GUID_PATTERN, field_value, typed
from xero_sandbox.state import Record

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000
__all__ = ["compile_where", "field_value", "guid_list", "modified_since", "order_by", "paginate"]

_UNDASHED_GUID = re.compile(r"^[0-9a-f]{32}$", re.IGNORECASE)
# Xero's own spelling of a list parameter in its "cannot be parsed" answer.
_XERO_NAMES = {"ids": "Ids", "contactids": "ContactIds"}


def canonical_guid(text: str) -> str | None:
    """``text`` as the sandbox stores ids (lower case, dashed), or None if it is no GUID.

    Xero takes a GUID with its four dashes or without any, in either case; a half-dashed or
    braced form is refused here because no client is known to send one and Xero accepting it
    is unconfirmed.
    """
    value = text.strip()
    if not (GUID_PATTERN.match(value) or _UNDASHED_GUID.match(value)):
        return None
    return str(uuid.UUID(hex=value))


def guid_list(ctx: ApiContext, name: str) -> set[str]:
    """The GUIDs of a comma-separated parameter (``IDs``, ``ContactIDs``); empty without one.

    One value that is not a GUID refuses the whole call, as Xero does: answering with fewer
    records would let a client take a typo for a document that does not exist.
    """
    found: set[str] = set()
    for part in ctx.query.csv(name):
        guid = canonical_guid(part)
        if guid is None:
            raise errors.UnparsableParameter(_XERO_NAMES.get(name.lower(), name))
        found.add(guid)
    return found


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
    value = typed("", raw)
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
