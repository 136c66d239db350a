"""Each failure carries what to do about it, and one function (dispatch.verdict) decides what it
means for the items, the intent and the connection."""

from __future__ import annotations

import pytest

from ledgerlink.errors import LedgerlinkError
from ledgerlink.sync.dispatch import verdict
from ledgerlink.xero.errors import (
    Action,
    XeroBudgetExhausted,
    XeroError,
    XeroForbidden,
    XeroNotFound,
    XeroRateLimited,
    XeroTransportError,
    XeroUnauthorized,
    XeroUnavailable,
    XeroValidation,
    action_of,
)

CASES: list[tuple[XeroError | LedgerlinkError, Action]] = [
    (XeroRateLimited(30.0, "minute", method="PUT"), Action.WAIT),
    (XeroBudgetExhausted("tenant", 12.0), Action.WAIT),
    (XeroUnavailable(503, method="GET"), Action.RETRY_LATER),
    (XeroUnavailable(500, method="PUT"), Action.RESOLVE),
    (XeroTransportError("reset", True, method="POST"), Action.RESOLVE),
    (XeroTransportError("refused", False, method="PUT"), Action.RETRY_LATER),
    (XeroTransportError("reset", True, method="GET"), Action.RETRY_LATER),
    (XeroValidation({"Message": "bad"}, method="PUT"), Action.LOOK_UP),
    (XeroValidation({"Message": "bad where"}, method="GET"), Action.RETRY),
    (XeroNotFound(method="GET"), Action.RETRY),
    (XeroUnauthorized("AuthenticationUnsuccessful", method="GET"), Action.HOLD_CONNECTION),
    (XeroForbidden(method="PUT"), Action.HOLD_CONNECTION),
    (LedgerlinkError("XERO_UNAVAILABLE", "the token endpoint did not answer"), Action.RETRY_LATER),
    (LedgerlinkError("CONNECTION_NEEDS_REAUTH", "refresh refused"), Action.HOLD_CONNECTION),
    (LedgerlinkError("SECRETS_UNREADABLE", "no key opens it"), Action.HOLD_DOCUMENT),
]


@pytest.mark.parametrize(("error", "action"), CASES, ids=[type(e).__name__ for e, _ in CASES])
def test_every_failure_carries_its_action(
    error: XeroError | LedgerlinkError, action: Action
) -> None:
    assert action_of(error) is action
    assert isinstance(error, LedgerlinkError)  # one tree: a Xero error is a LedgerlinkError too


def test_the_verdict_follows_the_action() -> None:
    wait = verdict(XeroRateLimited(30.0, "minute", method="PUT"))
    assert (wait.intent_state, wait.pause, wait.outcome.count_attempt) == ("abandoned", 30.0, False)
    lost = verdict(XeroTransportError("reset", True, method="PUT"))
    assert (lost.intent_state, lost.outcome.count_wait, lost.outcome.count_attempt) == (
        "pending",
        True,
        False,
    )
    offline = verdict(XeroUnavailable(503, detail="The Organisation is offline", method="PUT"))
    assert offline.offline and offline.outcome.count_wait
    refused = verdict(XeroValidation({"Message": "bad"}, method="PUT"))
    assert (refused.intent_state, refused.outcome.count_attempt) == ("lookup", True)
    gone = verdict(XeroForbidden(method="PUT"))
    assert gone.reconnect and gone.outcome.state == "needs_attention"
    own = verdict(LedgerlinkError("SECRETS_UNREADABLE", "no key opens it"))
    assert not own.reconnect and own.outcome.state == "needs_attention"
