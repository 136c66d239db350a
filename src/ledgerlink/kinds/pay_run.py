"""Pay runs: a payroll's run, turned into ACCPAY bills by the connection's pay-item types.

A pay run has no Xero record of its own (``generates``): the worker hands it to
``sync.payroll``, which makes one expense per payee from it (net pay to each employee, what is
withheld to the tax office, contributions to the fund), and those bills travel the proven way
of every expense. Its status is theirs: draft bills are DRAFT, an approved run's are SUBMITTED
(still editable), a voided run voids every bill it made.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ledgerlink.documents.pay_run import PayRun
from ledgerlink.kinds.base import DocumentKind, Prepared, Record
from ledgerlink.mapping.status import EXPENSE_STATUS


class PayRunKind(DocumentKind):
    name = "pay_run"
    model = PayRun
    schema_name = "PayRun"
    noun = "pay run"
    settings_tab = "vendors"
    resource = ""  # none of its own: its bills are Invoices (ACCPAY) of the expense kind
    id_field = ""
    usage = "purchase"
    has_lines = False
    date_field = "payment_date"
    polled = False
    generates = True

    def xero_type(self, document: Any) -> str:
        return "ACCPAY"

    def wanted_status(self, document: Any) -> str:
        return EXPENSE_STATUS[document.status]

    def to_xero(self, document: Any, prepared: Prepared) -> Record:
        raise TypeError("a pay run is never sent itself: sync.payroll generates its bills")

    def lookup_queries(self, sent: Sequence[Record]) -> list[tuple[str, dict[str, str]]]:
        return []


KIND = PayRunKind()
