"""Journals: what the ledger registry's posters say, journalled at the moment of posting.

Every change to a record goes through ``SandboxState.stamp``, which marks the record unsettled.
``settle`` then looks at the unsettled records only: for each one that belongs to a registered
source (``ledger.SOURCES``) it asks the poster what the record posts now, compares that with what
the record has posted so far (``Org.posted``) and journals the difference: a reversing journal of
each posting that changed or went away, then a journal of each new or changed one. Nothing is
journalled when nothing changed, so settling is as cheap as the number of records changed.
The same changed records are first handed to ``history.record_changes``, which writes each one's
history and notes (Created, Approved, Paid...) in the one place every resource passes through.

The API pipeline settles after every request it runs; the journal and report readers settle
before they read; anything else that changes records outside a request (an admin route, a
seeding script) calls ``settle(state)`` once it is done, so its journals carry the time it ran.

Journals are numbered 1, 2, ... per organisation. A reversal keeps the date of the journal it
reverses, so a voided document or a deleted payment leaves no trace in a report for any date.
# UNCONFIRMED: that Xero dates the reversal of a voided invoice or deleted payment on the
# original date (a voided document drops out of Xero's reports for every period, which this
# reproduces).
"""

from __future__ import annotations

import logging
from decimal import Decimal

from xero_sandbox import history, ledger
from xero_sandbox.ledger import ZERO, Line, Posting
from xero_sandbox.state import Org, Record, SandboxState, new_id

log = logging.getLogger("xero_sandbox.journals")


def settle(state: SandboxState, first: Org | None = None) -> int:
    """Journal whatever the records changed since the last settle posted; the journals made.

    ``first`` is the organisation most of the changes belong to (the request's), looked in
    before the others.
    """
    if not state.unsettled:
        return 0
    pending = list(state.unsettled.values())
    state.unsettled.clear()
    orgs = list(state.orgs.values())
    if first is not None:
        orgs.sort(key=lambda org: org is not first)
    history.record_changes(state, orgs, pending)
    seen: set[tuple[str, str, str]] = set()
    made = 0
    for record in pending:
        found = _locate(orgs, record)
        if found is None:
            continue
        org, source, current = found
        key = (org.tenant_id, source.collection, str(current[source.id_field]))
        if key in seen:
            continue
        seen.add(key)
        try:
            made += journal_record(state, org, source, current)
        except Exception:
            log.exception("poster for %s failed on %s", source.collection, key[2])
    return made


def _locate(orgs: list[Org], record: Record) -> tuple[Org, ledger.Source, Record] | None:
    """The organisation and source a changed record belongs to, and the record as stored now
    (an update may have stored a new dict under the same id)."""
    for source in ledger.SOURCES.values():
        record_id = record.get(source.id_field)
        if not isinstance(record_id, str):
            continue
        for org in orgs:
            current = getattr(org, source.collection, {}).get(record_id)
            if current is not None:
                return org, source, current
    return None


def _live(posting: Posting) -> bool:
    return any(line.net != ZERO or line.tax != ZERO for line in posting.lines)


def journal_record(state: SandboxState, org: Org, source: ledger.Source, record: Record) -> int:
    """Journal the difference between what ``record`` posts now and what it has posted."""
    record_id = str(record[source.id_field])
    key = (source.collection, record_id)
    now = tuple(p for p in source.poster(org, record) if _live(p))
    before: tuple[Posting, ...] = org.posted.get(key, ())
    if now == before:
        return 0
    now_parts = {p.part: p for p in now}
    before_parts = {p.part: p for p in before}
    made = 0
    for posting in before:
        if now_parts.get(posting.part) != posting:
            append_journal(state, org, record_id, reverse(posting))
            made += 1
    for posting in now:
        if before_parts.get(posting.part) != posting:
            append_journal(state, org, record_id, posting)
            made += 1
    if now:
        org.posted[key] = now
    else:
        org.posted.pop(key, None)
    return made


