"""The words of a seeded year: who the organisation sells to and buys from, and what for.

Kept apart from ``year``, which decides when and how much. Every name, address and email is
made up (``.example`` domains, fictional streets); the account codes are the demo chart's, and
``year`` falls back to another account of the same class where an organisation lacks one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

# How busy each calendar month is for sales, January first: an Australian services business,
# quiet over the summer holidays, busy before the end of the financial year (June) and in the
# run-up to Christmas.
SALES_SEASON = (0.55, 0.85, 1.05, 1.0, 1.1, 1.35, 0.9, 1.0, 1.05, 1.15, 1.3, 1.2)


@dataclass(frozen=True)
class Party:
    """A customer or supplier as its contact is made."""

    name: str
    email: str
    phone: str
    street: str
    city: str
    region: str
    postcode: str
    persons: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Supply:
    """A supplier's bills: the account they go to, the usual amount before tax, and how often.

    ``every`` is the months between bills, on ``day`` of the month (0: now and then,
    ``per_year`` times; -1: once, at the start of the year).
    """

    party: Party
    account: str
    amount: Decimal
    description: str
    every: int = 0
    day: int = 1
    per_year: int = 0
    inclusive: bool = False


def _fields(line: str) -> list[str]:
    return [part.strip() for part in line.split("|")]


def _parties(table: str) -> list[tuple[Party, list[str]]]:
    """Read a table: ``name | email | phone``, then indented lines: ``street | city | region |
    postcode``, ``with First Last, ...`` (contact persons) and ``bills ...`` (a supply)."""
    found: list[tuple[Party, list[str]]] = []
    for line in table.strip().splitlines():
        if not line.startswith(" "):
            name, email, phone = _fields(line)
            found.append((Party(name, email, phone, "", "", "", ""), []))
            continue
        party, extra = found[-1]
        text = line.strip()
        if text.startswith("with "):
            persons = tuple(tuple(person.strip().split(" ", 1)) for person in text[5:].split(","))
            party = replace(party, persons=persons)  # type: ignore[arg-type]
        elif text.startswith("bills "):
            extra.append(text[6:])
        else:
            street, city, region, postcode = _fields(text)
            party = replace(party, street=street, city=city, region=region, postcode=postcode)
        found[-1] = (party, extra)
    return found


def _supply(party: Party, spec: str) -> Supply:
    account, amount, schedule, description, *flags = _fields(spec)
    words = schedule.split()
    supply = Supply(party, account, Decimal(amount), description, inclusive="inclusive" in flags)
    if words[0] == "every":
        return replace(supply, every=int(words[1]), day=int(words[3]))
    if words[0] == "once":
        return replace(supply, every=-1)
    return replace(supply, per_year=int(words[0]))


CUSTOMERS: tuple[Party, ...] = tuple(
    party
    for party, _ in _parties(
        """
Harbourview Dental | accounts@harbourviewdental.example | 02 9555 0142
    14 Pier Street | Sydney | NSW | 2000
    with Mia Thornton, Raj Patel
Koala Creek Winery | office@koalacreek.example | 02 6372 0188
    220 Vineyard Road | Mudgee | NSW | 2850
    with Tom Beaumont
Southern Cross Logistics | ap@sxlogistics.example | 03 9646 0101
    9 Dock Road | Port Melbourne | VIC | 3207
    with Grace Ng, Liam O'Connor
Bright Spark Electrical | admin@brightspark.example | 02 4955 0133
    3/51 Industrial Drive | Newcastle | NSW | 2300
Eucalypt Architects | studio@eucalypt.example | 03 9650 0177
    77 Flinders Lane | Melbourne | VIC | 3000
    with Sophie Lindqvist
Coral Coast Resorts | payables@coralcoast.example | 07 4051 0190
    1 Esplanade | Cairns | QLD | 4870
    with Jack Murray, Olivia Chen
Redgum Community Health | finance@redgumhealth.example | 03 5441 0122
    45 Hospital Road | Bendigo | VIC | 3550
Pinnacle Fitness Group | accounts@pinnaclefit.example | 07 3221 0155
    12 Gym Lane | Brisbane | QLD | 4000
    with Noah Williams
