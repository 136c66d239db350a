"""The judge: the rules a run must keep, and the documents and contacts that broke them, each
with its evidence. What is judged never depends on timing.

``once``, ``newest``, ``contacts`` and ``queue`` are judged here from what was read back
(``Seen``); ``idle`` and ``intake`` are found while the run goes (``run``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.engine.sync.chaos.seen import Seen, differences, expected_of, held_of

RULES = {
    "once": "every accepted document is exactly one live Xero invoice",
    "newest": "each Xero invoice carries its document's newest version",
    "contacts": "no Xero contact twice (name, case and spaces aside)",
    "queue": "nothing held or failed that only needed to wait (newest versions done)",
    "idle": "the queue went idle once the chaos stopped",
    "intake": "intake answered created / updated / unchanged as planned",
}
FINAL = ("superseded", "done")  # what an older version's queue item may end as


@dataclass
class Violation:
    rule: str
    summary: str
    evidence: list[str] = field(default_factory=list)


@dataclass
class Verdict:
    violations: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    duplicates: int = 0  # live Xero invoices beyond one per document
    contacts_twice: int = 0  # Xero contacts beyond one per name


def judge(seen: Seen) -> Verdict:
    verdict = Verdict()
    violations = verdict.violations
    for document in sorted(seen.documents, key=lambda d: d.source_id):
        held = seen.by_doc.get(document.id, [])
        evidence = seen.evidence(document)
        if len(held) != 1:
            verdict.duplicates += max(0, len(held) - 1)
            what = "no live Xero invoice" if not held else f"{len(held)} live Xero invoices"
            state = seen.newest_item_state(document)
            violations.append(
                Violation("once", f"{document.source_id}: {what} ({state})", evidence)
            )
        versions = seen.bodies.get(document.id, {})
        newest = versions.get(document.current_version)
        for record in held if newest is not None else []:
            shape = held_of(seen.org, record)
            diff = differences(shape, expected_of(document.kind, newest or {}))
            if diff:
                violations.append(
                    Violation(
                        "newest",
                        f"{document.source_id}: Xero {record.get('InvoiceID')} holds "
                        f"{seen.matching(document, shape)}, newest is "
                        f"v{document.current_version} ({'; '.join(diff)[:400]})",
                        evidence,
                    )
                )
        wrong = []
        for item in seen.items.get(document.id, []):
            fine = ("done",) if item.version == document.current_version else FINAL
            if item.state not in fine:
                wrong.append(
                    f"v{item.version} {item.state} {item.error_code or '(no code)'}: "
                    f"{(item.error_message or '')[:160]}"
                )
        if wrong:
            violations.append(
                Violation("queue", f"{document.source_id}: " + " | ".join(wrong), evidence)
            )
    for record in seen.strays:
        verdict.notes.append(
            f"Xero invoice {record.get('InvoiceID')} carries a marker of no document: "
            f"{record.get('Url')}"
        )
    twice = seen.contacts_twice()
    for name, found in sorted(twice.items()):
        violations.append(
            Violation(
                "contacts",
                f"{len(found)} Xero contacts named {name!r}",
                [seen.contact_line(c) for c in found],
            )
        )
    verdict.contacts_twice = sum(len(f) - 1 for f in twice.values())
    return verdict
