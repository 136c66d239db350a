"""The registry of document kinds: every module of this package that defines ``KIND``.

Every layer asks here (``get``, ``find``, ``names``, ``all_kinds``, ``models``) instead of
spelling the kinds out, so a new kind is one new module here (and its schema in ``documents``).
"""

from __future__ import annotations

import importlib
import pkgutil
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


def models() -> dict[str, type[BaseModel]]:
    """Each kind's schema, by the name the OpenAPI gives it."""
    return {k.schema_name: k.model for k in all_kinds()}


__all__ = [
    "DocumentKind",
    "all_kinds",
    "find",
    "get",
    "models",
    "names",
    "validate_document",
]
