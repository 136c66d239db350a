"""Xero's Idempotency-Key: a replay gets the stored reply, a different request is refused.

Keys are scoped per app, kept for about six minutes from the first call, and at most 128
characters. Errors are stored too: a keyed request that failed answers the same on replay.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from xero_sandbox.errors import ApiException

MAX_KEY_LENGTH = 128
SWEEP_AT = 5000


@dataclass
class StoredReply:
    fingerprint: str
    expires: float
    status: int
    body: bytes
    media_type: str | None
    headers: dict[str, str]


def fingerprint(method: str, path: str, query: str, tenant_id: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.upper(), path.lower(), query, tenant_id):
        digest.update(part.encode())
        digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()


@dataclass
class IdempotencyStore:
    ttl_seconds: float
    replies: dict[tuple[str, str], StoredReply] = field(default_factory=dict)
    replayed: int = 0

    def check_key(self, key: str) -> None:
        if not key.strip() or len(key) > MAX_KEY_LENGTH:
            raise ApiException(
                f"Idempotency Key: {key[:40]} is invalid. It must be 1 to {MAX_KEY_LENGTH} "
                "characters long."
            )

    def lookup(self, client_id: str, key: str, print_: str, now: float) -> StoredReply | None:
        """The stored reply for this key, None if new; raises if used with another request."""
        self.check_key(key)
        stored = self.replies.get((client_id, key))
        if stored is None:
            return None
        if stored.expires <= now:
            del self.replies[(client_id, key)]
            return None
        if stored.fingerprint != print_:
            raise ApiException(f"Idempotency Key: {key} is used with a different request.")
        self.replayed += 1
        return stored

    def store(self, client_id: str, key: str, reply: StoredReply) -> None:
        if len(self.replies) >= SWEEP_AT:
            # The reply being stored expires last, so its expiry stands in for "now".
            self.sweep(reply.expires - self.ttl_seconds)
        self.replies[(client_id, key)] = reply

    def sweep(self, now: float) -> None:
        for k in [k for k, v in self.replies.items() if v.expires <= now]:
            del self.replies[k]

    def reset(self) -> None:
        self.replies.clear()
        self.replayed = 0
