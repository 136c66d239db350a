"""``ledgerlink status``: what an operator checks first, read straight from the database."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from ledgerlink.config import Settings
from ledgerlink.errors import CATALOGUE
from ledgerlink.store.db import make_engine, make_session_factory
from ledgerlink.store.models import ApiCall, Connection, Document, QueueItem, Workspace

STATES = ("queued", "in_flight", "done", "needs_attention", "failed", "superseded")


def show_status(settings: Settings, errors: int, console: Console) -> int:
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            counted = session.execute(
                select(QueueItem.state, func.count()).group_by(QueueItem.state)
            )
            counts = {state: int(n) for state, n in counted}
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
    except SQLAlchemyError as exc:
        console.print(f"[red]Cannot read {settings.database_url}:[/] {str(exc).splitlines()[0]}")
        return 2
    finally:
        engine.dispose()

    queue = Table(title="Queue")
    for state in STATES:
        queue.add_column(state, justify="right")
    queue.add_row(*(str(counts.get(state, 0)) for state in STATES))
    console.print(queue)

    problems = Table(title="Recent errors")
    for column in ("document", "state", "attempts", "code", "field", "message", "fix"):
        problems.add_column(column, overflow="fold")
    for item, document in recent:
        code = item.error_code or ""
        problems.add_row(
            f"{document.kind} {document.source_id}",
            item.state,
            str(item.attempts),
            code,
            item.error_field or "",
            item.error_message or "",
            CATALOGUE.get(code, (0, ""))[1],
        )
    console.print(problems if recent else "No errors.")

    table = Table(title="Connections")
    for column in ("workspace", "organisation", "status", "short code", "id", "Xero calls"):
        table.add_column(column, overflow="fold")
    for connection, workspace in connections:
        table.add_row(
            workspace,
            connection.tenant_name or connection.tenant_id,
            connection.status,
            connection.short_code or "",
            connection.id,
            str(calls.get(connection.id, 0)),
        )
    console.print(table if connections else "No connections.")
    return 0
