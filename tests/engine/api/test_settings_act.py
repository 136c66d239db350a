"""Connection settings that act: the active switch, the invoice number sequence as shown, item
overrides over REST, and the workspace's own Xero app."""

from __future__ import annotations

import io
from collections import Counter
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from rich.console import Console
from sqlalchemy import select, update

from ledgerlink.cli.status import show_status
from ledgerlink.store.db import transaction
from ledgerlink.store.models import ItemOverride, Lease, QueueItem, Workspace
from ledgerlink.store.workspaces import workspace_app, workspace_webhook_key
from ledgerlink.sync import queue
from ledgerlink.sync.refresh import ring_for
from tests.engine.api.conftest import BOTH_DATABASES, Api
from tests.engine.sync.conftest import invoice
from xero_sandbox.seed import DEMO_TENANT

DEFAULTS = {"default_revenue_account": "200", "default_sales_tax_type": "OUTPUT"}


def _queue(api: Api, key: str) -> dict[str, object]:
    reply = api.call("GET", "/queue", key)
    assert reply.status_code == 200, reply.text
    found = reply.json()
    assert isinstance(found, dict)
    return found


def _switched_off(api: Api, key: str) -> str:
    """A custom connection with default codes, switched off over REST: its id."""
    cid = api.custom(key)
    assert api.call("PATCH", f"/connections/{cid}/settings", key, json=DEFAULTS).status_code == 200
    off = api.call("PATCH", f"/connections/{cid}/settings", key, json={"active": False})
    assert off.status_code == 200, off.text
    assert off.json()["settings"]["active"] is False
    return cid


def _ours_in_xero(api: Api, numbers: set[str]) -> Counter[str]:
    org = api.sandbox.state.orgs[DEMO_TENANT]
    return Counter(
        str(r.get("InvoiceNumber"))
        for r in list(org.invoices.values())
        if r.get("InvoiceNumber") in numbers
    )


@BOTH_DATABASES
def test_a_switched_off_connection_sends_nothing_until_switched_on(api: Api) -> None:
    key = api.workspace()
    cid = _switched_off(api, key)
    docs = [invoice(n) for n in range(3)]
    numbers = {str(d["number"]) for d in docs}
    mark = len(api.sandbox.state.request_log)

    accepted = api.call("POST", "/documents/invoice/bulk", key, json=docs)
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["counts"] == {"created": 3}
    assert api.services.sync(max_seconds=60) == []
    assert api.services.worker().run_once(cid).connection_id is None
    assert queue.next_due(api.services.factory) is None
    assert api.sandbox.state.request_log[mark:] == []

    shown = _queue(api, key)
    assert shown["counts"] == {"queued": 3}
    items = shown["items"]
    assert isinstance(items, list) and len(items) == 3
    for item in items:
        assert item["state"] == "queued"
        assert "switched off" in item["waiting_for"] and '"active": true' in item["waiting_for"]
        assert item["error"]["code"] == "CONNECTION_SWITCHED_OFF"
        assert item["error"]["field"] == "settings.active"
        assert item["error"]["fix"].startswith("Nothing to fix in the document")
    now_ = api.call("POST", "/jobs?wait=true", key, json={"connection_id": cid})
    assert now_.status_code == 409, now_.text
    assert now_.json()["error"]["code"] == "CONNECTION_SWITCHED_OFF"
    # The switch stops sending, not reading: Synchronize still reads Xero's lists.
    synced = api.call("POST", f"/connections/{cid}/reference/refresh", key)
    assert synced.status_code == 200, synced.text
    assert _ours_in_xero(api, numbers) == Counter()

    woken: list[int] = []
    api.client.app.state.on_intake = lambda: woken.append(1)  # type: ignore[attr-defined]
    on = api.call("PATCH", f"/connections/{cid}/settings", key, json={"active": True})
    assert on.status_code == 200, on.text
    assert on.json()["settings"]["active"] is True and woken == [1]
    # any other change may release held documents too (an option, an account, a kind): the
    # worker looks at once rather than at its next poll
    more = api.call(
        "PATCH", f"/connections/{cid}/settings", key, json={"create_nonexistent_products": True}
    )
    assert more.status_code == 200, more.text
    assert woken == [1, 1]

    ran = api.services.sync(max_seconds=120)
    assert [r.connection_id for r in ran if r.counts.get("synced")] == [cid]
    assert _queue(api, key)["counts"] == {"done": 3}
    assert _ours_in_xero(api, numbers) == Counter({n: 1 for n in numbers})
    assert api.services.sync(max_seconds=60) == []
    assert _ours_in_xero(api, numbers) == Counter({n: 1 for n in numbers})


