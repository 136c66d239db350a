"""What Xero answered, as exceptions that each carry what to do about them.

The client never retries (see DESIGN.md); whoever catches these decides, from ``action``
(``action_of`` gives it for any error, ours too), one of:

- ``WAIT``: Xero (or our own budget) asked us to wait: a 429, the limiter. Nothing was applied;
  pause the organisation for the time given; no attempt is spent.
- ``RETRY_LATER``: Xero could not serve a call that changed nothing: a read's 5xx, a request
  that never left, a token endpoint that did not answer. Try again after a growing back-off;
  Xero being down is not the document's fault, so no attempt is spent.
- ``RESOLVE``: a write whose outcome is unknown (its reply was lost, a 5xx): Xero may have
  applied it. Keep the intent; replay its Idempotency-Key or look the documents up before
  anything is sent again. No attempt is spent either.
- ``LOOK_UP``: Xero refused a whole write (a 400) that may have been partly applied: settle it
  only by looking the documents up; an attempt is spent (the request was at fault).
- ``RETRY``: another refusal of ours (a 404, an unknown answer): retry, spending an attempt.
- ``HOLD_CONNECTION``: Xero refuses the connection (401 after a renewed token, 403): hold the
  documents and ask a person to reconnect.
- ``HOLD_DOCUMENT``: the document itself is at fault, or the connection lacks the scope its
  kind needs (``XeroScopeMissing``): hold it with the error for a person. A missing scope holds
  only the documents that need it; the connection keeps serving the others.

These are not ``LedgerlinkError``s themselves: Xero's HTTP status (a 401 from Xero) is not the
status our REST API should answer with (the source app's key is fine). ``as_error()`` gives the
catalogue error a person sees.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from ledgerlink.errors import LedgerlinkError


class Action(StrEnum):
    """What to do about a failed call (see the module's docstring)."""

    WAIT = "wait"
    RETRY_LATER = "retry_later"
    RESOLVE = "resolve"
    LOOK_UP = "look_up"
    RETRY = "retry"
    HOLD_CONNECTION = "hold_connection"
    HOLD_DOCUMENT = "hold_document"


# Our own errors that mean Xero could not be asked (nothing was sent) or refuses the connection.
_LATER_CODES = frozenset({"XERO_UNAVAILABLE", "XERO_RATE_LIMITED"})
_CONNECTION_CODES = frozenset(
    {"CONNECTION_NEEDS_REAUTH", "CONNECTION_INACTIVE", "XERO_UNAUTHORIZED", "XERO_FORBIDDEN"}
)


def _is_write(method: str) -> bool:
    return method.upper() not in ("", "GET", "HEAD")


class XeroError(LedgerlinkError):
    """Any answer from Xero that is not a success, or no answer at all.

    A ``LedgerlinkError`` with its catalogue code, so one ``except LedgerlinkError`` catches
    everything a user can meet. Xero's own HTTP status is ``xero_status``: ``status`` stays the
    one our REST API would answer with (a 401 from Xero is not the source app's key refused).
    """

    code = "XERO_VALIDATION"

    @property
    def action(self) -> Action:
        return Action.RETRY

    @property
    def wait_seconds(self) -> float | None:
        """How long Xero asked us to wait, when it said."""
        return None

    def __init__(self, message: str, *, method: str = "", path: str = "", status: int = 0) -> None:
        super().__init__(type(self).code, message)
        self.method = method
        self.path = path
        self.xero_status = status

    @property
    def retryable(self) -> bool:
        """True when sending the very same request again later is safe and may succeed."""
        return False

    def as_error(self, field: str | None = None) -> LedgerlinkError:
        return LedgerlinkError(self.code, self.message, field)

    def __str__(self) -> str:
        where = f"{self.method} {self.path}".strip()
        status = f" ({self.xero_status})" if self.xero_status else ""
        return f"{where}{status}: {self.message}" if where else self.message


class XeroRateLimited(XeroError):
    """429: a limit was hit. ``problem`` is Xero's X-Rate-Limit-Problem (minute, day, ...)."""

    code = "XERO_RATE_LIMITED"

    def __init__(
        self, retry_after: float | None, problem: str, *, method: str = "", path: str = ""
    ) -> None:
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        super().__init__(
            f"Xero's {problem or 'rate'} limit was reached{wait}",
            method=method,
            path=path,
            status=429,
        )
        self.retry_after = retry_after
        self.problem = problem

    @property
    def retryable(self) -> bool:
        return True

    @property
    def action(self) -> Action:
        return Action.WAIT

    @property
    def wait_seconds(self) -> float | None:
        return self.retry_after


class XeroUnavailable(XeroError):
    """500/502/503/504: Xero (or the organisation, when offline) could not serve the call."""

    code = "XERO_UNAVAILABLE"

    def __init__(
        self,
        status: int,
        retry_after: float | None = None,
        detail: str = "",
        *,
        method: str = "",
        path: str = "",
    ) -> None:
        text = detail or "Xero could not handle the call"
        super().__init__(text, method=method, path=path, status=status)
        self.retry_after = retry_after
        self.detail = detail

    @property
    def organisation_offline(self) -> bool:
        return self.xero_status == 503 and "offline" in self.detail.lower()

    @property
    def retryable(self) -> bool:
        return True

    @property
    def action(self) -> Action:
        return Action.RESOLVE if _is_write(self.method) else Action.RETRY_LATER


class XeroUnauthorized(XeroError):
    """401: the access token was refused (``detail`` e.g. TokenExpired) or access was revoked."""

    code = "XERO_UNAUTHORIZED"

    def __init__(self, detail: str = "", *, method: str = "", path: str = "") -> None:
        super().__init__(
            f"Xero refused the access token ({detail or 'AuthenticationUnsuccessful'})",
            method=method,
            path=path,
            status=401,
        )
        self.detail = detail

    @property
    def action(self) -> Action:
        return Action.HOLD_CONNECTION

    @property
    def token_expired(self) -> bool:
        """An expired token is fixed by a refresh; anything else needs a reconnect."""
        return "tokenexpired" in self.detail.replace(" ", "").lower()


class XeroScopeMissing(XeroError):
    """401 to a token that works but was not granted the scope this call needs.

    Refreshing would not help (a refreshed token carries the same scopes), so the client raises
    this instead of renewing; only a new consent that grants ``scope`` does.
    """

    code = "XERO_SCOPE_MISSING"

    def __init__(self, scope: str, *, method: str = "", path: str = "") -> None:
        bare = path.split("?", 1)[0]
        super().__init__(
            f"Xero refused {method} {bare}: the connection was not granted the scope {scope}; "
            "connect again to grant it.",
            method=method,
            path=path,
            status=401,
        )
        self.scope = scope

    @property
    def action(self) -> Action:
        return Action.HOLD_DOCUMENT

    def __str__(self) -> str:
        return self.message  # it already says which call


class XeroForbidden(XeroError):
    """403: the tenant is not connected to this token, or a scope or role is missing."""

    code = "XERO_FORBIDDEN"

    def __init__(self, detail: str = "", *, method: str = "", path: str = "") -> None:
        super().__init__(
            f"Xero refused access to the organisation ({detail or 'Forbidden'})",
            method=method,
            path=path,
            status=403,
        )
        self.detail = detail

    @property
    def action(self) -> Action:
        return Action.HOLD_CONNECTION


class XeroNotFound(XeroError):
    """404: no such resource (or, for a long ``IDs=`` list, a URL Xero would not route)."""

    code = "NOT_FOUND"

    def __init__(self, detail: str = "", *, method: str = "", path: str = "") -> None:
        super().__init__(
            detail or "The resource was not found in Xero", method=method, path=path, status=404
        )


class XeroValidation(XeroError):
    """400: Xero's ApiException (ValidationException, QueryParseException, ...).

    ``body`` is the decoded JSON (``{ErrorNumber, Type, Message, Elements: [...]}``) or None
    when Xero answered with text. After a 400 on a batch sent without ``summarizeErrors=false``
    the valid elements may have been created anyway: the job layer must treat it as possibly
    partly applied.
    """

    code = "XERO_VALIDATION"

    def __init__(
        self, body: Any = None, text: str = "", *, method: str = "", path: str = ""
    ) -> None:
        self.body = body if isinstance(body, dict) else None
        self.text = text
        messages = self.messages()
        summary = "; ".join(messages[:5]) if messages else (self._message() or text[:300])
        super().__init__(
            summary or "Xero refused the request", method=method, path=path, status=400
        )

    @property
    def action(self) -> Action:
        return Action.LOOK_UP if _is_write(self.method) else Action.RETRY

    @property
    def type(self) -> str:
        return str((self.body or {}).get("Type") or "")

    def _message(self) -> str:
        return str((self.body or {}).get("Message") or "")

    def messages(self) -> list[str]:
        """Every ValidationErrors[].Message in the body, each once, in order."""
        found: list[str] = []
        for element in (self.body or {}).get("Elements") or []:
            if not isinstance(element, dict):
                continue
            found.extend(validation_messages(element))
        if not found and self.type and self._message():
            found.append(self._message())
        return list(dict.fromkeys(found))


class XeroTransportError(XeroError):
    """No usable reply. ``request_sent`` False: safe to retry; True: Xero may have applied it."""

    code = "XERO_UNAVAILABLE"

    def __init__(
        self, detail: str, request_sent: bool, *, method: str = "", path: str = ""
    ) -> None:
        state = "the reply was lost" if request_sent else "the request was not sent"
        super().__init__(f"no answer from Xero ({state}): {detail}", method=method, path=path)
        self.request_sent = request_sent

    @property
    def retryable(self) -> bool:
        """Only a request that never left is blindly retryable; a sent write needs resolving."""
        return not self.request_sent or self.method.upper() == "GET"

    @property
    def action(self) -> Action:
        return (
            Action.RESOLVE if self.request_sent and _is_write(self.method) else Action.RETRY_LATER
        )


class XeroBudgetExhausted(XeroError):
    """Our own limiter would make the caller wait longer than it allowed; nothing was sent.

    ``reason`` names the limit (``minute``, ``day``, ``reserve``: the day's share for background
    sends is spent, ``paced``: a backfill spread over the day...); ``resets_at`` (epoch seconds)
    is when the day's budget starts again, for the day's limits. The message says both, as the
    item's error a person reads while it waits.
    """

    code = "XERO_RATE_LIMITED"

    def __init__(
        self,
        tenant_id: str,
        delay: float,
        *,
        reason: str = "minute",
        resets_at: float | None = None,
    ) -> None:
        super().__init__(_budget_sentence(tenant_id, delay, reason, resets_at))
        self.tenant_id = tenant_id
        self.delay = delay
        self.reason = reason
        self.resets_at = resets_at

    @property
    def retryable(self) -> bool:
        return True

    @property
    def action(self) -> Action:
        return Action.WAIT

    @property
    def wait_seconds(self) -> float | None:
        return self.delay


_BUDGET_SPENT = {
    "day": "today's calls for {tenant} are spent",
    "reserve": "today's calls for {tenant} are spent but for the reserve kept for pulls and "
    "people's changes",
    "paced": "background sends to {tenant} are spread over the day so its budget lasts",
}


def _budget_sentence(tenant_id: str, delay: float, reason: str, resets_at: float | None) -> str:
    """What the waiting item says: the budget spent and when it comes back (nothing to do)."""
    spent = _BUDGET_SPENT.get(reason)
    if spent is None or resets_at is None:
        return f"the rate budget for {tenant_id} frees up in {delay:.1f} s"
    at = datetime.fromtimestamp(resets_at, UTC).isoformat(timespec="seconds")
    return f"{spent.format(tenant=tenant_id)}: next call in {delay:.0f} s; the day resets at {at}"


def action_of(exc: XeroError | LedgerlinkError) -> Action:
    """The one place that says what a failure means: Xero's errors carry it, ours map here."""
    if isinstance(exc, XeroError):
        return exc.action
    if exc.code in _LATER_CODES:
        return Action.RETRY_LATER
    if exc.code in _CONNECTION_CODES:
        return Action.HOLD_CONNECTION
    return Action.HOLD_DOCUMENT


def validation_messages(element: dict[str, Any]) -> list[str]:
    """The ValidationErrors messages of one element (an invoice, a contact...), nested ones too.

    Xero puts line-level problems on the element itself, but some come back inside the
    element's Contact or LineItems; a person needs all of them.
    """
    found: list[str] = []
    for error in element.get("ValidationErrors") or []:
        if isinstance(error, dict) and error.get("Message"):
            found.append(str(error["Message"]))
    contact = element.get("Contact")
    if isinstance(contact, dict):
        found.extend(validation_messages(contact))
    for line in element.get("LineItems") or []:
        if isinstance(line, dict):
            found.extend(validation_messages(line))
    return found
