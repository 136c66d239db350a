"""``one_of``: ``column IN (values)``, with the values as one parameter on PostgreSQL: the same
rows as ``in_`` on SQLite and PostgreSQL, one statement text for any length (so a cached
statement never keeps an earlier call's values), and an index used."""

from __future__ import annotations

from sqlalchemy import Engine, delete, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store.members import one_of
from ledgerlink.store.models import Workspace


def _workspaces(factory: sessionmaker[Session], count: int) -> list[str]:
    ids = [f"ws-{n:04d}" for n in range(count)]
    with factory.begin() as session:
        session.add_all(Workspace(id=i, name=f"Workspace {n}") for n, i in enumerate(ids))
    return ids


def test_one_of_finds_what_in_finds_for_any_length(session_factory: sessionmaker[Session]) -> None:
    ids = _workspaces(session_factory, 600)
    with session_factory() as session:
        for wanted in ([], ["ws-0003"], ids[::7], [*ids, "nobody", "it's"]):
            got = session.scalars(select(Workspace.id).where(one_of(Workspace.id, wanted)))
            expected = session.scalars(select(Workspace.id).where(Workspace.id.in_(wanted)))
            assert sorted(got) == sorted(expected)


def test_one_of_updates_and_deletes_the_rows_named(session_factory: sessionmaker[Session]) -> None:
    ids = _workspaces(session_factory, 20)
    with session_factory.begin() as session:
        moved = session.execute(
            update(Workspace).where(one_of(Workspace.id, ids[:5])).values(name="renamed")
        )
        assert moved.rowcount == 5
        session.execute(delete(Workspace).where(one_of(Workspace.id, ids[15:])))
    with session_factory() as session:
        names = {i: name for i, name in session.execute(select(Workspace.id, Workspace.name))}
    assert sorted(names) == ids[:15]
    assert [names[i] for i in ids[:6]] == ["renamed"] * 5 + ["Workspace 5"]


def test_one_statement_text_for_any_length_and_on_postgresql_the_key_index_used(
    engine: Engine,
) -> None:
    short = select(Workspace.id).where(one_of(Workspace.id, ["a"]))
    long = select(Workspace.id).where(one_of(Workspace.id, [f"id-{n}" for n in range(500)]))
    assert str(short.compile(engine)) == str(long.compile(engine))
    if engine.dialect.name != "postgresql":
        # SQLite keeps IN (?, ...), which its planner sizes; as a plain term, not "(...) = 1"
        both = select(Workspace.id).where(one_of(Workspace.id, ["a"]), Workspace.name == "x")
        sql = str(both.compile(engine))
        assert "workspaces.id IN (" in sql and "= 1" not in sql
        return
    assert "= ANY(" in str(long.compile(engine))
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))  # an empty table: force it
        sql = "EXPLAIN SELECT id FROM workspaces WHERE id = ANY(:v)"
        plan = connection.execute(text(sql), {"v": ["a", "b"]}).all()
    assert "Index" in " ".join(str(row) for row in plan)
