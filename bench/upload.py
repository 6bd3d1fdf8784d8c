"""Upload benchmark: POST /api/profiles/ of the 1M-row generic file vs read_usage alone.

    SQLITE_PATH=/tmp/tokenscope-upload-bench.sqlite3 .venv/bin/python bench/upload.py [--runs 3]
    .venv/bin/python bench/upload.py --database postgres://postgres@127.0.0.1:5432/ts_bench

Uses a scratch SQLite database (SQLITE_PATH, default /tmp/tokenscope-upload-bench.sqlite3,
recreated each run; DATABASE_URL is ignored), or with --database that PostgreSQL database
(migrated; its stored profiles are deleted first: use a scratch database), and the 1M-row
generic file that bench/ingest.py writes into bench/data/ (generated here with the same generator when absent). The upload goes
through Django's test client, so it includes building the multipart body, streaming it to a
temporary file through the size-limit handler, reading, storing and the JSON summary; the
body-building part is also timed on its own so the server-side share can be read off.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("SQLITE_PATH", "/tmp/tokenscope-upload-bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")


def prepare_database(database: str | None) -> None:
    import django
    from django.core.management import call_command

    if database:
        os.environ["DATABASE_URL"] = database
    else:
        os.environ.pop("DATABASE_URL", None)
        path = Path(os.environ["SQLITE_PATH"])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    django.setup()
    call_command("migrate", verbosity=0)
    from dashboard.models import UsageProfile

    UsageProfile.objects.all().delete()


def generic_file(rows: int) -> Path:
    from bench.ingest import DATA, make_generic

    path = DATA / f"generic_{rows}.csv"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ...", flush=True)
        make_generic(path, rows)
    return path


def wide_frame(rows: int):
    """A canonical frame with `rows` distinct day x model rows (many models), for storing."""
    import numpy as np
    import pandas as pd

    days = pd.date_range("2025-01-01", periods=365, freq="D")
    index = np.arange(rows)
    return pd.DataFrame(
        {
            "day": days[index % 365].astype("datetime64[ns]"),
            "source_provider": pd.Series(["openai"] * rows, dtype="str"),
            "source_model": pd.Series([f"model-{i // 365}" for i in index], dtype="str"),
            "batch": np.zeros(rows, dtype=bool),
            "requests": index.astype("int64"),
            "tokens_input_uncached": index.astype("int64") * 100,
            "tokens_cache_read": index.astype("int64"),
            "tokens_cache_write": np.zeros(rows, dtype="int64"),
            "tokens_output": index.astype("int64") * 10,
            "reported_cost": np.full(rows, 0.25),
            "reported_currency": pd.Series(["USD"] * rows, dtype="str"),
        }
    )


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM")) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--wide-rows", type=int, default=100_000)
    parser.add_argument("--database", help="a PostgreSQL URL (default: scratch SQLite)")
    args = parser.parse_args()

    prepare_database(args.database)
    from django.test import Client
    from django.test.client import BOUNDARY, encode_multipart

    from dashboard.engine.usage import read_usage
    from dashboard.models import UsageDay, UsageProfile

    path = generic_file(args.rows)
    size_mb = path.stat().st_size / 1e6
    today = datetime.date.today()

    read_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        frame, report = read_usage(path, filename=path.name, today=today)
        read_times.append(time.perf_counter() - start)

    encode_times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        with open(path, "rb") as handle:
            body = encode_multipart(BOUNDARY, {"file": handle})
        encode_times.append(time.perf_counter() - start)
        del body

    client = Client()
    upload_times = []
    for _ in range(args.runs):
        with open(path, "rb") as handle:
            start = time.perf_counter()
            response = client.post("/api/profiles/", {"file": handle})
            upload_times.append(time.perf_counter() - start)
        if response.status_code != 201:
            raise SystemExit(f"upload failed: {response.status_code} {response.content[:300]!r}")
        stored_rows = UsageDay.objects.count()
        client.delete(f"/api/profiles/{response.json()['id']}/")
    assert UsageProfile.objects.count() == 0

    read_s = statistics.median(read_times)
    upload_s = statistics.median(upload_times)
    encode_s = statistics.median(encode_times)
    from django.db import connection

    print(f"database: {connection.vendor}")
    print(
        f"generic: {args.rows:,} rows, {size_mb:.0f} MB -> {len(frame):,} canonical rows "
        f"({stored_rows:,} stored), {args.runs} runs, medians"
    )
    print(f"  read_usage alone                  {read_s:.3f} s")
    print(f"  POST /api/profiles/ (test client) {upload_s:.3f} s")
    print(f"    of which building the body      {encode_s:.3f} s (client side)")
    print(f"    server side                     {upload_s - encode_s:.3f} s")
    print(
        f"  ratio upload / read_usage         {upload_s / read_s:.2f}x "
        f"(server side only {(upload_s - encode_s) / read_s:.2f}x)"
    )

    # Storing is the part that grows with the canonical row count, not the file size.
    from dashboard.engine.usage import UsageReport
    from dashboard.profile_store import load_frame, store_profile

    wide = wide_frame(args.wide_rows)
    wide_report = UsageReport(format="generic", format_label="Generic", rows_read=len(wide))
    start = time.perf_counter()
    profile = store_profile(wide, wide_report, file_name="wide.csv")
    store_s = time.perf_counter() - start
    start = time.perf_counter()
    load_frame(profile)
    load_s = time.perf_counter() - start
    profile.delete()
    print(
        f"  store_profile, {args.wide_rows:,} canonical rows  {store_s:.3f} s "
        f"({args.wide_rows / store_s:,.0f} rows/s); load_frame {load_s:.3f} s"
    )
    print(f"  peak RSS of this process          {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
