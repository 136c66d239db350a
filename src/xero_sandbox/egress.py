"""The bytes of Accounting API reply bodies the sandbox sent: in total and per organisation.

Xero prices egress per app from March 2026 (fact sheet 1.5), so a client that claims to save
bytes should be checked against the server's own count, not only its own. What is counted is
what went out on the wire: a reply cut short by the lost-reply fault counts the part that was
sent. A reply refused before the organisation is known (no token, no tenant) counts in the total
only.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Egress:
    total_bytes: int = 0
    replies: int = 0
    by_tenant: dict[str, int] = field(default_factory=dict)

    def count(self, tenant_id: str | None, size: int) -> None:
        self.total_bytes += size
        if tenant_id is not None:
            self.by_tenant[tenant_id] = self.by_tenant.get(tenant_id, 0) + size

    def reply_done(self) -> None:
        self.replies += 1

    def reset(self) -> None:
        self.total_bytes = 0
        self.replies = 0
        self.by_tenant.clear()
