"""`ledgerlink demo --profile` for each product ledgerlink serves besides job management: the
payroll app's pay runs into bills, the store hub's products and orders, the inventory app's
contacts, tracked items and valuation journals. Each flow checks what the sandbox holds itself
and exits 0 only when it is right; these runs read its steps as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_demo import run_demo

STEPS = {
    "payroll": [
        "PAY_ITEM_UNMAPPED",
        "runs generated again: 0 Xero calls",
        "Every bill is in Xero once, at the total its pay run and the mapping make",
    ],
    "store": [
        "PRODUCT_NOT_IN_XERO",
        "Create Nonexistent Products switched on",
        "every paid order paid once, every refund one credit note",
    ],
    "inventory": [
        "INVENTORY_INSUFFICIENT",
        "Xero's tracked item",
        "every movement is one balanced journal",
    ],
}


@pytest.mark.parametrize("profile", sorted(STEPS))
def test_each_profile_runs_its_flow_end_to_end(profile: str, tmp_path: Path) -> None:
    result = run_demo("--profile", profile, "--documents", "40", cwd=tmp_path)
    flat = " ".join(result.stdout.split())
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    for step in STEPS[profile]:
        assert step in flat, (step, flat[-2000:])
    assert "Demo failed" not in flat


def test_an_unknown_profile_is_refused_naming_the_ones_there_are(tmp_path: Path) -> None:
    result = run_demo("--profile", "bakery", cwd=tmp_path)
    assert result.returncode == 2
    assert "--profile must be one of mixed, jobs, payroll, store, inventory" in result.stdout
