"""A payroll app's flow: pay-item types map its pay items to accounts with a sign (the payroll
seed's "Financial Accounting Mapping"), each pay run becomes the bills the mapping describes
(each employee's net pay, the tax office's withholding, the fund's pension, the union's fees),
a pay item without a mapping holds its run until the mapping is added, generating again makes
nothing new, a changed run updates its one changed bill, and the record lists each generation.

Everything goes over the engine's REST API; the bills are checked on the sandbox's side: one
live bill per generated bill, each at the total the pay run and the mapping make.
"""

from __future__ import annotations

import random
from collections import Counter
from decimal import Decimal
from typing import Any

from ledgerlink.demo.flow_common import (
    calls,
    documents,
    held,
    once_by_link,
    push_bulk,
    settle,
    show_error,
    verdict,
)
from ledgerlink.demo.stage import EngineApi, Stage

CENT = Decimal("0.01")
TAX_OFFICE = "Australian Taxation Office"
FUND = "CareSuper"
UNION = "Workers Union"
INSURER = "State Insurance"
MONTHS = ("2026-01", "2026-02", "2026-03")
LAST_DAY = {"2026-01": "31", "2026-02": "28", "2026-03": "31"}
# type name -> (payee, [(pay item, account, sign)])
TYPES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "Employees": (
        "employee",
        [
            ("Ordinary hours", "477", "+"),
            ("Overtime", "477", "+"),
            ("Travel reimbursement", "493", "+"),
            ("PAYG withholding", "825", "-"),
            ("Union fees", "804", "-"),
            ("Salary sacrifice super", "826", "-"),
        ],
    ),
    "Tax office": (TAX_OFFICE, [("PAYG withholding", "825", "+")]),
    "Super fund": (FUND, [("Employer super", "478", "+"), ("Salary sacrifice super", "826", "+")]),
    "Union": (UNION, [("Union fees", "804", "+")]),
    "Workers compensation": (INSURER, [("Workers comp levy", "433", "+")]),
}
LEFT_OUT = "Workers compensation"  # installed only after the first runs are held for it


