"""Chaos on PostgreSQL: three ``ledgerlink worker`` processes SIGKILLed again and again at
random moments while documents, changes, reverts and repeats pour in and the sandbox loses
replies, answers 5xx and 429, answers slowly and goes offline for a while.

The run is described in the ``chaos`` package (shared with ``bench/chaos.py``). Once the chaos
stops and the queue is idle, the sandbox's own records are judged: every document is one live
Xero invoice carrying its newest version, no contact is there twice, and nothing that only had
to wait was held or failed. A failure prints every violation with its evidence (the document's
versions, its queue items and intents, its link, what Xero holds) and the run's figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.engine.sync.chaos import ChaosConfig, run_chaos

pytestmark = pytest.mark.slow


@pytest.mark.timeout(300)
def test_workers_killed_at_random_under_faults_leave_each_document_once_and_newest(
    tmp_path: Path,
) -> None:
    report = run_chaos(ChaosConfig(), tmp_path / "workers")
    if report.violations:
        pytest.fail(report.render(), pytrace=False)
    print(report.render())
