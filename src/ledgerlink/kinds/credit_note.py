"""Credit notes: ACCRECCREDIT (sales) or ACCPAYCREDIT (supplier), and their allocations.

Statuses as invoices (draft DRAFT, sent AUTHORISED, voided VOIDED or DELETED). Applying the
credit to an invoice (or a supplier credit to a bill) is a Xero allocation: a second write,
``PUT /CreditNotes/{id}/Allocations``, made once the credit note is AUTHORISED and the document
credited is in Xero (sent first when it is on its way, as a dependency). Allocations made are
kept on the link by the Xero id of the document credited, so none is ever made twice; a lost
allocation reply is settled by reading the credit note's allocations back.

Credit notes carry no Url: one sent without a number gets its source_id as its number, which
finds it again after a lost reply. "Credit the whole invoice" (``credits_invoice`` without
lines) copies the invoice's lines, contact and currency at intake.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ledgerlink.documents.credit_note import CreditNote
from ledgerlink.documents.hashing import content_hash
from ledgerlink.errors import LedgerlinkError
from ledgerlink.kinds.base import (
    DocumentKind,
    FollowUp,
    LinkView,
    Needed,
    Prepared,
    Record,
    StoredLookup,
    Usage,
)
from ledgerlink.mapping.status import Decision, Hold, decide_update
from ledgerlink.xero.convert import common_fields, gone, lines_to_xero

STATUS = {"draft": "DRAFT", "sent": "AUTHORISED", "voided": "VOIDED"}
ALLOCATIONS = "/Allocations"


def _target_kind(document: Any, allocation: Any) -> str:
    """The kind of the document an allocation credits (its own, else by the note's type)."""
    if allocation.kind is not None:
        return str(allocation.kind)
    return "invoice" if document.type == "sales" else "expense"


class CreditNoteKind(DocumentKind):
    name = "credit_note"
    model = CreditNote
    schema_name = "CreditNote"
    noun = "credit note"
    contact_field = "contact"
    resource = "CreditNotes"
    id_field = "CreditNoteID"
    number_field = "CreditNoteNumber"
    stage = 2
    read_by = "where"
    webhook_category = "CREDITNOTE"
    numbering = "source_id"
    # The documents credited are read fresh first: approved or paid in Xero since, and what is
    # still due on them, decide whether the credit can be applied.
    refresh_dependencies = True
    source_words = {"AUTHORISED": "sent", "DRAFT": "draft", "SUBMITTED": "draft"}

    # -- the document ------------------------------------------------------------------

    def contact_role(self, document: Any) -> str:
        return "contact" if document.type == "sales" else "supplier"

    def usage_of(self, document: Any) -> Usage | None:
        return "sales" if document.type == "sales" else "purchase"

    def variants(self) -> list[str]:
        return ["sales", "supplier"]

    def _usage(self, variant: str | None) -> Usage:
        return "purchase" if variant == "supplier" else "sales"

    def xero_type(self, document: Any) -> str:
        return "ACCRECCREDIT" if document.type == "sales" else "ACCPAYCREDIT"

    def expand(self, body: dict[str, Any], stored: StoredLookup) -> dict[str, Any]:
        """Credit the whole invoice: with no lines given, take the credited document's."""
        source = body.get("credits_invoice")
        if not isinstance(source, str) or "lines" in body:
            return body
        target = "expense" if body.get("type") == "supplier" else "invoice"
        found = stored.current_body(target, source.strip())
        if found is None:
            raise LedgerlinkError(
                "DEPENDENCY_MISSING",
                f"credits_invoice names {target} {source!r}, which ledgerlink has not been sent: "
                "send it first, or give the credit note its own lines.",
                field="credits_invoice",
            )
        filled = dict(body)
        filled["lines"] = found.get("lines", [])
        if "contact" not in filled:
            filled["contact"] = found.get("contact") or found.get("supplier")
        for key in ("currency", "amounts_are"):
            if key not in filled and key in found:
                filled[key] = found[key]
        return filled

    def requires(self, document: Any, link: LinkView | None) -> list[Needed]:
        """The documents credited must be in Xero and approved (paid, once credited fully)."""
        statuses = frozenset({"AUTHORISED", "PAID"})
        return [
            Needed(_target_kind(document, a), a.document, f"allocations[{i}].document", statuses)
            for i, a in enumerate(document.allocations)
        ]

    # -- status policy -----------------------------------------------------------------

    def wanted_status(self, document: Any) -> str:
        return STATUS[document.status]

    def decide(self, document: Any, link: LinkView | None) -> Decision:
        wanted = self.wanted_status(document)
        if link is None:
            return decide_update(None, None, None, wanted)
        used = link.amount_credited or Decimal(0)
        if used > 0 and link.status not in ("VOIDED", "DELETED"):
            return Hold(
                LedgerlinkError(
                    "XERO_NOT_EDITABLE",
                    f"The credit note has {used} allocated or refunded in Xero, so Xero accepts "
                    "no changes to it: remove the allocation in Xero first, or change it there.",
                    field="status",
                )
            )
        return decide_update(link.status, None, None, wanted, content_changed=True)

    # -- to and from Xero --------------------------------------------------------------

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        ended = gone(prepared.existing, prepared.status, self.id_field)
        if ended is not None:
            return ended
        body = common_fields(
            document,
            self.xero_type(document),
            prepared.contact,
            prepared.status,
            prepared.existing,
            self.id_field,
            with_url=False,
        )
        body["Date"] = document.date.isoformat()
        number = document.number or prepared.number
        if number:
            body["CreditNoteNumber"] = number
        if document.reference is not None:
            body["Reference"] = document.reference
        body["LineItems"] = lines_to_xero(
            document,
            prepared.lines,
            prepared.existing,
            prepared.unitdp,
            discounts=False,  # refused at intake: Xero discounts sales invoices only
        )
        return body

    def link_values(self, record: Record) -> dict[str, Any]:
        values = super().link_values(record)
        values.pop("amount_credited", None)
        for field, key in (("amount_due", "RemainingCredit"), ("amount_credited", "AppliedAmount")):
            if record.get(key) is not None:
                values[field] = str(Decimal(str(record[key])))
        return values

    def deep_link_kind(self, link_type: str | None) -> str:
        return link_type or "ACCRECCREDIT"

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        numbers = [str(e["CreditNoteNumber"]) for e in sent if e.get("CreditNoteNumber")]
        return [
            (
                "/CreditNotes",
                {"where": " OR ".join(f"CreditNoteNumber=={json.dumps(n)}" for n in chunk)},
            )
            for chunk in (numbers[i : i + 25] for i in range(0, len(numbers), 25))
        ]

    # -- allocations ---------------------------------------------------------------------

    def written(self, document: Any, link: LinkView) -> bool:
        return link.details.get("send_hash") == _send_hash(document)

    def write_details(self, document: Any) -> dict[str, Any]:
        return {
            "send_hash": _send_hash(document),
            "follow_up": bool(document.allocations) and document.status == "sent",
        }

    def follow_up_due(
        self, document: Any, link: LinkView, resolved: Mapping[tuple[str, str], LinkView]
    ) -> bool:
        if _changed(document, link, resolved):
            return True  # to be held, saying which allocation Xero already has otherwise
        return link.status == "AUTHORISED" and bool(_pending(document, link, resolved))

    def is_follow_up(self, path: str) -> bool:
        return ALLOCATIONS in path

    def follow_up(
        self, document: Any, link: LinkView, resolved: Mapping[tuple[str, str], LinkView]
    ) -> FollowUp | None:
        changed = _changed(document, link, resolved)
        if changed:
            raise LedgerlinkError(
                "XERO_NOT_EDITABLE",
                f"{changed}: Xero keeps an allocation as it was made. Remove it in Xero (the "
                "credit note's Allocations) and send the credit note again, or keep the amount.",
                field="allocations",
            )
        pending = _pending(document, link, resolved)
        if not pending or link.status != "AUTHORISED":
            return None
        for index, (allocation, _) in enumerate(pending):
            kind = _target_kind(document, allocation)
            target = resolved[(kind, allocation.document)]
            due = target.amount_due
            if target.status == "AUTHORISED" and due is not None and allocation.amount > due:
                raise LedgerlinkError(
                    "PAYMENT_INVALID",
                    f"allocations[{index}].amount {allocation.amount} is more than the {due} "
                    f"still due on {kind} {allocation.document!r}.",
                    field=f"allocations[{index}].amount",
                )
            if target.status != "AUTHORISED":
                raise LedgerlinkError(
                    "PAYMENT_INVALID",
                    f"allocations[{index}].document {kind} {allocation.document!r} is "
                    f"{target.status} in Xero: Xero applies credit only to approved documents "
                    "with an amount still due.",
                    field=f"allocations[{index}].document",
                )
        allocations = [
            {
                "Invoice": {"InvoiceID": xero_id},
                "Amount": allocation.amount,
                "Date": (allocation.date or document.date).isoformat(),
            }
            for allocation, xero_id in pending
        ]
        return FollowUp(
            "PUT",
            f"/CreditNotes/{link.xero_id}{ALLOCATIONS}?summarizeErrors=false",
            {"Allocations": allocations},
        )

    def follow_up_applied(
        self, details: Mapping[str, Any], sent: Record, elements: Sequence[Record]
    ) -> dict[str, Any]:
        made = dict(details.get("allocations") or {})
        for element in elements:
            ok = str(element.get("StatusAttributeString") or "OK").upper() in ("OK", "WARNING")
            invoice = str((element.get("Invoice") or {}).get("InvoiceID") or "").lower()
            if ok and invoice and not element.get("ValidationErrors"):
                made[invoice] = str(Decimal(str(element.get("Amount", 0))))
        return {"allocations": made}

    def follow_up_found(
        self, details: Mapping[str, Any], sent: Record, record: Record
    ) -> dict[str, Any]:
        made = dict(details.get("allocations") or {})
        seen = [
            (
                str((a.get("Invoice") or {}).get("InvoiceID") or "").lower(),
                Decimal(str(a.get("Amount", 0))),
            )
            for a in record.get("Allocations") or []
            if not a.get("IsDeleted")
        ]
        for wanted in sent.get("Allocations") or []:
            invoice = str(wanted["Invoice"]["InvoiceID"]).lower()
            if (invoice, Decimal(str(wanted["Amount"]))) in seen:
                made[invoice] = str(Decimal(str(wanted["Amount"])))
        return {"allocations": made}


def _send_hash(document: Any) -> str:
    """What the credit note's own write carries: everything but its allocations."""
    return content_hash(document.model_dump(exclude={"allocations"}, exclude_none=True))


def _made(link: LinkView | None) -> dict[str, str]:
    return dict((link.details.get("allocations") or {}) if link is not None else {})


def _changed(
    document: Any, link: LinkView, resolved: Mapping[tuple[str, str], LinkView]
) -> str | None:
    """Which allocation already made in Xero this version changes or leaves out, if any."""
    made = _made(link)
    wanted: dict[str, tuple[str, str, Decimal]] = {}
    for allocation in document.allocations:
        kind = _target_kind(document, allocation)
        target = resolved.get((kind, allocation.document))
        if target is not None:
            wanted[target.xero_id.lower()] = (kind, allocation.document, allocation.amount)
    for xero_id, amount in sorted(made.items()):
        if xero_id not in wanted:
            return f"The allocation of {amount} made in Xero to {xero_id} is gone"
        kind, source_id, asked = wanted[xero_id]
        if Decimal(amount) != asked:
            return (
                f"The allocation to {kind} {source_id!r} is {asked} now; Xero holds the "
                f"{amount} made before"
            )
    return None


def _pending(
    document: Any, link: LinkView, resolved: Mapping[tuple[str, str], LinkView]
) -> list[tuple[Any, str]]:
    """The allocations not made yet, with the Xero id of the document each credits."""
    made = _made(link)
    pending = []
    for allocation in document.allocations:
        target = resolved.get((_target_kind(document, allocation), allocation.document))
        if target is None or target.xero_id.lower() in made:
            continue
        pending.append((allocation, target.xero_id))
    return pending


KIND = CreditNoteKind()