@BOTH_DATABASES
def test_a_dead_workers_items_on_a_switched_off_connection_are_not_taken_over(api: Api) -> None:
    key = api.workspace()
    cid = _switched_off(api, key)
    assert api.call("PUT", "/documents/invoice/inv-1", key, json=invoice(1)).status_code == 200
    now = datetime.now(UTC)
    with transaction(api.services.factory) as session:
        session.execute(
            update(QueueItem)
            .where(QueueItem.connection_id == cid)
            .values(state="in_flight")
            .execution_options(synchronize_session=False)
        )
        session.add(
            Lease(connection_id=cid, owner="host:1:dead", expires_at=now - timedelta(seconds=5))
        )
    mark = len(api.sandbox.state.request_log)

    assert api.services.worker().run_once().connection_id is None
    assert api.sandbox.state.request_log[mark:] == []
    item = _queue(api, key)["items"][0]  # type: ignore[index]
    assert item["state"] == "in_flight"
    assert item["error"]["code"] == "CONNECTION_SWITCHED_OFF"
    assert "switched off" in item["waiting_for"]


def test_ledgerlink_status_says_a_connection_is_switched_off(api: Api) -> None:
    key = api.workspace()
    _switched_off(api, key)
    assert api.call("PUT", "/documents/invoice/inv-1", key, json=invoice(1)).status_code == 200
    out = io.StringIO()
    code = show_status(api.services.settings, 5, Console(file=out, width=250))
    text = out.getvalue()
    assert code == 0
    assert "switched off" in text
    assert "CONNECTION_SWITCHED_OFF" in text and "(1 waiting)" in text


