"""Chaos: ``ledgerlink worker`` processes, each driving several organisations at once, SIGKILLed
at random while documents pour into every organisation and Xero misbehaves; afterwards each
organisation's records in the sandbox are judged. Shared by ``test_chaos.py`` (small,
for CI) and ``bench/chaos.py`` (bigger, prints figures); both call ``run_chaos``.

One run:

1. a fresh PostgreSQL schema made by the real migrations; a sandbox on loopback whose limits are
   enforced but far above what the run spends, on a one-second "minute" (so a 429 burst's
   Retry-After is a second, and the workers' limiter runs on the same minute); a custom
   connection to each of its organisations the run names (``organisations``: the demo one and
   the UK one by default; ``orgs``), all in one workspace;
2. ``workers`` processes of the real ``python -m ledgerlink.cli worker``, each driving up to
   ``concurrency`` organisations at once (a thread and a lease owner each), with short leases
   and a compressed retry policy (``LEDGERLINK_BACKOFF_SECONDS`` 0.2 s, doubled each time, at most
   ``LEDGERLINK_BACKOFF_MAX_SECONDS`` 1 s, where the engine's run 5 s up to 15 minutes), which
   stands for a run many times longer: an outage of seconds tries items as often as one of many
   minutes would. Nothing of the engine's state is changed from outside;
3. a seeded plan of waves pushed through intake (``upsert_documents``, as a source app's bulk upload
   lands), kind by kind in dependency order, each wave carrying documents to every organisation
   (each has a plan of its own and a share of the run's documents): new documents of every kind
   (invoices the most, then expenses, purchase orders, credit notes, payments); changes to
   documents, mostly ones created a few seconds before (so the update often races an unresolved
   create); changes back to an earlier content (v1 -> v2 -> v1); the same content again (must be
   "unchanged"); purchase orders flipped between approved and draft; credit notes applied to "sent"
   invoices of the plan, when new or by a later version (allocations); payments on "sent" invoices,
   some deleted later; contacts new in the wave and shared by several of its documents, contacts
   introduced a few seconds before (their create may be unresolved), older ones, ones Xero already
   had (some named in other letter case), and a few "aliases" (another key, the same name in other
   case). Nothing Xero would refuse is asked for (see ``plan``);
4. meanwhile, on a seeded schedule, a worker (mostly one holding a lease, one holding several
   organisations' leases when it can) is SIGKILLed and started again, some new lives armed to stop
   at a pause point (intent written, reply received, reply applied) where they are killed; the
   sandbox injects faults on every write of invoices, contacts, purchase orders, credit notes (their
   allocations too) and payments, PUT and POST, by turns: storms (5xx, lost replies, 429 bursts, and
   slow replies longer than the lease, which a living worker's lease heartbeat must outlast) and
   calms (lost replies only, so a round gets through to the later stages); each organisation goes
   offline once for a few seconds, at its own moment, while the others go on (an outage); all of it
   goes on for a while after the last wave;
5. the chaos stops (faults cleared, no more kills, every organisation online, every worker
   running); the workers run until the queue table holds nothing queued or in flight; they are
   stopped; then each organisation's records are read back and judged (see ``judge.RULES``):
   each invoice, bill, purchase order and credit note one live record in its own organisation
   with its newest version, and none in another, each credit note's allocations its newest
   version's, each made once, each invoice's payments exactly those not deleted, each once, no
   contact twice nor in another organisation, nothing held that only had to wait.

What is judged never depends on timing; timing only decides when kills and faults land.

The modules, in the order a run uses them: ``config`` (the size and pace), ``orgs`` (the
organisations and their connections), ``plan`` (the seeded waves and contacts), ``documents``
(the documents and the body of each version), ``schedule`` (the seeded kills, outages and
weather), ``sandbox`` (limits, faults and their weather, the outages), ``fleet`` (the worker
processes and the killer), ``run`` (the phases, and ``run_chaos``), ``seen`` and ``shapes``
(what was read back, and the evidence), ``judge`` (the rules), ``report`` (figures, per
organisation and per kind too, and text).

``test_chaos_kinds.py`` runs issue 12's kinds (customers and suppliers, products and store
orders, stock movements, pay runs) under the same kills and weather, on both databases, with a
plan and a judge of their own: ``kinds_plan`` (the seeded waves of those documents and their
versions) and ``kinds_judge`` (the rules, read from the sandbox).
"""

from tests.engine.sync.chaos.config import ChaosConfig
from tests.engine.sync.chaos.report import Report
from tests.engine.sync.chaos.run import run_chaos

__all__ = ["ChaosConfig", "Report", "run_chaos"]
