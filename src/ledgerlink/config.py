"""Settings read once from the environment, with defaults that run the embedded engine as is.

Everything that names a place (the database, Xero's hosts) is a setting, so the same code talks to
real Xero in production and to the local sandbox in tests and the demo (``for_sandbox``).
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

# What the engine reads and writes: invoices, bills, credit notes, purchase orders and items
# (accounting.invoices), payments, contacts, stock valuation journals (accounting.manualjournals),
# and the organisation's settings (accounts, tax rates, currencies, tracking categories, items,
# the organisation itself). Xero apps created on
# or after 2 March 2026 get only granular scopes; older apps may still ask for the broad
# accounting.transactions (LEDGERLINK_XERO_SCOPE_STYLE=broad) until Xero ends it in 2027.
USER_SCOPES = ("openid", "profile", "email", "offline_access")
GRANULAR_SCOPES = (
    "openid profile email offline_access accounting.invoices accounting.payments "
    "accounting.contacts accounting.settings accounting.manualjournals"
)
BROAD_SCOPES = (
    "openid profile email offline_access accounting.transactions accounting.contacts "
    "accounting.settings"
)
SCOPE_STYLES = {"granular": GRANULAR_SCOPES, "broad": BROAD_SCOPES}
DEFAULT_SCOPES = GRANULAR_SCOPES
KEY_FILE_NAME = ".ledgerlink-secret"  # beside a SQLite database (and, before, in the cwd)
USER_KEY_FILE = Path("ledgerlink") / "secret-key"  # under $XDG_CONFIG_HOME, else ~/.config


def _env(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def positive_from_env(name: str, kind: type[int] | type[float]) -> int | float | None:
    """A positive number from the environment variable ``name``; None when it is not set.

    A value that is not one is refused at start, naming the variable.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        value = kind(raw)
    except ValueError:
        value = 0
    if value <= 0:
        whole = "whole " if kind is int else ""
        raise ValueError(f"{name} must be a positive {whole}number, not {raw!r}")
    return value


def _split_keys(raw: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in raw.split(",") if k.strip())


def decode_key(text: str) -> bytes:
    """A urlsafe-base64 32-byte key; a wrong one is refused at start, not at first decrypt."""
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("LEDGERLINK_SECRET_KEYS holds a key that is not urlsafe base64") from exc
    if len(key) != 32:
        raise ValueError("LEDGERLINK_SECRET_KEYS keys must each decode to 32 bytes")
    return key


def new_key_text() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


# Each plain setting and the environment variable it is read from.
ENV_NAMES = {
    "database_url": "LEDGERLINK_DATABASE_URL",
    "xero_authorize_url": "LEDGERLINK_XERO_AUTHORIZE_URL",
    "xero_token_url": "LEDGERLINK_XERO_TOKEN_URL",
    "xero_revocation_url": "LEDGERLINK_XERO_REVOCATION_URL",
    "xero_api_url": "LEDGERLINK_XERO_API_URL",
    "xero_deeplink_url": "LEDGERLINK_XERO_DEEPLINK_URL",
    "xero_client_id": "LEDGERLINK_XERO_CLIENT_ID",
    "xero_client_secret": "LEDGERLINK_XERO_CLIENT_SECRET",
    "xero_webhook_key": "LEDGERLINK_XERO_WEBHOOK_KEY",
    "redirect_uri": "LEDGERLINK_REDIRECT_URI",
    "scopes": "LEDGERLINK_XERO_SCOPES",
    "scope_style": "LEDGERLINK_XERO_SCOPE_STYLE",
    "secret_key_file": "LEDGERLINK_SECRET_KEY_FILE",
    "xero_read_timeout": "LEDGERLINK_XERO_READ_TIMEOUT",
}


def user_config_dir() -> Path:
    """$XDG_CONFIG_HOME, else ~/.config: one place per user, whatever the working folder."""
    configured = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return Path(configured) if configured else Path.home() / ".config"


def _write_private(path: Path, text: str) -> None:
    """``text`` into a new file only its owner can read (0600), atomically: a second process
    starting at the same moment keeps the first one's file."""
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    try:
        os.link(temp, path)
    except FileExistsError:
        pass
    finally:
        temp.unlink()


