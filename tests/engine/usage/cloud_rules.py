"""The seeded meter rules (fixtures/catalog/meters.csv) as the engine sees them, and the
cloud sample files' folder: tests read real seed data, not rules made up for the test."""

import csv
from pathlib import Path

from dashboard.engine.usage.meters import rules_from_records

ROOT = Path(__file__).resolve().parents[3]
CLOUD = ROOT / "fixtures" / "usage" / "cloud"
METERS_CSV = ROOT / "fixtures" / "catalog" / "meters.csv"


def seed_rules():
    with METERS_CSV.open(encoding="utf-8", newline="") as handle:
        return rules_from_records(csv.DictReader(handle))


SEED_RULES = seed_rules()