def _cents(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _items(rng: random.Random) -> list[dict[str, str]]:
    hours = Decimal(rng.randint(180_000, 320_000)) / 100
    items = [{"pay_item": "Ordinary hours", "amount": _cents(hours)}]
    if rng.random() < 0.4:
        items.append({"pay_item": "Overtime", "amount": _cents(hours * Decimal("0.08"))})
    if rng.random() < 0.25:
        items.append({"pay_item": "Travel reimbursement", "amount": "45.50"})
    items.append({"pay_item": "PAYG withholding", "amount": _cents(hours * Decimal("0.21"))})
    if rng.random() < 0.2:
        items.append({"pay_item": "Union fees", "amount": "12.34"})
    if rng.random() < 0.25:
        items.append({"pay_item": "Salary sacrifice super", "amount": "100.00"})
    items.append({"pay_item": "Employer super", "amount": _cents(hours * Decimal("0.115"))})
    items.append({"pay_item": "Workers comp levy", "amount": "10.05"})
    return items


def pay_runs(employees: int, seed: int = 3) -> list[dict[str, Any]]:
    """One approved pay run a month, the same employees each month."""
    rng = random.Random(seed)
    return [
        {
            "source_id": f"PR-{month}",
            "currency": "AUD",
            "reference": f"Payroll {month}",
            "period_start": f"{month}-01",
            "period_end": f"{month}-{LAST_DAY[month]}",
            "payment_date": f"{month}-{LAST_DAY[month]}",
            "status": "approved",
            "employees": [
                {
                    "employee": {"key": f"emp-{n:04d}", "name": f"Employee {n:04d}"},
                    "items": _items(rng),
                }
                for n in range(1, employees + 1)
            ],
        }
        for month in MONTHS
    ]


def expected_totals(run: dict[str, Any]) -> dict[str, Decimal]:
    """Each payee's bill total for ``run``, from its pay items and the types: the sum of the
    + items less the - items mapped to that payee."""
    totals: Counter[str] = Counter()
    for entry in run["employees"]:
        amounts = {i["pay_item"]: Decimal(i["amount"]) for i in entry["items"]}
        for payee, rules in TYPES.values():
            who = entry["employee"]["name"] if payee == "employee" else payee
            for pay_item, _account, sign in rules:
                if pay_item in amounts:
                    amount = amounts[pay_item]
                    totals[who] += amount if sign == "+" else -amount  # type: ignore[assignment]
    return {who: Decimal(total) for who, total in totals.items()}


def install(engine: EngineApi, names: list[str]) -> None:
    for name in names:
        payee, rules = TYPES[name]
        body = {
            "payee": payee,
            "items": [{"pay_item": p, "account_code": a, "sign": s} for p, a, s in rules],
        }
        engine.call("PUT", f"/connections/{engine.connection_id}/pay-item-types/{name}", json=body)


def payroll_flow(stage: Stage, documents_wanted: int) -> int:
    engine, console = stage.engine, stage.console
    employees = max(5, documents_wanted // len(MONTHS) - 4)
    runs = pay_runs(employees)
    console.print(
        f"[bold]4. Pay-item types[/]: {len(TYPES) - 1} of {len(TYPES)} installed "
        f"(PUT /connections/{{id}}/pay-item-types/{{name}}); '{LEFT_OUT}' not yet"
    )
    install(engine, [name for name in TYPES if name != LEFT_OUT])
    console.print(
        f"[bold]5. Pay runs[/]: {len(runs)} monthly runs of {employees} employees, 8 pay items"
    )
    push_bulk(engine, "pay_run", runs)
    settle(engine, console)
    for item in held(engine, "pay_run")[:1]:
        show_error(console, f"pay run {item['source_id']}", item.get("error"))
    console.print(
        f"[bold]6. The missing type[/] '{LEFT_OUT}' added: the held runs go by themselves"
    )
    install(engine, [LEFT_OUT])
    settle(engine, console)
    before = calls(engine)
    console.print("[bold]7. Generate again[/] (POST /connections/{id}/pay-runs/{run}/generate)")
    for run in runs:
        engine.call(
            "POST", f"/connections/{engine.connection_id}/pay-runs/{run['source_id']}/generate"
        )
    settle(engine, console)
    again = calls(engine) - before
    console.print(f"  {len(runs)} runs generated again: {again} Xero calls")
    changed = runs[-1]
    first = changed["employees"][0]
    old = Decimal(first["items"][0]["amount"])
    first["items"][0]["amount"] = _cents(old + Decimal("100.00"))
    console.print(
        f"[bold]8. A correction[/]: {first['employee']['name']}'s ordinary hours in "
        f"{changed['source_id']} from {old} to {first['items'][0]['amount']}"
    )
    before = calls(engine)
    engine.call("PUT", f"/documents/pay_run/{changed['source_id']}", json=changed)
    settle(engine, console)
    correction = calls(engine) - before
    record = engine.call("GET", f"/connections/{engine.connection_id}/pay-run-generations")
    console.print(f"[bold]9. The record[/] ({len(record)} generations, newest first)")
    for row in record[:6]:
        bills = row["bills"]
        console.print(
            f"  {row['created_at'][:19]}  {row['pay_run']} v{row['version']}  "
            f"{row['outcome']:<9} {len(bills)} bills",
            highlight=False,
        )
    return _check(stage, runs, again, correction)


def _check(stage: Stage, runs: list[dict[str, Any]], again: int, correction: int) -> int:
    engine, console = stage.engine, stage.console
    org = next(o for o in stage.sandbox.state.orgs.values() if o.key == stage.tenant)
    bills = documents(engine, "expense")
    in_xero = [r for r in org.invoices.values() if r.get("Type") == "ACCPAY"]
    problems = once_by_link(in_xero, "InvoiceID", bills)
    by_id = {str(r["InvoiceID"]).lower(): r for r in in_xero}
    for run in runs:
        wanted = expected_totals(run)
        mine = {s: d for s, d in bills.items() if s.startswith(run["source_id"] + "~")}
        if len(mine) != len(wanted):  # each employee, and each payee something is owed to
            problems.append(f"{run['source_id']}: {len(mine)} bills, expected {len(wanted)}")
        for doc in mine.values():
            record = by_id.get(str((doc.get("link") or {}).get("xero_id") or "").lower(), {})
            who = str((record.get("Contact") or {}).get("Name") or "")
            total = Decimal(str(record.get("Total", "0")))
            if wanted.get(who) != total:
                problems.append(
                    f"{doc['source_id']}: Xero total {total}, expected {wanted.get(who)}"
                )
    if again:
        problems.append(f"generating again made {again} calls")
    rows = [
        ("pay runs", len(runs)),
        ("bills generated (in Xero once each)", len(bills)),
        ("Xero API calls (all)", calls(engine)),
        ("calls to generate the runs again", again),
        ("calls for the one correction", correction),
    ]
    return verdict(
        console,
        rows,
        problems,
        "Every bill is in Xero once, at the total its pay run and the mapping make, to the cent.",
    )
