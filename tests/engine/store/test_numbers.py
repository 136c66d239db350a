"""A connection's invoice number sequence: never the same number twice, whoever asks at once."""

from __future__ import annotations

import multiprocessing
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store import connections as conns
from ledgerlink.store.db import make_engine, make_session_factory, transaction
from ledgerlink.store.models import AssignedNumber, Document, new_id
from ledgerlink.store.numbers import assign_number
from ledgerlink.store.workspaces import create_workspace


def setup(
    factory: sessionmaker[Session], documents: int, **settings: Any
) -> tuple[str, str, list[str]]:
    """A workspace with one connection set with ``settings`` and ``documents`` invoices:
    (workspace id, connection id, document ids)."""
    with transaction(factory) as session:
        workspace, _ = create_workspace(session, "Acme")
        row = conns.upsert_connection(
            session, workspace.id, "tenant-1", tenant_name="Org", token_set_id=None
        )
        if settings:
            conns.update_settings(session, workspace.id, row.id, settings)
        ids = []
        for n in range(documents):
            document = Document(
                id=new_id(),
                workspace_id=workspace.id,
                connection_id=row.id,
                kind="invoice",
                source_id=f"inv-{n}",
            )
            session.add(document)
            ids.append(document.id)
        return workspace.id, row.id, ids


def assign(factory: sessionmaker[Session], connection_id: str, document_id: str) -> str | None:
    with transaction(factory) as session:
        return assign_number(session, connection_id, document_id)


def all_assigned(factory: sessionmaker[Session]) -> list[str]:
    with factory() as session:
        return list(session.scalars(select(AssignedNumber.number)))


def test_no_sequence_means_xero_numbers_the_invoice(
    session_factory: sessionmaker[Session],
) -> None:
    _, cid, docs = setup(session_factory, 1)
    assert assign(session_factory, cid, docs[0]) is None
    assert all_assigned(session_factory) == []


def test_numbers_follow_the_prefix_and_a_document_keeps_its_number(
    session_factory: sessionmaker[Session],
) -> None:
    _, cid, docs = setup(session_factory, 3, invoice_number_prefix="INV-", invoice_next_number=41)
    first = assign(session_factory, cid, docs[0])
    assert first == "INV-41"
    assert assign(session_factory, cid, docs[1]) == "INV-42"
    assert assign(session_factory, cid, docs[0]) == "INV-41"
    assert assign(session_factory, cid, docs[2]) == "INV-43"
    with transaction(session_factory) as session:
        assert assign_number(session, cid, docs[1], kind="credit_note") == "INV-42"


def test_a_prefix_alone_starts_at_one_and_other_kinds_have_no_sequence(
    session_factory: sessionmaker[Session],
) -> None:
    _, cid, docs = setup(session_factory, 2, invoice_number_prefix="SI")
    assert assign(session_factory, cid, docs[0]) == "SI1"
    with transaction(session_factory) as session:
        assert assign_number(session, cid, docs[1], kind="credit_note") is None


def test_a_next_number_with_leading_zeros_keeps_its_width(
    session_factory: sessionmaker[Session],
) -> None:
    wid, cid, docs = setup(session_factory, 2, invoice_number_prefix="INV-")
    with transaction(session_factory) as session:
        saved = conns.update_settings(session, wid, cid, {"invoice_next_number": "0998"})
    assert (saved.invoice_next_number, saved.invoice_number_digits) == (998, 4)
    assert assign(session_factory, cid, docs[0]) == "INV-0998"
    with transaction(session_factory) as session:
        conns.update_settings(session, wid, cid, {"invoice_next_number": 9999})
    assert assign(session_factory, cid, docs[1]) == "INV-9999"