Tasman Marine Services | office@tasmanmarine.example | 03 6234 0166
    8 Wharf Street | Hobart | TAS | 7000
Outback Pastoral Co | admin@outbackpastoral.example | 02 6882 0111
    RMB 402 Station Road | Dubbo | NSW | 2830
    with Ruby Campbell
Swanbourne Grammar School | bursar@swanbournegrammar.example | 08 9384 0120
    100 Claremont Crescent | Perth | WA | 6010
    with Henry Fraser, Isla Walker
Little Lane Cafe | hello@littlelanecafe.example | 03 9663 0104
    5 Little Collins Street | Melbourne | VIC | 3000
Greenfield Developments | accounts@greenfielddev.example | 02 9891 0147
    Level 4, 88 George Street | Parramatta | NSW | 2150
    with Charlotte Davies
Adelaide Hills Veterinary | reception@ahvet.example | 08 8339 0136
    31 Main Road | Stirling | SA | 5152
Sunstate Property Management | trust@sunstateproperty.example | 07 3229 0178
    200 Adelaide Street | Brisbane | QLD | 4000
    with Ethan Brown, Amelia Scott
Barrier Reef Dive Co | bookings@reefdive.example | 07 4946 0119
    2 Marina Parade | Airlie Beach | QLD | 4802
Canberra Policy Institute | finance@cpi.example | 02 6247 0163
    18 Constitution Avenue | Canberra | ACT | 2600
    with Oliver Hughes
Riverina Grain Traders | accounts@riverinagrain.example | 02 6921 0158
    60 Silo Road | Wagga Wagga | NSW | 2650
Northside Physiotherapy | admin@northsidephysio.example | 07 3359 0124
    7 Chermside Road | Chermside | QLD | 4032
Fremantle Brewing Collective | accounts@fremantlebrew.example | 08 9335 0172
    25 Marine Terrace | Fremantle | WA | 6160
    with Zoe Anderson
Blue Mountains Retreat | stay@bmretreat.example | 02 4782 0145
    40 Cliff Drive | Katoomba | NSW | 2780
Summit Legal | accounts@summitlegal.example | 03 9654 0181
    Level 12, 1 Collins Street | Melbourne | VIC | 3000
    with William Taylor, Chloe Martin
Darwin Tropical Imports | orders@darwintropical.example | 08 8981 0153
    16 Frances Bay Drive | Darwin | NT | 0800
Geelong Auto Repairs | service@geelongauto.example | 03 5221 0167
    90 Moorabool Street | Geelong | VIC | 3220
Hunter Valley Estates | cellar@huntervalley.example | 02 4998 0139
    300 Broke Road | Pokolbin | NSW | 2320
    with Lucas Wilson
Westside Community Centre | coordinator@westsidecc.example | 03 9687 0128
    12 Civic Place | Footscray | VIC | 3011
"""
    )
)

_SUPPLIERS = _parties(
    """
Collins Street Property Trust | rent@collinsproperty.example | 03 9650 0200
    Level 2, 150 Collins Street | Melbourne | VIC | 3000
    with Peter Graham
    bills 469 | 4200.00 | every 1 on 1 | Office rent
PowerGrid Energy | billing@powergrid.example | 13 1245
    PO Box 1200 | Melbourne | VIC | 3001
    bills 445 | 640.00 | every 3 on 12 | Electricity
Telstar Communications | accounts@telstar.example | 13 2200
    PO Box 88 | Sydney | NSW | 2001
    bills 489 | 389.00 | every 1 on 8 | Mobile and internet plan | inclusive
CloudDesk Software | billing@clouddesk.example | 02 8000 0300
    1 Software Way | Sydney | NSW | 2000
    bills 485 | 540.00 | every 1 on 3 | Software subscriptions (12 seats)
Sparkle Commercial Cleaning | accounts@sparkleclean.example | 03 9427 0210
    22 Mop Street | Richmond | VIC | 3121
    bills 408 | 480.00 | every 1 on 28 | Office cleaning
Officeworks Trade | trade@officeworkstrade.example | 03 9639 0220
    236 Bourke Street | Melbourne | VIC | 3000
    bills 461 | 210.00 | 10 a year | Printing and stationery | inclusive
