"""Contacts: each source contact becomes one Xero contact, found before it is ever created.

Order of trust: the link we made before (``ContactLink`` by the source's stable key); the
Xero contact carrying that key as its ContactNumber; an active Xero contact with the same name
(compared as Xero does, without case or extra spaces); one with the same email. Only then is a
contact created, in one batched PUT per 100 under its own intent, with the key as its
ContactNumber, so a lost reply is settled by finding that number, never by creating it again.
Two documents naming one new contact, by the same key or by the same name, make one contact.
Names compare without case, spaces or punctuation (``reference.normalise_name``).

Customers and suppliers come here too: each names itself as its contact (its source_id is the
key its invoices, bills and purchase orders use), so it is found or made here exactly like an
invoice's contact, under the same intents, and its kind then updates that contact by its id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from ledgerlink import kinds
from ledgerlink.documents.schemas import ContactRef
from ledgerlink.errors import LedgerlinkError
from ledgerlink.store.members import one_of
from ledgerlink.store.models import ContactLink
from ledgerlink.sync import lifecycle, pause
from ledgerlink.sync.context import Run, Work
from ledgerlink.sync.dispatch import dispatch
from ledgerlink.sync.reference import normalise_name, store_records
from ledgerlink.sync.reference_view import ReferenceView
from ledgerlink.xero.convert import contact_number, contact_to_xero
from ledgerlink.xero.errors import validation_messages

log = logging.getLogger(__name__)
CONTACTS_PATH = "/Contacts?summarizeErrors=false"
KEY_PREFIX = "contact:"
Record = dict[str, Any]


def contact_ref(work: Work) -> ContactRef:
    """The work's contact, as its kind names it (only works whose kind has one come here)."""
    ref = kinds.get(work.kind).contact(work.document)
    assert ref is not None
    return ref


def _active(record: Record | None) -> bool:
    return record is not None and str(record.get("ContactStatus") or "ACTIVE") == "ACTIVE"


class Finder:
    """Looks a source contact up in the links and the cached Xero contacts."""

    def __init__(self, session: Session, connection_id: str) -> None:
        self.session = session
        self.connection_id = connection_id
        self.view = ReferenceView(session, connection_id)
        self._emails: dict[str, str] | None = None

    def by_email(self, email: str) -> str | None:
        if self._emails is None:
            self._emails = {}
            for record in self.view.all("contacts"):
                address = str(record.get("EmailAddress") or "").strip().casefold()
                if address and _active(record):
                    self._emails.setdefault(address, str(record["ContactID"]))
        return self._emails.get(email.strip().casefold())

    def preload(self, refs: Sequence[ContactRef]) -> None:
        """Read what ``find`` will ask about these contacts in a few queries, not three
        single-row reads per contact: their numbers and names, then the records they name."""
        numbers = {n for ref in refs for n in (contact_number(ref), ref.key)}
        names = {normalise_name(ref.name) for ref in refs if ref.name}
        self.view.preload("contact_number", numbers)
        self.view.preload("contact_name", names)
        pointers = [
            *(self.view.cached("contact_number", n) for n in numbers),
            *(self.view.cached("contact_name", n) for n in names),
        ]
        self.view.preload("contacts", (str(p.get("key", "")) for p in pointers if p))

    def find(self, ref: ContactRef) -> str | None:
        for number in dict.fromkeys((contact_number(ref), ref.key)):
            found = self.view.contact_by_number(number)
            if _active(found):
                return str(found["ContactID"])  # type: ignore[index]
        if ref.name:
            found = self.view.contact_by_name(ref.name)
            if _active(found):
                return str(found["ContactID"])  # type: ignore[index]
        if ref.email:
            return self.by_email(ref.email)
        return None


