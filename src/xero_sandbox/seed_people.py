"""The users and branding themes every organisation starts with.

Users: the subscriber (the person who pays for the organisation) and the staff it invited, one
per common role. Xero's ``OrganisationRole`` has no ADMIN: its enum is READONLY, INVOICEONLY,
STANDARD, FINANCIALADVISER, MANAGEDCLIENT, CASHBOOKCLIENT, UNKNOWN and REMOVED, and Xero's own
example shows the subscriber as a FINANCIALADVISER (the "Adviser" role, full access), so the
owner is seeded that way.

Branding themes: every Xero organisation has "Standard" (SortOrder 0, the default theme new
sales documents take); one more theme shows that the default is chosen by SortOrder, not by
being alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from xero_sandbox.state import Org, Record, SandboxState, new_id

# (first name, last name, mailbox, role, subscriber, days since the user last changed)
USERS = (
    ("Olivia", "Hart", "olivia.hart", "FINANCIALADVISER", True, 420),
    ("Sam", "Patel", "sam.patel", "STANDARD", False, 200),
    ("Priya", "Nair", "priya.nair", "INVOICEONLY", False, 90),
    ("Tom", "Becker", "tom.becker", "READONLY", False, 30),
)
# (name, sort order, days since created)
THEMES = (("Standard", 0, 720), ("Special Projects", 1, 180))


def _ago(now: datetime, days: int) -> datetime:
    moment = now - timedelta(days=days)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _domain(org: Org) -> str:
    return f"{org.key.lower()}.example"


def seed_people(state: SandboxState, org: Org) -> None:
    """Give ``org`` its users and branding themes (called for every organisation made)."""
    now = state.clock.now()
    for first, last, mailbox, role, subscriber, days in USERS:
        user: Record = {
            "UserID": new_id(),
            "EmailAddress": f"{mailbox}@{_domain(org)}",
            "FirstName": first,
            "LastName": last,
            "UpdatedDateUTC": _ago(now, days),
            "IsSubscriber": subscriber,
            "OrganisationRole": role,
        }
        org.users[user["UserID"]] = user
    for name, order, days in THEMES:
        theme: Record = {
            "BrandingThemeID": new_id(),
            "Name": name,
            "Type": "INVOICE",
            "SortOrder": order,
            "CreatedDateUTC": _ago(now, days),
            "_payment_services": [],
        }
        org.branding_themes[theme["BrandingThemeID"]] = theme
