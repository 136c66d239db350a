"""Mapping: account and tax resolution, preflight against reference data, status policy.

May import ``documents`` and ``errors``; never the store, Xero client or sync layers, so every rule
here can be tested with reference data held in memory.
"""

from ledgerlink.mapping.preflight import preflight
from ledgerlink.mapping.reference import Listing, MemoryReference, Reference
from ledgerlink.mapping.resolve import MappingDefaults, ResolvedLine, resolve_lines, usage_of
from ledgerlink.mapping.status import Hold, Send, Skip, decide_update, xero_status

__all__ = [
    "Hold",
    "Listing",
    "MappingDefaults",
    "MemoryReference",
    "Reference",
    "ResolvedLine",
    "Send",
    "Skip",
    "decide_update",
    "preflight",
    "resolve_lines",
    "usage_of",
    "xero_status",
]
