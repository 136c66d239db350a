"""Secrets at rest: AES-GCM sealed with the row's identity, under a ring of rotatable keys.

A sealed value is ``version (1) | key id (4) | nonce (12) | ciphertext+tag``. The associated
data is the row's identity (``token_sets:<id>:refresh_token``): a value copied into another row,
or another column, fails to open instead of handing one customer's token to another. The key id
lets old values open after a new key is added; ``rotate_all`` re-seals them so the old key can
then be dropped from LEDGERLINK_SECRET_KEYS.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary, select
from sqlalchemy.orm import Session

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.models import Base

FORMAT = 1
KEY_ID_BYTES = 4
NONCE_BYTES = 12
HEADER = 1 + KEY_ID_BYTES + NONCE_BYTES


class SecretUnreadable(LedgerlinkError):
    """A sealed value that no key in the ring opens for this row (wrong key, row or tampering).

    An operator problem, not a user's: the key that sealed it was removed too early, another
    process sealed it with a key file of its own, or the value was copied from another row.
    A LedgerlinkError, so the API answers it with its code and fix, and a worker holds the
    documents that needed it with that error instead of crashing its run.
    """

    def __init__(self, message: str) -> None:
        super().__init__("SECRETS_UNREADABLE", message)


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"ledgerlink-key-id:" + key).digest()[:KEY_ID_BYTES]


def row_aad(row: Base, column: str) -> str:
    """The associated data for ``row.<column>``: table, primary key, field without ``_enc``."""
    table = row.__table__.name  # type: ignore[attr-defined]
    mapper = row.__mapper__
    keys = [mapper.get_property_by_column(c).key for c in mapper.primary_key]
    values = [getattr(row, k) for k in keys]
    if any(v is None for v in values):
        raise ValueError(f"{table}: set the primary key before sealing a secret into the row")
    pk = ":".join(str(v) for v in values)
    field = column.removesuffix("_enc")
    return f"{table}:{pk}:{field}"


class KeyRing:
    """Keys newest first: the first seals, any opens the values sealed under it."""

    def __init__(self, keys: list[bytes], source: str = "LEDGERLINK_SECRET_KEYS") -> None:
        if not keys:
            raise ValueError("a key ring needs at least one key")
        self._keys = [(key_id(k), AESGCM(k)) for k in keys]
        self._by_id = dict(self._keys)
        self.source = source  # where the keys came from, for an operator reading an error

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyRing:
        return _ring_for(settings)

    @property
    def newest_id(self) -> bytes:
        return self._keys[0][0]

    def seal(self, plaintext: str, aad: str) -> bytes:
        kid, cipher = self._keys[0]
        nonce = os.urandom(NONCE_BYTES)
        body = cipher.encrypt(nonce, plaintext.encode(), aad.encode())
        return bytes([FORMAT]) + kid + nonce + body

    def open(self, blob: bytes, aad: str) -> str:
        blob = bytes(blob)
        if len(blob) <= HEADER or blob[0] != FORMAT:
            raise SecretUnreadable(f"the value for {aad} is not a sealed secret")
        kid, nonce = blob[1 : 1 + KEY_ID_BYTES], blob[1 + KEY_ID_BYTES : HEADER]
        body = blob[HEADER:]
        cipher = self._by_id.get(kid)
        if cipher is None:
            raise SecretUnreadable(
                f"the value for {aad} was sealed with a key that is not in {self.source}: "
                "every ledgerlink process must share the keys in LEDGERLINK_SECRET_KEYS"
            )
        try:
            return cipher.decrypt(nonce, body, aad.encode()).decode()
        except InvalidTag as exc:
            raise SecretUnreadable(
                f"the value for {aad} does not belong to this row (copied from another, or "
                f"altered); it cannot be opened with the keys in {self.source}"
            ) from exc

    def sealed_with_newest(self, blob: bytes) -> bool:
        return bytes(blob)[1 : 1 + KEY_ID_BYTES] == self.newest_id

    def rotate(self, blob: bytes, aad: str) -> bytes:
        """The same secret sealed with the newest key (unchanged if it already is)."""
        if self.sealed_with_newest(blob):
            return bytes(blob)
        return self.seal(self.open(blob, aad), aad)

    def seal_field(self, row: Base, column: str, plaintext: str | None) -> None:
        """Set ``row.<column>`` (an ``_enc`` column); the row's primary key must be set."""
        value = None if plaintext is None else self.seal(plaintext, row_aad(row, column))
        setattr(row, column, value)

    def open_field(self, row: Base, column: str) -> str | None:
        blob = getattr(row, column)
        return None if blob is None else self.open(blob, row_aad(row, column))


@lru_cache(maxsize=16)
def _ring_for(settings: Settings) -> KeyRing:
    """Cached: without LEDGERLINK_SECRET_KEYS the ring comes from a file, read once."""
    return KeyRing(settings.resolved_secret_keys(), settings.key_source)


def sealed_columns() -> Iterator[tuple[type[Base], list[str]]]:
    """Every mapped class with its ``_enc`` columns: the ones ``rotate_all`` must visit."""
    for mapper in Base.registry.mappers:
        columns = [
            c.key
            for c in mapper.columns
            if c.key.endswith("_enc") and isinstance(c.type, LargeBinary)
        ]
        if columns:
            yield mapper.class_, columns


def rotate_all(session: Session, ring: KeyRing) -> int:
    """Re-seal every stored secret with the newest key; the count of values re-sealed."""
    rotated = 0
    for model, columns in sealed_columns():
        for row in session.scalars(select(model)):
            for column in columns:
                blob = getattr(row, column)
                if blob is None or ring.sealed_with_newest(blob):
                    continue
                setattr(row, column, ring.rotate(blob, row_aad(row, column)))
                rotated += 1
    session.flush()
    return rotated