def test_settings_show_where_the_number_sequence_stands(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    changed = api.call(
        "PATCH",
        f"/connections/{cid}/settings",
        key,
        json={
            "invoice_number_prefix": "INV-",
            "invoice_next_number": "0042",
            "payment_account_code": "090",
            "bill_number_required": True,
        },
    )
    assert changed.status_code == 200, changed.text
    settings = changed.json()["settings"]
    assert settings["invoice_next_number"] == 42 and settings["invoice_number_digits"] == 4
    assert settings["payment_account_code"] == "090" and settings["bill_number_required"] is True
    too_long = api.call(
        "PATCH", f"/connections/{cid}/settings", key, json={"payment_account_code": "X" * 11}
    )
    assert too_long.status_code == 422
    assert too_long.json()["error"]["field"] == "settings.payment_account_code"


def test_a_branch_served_by_another_connection_is_refused_over_rest(api: Api) -> None:
    key = api.workspace()
    first, second = (c["id"] for c in api.connect(key, tenants="demo,uk"))
    ok = api.call("PATCH", f"/connections/{first}/settings", key, json={"branches": ["North"]})
    assert ok.status_code == 200 and ok.json()["settings"]["branches"] == ["North"]
    taken = api.call("PATCH", f"/connections/{second}/settings", key, json={"branches": ["north"]})
    assert taken.status_code == 422, taken.text
    assert taken.json()["error"]["code"] == "VALIDATION_FAILED"
    assert taken.json()["error"]["field"] == "settings.branches"


@BOTH_DATABASES
def test_item_overrides_are_set_listed_replaced_and_removed(api: Api) -> None:
    key = api.workspace()
    cid = api.custom(key)
    base = f"/connections/{cid}/item-overrides"
    assert api.call("GET", base, key).json() == []

    made = api.call("PUT", f"{base}/sales/WIDGET", key, json={"account_code": "260"})
    assert made.status_code == 200, made.text
    assert made.json() == {
        "item_code": "WIDGET",
        "usage": "sales",
        "account_code": "260",
        "tax_type": None,
    }
    bought = {"account_code": "300", "tax_type": "INPUT"}
    assert api.call("PUT", f"{base}/purchase/WIDGET", key, json=bought).status_code == 200
    replaced = api.call("PUT", f"{base}/sales/WIDGET", key, json={"tax_type": "OUTPUT"})
    assert replaced.json()["account_code"] is None and replaced.json()["tax_type"] == "OUTPUT"

    listed = api.call("GET", base, key).json()
    assert [(o["usage"], o["item_code"], o["account_code"]) for o in listed] == [
        ("purchase", "WIDGET", "300"),
        ("sales", "WIDGET", None),
    ]
    with api.services.factory() as session:
        rows = list(session.scalars(select(ItemOverride).where(ItemOverride.connection_id == cid)))
        assert {(r.usage, r.item_code, r.account_code, r.tax_type) for r in rows} == {
            ("purchase", "WIDGET", "300", "INPUT"),
            ("sales", "WIDGET", None, "OUTPUT"),
        }

    for path, body, field in (
        (f"{base}/sales/WIDGET", {}, "account_code"),
        (f"{base}/sales/WIDGET", {"account_code": "X" * 11}, "account_code"),
        (f"{base}/sales/WIDGET", {"acount_code": "200"}, "acount_code"),
        (f"{base}/rental/WIDGET", {"account_code": "200"}, "usage"),
    ):
        refused = api.call("PUT", path, key, json=body)
        assert refused.status_code == 422, (path, body, refused.text)
        assert refused.json()["error"]["code"] == "VALIDATION_FAILED"
        assert refused.json()["error"]["field"] == field

    assert api.call("DELETE", f"{base}/sales/WIDGET", key).status_code == 204
    again = api.call("DELETE", f"{base}/sales/WIDGET", key)
    assert again.status_code == 404 and again.json()["error"]["code"] == "NOT_FOUND"
    assert [o["usage"] for o in api.call("GET", base, key).json()] == ["purchase"]


@BOTH_DATABASES
def test_another_workspaces_item_overrides_are_not_found(api: Api) -> None:
    mine, theirs = api.workspace("Mine"), api.workspace("Theirs")
    cid = api.custom(theirs)
    base = f"/connections/{cid}/item-overrides"
    made = api.call("PUT", f"{base}/sales/W", theirs, json={"account_code": "200"})
    assert made.status_code == 200, made.text
    for method, path, body in (
        ("GET", base, None),
        ("PUT", f"{base}/sales/W", {"account_code": "400"}),
        ("DELETE", f"{base}/sales/W", None),
        ("GET", "/connections/no-such-connection/item-overrides", None),
    ):
        reply = api.call(method, path, mine, json=body)
        assert reply.status_code == 404, (method, path, reply.text)
        assert reply.json()["error"]["code"] == "CONNECTION_NOT_FOUND"
    kept = api.call("GET", base, theirs).json()
    assert [(o["item_code"], o["account_code"]) for o in kept] == [("W", "200")]


@BOTH_DATABASES
def test_the_workspaces_own_xero_app_secret_is_write_only(api: Api) -> None:
    key, other = api.workspace("Mine"), api.workspace("Other")
    assert api.call("GET", "/workspace", key).json()["xero_app"] is None

    secret, hook_key = "my-very-own-secret", "my-webhook-key"
    put = api.call(
        "PUT",
        "/workspace/xero-app",
        key,
        json={"client_id": "MY-APP", "client_secret": secret, "webhook_key": hook_key},
    )
    assert put.status_code == 200, put.text
    workspace_id = put.json()["id"]
    expected = {
        "client_id": "MY-APP",
        "has_secret": True,
        "tier": None,
        "has_webhook_key": True,
        "webhook_url_path": f"/api/v1/xero/webhooks/{workspace_id}",
    }
    assert put.json()["xero_app"] == expected
    shown = api.call("GET", "/workspace", key)
    assert shown.json()["xero_app"] == expected
    for text in (put.text, shown.text):
        assert secret not in text and hook_key not in text
    with api.services.factory() as session:
        row = session.get(Workspace, workspace_id)
        assert row is not None and row.xero_client_secret_enc is not None
        assert secret.encode() not in row.xero_client_secret_enc
        assert row.xero_webhook_key_enc is not None
        assert hook_key.encode() not in row.xero_webhook_key_enc
        found = workspace_webhook_key(session, ring_for(api.services.settings), workspace_id)
        assert found == hook_key
        own = workspace_app(session, ring_for(api.services.settings), workspace_id)
        assert own is not None and (own.client_id, own.client_secret) == ("MY-APP", secret)
    assert api.call("GET", "/workspace", other).json()["xero_app"] is None

    started = api.call("POST", "/connections/connect", key)
    assert started.status_code == 200, started.text
    query = parse_qs(urlsplit(started.json()["authorize_url"]).query)
    assert query["client_id"] == ["MY-APP"]

    pkce = api.call("PUT", "/workspace/xero-app", key, json={"client_id": "PKCE-APP"})
    assert pkce.json()["xero_app"] == {
        **expected,
        "client_id": "PKCE-APP",
        "has_secret": False,
        "has_webhook_key": False,
    }
    for body, field in (
        ({"client_id": ""}, "client_id"),
        ({"client_id": "A", "client_secret": ""}, "client_secret"),
        ({"client_id": "A", "secret": "x"}, "secret"),
    ):
        refused = api.call("PUT", "/workspace/xero-app", key, json=body)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["error"]["field"] == field

    gone = api.call("DELETE", "/workspace/xero-app", key)
    assert gone.status_code == 200 and gone.json()["xero_app"] is None
    with api.services.factory() as session:
        row = session.get(Workspace, workspace_id)
        assert row is not None and row.xero_client_secret_enc is None
        assert row.xero_webhook_key_enc is None
    assert api.call("DELETE", "/workspace/xero-app").status_code == 401
