"""A pay run of 25 employees with 8 kinds of pay item, the pay-item types that map them, and
the bills they must make, written out by hand (not computed by the code under test).

Pay items (per employee n = 1..25): Ordinary hours 2000.00 + 13.37 n; Overtime 7.11 n (odd n);
Travel reimbursement 45.50 (n divisible by 3); PAYG withholding 400.00 + 2.33 n; Union fees
12.34 (n divisible by 5); Salary sacrifice super 100.01 (n divisible by 4); Employer super
190.00 + 1.27 n; Workers comp levy 10.05.

Types: "Employees" (payee: each employee) Ordinary hours and Overtime 477 +, Travel 493 +,
Union fees 804 -, PAYG 825 -, Salary sacrifice 826 -; "Tax office" (Australian Taxation
Office) PAYG 825 +; "Super fund" (CareSuper) Employer super 478 +, Salary sacrifice 826 +;
"Union" (Workers Union) Union fees 804 +; "Workers compensation" (State Insurance) Workers
comp levy 433 +.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ledgerlink.store import pay_items
from ledgerlink.store.db import transaction
from ledgerlink.sync import payroll

PAY_RUN = "PR-2026-03"
TAX_OFFICE = "Australian Taxation Office"
FUND = "CareSuper"
UNION = "Workers Union"
INSURER = "State Insurance"


def _cents(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def employee_items(n: int) -> list[dict[str, str]]:
    items = [
        {"pay_item": "Ordinary hours", "amount": _cents(Decimal("2000.00") + Decimal("13.37") * n)}
    ]
    if n % 2:
        items.append({"pay_item": "Overtime", "amount": _cents(Decimal("7.11") * n)})
    if n % 3 == 0:
        items.append({"pay_item": "Travel reimbursement", "amount": "45.50"})
    items.append(
        {"pay_item": "PAYG withholding", "amount": _cents(Decimal("400.00") + Decimal("2.33") * n)}
    )
    if n % 5 == 0:
        items.append({"pay_item": "Union fees", "amount": "12.34"})
    if n % 4 == 0:
        items.append({"pay_item": "Salary sacrifice super", "amount": "100.01"})
    items.append(
        {"pay_item": "Employer super", "amount": _cents(Decimal("190.00") + Decimal("1.27") * n)}
    )
    items.append({"pay_item": "Workers comp levy", "amount": "10.05"})
    return items


def pay_run(employees: int = 25, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "source_id": PAY_RUN,
        "currency": "AUD",
        "reference": "Payroll March 2026",
        "period_start": "2026-03-01",
        "period_end": "2026-03-31",
        "payment_date": "2026-03-31",
        "status": "approved",
        "employees": [
            {
                "employee": {"key": f"emp-{n:02d}", "name": f"Employee {n:02d}"},
                "items": employee_items(n),
            }
            for n in range(1, employees + 1)
        ],
    }
    data.update(changes)
    return data


def _rule(pay_item: str, account: str, sign: str, description: str | None = None) -> dict[str, Any]:
    return {"pay_item": pay_item, "account_code": account, "sign": sign, "description": description}


TYPES: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "Employees",
        "employee",
        [
            _rule("Ordinary hours", "477", "+", "Wages"),
            _rule("Overtime", "477", "+", "Wages"),
            _rule("Travel reimbursement", "493", "+"),
            _rule("Union fees", "804", "-"),
            _rule("PAYG withholding", "825", "-", "PAYG withheld"),
            _rule("Salary sacrifice super", "826", "-"),
        ],
    ),
    ("Tax office", TAX_OFFICE, [_rule("PAYG withholding", "825", "+", "PAYG withheld")]),
    (
        "Super fund",
        FUND,
        [
            _rule("Employer super", "478", "+", "Superannuation guarantee"),
            _rule("Salary sacrifice super", "826", "+", "Salary sacrifice"),
        ],
    ),
    ("Union", UNION, [_rule("Union fees", "804", "+")]),
    ("Workers compensation", INSURER, [_rule("Workers comp levy", "433", "+")]),
]


def install_types(
    factory: sessionmaker[Session],
    workspace_id: str,
    connection_id: str,
    leave_out: str | None = None,
) -> None:
    """The fixture's types on the connection (``leave_out``: a type not installed), then the
    held pay runs released, as the REST route and the dashboard do."""
    with transaction(factory) as session:
        for name, payee, items in TYPES:
            if name != leave_out:
                pay_items.put_type(session, workspace_id, connection_id, name, payee, items)
    payroll.release_held(factory, connection_id, datetime.now(UTC))


# The bills, by hand: employee n -> (wages 477, travel 493, union 804, PAYG 825, sacrifice
# 826, net total); a dash is no line.
EMPLOYEE_BILLS: dict[int, tuple[str, str | None, str | None, str, str | None, str]] = {
    1: ("2020.48", None, None, "402.33", None, "1618.15"),
    2: ("2026.74", None, None, "404.66", None, "1622.08"),
    3: ("2061.44", "45.50", None, "406.99", None, "1699.95"),
    4: ("2053.48", None, None, "409.32", "100.01", "1544.15"),
    5: ("2102.40", None, "12.34", "411.65", None, "1678.41"),
    6: ("2080.22", "45.50", None, "413.98", None, "1711.74"),
    7: ("2143.36", None, None, "416.31", None, "1727.05"),
    8: ("2106.96", None, None, "418.64", "100.01", "1588.31"),
    9: ("2184.32", "45.50", None, "420.97", None, "1808.85"),
    10: ("2133.70", None, "12.34", "423.30", None, "1698.06"),
    11: ("2225.28", None, None, "425.63", None, "1799.65"),
    12: ("2160.44", "45.50", None, "427.96", "100.01", "1677.97"),
    13: ("2266.24", None, None, "430.29", None, "1835.95"),
    14: ("2187.18", None, None, "432.62", None, "1754.56"),
    15: ("2307.20", "45.50", "12.34", "434.95", None, "1905.41"),
    16: ("2213.92", None, None, "437.28", "100.01", "1676.63"),
    17: ("2348.16", None, None, "439.61", None, "1908.55"),
    18: ("2240.66", "45.50", None, "441.94", None, "1844.22"),
    19: ("2389.12", None, None, "444.27", None, "1944.85"),
    20: ("2267.40", None, "12.34", "446.60", "100.01", "1708.45"),
    21: ("2430.08", "45.50", None, "448.93", None, "2026.65"),
    22: ("2294.14", None, None, "451.26", None, "1842.88"),
    23: ("2471.04", None, None, "453.59", None, "2017.45"),
    24: ("2320.88", "45.50", None, "455.92", "100.01", "1810.45"),
    25: ("2512.00", None, "12.34", "458.25", None, "2041.41"),
}

# The named payees' bills: name -> ({(account, line amount)}, total).
PAYEE_BILLS: dict[str, tuple[dict[str, str], str]] = {
    TAX_OFFICE: ({"825": "10757.25"}, "10757.25"),
    FUND: ({"478": "5162.75", "826": "600.06"}, "5762.81"),
    UNION: ({"804": "61.70"}, "61.70"),
    INSURER: ({"433": "251.25"}, "251.25"),
}


def expected_bills() -> dict[str, tuple[dict[str, str], str]]:
    """Every bill by contact name: its line amount per account, and its total."""
    found = dict(PAYEE_BILLS)
    for n, (wages, travel, union, payg, sacrifice, net) in EMPLOYEE_BILLS.items():
        lines = {"477": wages, "825": "-" + payg}
        if travel:
            lines["493"] = travel
        if union:
            lines["804"] = "-" + union
        if sacrifice:
            lines["826"] = "-" + sacrifice
        found[f"Employee {n:02d}"] = (lines, net)
    return found
