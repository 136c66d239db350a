"""Signed notifications to the source app, against a real receiver on loopback, on SQLite and
PostgreSQL: nothing lost while it is down, each event once and in order when it is back, every
signature checked by the standardwebhooks package, a day of retries then give-up, send-again,
type filters, paused endpoints, and workspaces kept apart."""

from __future__ import annotations

import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.config import Settings
from ledgerlink.store.db import transaction
from ledgerlink.store.twoway import Delivery, Endpoint, Event
from ledgerlink.store.workspaces import create_workspace
from ledgerlink.sync import endpoints, events
from ledgerlink.sync.engine import Engine
from ledgerlink.sync.loops import NotifyLoop
from ledgerlink.sync.notify import ATTEMPTS, BACKOFF
from tests.engine.receiver import Receiver
from tests.engine.sync.conftest import Clock


@dataclass
class Setup:
    engine: Engine
    factory: sessionmaker[Session]
    clock: Clock
    loop: NotifyLoop
    receiver: Receiver

    def workspace(self, name: str) -> str:
        with transaction(self.factory) as session:
            return create_workspace(session, name)[0].id

    def endpoint(self, workspace_id: str, path: str = "/hook", types: tuple[str, ...] = ()) -> Any:
        return self.engine.add_endpoint(workspace_id, self.receiver.url(path), types)

    def event(self, workspace_id: str, type_: str, document: str | None = None, **data: Any) -> int:
        with transaction(self.factory) as session:
            events.add(session, workspace_id, type_, self.clock(), data, document_id=document)
            return int(session.scalars(select(Event.id).order_by(Event.id.desc())).first() or 0)

    def row(self, endpoint_id: str) -> Endpoint:
        with self.factory() as session:
            found = session.get(Endpoint, endpoint_id)
            assert found is not None
            return found

    def log(self, endpoint_id: str) -> list[Delivery]:
        with self.factory() as session:
            query = select(Delivery).where(Delivery.endpoint_id == endpoint_id)
            return list(session.scalars(query.order_by(Delivery.id)))


@pytest.fixture
def setup(settings: Settings, session_factory: sessionmaker[Session]) -> Iterator[Setup]:
    clock = Clock()
    engine = Engine.open(settings)
    loop = NotifyLoop(engine, clock=clock)
    receiver = Receiver()
    try:
        yield Setup(engine, session_factory, clock, loop, receiver)
    finally:
        loop.stop()
        receiver.close()
        engine.close()


def event_id(received: Any) -> int:
    return int(received.json["data"]["event_id"])


def test_down_receiver_loses_nothing_and_gets_each_event_once_in_order(setup: Setup) -> None:
    ws = setup.workspace("Acme")
    made = setup.endpoint(ws)
    setup.receiver.down = True
    flow = ["document.synced", "document.status_changed", "document.paid"]
    written: dict[str, list[int]] = {"doc-a": [], "doc-b": []}
    for step in flow:
        for doc in ("doc-a", "doc-b"):  # the two documents' events interleaved
            written[doc].append(setup.event(ws, step, doc, step=step))

    first = setup.loop.deliver_due()
    assert (first.delivered, first.failed) == (0, 1)
    head = setup.receiver.got(ok_only=False)
    assert [r.answered for r in head] == [503]  # only the head tried: the rest wait behind it
    assert setup.row(made.endpoint.id).delivered_through < written["doc-a"][0]

    setup.loop.deliver_due()  # the clock has not moved: the back-off is not over
    assert len(setup.receiver.got(ok_only=False)) == 1
    written["doc-a"].append(setup.event(ws, "payment.recorded", "doc-a", amount="12.10"))

    setup.receiver.down = False
    setup.clock.sleep(BACKOFF[0].total_seconds())
    done = setup.loop.deliver_due()
    assert done.delivered == 7

    ok = setup.receiver.got()
    assert Counter(r.id for r in ok) == Counter(
        f"evt_{n}" for n in written["doc-a"] + written["doc-b"]
    )
    for doc, ids in written.items():
        assert [event_id(r) for r in ok if r.json["data"]["document_id"] == doc] == ids
    # The failed attempt and its successful retry carry the same webhook-id.
    assert head[0].id == f"evt_{written['doc-a'][0]}"
    for received in setup.receiver.got(ok_only=False):
        body = received.verify(made.secret)
        assert body["data"]["workspace_id"] == ws
    paid = next(r.json for r in ok if r.json["type"] == "document.paid")
    assert paid["data"]["step"] == "document.paid"
    assert paid["timestamp"].startswith(setup.clock().date().isoformat())
    log = setup.log(made.endpoint.id)
    assert [(d.ok, d.status) for d in log] == [(False, 503)] + [(True, 200)] * 7
    assert "down for maintenance" in (log[0].error or "")
    assert setup.row(made.endpoint.id).delivered_through == max(written["doc-a"])


