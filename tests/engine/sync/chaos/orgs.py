"""The organisations of a run: which sandbox organisations it drives, what each already holds
(the contacts a plan may name as "Xero already had it"), the settings its connection needs, and
the custom connections made to each in the run's one workspace.

Every organisation has a tag that the plan puts into everything it makes for it (source ids,
numbers, references, contact names), so a record that lands in another organisation is told
apart from that organisation's own (rule ``elsewhere``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ledgerlink.store import connections as conns
from ledgerlink.store.db import transaction
from ledgerlink.sync import oauth
from tests.engine.sync.conftest import DEFAULTS, SyncHarness
from xero_sandbox.seed import DEMO_TENANT, UK_TENANT


@dataclass(frozen=True)
class OrgSpec:
    key: str  # the sandbox's organisation key
    tenant_id: str
    tag: str  # in the source ids, numbers, references and contact names made for it
    clients: tuple[str, ...]  # contacts Xero already has, for invoices and credit notes
    suppliers: tuple[str, ...]  # for bills and purchase orders
    settings: tuple[tuple[str, str], ...]  # the connection's defaults (accounts, taxes)

    @property
    def label(self) -> str:
        """How its contacts' names say whose they are ("Chaos UK Client 3")."""
        return self.tag.capitalize() if len(self.tag) > 2 else self.tag


ORGS = {
    "demo": OrgSpec(
        "demo",
        DEMO_TENANT,
        "DEMO",
        ("Bayside Club", "City Limousines", "Ridgeway University"),
        ("Office Supplies Co", "PowerDirect"),
        tuple(DEFAULTS.items()),
    ),
    "uk": OrgSpec(
        "uk",
        UK_TENANT,
        "UK",
        ("Marine Systems Ltd",),
        ("Hamilton Smith Ltd",),
        tuple(
            (
                DEFAULTS
                | {"default_sales_tax_type": "OUTPUT2", "default_purchase_tax_type": "INPUT2"}
            ).items()
        ),
    ),
}


def specs(keys: tuple[str, ...]) -> list[OrgSpec]:
    """The organisations a run names, the demo one first (its connection is the harness's)."""
    unknown = [k for k in keys if k not in ORGS]
    if unknown or not keys or keys[0] != "demo" or len(set(keys)) != len(keys):
        raise ValueError(
            f"organisations {keys!r}: name each of {', '.join(ORGS)} at most once, demo first"
        )
    return [ORGS[k] for k in keys]


@dataclass(frozen=True)
class Org:
    """An organisation of the run and its connection."""

    spec: OrgSpec
    connection_id: str

    @property
    def key(self) -> str:
        return self.spec.key

    @property
    def tenant_id(self) -> str:
        return self.spec.tenant_id


def connect(harness: SyncHarness, found: list[OrgSpec]) -> list[Org]:
    """A custom connection to each organisation in the harness's workspace: the demo one is the
    harness's own; each other gets a custom app of its own registered in the sandbox (a custom
    connection reaches exactly one organisation)."""
    orgs = [Org(found[0], harness.connection_id)]
    for spec in found[1:]:
        client_id, secret = f"CHAOS-{spec.tag}-CUSTOM", f"chaos-{spec.key}-secret"
        harness.admin(
            "POST",
            "/_sandbox/apps",
            {
                "client_id": client_id,
                "client_secret": secret,
                "kind": "custom",
                "custom_tenant": spec.key,
            },
        )
        with transaction(harness.factory) as session:
            connection = oauth.connect_custom(
                session, harness.workspace_id, client_id, secret, settings=harness.settings
            )
            conns.update_settings(session, harness.workspace_id, connection.id, dict(spec.settings))
            orgs.append(Org(spec, connection.id))
    return orgs
