"""The judge: the rules a run must keep, in every organisation, and the documents and contacts
that broke them, each with its evidence. What is judged never depends on timing (``progress``
asks only that a single write reached each organisation during some forty seconds of chaos).

``once``, ``newest``, ``allocations``, ``payments``, ``contacts``, ``elsewhere``, ``progress``
and ``queue`` are judged here from what was read back, one organisation at a time (``Seen``);
``idle`` and ``intake`` are found while the run goes (``run``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from ledgerlink.store.models import Document
from tests.engine.sync.chaos.documents import KINDS
from tests.engine.sync.chaos.seen import Seen
from tests.engine.sync.chaos.shapes import (
    RESOURCES,
    allocations_of,
    differences,
    held_of,
    norm,
    payment_of,
)

RULES = {
    "once": "every accepted invoice, bill, purchase order and credit note is exactly one live "
    "Xero record",
    "newest": "each of those Xero records carries its document's newest version",
    "allocations": "each credit note's live allocations are its newest version's, each made once",
    "payments": "each invoice's live payments are exactly the payments not deleted, each once",
    "contacts": "no Xero contact twice (name, case and spaces aside)",
    "elsewhere": "no document or contact in an organisation other than its own",
    "queue": "nothing held or failed that only needed to wait (newest versions done)",
    "progress": "every organisation was written to while the chaos went on (else the run "
    "tested nothing)",
    "idle": "the queue went idle once the chaos stopped",
    "intake": "intake answered created / updated / unchanged as planned",
}
FINAL = ("superseded", "done")  # what an older version's queue item may end as
NOUN = {
    "invoice": "Xero invoice",
    "expense": "Xero bill",
    "purchase_order": "Xero purchase order",
    "credit_note": "Xero credit note",
    "payment": "Xero payment",
}


@dataclass
class Violation:
    rule: str
    summary: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicates: Counter[str] = field(default_factory=Counter)  # live records beyond one, by kind
    contacts_twice: int = 0  # Xero contacts beyond one per name
    allocations: Counter[str] = field(default_factory=Counter)  # wanted, live, twice
    payments: Counter[str] = field(default_factory=Counter)  # wanted, deleted, live, twice


def judge(seen: Seen, strangers: tuple[str, ...] = ()) -> Verdict:
    """One organisation's rules; ``strangers``: the other organisations' labels, which the
    names of their contacts carry ("Chaos UK Client 3")."""
    verdict = Verdict()
    order = {kind: i for i, kind in enumerate(KINDS)}
    for document in sorted(seen.documents, key=lambda d: (order[d.kind], d.source_id)):
        judged = _Judged(seen, verdict, document)
        if document.kind == "payment":
            judged.payment()
        else:
            judged.once_and_newest()
            if document.kind == "credit_note":
                judged.allocations()
        judged.queue()
    _stray_payments(seen, verdict)
    for kind, record in seen.strays:
        if kind != "payment":
            url = f" (Url {record['Url']})" if record.get("Url") else ""
            verdict.notes.append(
                f"{seen.key}: {NOUN[kind]} {record.get(RESOURCES[kind][1])} belongs to no "
                f"document: {seen.record_line(kind, record)}{url}"
            )
    _elsewhere(seen, verdict, strangers)
    under_chaos = sum(counted["chaos"] for counted in seen.writes.values())
    if seen.documents and not under_chaos:
        verdict.violations.append(
            Violation(
                "progress",
                f"{seen.key}: no write reached Xero while the chaos went on "
                f"({sum(c['drain'] for c in seen.writes.values())} in the drain)",
            )
        )
    twice = seen.contacts_twice()
    for name, found in sorted(twice.items()):
        verdict.violations.append(
            Violation(
                "contacts",
                f"{seen.key}: {len(found)} Xero contacts named {name!r}",
                [seen.contact_line(c) for c in found],
            )
        )
    verdict.contacts_twice = sum(len(f) - 1 for f in twice.values())
    return verdict


def judge_all(seens: dict[str, Seen], labels: dict[str, str]) -> dict[str, Verdict]:
    """Every organisation judged, by key (``labels``: each organisation's, by key)."""
    return {
        key: judge(seen, tuple(label for k, label in labels.items() if k != key))
        for key, seen in seens.items()
    }


def merged(verdicts: Iterable[Verdict]) -> Verdict:
    """The organisations' verdicts as one: violations and notes in turn, counts added up."""
    whole = Verdict()
    for verdict in verdicts:
        whole.violations += verdict.violations
        whole.notes += verdict.notes
        whole.duplicates.update(verdict.duplicates)
        whole.contacts_twice += verdict.contacts_twice
        whole.allocations.update(verdict.allocations)
        whole.payments.update(verdict.payments)
    return whole


class _Judged:
    """One document's rules; its evidence is gathered once, when a rule is broken."""

    def __init__(self, seen: Seen, verdict: Verdict, document: Document) -> None:
        self.seen = seen
        self.verdict = verdict
        self.document = document
        self.held = seen.by_doc.get(document.id, [])
        self._evidence: list[str] | None = None

    @property
    def evidence(self) -> list[str]:
        if self._evidence is None:
            self._evidence = self.seen.evidence(self.document)
        return self._evidence

    def broke(self, rule: str, summary: str) -> None:
        self.verdict.violations.append(
            Violation(rule, f"{self.document.source_id}: {summary}", self.evidence)
        )

    def once_and_newest(self) -> None:
        seen, document, kind = self.seen, self.document, self.document.kind
        if len(self.held) != 1:
            self.verdict.duplicates[kind] += max(0, len(self.held) - 1)
            what = f"no live {NOUN[kind]}" if not self.held else f"{len(self.held)} live ones"
            self.broke("once", f"{what} ({seen.newest_item_state(document)})")
        if not seen.newest(document):
            return
        wanted = seen.expected(document)
        for record in self.held:
            shape = held_of(seen.org, kind, record)
            diff = differences(shape, wanted)
            if diff:
                self.broke(
                    "newest",
                    f"{NOUN[kind]} {record.get(RESOURCES[kind][1])} holds "
                    f"{seen.matching(document, shape)}, newest is "
                    f"v{document.current_version} ({'; '.join(diff)[:400]})",
                )

    def allocations(self) -> None:
        """The live allocations of the credit note are its newest version's, each once."""
        seen = self.seen
        wanted: Counter[tuple[str, Decimal]] = Counter()
        for source_id, amount in allocations_of(seen.newest(self.document)):
            ids = seen.xero_ids("invoice", source_id)
            wanted[(ids[0] if len(ids) == 1 else f"({source_id} not once in Xero)", amount)] += 1
        self.verdict.allocations["wanted"] += sum(wanted.values())
        if len(self.held) != 1:
            return  # "once" says it
        found: Counter[tuple[str, Decimal]] = Counter(
            (
                str((a.get("Invoice") or {}).get("InvoiceID") or "").lower(),
                Decimal(str(a.get("Amount"))),
            )
            for a in self.held[0].get("Allocations") or []
        )
        self.verdict.allocations["live"] += sum(found.values())
        twice = sum(n - 1 for n in found.values() if n > 1)
        self.verdict.allocations["twice"] += twice
        if found == wanted:
            return
        over = found - wanted
        again = Counter({k: n for k, n in over.items() if k in wanted})
        parts = []
        if again:
            parts.append("made more than once: " + _pairs(seen, again, "more"))
        if wanted - found:
            parts.append("missing " + _pairs(seen, wanted - found))
        if over - again:
            parts.append("not asked for " + _pairs(seen, over - again))
        self.broke("allocations", "; ".join(parts))

    def payment(self) -> None:
        """Its live Xero payments: one on its invoice, of its amount, or (deleted) none."""
        seen, verdict = self.seen, self.verdict
        wanted = payment_of(seen.newest(self.document))
        verdict.payments["deleted" if wanted["deleted"] else "wanted"] += 1
        verdict.payments["live"] += len(self.held)
        verdict.payments["twice"] += max(0, len(self.held) - 1)
        expected = 0 if wanted["deleted"] else 1
        problems = []
        if len(self.held) != expected:
            problems.append(
                f"{len(self.held)} live Xero payments, expected {expected} "
                f"({seen.newest_item_state(self.document)})"
            )
        invoices = seen.xero_ids("invoice", str(wanted["invoice"]))
        for record in self.held:
            on = str(record.get("_document") or "").lower()
            if on not in invoices:
                problems.append(
                    f"payment {record.get('PaymentID')} is on {on} ({seen.name_of(on)}), not "
                    f"on {wanted['invoice']} ({', '.join(invoices) or 'not in Xero'})"
                )
            if Decimal(str(record.get("Amount"))) != wanted["amount"]:
                problems.append(
                    f"payment {record.get('PaymentID')} is for {record.get('Amount')}, not "
                    f"{wanted['amount']}"
                )
        if problems:
            what = "deleted" if wanted["deleted"] else "recorded"
            head = f"{what} {wanted['amount']} on {wanted['invoice']}: "
            self.broke("payments", head + "; ".join(problems))

    def queue(self) -> None:
        document = self.document
        wrong = []
        for item in self.seen.items.get(document.id, []):
            fine = ("done",) if item.version == document.current_version else FINAL
            if item.state not in fine:
                wrong.append(
                    f"v{item.version} {item.state} {item.error_code or '(no code)'}: "
                    f"{(item.error_message or '')[:160]}"
                )
        if wrong:
            self.broke("queue", " | ".join(wrong))


def _pairs(seen: Seen, pairs: Counter[tuple[str, Decimal]], times: str = "") -> str:
    return ", ".join(
        f"{amount} to {invoice} ({seen.name_of(invoice)})"
        + (f" {n} {times} time{'s' if n > 1 else ''}" if times else f" x{n}" if n > 1 else "")
        for (invoice, amount), n in sorted(pairs.items())
    )


def _elsewhere(seen: Seen, verdict: Verdict, strangers: tuple[str, ...]) -> None:
    """Records of another organisation's documents, and contacts named for another
    organisation, found in this one."""
    for kind, record, document in seen.elsewhere:
        verdict.violations.append(
            Violation(
                "elsewhere",
                f"{seen.key}: {NOUN[kind]} {record.get(RESOURCES[kind][1])} belongs to "
                f"{document.source_id}, a document of another organisation",
                [seen.record_line(kind, record)],
            )
        )
    heads = tuple(f"chaos {label.casefold()} " for label in strangers)
    for contact in seen.contacts:
        if norm(contact.get("Name")).startswith(heads):
            verdict.violations.append(
                Violation(
                    "elsewhere",
                    f"{seen.key}: contact {contact.get('Name')!r} is another organisation's",
                    [seen.contact_line(contact)],
                )
            )


def _stray_payments(seen: Seen, verdict: Verdict) -> None:
    """A live Xero payment that is no payment of the run's (its reference is none of theirs)."""
    for kind, record in seen.strays:
        if kind != "payment":
            continue
        on = str(record.get("_document") or "")
        evidence = [seen.record_line("payment", record)]
        document = seen.by_xero_id.get(on.lower())
        if document is not None:
            evidence += seen.evidence(document)
        verdict.violations.append(
            Violation(
                "payments",
                f"{seen.key}: Xero payment {record.get('PaymentID')} of {record.get('Amount')} on "
                f"{seen.name_of(on)} is no payment of the run's (reference "
                f"{record.get('Reference')!r})",
                evidence,
            )
        )