def test_editing_the_next_number_moves_the_sequence_and_used_numbers_are_skipped(
    session_factory: sessionmaker[Session],
) -> None:
    wid, cid, docs = setup(session_factory, 6, invoice_number_prefix="INV-", invoice_next_number=1)
    assert [assign(session_factory, cid, d) for d in docs[:3]] == ["INV-1", "INV-2", "INV-3"]
    with transaction(session_factory) as session:
        conns.update_settings(session, wid, cid, {"invoice_next_number": 100})
        shown = conns.shown_settings(session, conns.get_connection(session, wid, cid))
        assert shown.invoice_next_number == 100
    assert assign(session_factory, cid, docs[3]) == "INV-100"
    with transaction(session_factory) as session:
        # Set back below numbers in use: they are skipped, never given again.
        conns.update_settings(session, wid, cid, {"invoice_next_number": 2})
    assert assign(session_factory, cid, docs[4]) == "INV-4"
    assert assign(session_factory, cid, docs[5]) == "INV-5"
    assigned = all_assigned(session_factory)
    assert len(assigned) == len(set(assigned)) == 6
    with session_factory() as session:
        shown = conns.shown_settings(session, conns.get_connection(session, wid, cid))
        assert shown.invoice_next_number == 6


def test_a_form_sending_back_what_it_showed_moves_nothing(
    session_factory: sessionmaker[Session],
) -> None:
    wid, cid, docs = setup(session_factory, 3, invoice_number_prefix="INV-", invoice_next_number=7)
    assign(session_factory, cid, docs[0])
    assign(session_factory, cid, docs[1])
    with transaction(session_factory) as session:
        shown = conns.shown_settings(session, conns.get_connection(session, wid, cid))
        assert shown.invoice_next_number == 9
        conns.update_settings(session, wid, cid, shown.model_dump())
    assert assign(session_factory, cid, docs[2]) == "INV-9"


def test_threads_each_with_a_session_never_get_the_same_number(
    session_factory: sessionmaker[Session],
) -> None:
    threads, each = 8, 6
    _, cid, docs = setup(
        session_factory, threads * each, invoice_number_prefix="INV-", invoice_next_number=500
    )
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def work(mine: list[str]) -> None:
        try:
            start.wait()
            for document_id in mine:
                assign(session_factory, cid, document_id)
        except BaseException as exc:
            failures.append(exc)

    workers = [
        threading.Thread(target=work, args=(docs[n * each : (n + 1) * each],))
        for n in range(threads)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    assigned = all_assigned(session_factory)
    assert sorted(assigned) == sorted(f"INV-{n}" for n in range(500, 500 + threads * each))


def test_threads_asking_for_the_same_document_get_its_one_number(
    session_factory: sessionmaker[Session],
) -> None:
    threads = 6
    _, cid, docs = setup(session_factory, 1, invoice_number_prefix="INV-", invoice_next_number=1)
    start = threading.Barrier(threads)
    got: list[str | None] = []
    failures: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            got.append(assign(session_factory, cid, docs[0]))
        except BaseException as exc:
            failures.append(exc)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert failures == []
    assert len(got) == threads and len(set(got)) == 1 and got[0] is not None
    assert all_assigned(session_factory) == [got[0]]


def _assign_in_process(url: str, connection_id: str, document_ids: list[str], start: Any) -> None:
    """A separate worker process: its own engine and pool, the same database and sequence."""
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        start.wait()
        for document_id in document_ids:
            assign(factory, connection_id, document_id)
    finally:
        engine.dispose()


def test_two_worker_processes_never_get_the_same_number(
    db_url: str, engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several worker processes share PostgreSQL (SQLite serves one machine)")
    each = 25
    _, cid, docs = setup(
        session_factory, 2 * each, invoice_number_prefix="P-", invoice_next_number=1
    )
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(2)
    workers = [
        context.Process(
            target=_assign_in_process, args=(db_url, cid, docs[n * each : (n + 1) * each], start)
        )
        for n in range(2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=90)
    assert [p.exitcode for p in workers] == [0, 0]
    assigned = all_assigned(session_factory)
    assert sorted(assigned) == sorted(f"P-{n}" for n in range(1, 2 * each + 1))
    with session_factory() as session:
        counted = session.scalar(select(func.count()).select_from(AssignedNumber))
    assert counted == 2 * each