Swift Freight Couriers | billing@swiftfreight.example | 03 9338 0230
    5 Depot Road | Tullamarine | VIC | 3043
    bills 425 | 165.00 | 14 a year | Courier and freight
Precision Installations | invoices@precisioninstall.example | 03 9791 0240
    41 Trade Court | Dandenong | VIC | 3175
    with Dylan Reid
    bills 412 | 1850.00 | 12 a year | Subcontracted installation
Brightside Marketing | hello@brightsidemarketing.example | 03 9510 0250
    9 Chapel Street | Prahran | VIC | 3181
    bills 400 | 1200.00 | 6 a year | Digital advertising campaign
Guardian Business Insurance | renewals@guardianinsure.example | 13 0040
    Level 9, 500 Bourke Street | Melbourne | VIC | 3000
    bills 433 | 3960.00 | every 12 on 15 | Business insurance, annual premium
Ledger & Co Chartered Accountants | accounts@ledgerco.example | 03 9600 0260
    Level 3, 60 Queen Street | Melbourne | VIC | 3000
    with Hannah Ledger
    bills 412 | 1350.00 | every 3 on 20 | Bookkeeping and BAS preparation
Metro Fleet Services | service@metrofleet.example | 03 9544 0270
    77 Garage Street | Clayton | VIC | 3168
    bills 449 | 620.00 | 4 a year | Vehicle service and repairs
TechHub Business Computers | sales@techhub.example | 03 9558 0280
    18 Circuit Road | Notting Hill | VIC | 3168
    bills 710 | 10800.00 | once | Laptops and monitors for the team (6 sets)
"""
)
SUPPLIES: tuple[Supply, ...] = tuple(
    _supply(party, spec) for party, specs in _SUPPLIERS for spec in specs if "| once |" not in spec
)
# The equipment bought at the start of the year, depreciated monthly by manual journal.
EQUIPMENT: Supply = next(
    _supply(party, spec) for party, specs in _SUPPLIERS for spec in specs if "| once |" in spec
)
DEPRECIATION_MONTHS = 36

# (description, unit price, usual quantity range, revenue account); one picked per line.
SALES_LINES: tuple[tuple[str, Decimal, tuple[int, int], str], ...] = (
    ("Consulting services (hours)", Decimal("150.00"), (2, 24), "200"),
    ("Project management (hours)", Decimal("135.00"), (4, 30), "200"),
    ("On-site installation (hours)", Decimal("90.00"), (3, 16), "200"),
    ("Network health check", Decimal("480.00"), (1, 1), "200"),
    ("Monthly managed services retainer", Decimal("1250.00"), (1, 1), "200"),
    ("Staff training workshop (half day)", Decimal("950.00"), (1, 2), "200"),
    ("Blue widget, boxed", Decimal("25.00"), (10, 120), "200"),
    ("Replacement parts", Decimal("42.50"), (2, 20), "200"),
    ("Travel and call-out fee", Decimal("85.00"), (1, 2), "260"),
    ("Equipment hire (per day)", Decimal("120.00"), (1, 7), "260"),
)

# Spending from the bank without a bill: (contact, account, description, amount range, per year).
BANK_SPENDS: tuple[tuple[str, str, str, tuple[int, int], int], ...] = (
    ("Ampol Service Station", "449", "Fuel", (60, 140), 14),
    ("Qantas Airways", "493", "Flights to client site", (280, 760), 4),
    ("The Corner Bistro", "420", "Client lunch", (80, 260), 6),
    ("Wilson Parking", "493", "Parking", (18, 45), 8),
)
BANK_NAME = "Commonwealth Bank"
TAX_OFFICE = "Australian Taxation Office"
SUPER_FUND = "AustralianSuper"
CASH_CUSTOMER = "Walk-in customer"
PAYROLL = "Staff Payroll"
# Everyone a bank transaction names.
BANK_CONTACTS = (
    BANK_NAME,
    TAX_OFFICE,
    SUPER_FUND,
    CASH_CUSTOMER,
    PAYROLL,
    *(spend[0] for spend in BANK_SPENDS),
)