def links_for(session: Session, connection_id: str, keys: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    wanted = sorted(set(keys))
    for start in range(0, len(wanted), 500):
        query = select(ContactLink.contact_key, ContactLink.xero_contact_id).where(
            ContactLink.connection_id == connection_id,
            one_of(ContactLink.contact_key, wanted[start : start + 500]),
        )
        found.update({key: xero for key, xero in session.execute(query)})
    return found


def _link_all(session: Session, connection_id: str, found: dict[str, tuple[str, str]]) -> None:
    """Link each source key to its Xero contact (key -> (Xero id, name)): the links already
    there read in one query, the new ones written in one insert."""
    rows: dict[str, ContactLink] = {}
    wanted = sorted(found)
    for start in range(0, len(wanted), 500):
        query = select(ContactLink).where(
            ContactLink.connection_id == connection_id,
            one_of(ContactLink.contact_key, wanted[start : start + 500]),
        )
        rows.update({row.contact_key: row for row in session.scalars(query)})
    new: list[dict[str, str]] = []
    for key, (xero_id, name) in found.items():
        row = rows.get(key)
        if row is None:
            new.append(
                {
                    "connection_id": connection_id,
                    "contact_key": key,
                    "xero_contact_id": xero_id,
                    "name": name,
                }
            )
        else:
            row.xero_contact_id, row.name = xero_id, name
    if new:
        session.execute(insert(cast(Table, ContactLink.__table__)), new)


def _resolve_known(run: Run, works: Sequence[Work]) -> dict[str, list[ContactRef]]:
    """Set ``contact_id`` where known; return what must be created, grouped by name."""
    missing: dict[str, list[ContactRef]] = {}
    with run.factory() as session, session.begin():
        refs = {w.item_id: contact_ref(w) for w in works}
        linked = links_for(session, run.connection.id, [r.key for r in refs.values()])
        finder = Finder(session, run.connection.id)
        finder.preload([r for r in refs.values() if not r.xero_contact_id and r.key not in linked])
        new_links: dict[str, tuple[str, str]] = {}
        for work in works:
            ref = refs[work.item_id]
            if ref.xero_contact_id:
                work.contact_id = ref.xero_contact_id
            elif ref.key in linked:
                work.contact_id = linked[ref.key]
            else:
                found = finder.find(ref)
                if found is not None:
                    new_links[ref.key] = (found, ref.name or "")
                    linked[ref.key] = work.contact_id = found
                else:
                    group = missing.setdefault(normalise_name(ref.name or ref.key), [])
                    if ref.key not in {r.key for r in group}:
                        group.append(ref)
        _link_all(session, run.connection.id, new_links)
    return missing


# What a contact read with summaryOnly leaves out, and nothing here reads: a created contact
# is cached as a read one would be (less to encode and store per contact).
HEAVY = frozenset(
    ("Addresses", "Phones", "ContactPersons", "ContactGroups", "PaymentTerms", "Balances")
)


def _remember(session: Session, run: Run, records: list[Record]) -> None:
    """Put created contacts in the reference cache, so no later run makes a namesake."""
    if records:
        light = [{k: v for k, v in r.items() if k not in HEAVY} for r in records]
        store_records(session, run.connection.id, "contacts", light)


def apply_contact_reply(
    run: Run, intent_id: str, groups: list[list[str]], elements: list[Record]
) -> dict[str, LedgerlinkError]:
    """Link each key to its created contact; the Xero errors of those that were refused."""
    refused: dict[str, LedgerlinkError] = {}
    with run.factory() as session, session.begin():
        made: list[Record] = []
        new_links: dict[str, tuple[str, str]] = {}
        for index, keys in enumerate(groups):
            element = elements[index] if index < len(elements) else {}
            status = str(element.get("StatusAttributeString") or "OK").upper()
            if element.get("ContactID") and status in ("OK", "WARNING"):
                made.append(element)
                for key in keys:
                    new_links[key] = (str(element["ContactID"]), str(element.get("Name") or ""))
            else:
                text = "; ".join(validation_messages(element)) or "Xero did not create the contact."
                for key in keys:
                    refused[key] = LedgerlinkError("XERO_CONTACT_INVALID", text, "contact")
        _link_all(session, run.connection.id, new_links)
        _remember(session, run, made)
        lifecycle.set_intent_state(session, intent_id, "applied", run.now())
    return refused


def groups_of(intent_document_ids: Sequence[str]) -> list[list[str]]:
    """The contact keys per sent element, as written in the intent (``contact:<key>|<key>``)."""
    return [entry.removeprefix(KEY_PREFIX).split("\x1f") for entry in intent_document_ids]


def ensure_contacts(run: Run, works: Sequence[Work]) -> tuple[list[Work], bool]:
    """Give every work its Xero ContactID, creating missing contacts in batched PUTs.

    Returns the works ready to send and whether the round must stop (Xero unreachable or our
    lease lost). Works whose contact could not be made are settled here.
    """
    missing = _resolve_known(run, works)
    stop = False
    refused: dict[str, LedgerlinkError] = {}
    groups = list(missing.values())
    by_key: dict[str, list[Work]] = {}
    for work in works:
        if work.contact_id is None:
            by_key.setdefault(contact_ref(work).key, []).append(work)
    size = run.config.contact_batch_size
    for start in range(0, len(groups), size):
        chunk = groups[start : start + size]
        keys = [[ref.key for ref in group] for group in chunk]
        body = {"Contacts": [_new_contact(group) for group in chunk]}
        ids = [w.item_id for k in keys for key in k for w in by_key.get(key, [])]
        entries = [KEY_PREFIX + "\x1f".join(k) for k in keys]
        sent = dispatch(run, "PUT", CONTACTS_PATH, body, entries, ids)
        if sent.reply is None:
            stop = sent.stop
            if stop:
                break
            continue
        assert sent.intent is not None
        pause.reached("contacts_received")
        refused.update(apply_contact_reply(run, sent.intent.id, keys, sent.reply.items("Contacts")))
        pause.reached("contacts_applied")
    ready: list[Work] = []
    outcomes: list[tuple[str, lifecycle.Outcome]] = []
    with run.factory() as session, session.begin():
        linked = links_for(session, run.connection.id, list(by_key))
        for work in works:
            key = contact_ref(work).key
            if work.contact_id is None and key in linked:
                work.contact_id = linked[key]
            if work.contact_id is not None:
                ready.append(work)
            elif key in refused:
                outcomes.append((work.item_id, lifecycle.hold(refused[key])))
        # Items of a failed send were settled by dispatch; clear their contact intent so the
        # invoice send can take its own once the contact exists.
        lifecycle.settle(session, outcomes, run.now(), run.policy, run.tally)
    for work in ready:
        work.intent_id = None
    return ready, stop


def _new_contact(group: list[ContactRef]) -> Record:
    ref = group[0]
    body = contact_to_xero(ref)
    body["ContactNumber"] = contact_number(ref)
    return body
