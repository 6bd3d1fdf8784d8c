"""Worst-case page: a profile at the MAX_SOURCE_MODELS limit of distinct source model ids.

    .venv/bin/python bench/pages.py [--models 200] [--runs 3]

Uses a scratch SQLite database (SQLITE_PATH, default /tmp/tokenscope-pages-bench.sqlite3,
recreated each run; DATABASE_URL is ignored) with the seed catalog. The export has --models
distinct ids: every catalog model id first (each is priced and mapped by every candidate, the
costliest case), then made-up ids; 53 weekly rows each. Prints the upload time, then the
dashboard's first (engine run) and warm (cached projection) render times, CPU and HTML size,
and the same for the htmx results fragment.
"""

from __future__ import annotations

import argparse
import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("SQLITE_PATH", "/tmp/tokenscope-pages-bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")


def export(models: list[str]) -> bytes:
    start = datetime.date(2025, 11, 1)
    lines = ["date,model,input_tokens,output_tokens"]
    for index, model in enumerate(models):
        for week in range(53):
            day = start + datetime.timedelta(days=7 * week)
            lines.append(f"{day},{model},{1000 + index},{100 + index}")
    return "\n".join(lines).encode()


def timed_get(client, url: str, **extra) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return time.perf_counter() - wall, time.process_time() - cpu, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", type=int, default=None, help="default: MAX_SOURCE_MODELS")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    path = Path(os.environ["SQLITE_PATH"])
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import cache
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from providers.models import LLMModel

    call_command("migrate", verbosity=0)
    call_command("seed_catalog", verbosity=0, stdout=io.StringIO())
    count = args.models or settings.MAX_SOURCE_MODELS
    real = sorted(LLMModel.objects.values_list("model_id", flat=True).distinct())
    models = (real + [f"custom-model-{i:04d}" for i in range(count)])[:count]
    data = export(models)
    client = Client()
    wall = time.perf_counter()
    response = client.post("/upload/", {"file": SimpleUploadedFile("many.csv", data)})
    upload_s = time.perf_counter() - wall
    assert response.status_code == 302, response.content[:500]
    url = response["Location"]
    known = sum(1 for m in models if m in set(real))
    print(
        f"{count} distinct source models ({known} catalog ids), {len(data) / 1e3:.0f} kB, "
        f"top {settings.DASHBOARD_TOP_MODELS} shown in full; upload {upload_s:.2f} s"
    )
    for label, extra in (("dashboard", {}), ("results fragment (htmx)", {"HTTP_HX_REQUEST": "true",
                                                                       "HTTP_HX_TARGET": "results"})):
        firsts, warms = [], []
        for _ in range(args.runs):
            cache.clear()
            firsts.append(timed_get(client, url, **extra))
            warms.append(timed_get(client, url, **extra))
        first = [statistics.median(v) for v in zip(*firsts, strict=True)]
        warm = [statistics.median(v) for v in zip(*warms, strict=True)]
        print(
            f"  {label:<24} first {first[0]:.2f} s (CPU {first[1]:.2f} s), "
            f"warm {warm[0]:.2f} s (CPU {warm[1]:.2f} s), {first[2] / 1e3:.0f} kB HTML"
        )


if __name__ == "__main__":
    main()
