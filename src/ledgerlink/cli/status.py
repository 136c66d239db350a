"""``ledgerlink status``: what an operator checks first, read straight from the database:
the queue by state, recent errors and their fixes, connections (a switched-off one says so,
with what waits for it), each organisation's Xero budget, the latest sync jobs.

Everything shown that came from outside (source ids, Xero's messages, organisation and
workspace names) goes through ``cli.text.plain``: it is shown, never obeyed by the terminal.
Where there is no database, it says so and creates none (SQLite would make an empty file).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ledgerlink import kinds
from ledgerlink.cli.text import plain, quoted
from ledgerlink.config import Settings
from ledgerlink.errors import CATALOGUE
from ledgerlink.store import connections as conns
from ledgerlink.store import migrate
from ledgerlink.store.db import make_engine, make_session_factory
from ledgerlink.store.models import ApiCall, Connection, Document, QueueItem, SyncJob, Workspace
from ledgerlink.sync import jobs, lifecycle
from ledgerlink.sync.budgets import Budget, connection_budgets
from ledgerlink.sync.limiter import XeroLimits
from ledgerlink.sync.queue import workers_of

STATES = ("queued", "in_flight", "done", "needs_attention", "failed", "superseded", "dismissed")
JOBS_SHOWN = 5
SERVE = "Run `ledgerlink serve` (or `ledgerlink worker`) with this database URL once"
MAKE_ONE = (
    f"{SERVE}: it creates the database and its tables. Or point --database-url or "
    "LEDGERLINK_DATABASE_URL at the database ledgerlink already uses."
)


def shown_url(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def missing_sqlite_file(url: str) -> str | None:
    """Why a SQLite URL names no database, found without opening it (that would create it)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database or ""
    if name in ("", ":memory:"):
        return (
            f"No ledgerlink database at {shown_url(url)}: an in-memory database is new and "
            "empty in every process. Give the URL of the database `ledgerlink serve` uses."
        )
    path = Path(name).resolve()
    if not path.is_file():
        return f"No ledgerlink database at {path} ({shown_url(url)}). {MAKE_ONE}"
    return None


def unusable(engine: Engine, url: str) -> str | None:
    """Why the database cannot be read as ledgerlink's: not there, unreachable, no tables."""
    try:
        revision = migrate.current_revision(engine)
    except OperationalError as exc:
        first = str(exc.orig or exc).strip().splitlines()[0]
        if "does not exist" in first:
            name = make_url(url).database
            return (
                f"No ledgerlink database at {shown_url(url)}: the server has no database "
                f"{name!r}. Create it (createdb {name}), then {SERVE[0].lower()}{SERVE[1:]}: "
                "it creates the tables."
            )
        return f"Cannot reach the database at {shown_url(url)}: {first}"
    if revision is None:
        where = shown_url(url)
        return f"The database at {where} has no ledgerlink tables yet. {SERVE}: it creates them."
    return None