def reverse(posting: Posting) -> Posting:
    """The journal that takes a posting back: every line with its sign turned."""
    lines = tuple(
        Line(
            line.account_id,
            -line.net,
            -line.tax,
            line.tax_type,
            line.description,
            line.tracking,
            line.tax_account_id,
        )
        for line in posting.lines
    )
    return Posting(
        posting.source_type,
        posting.journal_date,
        lines,
        posting.reference,
        posting.part,
        dict(posting.extra),
        posting.basis,
    )


def append_journal(state: SandboxState, org: Org, source_id: str, posting: Posting) -> Record:
    """Number and store one journal of ``posting``."""
    now = state.clock.now()
    journal: Record = {
        "JournalID": new_id(),
        "JournalDate": posting.journal_date,
        "JournalNumber": len(org.journals) + 1,
        "CreatedDateUTC": now.replace(microsecond=now.microsecond // 1000 * 1000),
        "Reference": posting.reference,
        "SourceID": source_id,
        "SourceType": posting.source_type,
        "JournalLines": journal_lines(org, posting),
        "_basis": posting.basis,
    }
    org.journals.append(journal)
    return journal


def on_basis(journals: list[Record], cash: bool) -> list[Record]:
    """The journals the accrual view (default) or the cash view (``paymentsOnly``) shows."""
    hidden = "accrual" if cash else "cash"
    return [j for j in journals if j.get("_basis") != hidden]


def gst_account(org: Org) -> Record | None:
    return next((a for a in org.accounts.values() if a.get("SystemAccount") == "GST"), None)


def journal_lines(org: Org, posting: Posting) -> list[Record]:
    """Xero's journal lines: each line with its tax, then one line per tax account carrying
    the tax as its net amount (so a journal's NetAmounts sum to zero, as in Xero's example)."""
    rows: list[Record] = []
    tax_totals: dict[str, Decimal] = {}
    default_tax = gst_account(org)
    for line in posting.lines:
        net, tax = line.net, line.tax
        tax_account = line.tax_account_id or (default_tax["AccountID"] if default_tax else "")
        if tax != ZERO and not tax_account:
            # UNCONFIRMED: a chart without a GST/VAT account; the tax stays on the line's account.
            net, tax = net + tax, ZERO
        if tax != ZERO:
            tax_totals[tax_account] = tax_totals.get(tax_account, ZERO) + tax
        if net == ZERO and tax == ZERO:
            continue
        rows.append(_row(org, line.account_id, net, tax, line, line.description))
    for account_id, amount in tax_totals.items():
        if amount != ZERO:
            rows.append(_row(org, account_id, amount, ZERO, None, ""))
    return rows


def _row(
    org: Org, account_id: str, net: Decimal, tax: Decimal, line: Line | None, description: str
) -> Record:
    account = org.accounts.get(account_id) or {}
    row: Record = {
        "JournalLineID": new_id(),
        "AccountID": account_id,
        "AccountCode": account.get("Code", ""),
        "AccountType": account.get("Type", ""),
        "AccountName": account.get("Name", ""),
        "Description": description,
        "NetAmount": net,
        "GrossAmount": net + tax,
        "TaxAmount": tax,
        "TrackingCategories": [],
    }
    if line is not None and line.tax_type:
        rate = org.tax_rates.get(line.tax_type) or {}
        row["TaxType"] = line.tax_type
        row["TaxName"] = rate.get("Name", "")
    if line is not None:
        row["TrackingCategories"] = [
            {"TrackingCategoryID": c, "TrackingOptionID": o, "Name": n, "Option": opt}
            for c, o, n, opt in line.tracking
        ]
    return row


def balances(journals: list[Record]) -> dict[str, Decimal]:
    """Each account's balance (debits positive) over the given journals."""
    totals: dict[str, Decimal] = {}
    for journal in journals:
        for row in journal["JournalLines"]:
            totals[row["AccountID"]] = totals.get(row["AccountID"], ZERO) + row["NetAmount"]
    return totals
