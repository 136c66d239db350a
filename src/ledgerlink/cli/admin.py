"""``ledgerlink admin``: what the person running the server does before anyone can sign in:
create the first owner (and their workspace), add people to a workspace, unlock an account."""

from __future__ import annotations

import os

import typer
from rich.console import Console

from ledgerlink.config import Settings
from ledgerlink.errors import LedgerlinkError

app = typer.Typer(help="Server administration: people and workspaces.", no_args_is_help=True)
console = Console()
DATABASE = typer.Option(
    None, help="Database URL (default: LEDGERLINK_DATABASE_URL, else ./ledgerlink.db)."
)


def _password(given: str | None) -> str:
    """From --password-env's variable, else asked for twice without echo."""
    if given:
        return given
    first = typer.prompt("Password (at least 12 characters)", hide_input=True)
    second = typer.prompt("Password again", hide_input=True)
    if first != second:
        raise typer.BadParameter("the two passwords differ", param_hint="password")
    return str(first)


@app.command(name="create-user")
def create_user_command(
    email: str = typer.Option(..., help="The person's email address (they sign in with it)."),
    workspace: str = typer.Option(
        ...,
        help="A workspace id to add them to, or a name to create a new workspace with.",
    ),
    role: str = typer.Option("owner", help="owner, admin or viewer."),
    name: str = typer.Option("", help="The person's name."),
    password_env: str | None = typer.Option(
        None, help="Read the password from this environment variable instead of asking."
    ),
    database_url: str | None = DATABASE,
) -> None:
    """Create a person (or give an existing one a seat) in a workspace, by id or a new name."""
    from ledgerlink.store import accounts, migrate
    from ledgerlink.store.db import make_engine, make_session_factory, transaction
    from ledgerlink.store.models import Workspace
    from ledgerlink.store.workspaces import create_workspace

    settings = Settings.from_env()
    if database_url:
        settings = settings.with_database(database_url)
    migrate.upgrade(settings.database_url)
    database = make_engine(settings.database_url)
    password = _password(os.environ.get(password_env, "") if password_env else None)
    try:
        with transaction(make_session_factory(database)) as session:
            accounts.check_role(role)
            found = session.get(Workspace, workspace)
            made_key = None
            if found is None:
                found, made_key = create_workspace(session, workspace)
            user = accounts.find_user(session, email)
            if user is None:
                user = accounts.create_user(session, email, password, name)
            accounts.add_member(session, found.id, user.id, role)
            workspace_id, workspace_name, user_email = found.id, found.name, user.email
    except LedgerlinkError as exc:
        console.print(f"[red]{exc.code}[/] {exc.message} {exc.fix}")
        raise typer.Exit(1) from exc
    finally:
        database.dispose()
    # soft_wrap: an id or a key is never broken across lines, whatever the terminal's width
    console.print(
        f"{user_email} is {role} of {workspace_name} (workspace {workspace_id}).", soft_wrap=True
    )
    if made_key:
        console.print(f"The workspace's API key (shown once): {made_key}", soft_wrap=True)
    console.print("Sign in on the dashboard, then turn on two-factor sign-in under Account.")
