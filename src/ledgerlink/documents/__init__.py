"""Neutral documents: schemas, validation into user-facing errors, money, content hashes.

Imports nothing of ledgerlink's but ``errors``: every other part builds on these.
"""

from ledgerlink.documents.hashing import content_hash
from ledgerlink.documents.schemas import (
    MAX_LINES,
    ContactRef,
    Document,
    Expense,
    Line,
    SalesInvoice,
    Tracking,
)
from ledgerlink.documents.validation import (
    ValidationFailed,
    errors_from_pydantic,
    validate_model,
)

__all__ = [
    "MAX_LINES",
    "ContactRef",
    "Document",
    "Expense",
    "Line",
    "SalesInvoice",
    "Tracking",
    "ValidationFailed",
    "content_hash",
    "errors_from_pydantic",
    "validate_model",
]