@dataclass(frozen=True)
class Settings:
    """Where the database and Xero are, and which Xero app connects by default."""

    database_url: str = "sqlite:///ledgerlink.db"
    secret_keys: tuple[str, ...] = ()
    xero_authorize_url: str = "https://login.xero.com/identity/connect/authorize"
    xero_token_url: str = "https://identity.xero.com/connect/token"
    xero_revocation_url: str = "https://identity.xero.com/connect/revocation"
    xero_api_url: str = "https://api.xero.com"
    xero_deeplink_url: str = "https://go.xero.com"
    xero_client_id: str = ""
    xero_client_secret: str = field(default="", repr=False)
    # The webhook key Xero shows for that app: POST /api/v1/xero/webhooks verifies with it
    # (empty: that receiver refuses every delivery).
    xero_webhook_key: str = field(default="", repr=False)
    redirect_uri: str = "http://127.0.0.1:8000/api/v1/connections/callback"
    # The scopes a connect asks Xero for: LEDGERLINK_XERO_SCOPES outright, else the set of
    # LEDGERLINK_XERO_SCOPE_STYLE (granular, or broad for an app made before 2 March 2026).
    scopes: str = ""
    scope_style: str = "granular"
    oauth_state_seconds: int = 900
    http_timeout: float = 30.0
    # How long a call to Xero's API may take: the client gives up after it, and a send a dead
    # worker made is not replayed before it has passed (Xero may still be working on it).
    xero_read_timeout: float = 60.0
    secret_key_file: str = ""  # where the key ring is kept without LEDGERLINK_SECRET_KEYS

    def __post_init__(self) -> None:
        if self.scope_style not in SCOPE_STYLES:
            raise ValueError(
                f"{ENV_NAMES['scope_style']} must be one of {', '.join(SCOPE_STYLES)}, "
                f"not {self.scope_style!r}"
            )
        if not self.scopes.strip():
            object.__setattr__(self, "scopes", SCOPE_STYLES[self.scope_style])

    @property
    def custom_scopes(self) -> str:
        """What a custom connection asks for: the same scopes without the user's own ones
        (a client-credentials token speaks for no person)."""
        return " ".join(s for s in self.scopes.split() if s not in USER_SCOPES)

    @classmethod
    def from_env(cls) -> Settings:
        base = cls()
        values: dict[str, Any] = {
            attr: _env(name, getattr(base, attr)) for attr, name in ENV_NAMES.items()
        }
        values["scopes"] = _env(ENV_NAMES["scopes"], "")
        values["scope_style"] = str(values["scope_style"]).lower()
        values["secret_keys"] = _split_keys(os.environ.get("LEDGERLINK_SECRET_KEYS", ""))
        values["xero_api_url"] = str(values["xero_api_url"]).rstrip("/")
        read_timeout = positive_from_env(ENV_NAMES["xero_read_timeout"], float)
        values["xero_read_timeout"] = read_timeout or base.xero_read_timeout
        return cls(**values)

    def as_env(self) -> dict[str, str]:
        """The environment ``from_env`` reads these settings back from (for a child process)."""
        env = {name: str(getattr(self, attr)) for attr, name in ENV_NAMES.items()}
        env["LEDGERLINK_SECRET_KEYS"] = ",".join(self.secret_keys)
        return env

    def for_sandbox(self, url: str) -> Settings:
        """The same settings with every Xero address on one sandbox origin (its paths)."""
        base = url.rstrip("/")
        return replace(
            self,
            xero_authorize_url=base + "/identity/connect/authorize",
            xero_token_url=base + "/connect/token",
            xero_revocation_url=base + "/connect/revocation",
            xero_api_url=base,
            xero_deeplink_url=base,
        )

    def with_database(self, url: str) -> Settings:
        return replace(self, database_url=url)

    @property
    def key_file(self) -> Path:
        """Where the key ring is kept when LEDGERLINK_SECRET_KEYS is not set.

        LEDGERLINK_SECRET_KEY_FILE when set; else beside a SQLite file (it goes where its
        database goes); else, for PostgreSQL, one file per user ($XDG_CONFIG_HOME or
        ~/.config, then ledgerlink/secret-key), so an API and a worker started in different
        folders read the same key instead of each making its own.
        """
        if self.secret_key_file:
            return Path(self.secret_key_file).expanduser().resolve()
        database = self._sqlite_file()
        if database is not None:
            return database.parent / KEY_FILE_NAME
        return (user_config_dir() / USER_KEY_FILE).resolve()

    def _sqlite_file(self) -> Path | None:
        url = make_url(self.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).resolve()
        return None

    def _make_key_file(self, path: Path) -> None:
        legacy = Path.cwd() / KEY_FILE_NAME
        per_user = not self.secret_key_file and self._sqlite_file() is None
        if per_user and legacy.is_file():
            # Earlier versions kept a PostgreSQL engine's key in the working folder: tokens
            # sealed under it must still open.
            log.warning(
                "LEDGERLINK_SECRET_KEYS is not set: copied the key file %s to %s.", legacy, path
            )
            _write_private(path, legacy.read_text())
            return
        log.warning(
            "LEDGERLINK_SECRET_KEYS is not set: created a key file at %s. Keep it secret and "
            "back it up; without it the stored Xero tokens cannot be read. Every ledgerlink "
            "process must use the same keys: on several machines or users, set "
            "LEDGERLINK_SECRET_KEYS (or LEDGERLINK_SECRET_KEY_FILE) for each.",
            path,
        )
        _write_private(path, new_key_text() + "\n")

    def resolved_secret_keys(self) -> list[bytes]:
        """The key ring, newest first: the environment's, else a key file made on first use.

        The file is a convenience for one machine; several machines must share keys through
        LEDGERLINK_SECRET_KEYS, or each would seal with a key the others cannot read.
        """
        if self.secret_keys:
            return [decode_key(k) for k in self.secret_keys]
        path = self.key_file
        if not path.exists():
            self._make_key_file(path)
        return [decode_key(k) for k in _split_keys(path.read_text().replace("\n", ","))]

    @property
    def key_source(self) -> str:
        """Where this process's keys come from, for a message about a value they cannot open."""
        if self.secret_keys:
            return "LEDGERLINK_SECRET_KEYS"
        return f"the key file {self.key_file} (LEDGERLINK_SECRET_KEYS is not set)"


def load_settings() -> Settings:
    return Settings.from_env()
