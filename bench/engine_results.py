"""Fingerprint of the engine's results, to prove a speed change changes no figure.

    .venv/bin/python bench/engine_results.py dump /tmp/before.json
    .venv/bin/python bench/engine_results.py compare /tmp/before.json

Runs the projections of `bench/engine.py` (the 60-provider synthetic catalog, and its x10
profile) and, on the seed catalog in a scratch SQLite database ($BENCH_SQLITE, default
/tmp/tokenscope-results-bench.sqlite3, created once and reused), the bundled 12-month sample
with the July 2024 preset (12 and 36 months), with today's defaults, and re-priced as
history; `compare` checks every number of every `to_dict()` against the dump (exact, or
within 1e-9 relative; `--exact`: bit-equal) and every string exactly. Prints differences; not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def synthetic_cases() -> dict[str, object]:
    from engine import bench_scenario, synthetic_catalog, synthetic_profile

    from dashboard.engine.projection import project

    catalog = synthetic_catalog(60, 50, 50)
    cases = {}
    for n_sources in (20, 200):
        frame = synthetic_profile(n_sources)
        result = project(frame, catalog, bench_scenario())
        cases[f"synthetic 60 providers, {n_sources} sources"] = result.to_dict()
    without = replace(bench_scenario(), eligibility=frozenset())
    cases["synthetic, no eligibility"] = project(synthetic_profile(20), catalog, without).to_dict()
    return cases


def seed_catalog():
    db_path = Path(os.environ.get("BENCH_SQLITE", "/tmp/tokenscope-results-bench.sqlite3"))
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if not db_path.exists():
        call_command("migrate", verbosity=0)
        call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
    from providers.catalog import build_catalog

    return build_catalog()


def sample_cases() -> dict[str, object]:
    from dashboard.engine.history import reprice_history
    from dashboard.engine.projection import project
    from dashboard.engine.scenario import Scenario
    from dashboard.engine.usage import read_usage

    catalog = seed_catalog()
    frame, _ = read_usage(ROOT / "fixtures" / "usage" / "sample_openai_12_months.csv")
    july = Scenario(switch_date=dt.date(2024, 7, 9))
    scenarios = {
        "July 2024 preset, 12 months": july,
        "July 2024 preset, 36 months, growth 3 %": replace(july, horizon_months=36, growth_pct=3.0),
        "July 2024, unverified prices, CNY": replace(
            july, include_unverified=True, display_currency="CNY"
        ),
        "2026-11-30 defaults": Scenario(switch_date=dt.date(2026, 11, 30)),
    }
    cases = {f"sample, {label}": project(frame, catalog, s).to_dict() for label, s in scenarios.items()}
    cases.update(facts_cases(frame, catalog, july))
    cases["sample history, July 2024"] = reprice_history(frame, catalog, july).to_dict()
    return cases


def facts_cases(frame, catalog, july) -> dict[str, object]:
    """The dashboard's path: one `UsageFacts` reused across scenarios whose growth changes."""
    from dashboard.engine.projection import UsageFacts, project

    facts = UsageFacts(frame)
    cases = {}
    for growth in (0.0, 12.37, -7.5, 41.0):
        scenario = replace(july, growth_pct=growth)
        result = project(frame, catalog, scenario, facts=facts)
        cases[f"sample, July 2024 preset, growth {growth} %, shared facts"] = result.to_dict()
    return cases


def compare(before: object, after: object, where: str, out: list[str], tol: float = 1e-9) -> None:
    if isinstance(before, dict) and isinstance(after, dict):
        if list(before) != list(after):
            out.append(f"{where}: keys {list(before)} != {list(after)}")
        for key in before:
            if key in after:
                compare(before[key], after[key], f"{where}.{key}", out, tol)
    elif isinstance(before, list) and isinstance(after, list):
        if len(before) != len(after):
            out.append(f"{where}: {len(before)} items != {len(after)}")
        for i, (b, a) in enumerate(zip(before, after, strict=False)):
            compare(b, a, f"{where}[{i}]", out, tol)
    elif isinstance(before, float) and isinstance(after, float | int):
        same = (math.isnan(before) and math.isnan(after)) or before == after
        if not same and not math.isclose(before, after, rel_tol=tol, abs_tol=tol):
            out.append(f"{where}: {before!r} != {after!r}")
    elif before != after:
        out.append(f"{where}: {before!r} != {after!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["dump", "compare"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--exact", action="store_true", help="no tolerance: every float bit-equal")
    args = parser.parse_args()
    results = {**synthetic_cases(), **sample_cases()}
    results = json.loads(json.dumps(results, default=str))
    if args.action == "dump":
        args.path.write_text(json.dumps(results))
        print(f"{len(results)} cases written to {args.path}")
        return
    before = json.loads(args.path.read_text())
    differences: list[str] = []
    compare(before, results, "", differences, 0.0 if args.exact else 1e-9)
    for line in differences[:50]:
        print(line)
    print(f"{len(results)} cases, {len(differences)} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
