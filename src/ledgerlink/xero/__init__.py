"""Xero over HTTP, and nothing else: the Accounting API client, the identity service's calls,
Xero's wire format, its errors (each carrying what to do about it), conversion between
documents and Xero's records, and deep links. No database: what is stored about Xero (tokens,
the shared limiter, the call log) lives in ``ledgerlink.sync`` and ``ledgerlink.store``.
"""

from ledgerlink.xero.client import API_PATH, Limiter, Slot, XeroClient, XeroReply
from ledgerlink.xero.errors import (
    Action,
    XeroBudgetExhausted,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroRateLimited,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
    XeroValidation,
    action_of,
)

__all__ = [
    "API_PATH",
    "Action",
    "Limiter",
    "Slot",
    "XeroBudgetExhausted",
    "XeroClient",
    "XeroError",
    "XeroForbidden",
    "XeroNotFound",
    "XeroRateLimited",
    "XeroReply",
    "XeroTransportError",
    "XeroUnauthorized",
    "XeroUnavailable",
    "XeroValidation",
    "action_of",
]
