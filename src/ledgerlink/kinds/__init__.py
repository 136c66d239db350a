"""The registry of document kinds: every module of this package that defines ``KIND``.

Every layer asks here (``get``, ``find``, ``names``, ``all_kinds``, ``models``) instead of
spelling the kinds out, so a new kind is one new module here (and its schema in ``documents``).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections import OrderedDict
from functools import cache
from typing import Any

from pydantic import BaseModel

from ledgerlink.documents.validation import unknown_kind, validate_model
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import DocumentKind

_NOT_KINDS = frozenset({"base"})


@cache
def _registry() -> dict[str, DocumentKind]:
    found: dict[str, DocumentKind] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name in _NOT_KINDS or module.name.startswith("_"):
            continue
        loaded = importlib.import_module(f"{__name__}.{module.name}")
        kind = getattr(loaded, "KIND", None)
        if isinstance(kind, DocumentKind):
            found[kind.name] = kind
    return dict(sorted(found.items(), key=lambda pair: (pair[1].stage, pair[0])))


def all_kinds() -> list[DocumentKind]:
    """Every kind, in dependency order (what must be in Xero first comes first)."""
    return list(_registry().values())


def names() -> list[str]:
    return list(_registry())


def find(name: str) -> DocumentKind | None:
    return _registry().get(name)


def get(name: str) -> DocumentKind:
    """The kind called ``name``; NOT_FOUND naming the known kinds otherwise."""
    kind = _registry().get(name)
    if kind is None:
        raise LedgerlinkError(
            "NOT_FOUND", f"kind must be one of {', '.join(names())} (got {name!r}).", field="kind"
        )
    return kind


def validate_document(kind: str, data: Any) -> Any:
    """A raw document of this kind as its schema object; ValidationFailed (naming every
    problem, or the kinds there are) otherwise."""
    found = find(kind) if isinstance(kind, str) else None
    if found is None:
        raise unknown_kind(kind, names())
    return validate_model(found.model, data, found.noun)


# Documents intake validated in this process, by (kind, content hash): the worker of an
# embedded engine (API and worker in one process) takes the same object back instead of
# validating the stored body again. Equal hashes mean equal canonical content, and the models
# are frozen, so sharing one is safe; another process (or a restart) validates as before.
_VALIDATED: OrderedDict[tuple[str, str], Any] = OrderedDict()
_VALIDATED_MAX = 5_000  # a few claims ahead of the worker: about 20 MB of typical invoices
_VALIDATED_LOCK = threading.Lock()


def remember_validated(kind: str, content_hash: str, document: Any) -> None:
    """Keep a document intake just validated (``stored_document`` takes it back)."""
    with _VALIDATED_LOCK:
        _VALIDATED[(kind, content_hash)] = document
        _VALIDATED.move_to_end((kind, content_hash))
        while len(_VALIDATED) > _VALIDATED_MAX:
            _VALIDATED.popitem(last=False)


def stored_document(kind: str, content_hash: str, body: Any) -> Any:
    """A stored version's body as its schema object: the one intake validated in this process
    when it is still kept, else ``validate_document`` of the body (ValidationFailed when a body
    stored by an older version no longer passes)."""
    with _VALIDATED_LOCK:
        found = _VALIDATED.get((kind, content_hash))
    if found is not None:
        return found
    return validate_document(kind, body)


def carries_currency(kind: str) -> bool:
    """Whether this kind's documents name a currency (a ``currency`` field in its schema)."""
    return "currency" in get(kind).model.model_fields


def with_default_currency(kind: str, document: Any, code: str | None) -> Any:
    """The document in ``code`` (a connection's default currency) when its kind carries a
    currency and it names none; otherwise the document itself (schemas are frozen: a copy)."""
    if not code or not carries_currency(kind) or document.currency is not None:
        return document
    return document.model_copy(update={"currency": code})


def models() -> dict[str, type[BaseModel]]:
    """Each kind's schema, by the name the OpenAPI gives it."""
    return {k.schema_name: k.model for k in all_kinds()}


__all__ = [
    "DocumentKind",
    "all_kinds",
    "carries_currency",
    "find",
    "get",
    "models",
    "names",
    "remember_validated",
    "stored_document",
    "validate_document",
    "with_default_currency",
]
