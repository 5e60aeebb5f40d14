"""Fixed reference data for the demo company: names, regions, products, scales.

Everything here is a constant in a fixed order (lists and tuples, never sets), so the generator
stays deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

COMPANY_NAME = "Northwind Instruments"
COMPANY_CODE = "NWI"
DEMO_PASSWORD = "attain-demo"
REPORTING = "EUR"

#: (code, name, product line codes the division sells, lost-reason weights)
#: Industrial loses more often on price and to competitors.
DIVISIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("IND", "Industrial", ("FLOW", "PROC")),
    ("LAB", "Laboratory", ("ANLY", "CONS")),
    ("MAR", "Marine & Energy", ("MARI", "PROC")),
)
PRICE_SENSITIVE_DIVISION = "IND"
#: The division whose sellers also get quarterly goals for deals won and activities.
GOAL_METRICS_DIVISION = "IND"

LOST_REASON_WEIGHTS = (
    ("price", 15),
    ("product_fit", 12),
    ("competitor", 15),
    ("timing", 14),
    ("no_decision", 18),
    ("delivery_terms", 8),
    ("budget", 13),
    ("other", 5),
)
LOST_REASON_WEIGHTS_PRICE_SENSITIVE = (
    ("price", 34),
    ("product_fit", 8),
    ("competitor", 30),
    ("timing", 8),
    ("no_decision", 9),
    ("delivery_terms", 4),
    ("budget", 5),
    ("other", 2),
)

#: (region, [(country, city), ...]); the first region-kind territories.
REGIONS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Nordics", (("NO", "Oslo"), ("NO", "Bergen"), ("SE", "Stockholm"), ("DK", "Aarhus"))),
    ("DACH", (("DE", "Munich"), ("DE", "Hamburg"), ("AT", "Vienna"), ("CH", "Zurich"))),
    ("Benelux", (("NL", "Rotterdam"), ("NL", "Eindhoven"), ("BE", "Antwerp"))),
    ("UK & Ireland", (("GB", "London"), ("GB", "Aberdeen"), ("IE", "Dublin"))),
    ("France", (("FR", "Lyon"), ("FR", "Paris"), ("FR", "Toulouse"))),
    ("Southern Europe", (("ES", "Bilbao"), ("IT", "Milan"), ("IT", "Turin"), ("PT", "Porto"))),
    ("North America", (("US", "Houston"), ("US", "Boston"), ("CA", "Toronto"))),
)
#: The one region whose deliveries are systematically late.
DELAYED_REGION = "Southern Europe"
SEGMENT_TERRITORY = ("Public Sector", "public_sector")
NAMED_TERRITORY = "Strategic Accounts"

COUNTRY_CURRENCY = {"NO": "NOK", "GB": "GBP", "US": "USD", "CA": "USD"}
#: EUR value of one unit of each foreign currency at the start of the history.
FX_START = (("USD", 0.92), ("GBP", 1.16), ("NOK", 0.087))

#: (code, name, [(sku, name, list price EUR, trend)]); trend: growing, flat, declining.
PRODUCT_LINES: tuple[tuple[str, str, tuple[tuple[str, str, int, str], ...]], ...] = (
    (
        "FLOW",
        "Flow & Pressure",
        (
            ("FP-100", "FP-100 Pressure Transmitter", 1450, "flat"),
            ("FP-220", "FP-220 Ultrasonic Flowmeter", 4800, "growing"),
            ("FP-310", "FP-310 Differential Gauge", 620, "declining"),
            ("FP-400", "FP-400 Smart Valve Positioner", 2300, "growing"),
        ),
    ),
    (
        "PROC",
        "Process Control",
        (
            ("PC-10", "PC-10 Control Module", 7500, "flat"),
            ("PC-20", "PC-20 Edge Gateway", 3200, "growing"),
            ("PC-30", "PC-30 Legacy PLC Kit", 5400, "declining"),
            ("PC-40", "PC-40 Calibration Service", 950, "flat"),
        ),
    ),
    (
        "ANLY",
        "Analytical Instruments",
        (
            ("AN-500", "AN-500 Gas Chromatograph", 38000, "flat"),
            ("AN-610", "AN-610 Spectrometer", 24000, "growing"),
            ("AN-700", "AN-700 pH Analyzer", 1900, "declining"),
            ("AN-820", "AN-820 Moisture Analyzer", 6200, "flat"),
        ),
    ),
    (
        "CONS",
        "Lab Consumables",
        (
            ("LC-01", "LC-01 Calibration Gas Kit", 180, "flat"),
            ("LC-02", "LC-02 Filter Pack", 65, "flat"),
            ("LC-03", "LC-03 Reference Standards", 240, "growing"),
            ("LC-04", "LC-04 Sample Vials (1000)", 95, "declining"),
        ),
    ),
    (
        "MARI",
        "Marine Sensors",
        (
            ("MS-1", "MS-1 Hull Stress Monitor", 12500, "growing"),
            ("MS-2", "MS-2 Emission Analyzer", 16000, "growing"),
            ("MS-3", "MS-3 Tank Level Radar", 4100, "flat"),
            ("MS-4", "MS-4 Bilge Alarm", 780, "declining"),
        ),
    ),
)

#: segment: (weight, base quantity range, cycle days, size bands)
SEGMENTS = (
    ("enterprise", 18, (6, 30), 95, ("enterprise", "large")),
    ("mid_market", 32, (3, 12), 60, ("large", "medium")),
    ("small_business", 28, (1, 4), 35, ("small", "micro")),
    ("public_sector", 14, (4, 20), 110, ("large", "enterprise", "medium")),
    ("consumer", 8, (1, 2), 20, ("micro",)),
)
INDUSTRIES = (
    "Oil & Gas",
    "Chemicals",
    "Pharmaceuticals",
    "Food & Beverage",
    "Water Utilities",
    "Shipping",
    "Energy",
    "Research",
    "Manufacturing",
    "Healthcare",
)
COMPANY_WORDS_A = (
    "Nordic",
    "Atlas",
    "Blue",
    "Cobalt",
    "Delta",
    "Evergreen",
    "Falcon",
    "Granite",
    "Harbor",
    "Iron",
    "Juniper",
    "Keystone",
    "Lumen",
    "Meridian",
    "North",
    "Orion",
    "Pioneer",
    "Quantum",
    "Redwood",
    "Summit",
    "Titan",
    "Union",
    "Vector",
    "Westfield",
    "Zenith",
    "Alpine",
    "Coastal",
)
COMPANY_WORDS_B = (
    "Chemicals",
    "Energy",
    "Labs",
    "Shipping",
    "Foods",
    "Pharma",
    "Water",
    "Refining",
    "Systems",
    "Offshore",
    "Biotech",
    "Industries",
    "Metals",
    "Polymers",
    "Power",
    "Marine",
)
COMPANY_SUFFIXES = ("AS", "GmbH", "BV", "Ltd", "SA", "SpA", "Inc", "AB", "Oy", "plc")
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Finn",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Kari",
    "Lars",
    "Maja",
    "Nils",
    "Olga",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sven",
    "Tara",
    "Umar",
    "Vera",
    "Wim",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Aisha",
    "Bruno",
    "Chloe",
    "Dario",
    "Emma",
    "Felix",
)
LAST_NAMES = (
    "Andersen",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ivanova",
    "Jensen",
    "Keller",
    "Larsen",
    "Moreau",
    "Nielsen",
    "Olsen",
    "Peters",
    "Rossi",
    "Schmidt",
    "Torres",
    "Urban",
    "Visser",
    "Weber",
    "Young",
    "Zimmer",
    "Berg",
    "Lind",
    "Novak",
    "Moretti",
)
JOB_TITLES = (
    "Procurement Manager",
    "Plant Manager",
    "Head of Engineering",
    "Lab Director",
    "Operations Director",
    "Maintenance Lead",
    "CFO",
    "Quality Manager",
)
LEAVE_REASONS_VOLUNTARY = (
    "Moved to a competitor",
    "Relocated abroad",
    "Career change",
    "Better offer elsewhere",
)
LEAVE_REASONS_INVOLUNTARY = ("Performance below plan", "Restructuring of the team")

#: Seasonality by calendar month (1..12): Q4 peak, summer dip. New deals follow the season of
#: the month they are expected to close in (about two months after they open).
SEASON = (0.85, 0.9, 1.0, 1.0, 0.95, 0.9, 0.6, 0.5, 1.0, 1.2, 1.45, 1.7)
SEASON_LEAD_MONTHS = 2
#: Months before the history starts in which deals open that are still open at its start.
WARMUP_MONTHS = 3

#: Seller profiles: (name, weight, win-rate, deal-size factor, activity factor)
PROFILES = (
    ("star", 15, 0.46, Decimal("1.6"), 1.3),
    ("steady", 60, 0.30, Decimal("1.0"), 1.0),
    ("laggard", 25, 0.16, Decimal("0.75"), 0.7),
)
RAMP_MONTHS = 6

#: Activity kinds: (kind, minutes range)
ACTIVITY_MINUTES = {
    "call": (5, 35),
    "email": (5, 20),
    "meeting": (30, 120),
    "demo": (45, 150),
    "proposal": (60, 240),
    "admin": (15, 120),
    "travel": (60, 300),
}
RETURN_REASONS = (
    ("defective", 30),
    ("wrong_item", 15),
    ("late_delivery", 10),
    ("not_as_described", 15),
    ("no_longer_needed", 25),
    ("other", 5),
)
CANCEL_REASONS = (
    "Customer budget frozen",
    "Duplicate order",
    "Customer chose another supplier",
    "Project postponed",
)


@dataclass(frozen=True)
class Scale:
    """How big the demo is; `bulk` switches the sales facts to the bulk path."""

    name: str
    business_units: int  # per division
    teams: int  # per business unit
    reps: int  # per team
    department_size: int
    accounts: int
    months: int
    deals_per_rep_month: float
    leads_per_rep_month: float
    repeat_orders_per_rep_month: float
    other_activities_per_rep_month: float
    max_lines: int
    bulk: bool


SCALES = {
    # hidden: used by the tests to keep them fast
    "tiny": Scale("tiny", 1, 2, 2, 2, 40, 4, 1.6, 1.0, 0.4, 1.0, 3, False),
    "small": Scale("small", 1, 2, 4, 3, 160, 24, 2.0, 1.2, 0.4, 1.5, 3, False),
    "medium": Scale("medium", 2, 4, 5, 6, 900, 24, 2.4, 1.5, 0.8, 2.0, 4, False),
    "large": Scale("large", 6, 8, 14, 40, 40000, 24, 21.0, 4.0, 16.0, 4.0, 8, True),
}