def test_a_day_of_retries_then_given_up_and_sent_again(setup: Setup) -> None:
    ws = setup.workspace("Acme")
    made = setup.endpoint(ws)
    endpoint_id = made.endpoint.id
    setup.receiver.down = True
    first = setup.event(ws, "document.synced", "doc-a")
    second = setup.event(ws, "document.paid", "doc-a")

    setup.loop.deliver_due()
    started = setup.clock()
    for wait in BACKOFF:
        setup.clock.sleep(wait.total_seconds() - 1)
        setup.loop.deliver_due()  # a second early: nothing is sent
        tried = len(setup.receiver.got(ok_only=False))
        setup.clock.sleep(1)
        setup.loop.deliver_due()
        assert len(setup.receiver.got(ok_only=False)) > tried
    assert setup.clock() - started >= timedelta(days=1)

    on_first = [d for d in setup.log(endpoint_id) if d.event_id == first]
    assert len(on_first) == ATTEMPTS == 8
    assert all(not d.ok and d.status == 503 for d in on_first)
    assert [d.note for d in on_first] == [None] * 7 + ["given_up"]
    # Given up, the next event is no longer held: it was tried in the same pass.
    row = setup.row(endpoint_id)
    assert (row.delivered_through, row.failures) == (first, 1)

    setup.receiver.down = False
    setup.clock.sleep(BACKOFF[0].total_seconds())
    setup.loop.deliver_due()
    assert [event_id(r) for r in setup.receiver.got()] == [second]

    again = setup.engine.send_again(ws, endpoint_id, first)
    assert (again.ok, again.status, again.note) == (True, 200, "again")
    resent = setup.receiver.got()[-1]
    assert resent.id == f"evt_{first}"
    resent.verify(made.secret)
    assert setup.row(endpoint_id).delivered_through == second  # the cursor did not move
    assert setup.log(endpoint_id)[-1].note == "again"


def test_types_paused_endpoints_and_workspaces_apart(setup: Setup) -> None:
    acme, other = setup.workspace("Acme"), setup.workspace("Other")
    setup.event(acme, "document.synced", "old")  # before any endpoint: not sent
    every = setup.endpoint(acme, "/every")
    paid = setup.endpoint(acme, "/paid", ("document.paid",))
    paused = setup.endpoint(acme, "/paused")
    theirs = setup.endpoint(other, "/theirs")
    with transaction(setup.factory) as session:
        endpoints.change(session, acme, paused.endpoint.id, setup.clock(), active=False)
    ours = [
        setup.event(acme, "document.synced", "a"),
        setup.event(acme, "document.paid", "a"),
        setup.event(acme, "job.finished"),
    ]
    their_event = setup.event(other, "document.paid", "b")

    setup.loop.deliver_due()
    assert [event_id(r) for r in setup.receiver.got("/every")] == ours
    assert [event_id(r) for r in setup.receiver.got("/paid")] == [ours[1]]
    assert setup.receiver.got("/paused", ok_only=False) == []
    assert [event_id(r) for r in setup.receiver.got("/theirs")] == [their_event]
    for path, made in (("/every", every), ("/paid", paid), ("/theirs", theirs)):
        for received in setup.receiver.got(path):
            received.verify(made.secret)
    # An endpoint skips the types it did not ask for: its cursor still moves past them.
    assert setup.row(paid.endpoint.id).delivered_through == ours[2]

    with transaction(setup.factory) as session:
        endpoints.change(session, acme, paused.endpoint.id, setup.clock(), active=True)
    setup.loop.deliver_due()
    assert [event_id(r) for r in setup.receiver.got("/paused")] == ours
    assert len(setup.receiver.got("/every")) == 3  # nobody else was sent anything again


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_receiver_that_is_gone_holds_up_no_other_endpoint(setup: Setup) -> None:
    ws = setup.workspace("Acme")
    gone = setup.engine.add_endpoint(ws, f"http://127.0.0.1:{closed_port()}/hook")
    setup.endpoint(ws)
    sent = [setup.event(ws, "document.synced", f"d{n}") for n in range(3)]

    done = setup.loop.deliver_due()
    assert (done.delivered, done.failed) == (3, 1)
    assert [event_id(r) for r in setup.receiver.got()] == sent
    failed = setup.log(gone.endpoint.id)
    assert len(failed) == 1 and failed[0].status is None and failed[0].error


def test_two_notifiers_at_once_send_each_event_once(setup: Setup) -> None:
    ws = setup.workspace("Acme")
    setup.endpoint(ws)
    setup.endpoint(setup.workspace("Other"), "/other")
    sent = [setup.event(ws, "document.synced", f"d{n}") for n in range(40)]
    second = NotifyLoop(setup.engine, clock=setup.clock)
    try:
        threads = [threading.Thread(target=loop.deliver_due) for loop in (setup.loop, second) * 3]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        setup.loop.deliver_due()
    finally:
        second.stop()
    assert [event_id(r) for r in setup.receiver.got("/hook")] == sent


def test_an_event_still_being_written_is_not_passed_over(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    if setup.engine.database.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: its event ids commit in order")
    monkeypatch.setattr(events, "HORIZON_LOCK_TIMEOUT", "200ms")
    ws = setup.workspace("Acme")
    setup.endpoint(ws)
    open_write = setup.factory()
    try:
        events.add(open_write, ws, "document.synced", setup.clock(), {}, document_id="slow")
        slow = open_write.scalars(select(Event.id).where(Event.document_id == "slow")).one()
        late = setup.event(ws, "document.paid", "late")  # a higher id, committed first
        assert late > slow
        with pytest.raises(OperationalError):
            setup.loop.deliver_due()
        assert setup.receiver.got(ok_only=False) == []
        open_write.commit()
    finally:
        open_write.close()
    setup.loop.deliver_due()
    assert [event_id(r) for r in setup.receiver.got()] == [slow, late]
