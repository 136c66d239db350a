"""Finding contacts the way documents name them, and creating one from a name.

Documents name their contact by ContactID, ContactNumber or Name. Xero matches a Name only
against ACTIVE contacts (archiving frees a name), without regard to case or surrounding spaces,
and an invoice naming an unknown contact creates it.
"""

from __future__ import annotations

from typing import Any

from xero_sandbox.context import ApiContext
from xero_sandbox.state import Org, Record, new_id


def normalize(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


def contact_by_id(org: Org, contact_id: Any) -> Record | None:
    wanted = normalize(contact_id)
    if not wanted:
        return None
    found = org.contacts.get(wanted)
    if found is not None:
        return found
    return next((c for c in org.contacts.values() if c["ContactID"].lower() == wanted), None)


def contact_by_number(org: Org, number: Any) -> Record | None:
    wanted = normalize(number)
    if not wanted:
        return None
    return next(
        (c for c in org.contacts.values() if normalize(c.get("ContactNumber")) == wanted), None
    )


def active_contact_by_name(org: Org, name: Any) -> Record | None:
    wanted = normalize(name)
    if not wanted:
        return None
    return next(
        (
            c
            for c in org.contacts.values()
            if c.get("ContactStatus") == "ACTIVE" and normalize(c.get("Name")) == wanted
        ),
        None,
    )


def find_contact(org: Org, ref: dict[str, Any]) -> Record | None:
    """The contact a document refers to: by ContactID, else ContactNumber, else active Name.

    An identifier that is given but matches nothing does not fall through to the next one:
    a wrong ContactID must not silently pick another contact by its name.
    """
    lowered = {str(k).lower(): v for k, v in ref.items()}
    if normalize(lowered.get("contactid")):
        return contact_by_id(org, lowered["contactid"])
    if normalize(lowered.get("contactnumber")):
        return contact_by_number(org, lowered["contactnumber"])
    return active_contact_by_name(org, lowered.get("name"))


def new_contact_record(name: str) -> Record:
    """A contact in the shape Xero returns one (and seed.py stores)."""
    return {
        "ContactID": new_id(),
        "ContactStatus": "ACTIVE",
        "Name": name.strip(),
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "IsSupplier": False,
        "IsCustomer": False,
        "HasAttachments": False,
        "HasValidationErrors": False,
    }


def create_contact_from_name(ctx: ApiContext, name: str) -> Record:
    """The contact Xero creates when a document names one it does not know."""
    record = new_contact_record(name)
    ctx.state.stamp(record)
    ctx.org.contacts[record["ContactID"]] = record
    ctx.state.emit(ctx.org, "CONTACT", "CREATE", record["ContactID"], "Contacts")
    return record
