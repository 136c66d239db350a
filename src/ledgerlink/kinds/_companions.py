"""What a kind knows of the documents around it beyond its dependencies: the documents it
brings into being (an order's payments, refunds and missing products), documents of its own
Xero has without ledgerlink having sent them (an item a person made), and what the
connection's settings fill in. ``DocumentKind`` takes these from here; each does nothing by
default."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgerlink.kinds.base import LinkView


@dataclass(frozen=True)
class Brought:
    """A document another one brings: ``owned`` ones are kept as it says (stored again at each
    of its changes); the others are made only when neither stored nor known in Xero."""

    kind: str
    body: dict[str, Any]
    owned: bool


class Companions:
    def brings(self, document: Any, settings: Mapping[str, Any]) -> list[Brought]:
        """Documents it brings into being (an order's payments and refunds; its products Xero
        lacks, under "Create Nonexistent Products"), stored before it is sent."""
        return []

    def known_in_xero(self, source_id: str, reference: Any) -> LinkView | None:
        """One of its documents found in the cached reference data though never sent by
        ledgerlink (an item a person made): a dependency on it is met."""
        return None

    def sent_regardless(self, document: Any) -> bool:
        """Sent even when the connection does not send its kind (settings.not_sent)."""
        return False

    def configured(self, document: Any, settings: Mapping[str, Any]) -> Any:
        """The document with what the connection's settings fill in before its lines resolve."""
        return document

    def unitdp_of(self, document: Any) -> int:
        """Decimal places of its prices when it has no lines (4 when any price needs them)."""
        return 2
