"""Everything about the sandbox a user or a test may want to set: apps, keys, limits, clocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# When the sandbox's own apps were "created" in Xero: before 2 March 2026, so they may ask for
# broad and granular scopes alike. An app created on or after that date gets only granular ones.
LEGACY_APP_CREATED = date(2024, 1, 15)

# Xero's pricing tiers from 2 March 2026 (fact sheet 1.5). The tier is the app's; it sets the daily
# call limit of each of the app's organisation connections: Starter's is lower (``Limits``).
TIERS = ("starter", "core", "plus", "advanced", "enterprise")
DEFAULT_TIER = "core"


@dataclass
class AppConfig:
    """One Xero app registered with the sandbox.

    ``kind`` is ``web`` (auth code with a client secret), ``pkce`` (auth code with PKCE, no secret)
    or ``custom`` (a custom connection: client credentials bound to one organisation).
    ``created`` is the day the app was made in Xero's developer portal: from 2 March 2026 an app
    gets only granular scopes. ``scopes`` is what a custom connection was authorised for (the
    scopes a client-credentials request without ``scope`` gets); None means the sandbox's
    default set for the app's age. ``tier`` is the app's pricing tier: on ``starter`` each
    organisation connection may make ``Limits.starter_per_day`` calls a day instead of
    ``Limits.tenant_per_day``.
    """

    client_id: str
    client_secret: str | None
    kind: str = "web"
    name: str = "ledgerlink"
    redirect_uris: list[str] = field(default_factory=list)
    custom_tenant: str | None = None
    created: date = LEGACY_APP_CREATED
    scopes: list[str] | None = None
    tier: str = DEFAULT_TIER


DEFAULT_REDIRECTS = [
    "http://127.0.0.1:8000/api/v1/connections/callback",
    "http://localhost:8000/api/v1/connections/callback",
]


def default_apps() -> list[AppConfig]:
    return [
        AppConfig(
            client_id="LEDGERLINK-DEMO-APP",
            client_secret="ledgerlink-demo-secret",
            kind="web",
            name="ledgerlink demo",
            redirect_uris=list(DEFAULT_REDIRECTS),
        ),
        AppConfig(
            client_id="LEDGERLINK-PKCE-APP",
            client_secret=None,
            kind="pkce",
            name="ledgerlink desktop",
            redirect_uris=list(DEFAULT_REDIRECTS),
        ),
        AppConfig(
            client_id="LEDGERLINK-CUSTOM-CONNECTION",
            client_secret="ledgerlink-custom-secret",
            kind="custom",
            name="ledgerlink custom connection",
            custom_tenant="demo",
        ),
    ]


@dataclass
class Limits:
    """Xero's rate limits (section 2 of the fact sheet) and the length of their windows.

    The windows are fixed, not rolling, as Xero's are, and each organisation connection (one
    app, one organisation) has its own. Tests and benchmarks shorten ``minute_seconds`` to run a
    compressed minute. ``tenant_per_day`` is the daily limit on every tier but Starter, whose
    connections get ``starter_per_day``.
    """

    tenant_per_minute: int = 60
    tenant_per_day: int = 5000
    starter_per_day: int = 1000
    tenant_concurrent: int = 5
    app_per_minute: int = 10000
    minute_seconds: float = 60.0
    day_seconds: float = 86400.0
    enabled: bool = True


@dataclass
class SandboxConfig:
    apps: list[AppConfig] = field(default_factory=default_apps)
    webhook_key: str = "ledgerlink-demo-webhook-key"
    webhook_url: str | None = None
    access_token_seconds: int = 1800
    refresh_grace_seconds: int = 1800
    refresh_token_days: int = 60
    auth_code_seconds: int = 300
    idempotency_seconds: int = 360
    max_body_bytes: int = 3_670_016
    auto_consent: bool = False
    limits: Limits = field(default_factory=Limits)
    public_url: str = "http://127.0.0.1:8765"
    fault_seed: int = 1
    webhook_batch_seconds: float = 0.2
    # A seed: the demo organisation starts (and restarts after a reset) with a year of activity
    # made from it (``xero_sandbox.year``); None leaves it as seeded, with no documents.
    seed_year: int | None = None
    # Xero retries at once, then every 15 minutes for 24 hours, then disables the webhook.
    webhook_retry_seconds: list[float] = field(default_factory=lambda: [0.0] + [900.0] * 96)

    _by_id: dict[str, AppConfig] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _indexed: tuple[list[AppConfig] | None, int] = field(
        default=(None, -1), init=False, repr=False, compare=False
    )

    def app(self, client_id: str) -> AppConfig | None:
        """The registered app, found through an index: every API call asks, and with an app per
        organisation a scan of thousands cost more than the call. Apps are only ever added (or
        the list replaced), so the index is rebuilt when the list or its length changes; a miss
        still scans."""
        listed, count = self._indexed
        if listed is not self.apps or count != len(self.apps):
            self._by_id = {}
            for app in self.apps:
                self._by_id.setdefault(app.client_id, app)
            self._indexed = (self.apps, len(self.apps))
        found = self._by_id.get(client_id)
        if found is not None and found.client_id == client_id:
            return found
        for app in self.apps:
            if app.client_id == client_id:
                self._by_id[client_id] = app
                return app
        return None

    def day_limit(self, client_id: str) -> int:
        """Calls a day for each organisation connection of this app: its tier decides."""
        app = self.app(client_id)
        if app is not None and app.tier == "starter":
            return self.limits.starter_per_day
        return self.limits.tenant_per_day
