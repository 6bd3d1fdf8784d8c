"""Catalog at scale: import LiteLLM's full price map (3000+ models) into a scratch SQLite
database, then time the import, the catalog snapshot and the catalog page.

    .venv/bin/python bench/catalog_scale.py [path/to/model_prices_and_context_window.json]

Default input: bench/data/model_prices_and_context_window_backup.json (git-ignored; take it
from the litellm wheel: `pip download --no-deps -d /tmp/dl litellm`, then unzip
litellm/model_prices_and_context_window_backup.json into bench/data/). The scratch database
is $BENCH_SQLITE (default /tmp/tokenscope-catalog-bench.sqlite3), recreated on every run;
DATABASE_URL is ignored so the bench never touches a real database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT / "bench" / "data" / "model_prices_and_context_window_backup.json"


def timed(label: str, action: Callable[[], Any], repeat: int = 1) -> Any:
    best = float("inf")
    result = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    suffix = f" (best of {repeat})" if repeat > 1 else ""
    print(f"  {label:<44} {best * 1000:9.1f} ms{suffix}")
    return result


def setup_django(db_path: Path) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = str(db_path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    sys.path.insert(0, str(ROOT))
    for leftover in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        leftover.unlink(missing_ok=True)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_if_available() -> None:
    from django.core.management import call_command, get_commands

    if "seed_catalog" in get_commands():
        quiet = io.StringIO()
        timed("seed_catalog", lambda: call_command("seed_catalog", verbosity=0, stdout=quiet))
    else:
        print("  seed_catalog not available: importing into an empty catalog")


def bench_import(source: Path) -> None:
    from providers.importers.litellm import LITELLM, parse_price_map
    from providers.importers.litellm_source import read_price_map
    from providers.importers.price_history import import_price_map

    data, label = timed("read JSON", lambda: read_price_map(str(source)))
    parsed = timed("parse entries", lambda: parse_price_map(data))
    today = dt.date.today()

    def run(day: dt.date, dry_run: bool = False) -> Any:
        return import_price_map(parsed, source=label, day=day, kind=LITELLM, dry_run=dry_run)

    first = timed("import (first run)", lambda: run(today))
    second = timed("import again (nothing changed)", lambda: run(today))
    dry = timed("dry run, a later day", lambda: run(today + dt.timedelta(days=1), True))
    print(
        f"  entries {len(data)}, importable {len(parsed.models)}, skipped {sum(first.skipped.values())}; "
        f"first run added {len(first.plan.added)}, second run unchanged {second.plan.unchanged}, "
        f"dry run unchanged {dry.plan.unchanged}, discrepancies with seed/admin {len(first.plan.discrepancies)}"
    )


def bench_genai_prices() -> None:
    from providers.importers.genai_prices import GENAI_PRICES, installed_providers, parse_providers
    from providers.importers.price_history import import_price_map

    providers, label = timed("genai-prices: load the bundled data", installed_providers)
    parsed = timed("genai-prices: parse", lambda: parse_providers(providers))
    report = timed(
        "genai-prices: import (dated history)",
        lambda: import_price_map(parsed, source=label, day=dt.date.today(), kind=GENAI_PRICES),
    )
    print(
        f"  genai-prices models {len(parsed.models)}; added {len(report.plan.added)}, changed "
        f"{len(report.plan.changed)}, price rows written {len(report.plan.new_prices)}, "
        f"discrepancies with seed/admin {len(report.plan.discrepancies)}"
    )


def bench_catalog() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from providers.models import LLMModel, Price, Provider

    print(
        f"  catalog: {Provider.objects.count()} providers, {LLMModel.objects.count()} models, "
        f"{Price.objects.count()} prices"
    )
    try:
        from providers.catalog import build_catalog, clear_catalog_cache, get_catalog
    except ImportError as exc:
        print(f"  providers.catalog not importable, snapshot skipped: {exc}")
        return
    with CaptureQueriesContext(connection) as queries:
        timed("build_catalog() snapshot", build_catalog)
    print(f"  build_catalog() queries: {len(queries)}")
    clear_catalog_cache()
    timed("get_catalog() cold", get_catalog)
    timed("get_catalog() warm (cached)", get_catalog, repeat=5)


def bench_page() -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    try:
        with CaptureQueriesContext(connection) as queries:
            response = timed("GET / (first)", lambda: client.get("/"))
    except Exception as exc:  # the page belongs to another module; report, don't crash
        print(f"  GET / skipped: {type(exc).__name__}: {exc}")
        return
    print(
        f"  GET / status {response.status_code}, {len(response.content) // 1024} KiB, {len(queries)} queries"
    )
    with CaptureQueriesContext(connection) as queries:
        timed("GET / (again)", lambda: client.get("/"), repeat=3)
    print(f"  GET / queries per request once warm: {len(queries) // 3}")


def bench_projection() -> None:
    """The engine over the full catalog: the bundled 12-month sample projected 36 months
    against every provider that has a priced model."""
    from dashboard.engine.history import reprice_history
    from dashboard.engine.projection import project
    from dashboard.engine.scenario import Scenario
    from dashboard.engine.usage import read_usage
    from providers.catalog import get_catalog

    catalog = get_catalog()
    frame, _ = read_usage(ROOT / "fixtures" / "usage" / "sample_openai_12_months.csv")
    scenario = Scenario(
        switch_date=dt.date(2024, 7, 9), horizon_months=36, growth_pct=3.0,
        eligibility=frozenset({"openai_migrants", "new_customers"}),
    )
    # Imported LiteLLM prices are marked unverified: the second pair includes them, so every
    # priced chat model of the 3,000+ is a candidate.
    from dataclasses import replace

    for label, case in (("verified data", scenario), ("incl. unverified", replace(scenario, include_unverified=True))):
        result = timed(f"project() 36 months, {label}", lambda case=case: project(frame, catalog, case), repeat=3)
        timed(f"reprice_history(), {label}", lambda case=case: reprice_history(frame, catalog, case), repeat=3)
        ranked = sum(1 for s in result.summary if s.rank is not None)
        print(f"  {label}: candidates {len(result.summary)}, ranked {ranked}, offers evaluated {len(result.offers)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", nargs="?", default=str(DEFAULT_INPUT))
    args = parser.parse_args()
    source = Path(args.source)
    if not source.is_file():
        sys.exit(f"{source} not found; see the module docstring for how to get the LiteLLM file")
    db_path = Path(os.environ.get("BENCH_SQLITE", "/tmp/tokenscope-catalog-bench.sqlite3"))
    print(f"Catalog at scale ({source.name}, scratch DB {db_path})")
    setup_django(db_path)
    seed_if_available()
    bench_import(source)
    bench_genai_prices()
    bench_catalog()
    bench_page()
    bench_projection()


if __name__ == "__main__":
    main()