def show_status(settings: Settings, errors: int, console: Console) -> int:
    problem = missing_sqlite_file(settings.database_url)
    if problem is not None:
        console.print(f"[red]{quoted(problem)}[/]", soft_wrap=True)
        return 2
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        problem = unusable(engine, settings.database_url)
        if problem is not None:
            console.print(f"[red]{quoted(problem)}[/]", soft_wrap=True)
            return 2
        # Listing ends the runs of workers that died (they would show "running" for ever).
        recent_jobs = jobs.list_jobs(factory, None, datetime.now(UTC), limit=JOBS_SHOWN)
        with factory() as session:
            counted = session.execute(
                select(Document.kind, QueueItem.state, func.count())
                .join(Document, Document.id == QueueItem.document_id)
                .group_by(Document.kind, QueueItem.state)
            )
            counts: dict[str, dict[str, int]] = {}
            for kind, state, n in counted:
                counts.setdefault(kind, {})[state] = int(n)
            recent = session.execute(
                select(QueueItem, Document)
                .join(Document, Document.id == QueueItem.document_id)
                .where(QueueItem.error_code.is_not(None))
                .where(QueueItem.state.in_(("needs_attention", "failed", "queued")))
                .order_by(QueueItem.updated_at.desc())
                .limit(errors)
            ).all()
            connections = session.execute(
                select(Connection, Workspace.name)
                .join(Workspace, Workspace.id == Connection.workspace_id)
                .order_by(Workspace.name, Connection.tenant_name)
            ).all()
            used = session.execute(
                select(ApiCall.connection_id, func.count()).group_by(ApiCall.connection_id)
            )
            calls = {cid: int(n) for cid, n in used}
            workers = workers_of(session, [c.id for c, _ in connections], datetime.now(UTC))
            waiting_rows = session.execute(
                select(QueueItem.connection_id, func.count())
                .where(QueueItem.state.in_(lifecycle.ACTIVE))
                .group_by(QueueItem.connection_id)
            )
            waiting = {cid: int(n) for cid, n in waiting_rows}
        budgets = connection_budgets(factory, XeroLimits.from_env())
    except SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        where = shown_url(settings.database_url)
        console.print(f"[red]Cannot read {quoted(where)}:[/] {quoted(first)}", soft_wrap=True)
        return 2
    finally:
        engine.dispose()

    console.print(_queue_table(counts))

    problems = Table(title="Recent errors")
    for column in ("document", "state", "attempts", "code", "field", "message", "fix"):
        problems.add_column(column, overflow="fold")
    for item, document in recent:
        code = item.error_code or ""
        problems.add_row(
            plain(f"{document.kind} {document.source_id}"),
            plain(item.state),
            str(item.attempts),
            plain(code),
            plain(item.error_field),
            plain(item.error_message),
            plain(CATALOGUE.get(code, (0, ""))[1]),
        )
    console.print(problems if recent else "No errors.")

    table = Table(title="Connections")
    columns = ("workspace", "organisation", "status", "short code", "id", "Xero calls", "worker")
    for column in columns:
        table.add_column(column, overflow="fold")
    for connection, workspace in connections:
        table.add_row(
            plain(workspace),
            plain(connection.tenant_name or connection.tenant_id),
            plain(_status(connection)),
            plain(connection.short_code),
            plain(connection.id),
            str(calls.get(connection.id, 0)),
            plain(workers.get(connection.id, "")),
        )
    console.print(table if connections else "No connections.")
    for connection, _ in connections:
        if conns.switched_off(connection):
            error = conns.switched_off_error(connection)
            count = waiting.get(connection.id, 0)
            console.print(
                f"[yellow]{error.code}[/]: {quoted(error.message)} ({count} waiting)",
                soft_wrap=True,
            )
    names = {c.id: c.tenant_name or c.tenant_id for c, _ in connections}
    if budgets:
        console.print(_budget_table(budgets, names))
    console.print(_jobs_table(recent_jobs, names) if recent_jobs else "No sync jobs yet.")
    return 0


def _budget_table(budgets: list[Budget], names: dict[str, str]) -> Table:
    """Each organisation's Xero calls left, as the shared limiter counts them."""
    table = Table(title="Xero budget")
    columns = ("organisation", "tier", "minute left", "day left", "reserve", "background left")
    for column in (*columns, "day resets", "paused until"):
        table.add_column(column, overflow="fold")
    for b in budgets:
        table.add_row(
            plain(names.get(b.connection_id, b.connection_id)),
            plain(b.tier),
            f"{b.minute_left}/{b.minute_limit}",
            f"{b.day_left}/{b.day_limit}",
            str(b.reserve),
            str(b.background_left),
            b.resets_at.isoformat(timespec="seconds") if b.resets_at else "",
            b.blocked_until.isoformat(timespec="seconds") if b.blocked_until else "",
        )
    return table


def _queue_table(counts: dict[str, dict[str, int]]) -> Table:
    """The queue by kind (in the registry's order, kinds with items only) and state."""
    queue = Table(title="Queue")
    queue.add_column("kind")
    for state in STATES:
        queue.add_column(state, justify="right")
    shown = [k for k in kinds.names() if k in counts] + sorted(set(counts) - set(kinds.names()))
    for kind in shown:
        queue.add_row(plain(kind), *(str(counts[kind].get(state, 0)) for state in STATES))
    if len(shown) != 1:
        totals = [sum(c.get(state, 0) for c in counts.values()) for state in STATES]
        queue.add_row("all", *(str(n) for n in totals))
    return queue


def _status(connection: Connection) -> str:
    if not conns.switched_off(connection):
        return connection.status
    if connection.status == conns.ACTIVE:
        return "switched off"
    return f"{connection.status}, switched off"


def _jobs_table(rows: list[SyncJob], names: dict[str, str]) -> Table:
    table = Table(title="Sync jobs")
    for column in ("started", "organisation", "state", "synced", "held", "failed", "last note"):
        table.add_column(column, overflow="fold")
    for job in rows:
        counts = job.counts or {}
        notes = job.log or []
        table.add_row(
            job.created_at.isoformat(timespec="seconds"),
            plain(names.get(job.connection_id or "", job.connection_id)),
            plain(job.state),
            *(str(counts.get(name, 0)) for name in ("synced", "held", "failed")),
            plain(notes[-1].get("message") if notes and isinstance(notes[-1], dict) else ""),
        )
    return table
