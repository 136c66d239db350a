"""One error hierarchy with stable codes, shared by the REST API, the CLI and the dashboard.

Each error names the field it concerns and says, in a sentence a person can act on, what to do.
Codes never change meaning once published; add new ones instead. The whole tree::

    LedgerlinkError                 code, message, field; fix and REST status from CATALOGUE
    ├── ValidationFailed            documents.validation: a document refused at intake,
    │                               with every problem (VALIDATION_FAILED at lines[0].quantity)
    ├── SecretUnreadable            store.secrets: tokens no key of ours opens (SECRETS_UNREADABLE)
    ├── BadDelivery                 sync.xero_webhooks: a correctly signed webhook body that is
    │                               not a Xero delivery (WEBHOOK_MALFORMED; answered 400)
    └── XeroError                   xero.errors: what Xero answered; ``action`` says what to do
        ├── XeroRateLimited         429 (wait for Retry-After)
        ├── XeroBudgetExhausted     our own limiter would wait too long (wait)
        ├── XeroUnavailable         5xx, an organisation offline (retry later, or resolve a write)
        ├── XeroTransportError      no answer: never sent (retry later) or reply lost (resolve)
        ├── XeroValidation          400 (a write: look it up; a read: retry)
        ├── XeroNotFound            404
        ├── XeroUnauthorized        401 after a renewed token (hold the connection)
        ├── XeroScopeMissing        401 for a scope the token lacks (hold the documents;
        │                           XERO_SCOPE_MISSING names the scope to add)
        └── XeroForbidden           403 (hold the connection)

Outside the tree, by design: ``xero.wire.WireError`` (bytes that are not Xero JSON, raised
inside the client and turned into a XeroTransportError) and ``cli.files.FileProblem`` (a file
``ledgerlink push`` cannot read, shown and never raised past the command), and
``web.guard.SignInNeeded`` (a dashboard page asked for by someone not signed in: answered with
the way to the sign-in page, never shown as an error). The sandbox has
its own errors: it imports nothing from ledgerlink.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# code -> (HTTP status when refused over REST, what a person should do)
CATALOGUE: dict[str, tuple[int, str]] = {
    "VALIDATION_FAILED": (422, "Correct the field named and send the document again."),
    "JSON_MALFORMED": (400, "Send a valid JSON body."),
    "WEBHOOK_MALFORMED": (
        400,
        "Xero's webhook deliveries are JSON with a list of events: check what posts to this URL.",
    ),
    "PAYLOAD_TOO_LARGE": (413, "Send fewer documents or lines per request."),
    "AUTH_MISSING": (401, "Send the workspace API key as 'Authorization: Bearer <key>'."),
    "AUTH_INVALID": (401, "The API key is unknown or revoked: create a new one."),
    "NOT_FOUND": (404, "Check the id in the path."),
    "METHOD_NOT_ALLOWED": (405, "Use a method this path accepts (see /openapi.json)."),
    "HTTP_ERROR": (400, "Check the request against /openapi.json."),
    "INTERNAL_ERROR": (
        500,
        "Nothing you sent caused this: try again, and report it if it happens again.",
    ),
    "SIGNIN_FAILED": (401, "Check the email address and the password, and sign in again."),
    "SIGNIN_LOCKED": (
        429,
        "Too many failed sign-ins: wait until the time shown, or ask an owner to help.",
    ),
    "TOTP_INVALID": (
        401,
        "Type the 6-digit code your authenticator app shows now (each code works once), "
        "or a recovery code.",
    ),
    "TWO_FACTOR_REQUIRED": (
        403,
        "Turn on two-factor sign-in under Account, then connect: it protects your Xero data.",
    ),
    "ROLE_FORBIDDEN": (
        403,
        "Ask an owner or admin of this workspace to do this, or to change your role.",
    ),
    "CSRF_FAILED": (403, "Reload the page and submit the form again."),
    "PASSWORD_WEAK": (422, "Choose a password of at least 12 characters."),
    "EMAIL_TAKEN": (409, "Sign in with that email address, or use another one."),
    "INVITATION_INVALID": (400, "Ask for a new invitation: this one expired or was used."),
    "KIND_NOT_SENT": (
        409,
        "Switch sending this kind back on under Edit connection, What syncs: the documents it "
        "held are sent then.",
    ),
    "PRODUCT_NOT_IN_XERO": (
        409,
        "Send the product first (kind product), add it in Xero, or turn on Create Nonexistent "
        "Products for the connection: the order is sent once Xero has it.",
    ),
    "CONNECTION_NOT_FOUND": (404, "Connect a Xero organisation first, or check the id."),
    "CONNECTION_INACTIVE": (409, "Reconnect the Xero organisation from the connections page."),
    "CONNECTION_NEEDS_REAUTH": (409, "Xero refused the stored tokens: connect again."),
    "OAUTH_STATE_INVALID": (400, "The connect link expired or was used: start connecting again."),
    "OAUTH_DENIED": (400, "Access was not allowed in Xero: start connecting again and Allow."),
    "XERO_ACCOUNT_CODE_INVALID": (
        422,
        "Use an active account code from Xero's chart of accounts that fits this document.",
    ),
    "XERO_ACCOUNT_CODE_MISSING": (
        422,
        "Set an account code on the line, an item override, or the connection's default.",
    ),
    "XERO_TAX_TYPE_INVALID": (
        422,
        "Use a tax type code (not its display name) that Xero allows for the line's account.",
    ),
    "XERO_CURRENCY_NOT_ENABLED": (
        422,
        "Enable the currency in Xero (Settings > Currencies), then press Synchronize.",
    ),
    "XERO_CURRENCY_NOT_AVAILABLE": (
        422,
        "The organisation's Xero plan or region cannot hold this currency: upgrade the Xero "
        "plan (then press Synchronize), or send the document in a currency it holds "
        "(settings.default_currency for documents that name none).",
    ),
    "XERO_CONTACT_INVALID": (422, "Give the contact a name, or fix the contact in Xero."),
    "XERO_LOCKED_PERIOD": (422, "Date the document after Xero's lock date, or ask to unlock."),
    "XERO_NOT_EDITABLE": (
        409,
        "Xero no longer allows changes to this document (paid, credited or voided): "
        "change it in Xero or create a new document.",
    ),
    "XERO_VALIDATION": (422, "Xero refused the document: fix what its message names."),
    "XERO_RATE_LIMITED": (429, "Nothing to do: ledgerlink waits and retries by itself."),
    "XERO_UNAVAILABLE": (503, "Nothing to do: ledgerlink retries when Xero is back."),
    "XERO_UNAUTHORIZED": (409, "Reconnect the Xero organisation."),
    "XERO_FORBIDDEN": (409, "The organisation was disconnected in Xero: reconnect it."),
    "XERO_SCOPE_MISSING": (
        409,
        "Connect the organisation again so Xero grants the scope named, or add it to "
        "LEDGERLINK_XERO_SCOPES (a broad scope on apps made before 2 March 2026).",
    ),
    "CONNECTION_SWITCHED_OFF": (
        409,
        "Nothing to fix in the document: switch the connection on (settings.active) and "
        "its documents are sent.",
    ),
    "BRANCH_UNKNOWN": (
        422,
        "Name a branch that one connection serves (settings.branches), or leave branch out.",
    ),
    "DEPENDENCY_WAITING": (
        409,
        "Nothing to do if the document named is on its way; otherwise send it first.",
    ),
    "DEPENDENCY_MISSING": (
        422,
        "Send the document named first (same workspace, same connection), then this one.",
    ),
    "PAYMENT_INVALID": (
        422,
        "Correct the payment's amount, date or document: Xero takes payments only on approved "
        "documents and never above what is still due.",
    ),
    "PAYMENT_ACCOUNT_MISSING": (
        422,
        "Give the payment an account_code, or set the connection's payment_account_code "
        "(a bank account, or one with payments enabled).",
    ),
    "XERO_ITEM_UNKNOWN": (
        422,
        "Use an item code the organisation has (Products and Services), or press Synchronize "
        "after adding it in Xero.",
    ),
    "XERO_TRACKING_INVALID": (
        422,
        "Use a tracking category and option that are active in Xero, spelt as Xero shows them.",
    ),
    "XERO_FIELD_REQUIRED": (
        422,
        "Fill in the field named: the connection's settings or Xero require it.",
    ),
    "ENDPOINT_URL_INVALID": (
        422,
        "Give the absolute http:// or https:// URL where your app takes POST requests, "
        "such as https://app.example.com/ledgerlink/events.",
    ),
    "EVENT_TYPE_UNKNOWN": (
        422,
        "Use only the event types listed in the API docs (document.synced, document.paid...), "
        "or leave types empty to hear of every type.",
    ),
    "SECRETS_UNREADABLE": (
        500,
        "Give every ledgerlink process the same keys in LEDGERLINK_SECRET_KEYS (or the same "
        "key file), including the key that sealed the stored tokens; if that key is lost, "
        "connect the organisation again.",
    ),
    # -- payroll --
    "PAY_ITEM_UNMAPPED": (
        409,
        "Add the pay item named to a pay-item type, with an account code and a sign, on the "
        "Payroll page: the pay run is generated by itself then.",
    ),
    "PAY_RUN_BILL_NEGATIVE": (
        409,
        "Check the signs of the pay items on the Payroll page: what a '-' takes off a payee's "
        "bill must not be more than what a '+' adds; the pay run is generated again then.",
    ),
    # -- inventory --
    "INVENTORY_ACCOUNT_MISSING": (
        422,
        "Choose the account named under Edit connection, Inventory, then retry the movement.",
    ),
    "INVENTORY_INSUFFICIENT": (
        409,
        "Send the bill that buys the goods first, then retry; or allow backorders under Edit "
        "connection, Inventory.",
    ),
    "INVENTORY_NOT_POSTED": (
        409,
        "Nothing to fix: stock movements post valuation journals only with the inventory mode "
        "Post valuation entries (Edit connection, Inventory); those arriving or changed after "
        "it is chosen are posted.",
    ),
    # -- tracked --
    "TRACKED_ITEM_ACCOUNT_MISSING": (
        422,
        "Choose the tracked items' account named under Edit connection, Inventory (or name it "
        "in the product's tracked block), then retry the product.",
    ),
    "ITEM_TRACKED_IN_XERO": (
        409,
        "Send the product stocked (tracked: true) on a connection that syncs inventory; or, "
        "if it should not be tracked, convert the item to untracked in Xero (Xero allows it "
        "only while the item is unused), press Synchronize, then retry.",
    ),
}


@dataclass
class LedgerlinkError(Exception):
    """An error a user can meet: a stable code, a sentence, the field and the fix."""

    code: str
    message: str
    field: str | None = None
    status: int | None = None
    # What to do in this very case, when the catalogue's sentence for the code is too general.
    advice: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    @property
    def fix(self) -> str:
        return self.advice or CATALOGUE.get(self.code, (400, ""))[1]

    @property
    def http_status(self) -> int:
        if self.status is not None:
            return self.status
        return CATALOGUE.get(self.code, (400, ""))[0]

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "field": self.field, "fix": self.fix}
