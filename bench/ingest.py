"""Ingestion benchmark: read_usage vs a bare pyarrow read + group-by of the same columns.

    .venv/bin/python bench/ingest.py [--rows 1000000] [--runs 5] [--formats azure]

Writes three files into bench/data/ (git-ignored) once: a 1M-row OpenRouter per-generation
export, a 1M-row generic file and a 1M-row Azure EA cost-details export. Each measurement runs in a fresh child process so its peak
RSS (VmHWM) is its own; the printed times are medians over --runs children.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import random
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data"

OPENROUTER_HEADER = [
    "generation_id", "created_at", "cost_total", "cost_web_search", "cost_cache",
    "cost_file_processing", "byok_usage_inference", "tokens_prompt", "tokens_completion",
    "tokens_reasoning", "tokens_cached", "model_permaslug", "provider_name", "variant",
    "cancelled", "streamed", "user", "finish_reason_raw", "finish_reason_normalized",
    "generation_time_ms", "time_to_first_token_ms", "api_key_disabled", "api_key_name",
    "app_name",
]
OPENROUTER_MODELS = [
    "openai/gpt-4.1-2025-04-14", "openai/gpt-4o-mini-2024-07-18",
    "anthropic/claude-sonnet-4", "anthropic/claude-3.5-haiku", "deepseek/deepseek-chat-v3-0324",
    "qwen/qwen3-235b-a22b", "google/gemini-2.5-flash", "meta-llama/llama-3.3-70b-instruct",
]
GENERIC_MODELS = ["gpt-4o-2024-08-06", "gpt-4o-mini-2024-07-18", "deepseek-chat",
                  "qwen-plus", "glm-4-plus", "claude-3-5-sonnet-20241022"]
START = datetime.datetime(2026, 1, 1)


def make_openrouter(path: Path, rows: int) -> None:
    rng = random.Random(1)
    span = 300 * 86400
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OPENROUTER_HEADER)
        for i in range(rows):
            moment = START + datetime.timedelta(seconds=span * i // rows,
                                                milliseconds=rng.randrange(1000))
            prompt = rng.randrange(50, 20000)
            writer.writerow([
                f"gen-{1767225600 + i}-{i:020d}", moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
                f"{prompt * 2.5e-6:.6f}", "0", "0", "0", "0", prompt, rng.randrange(1, 3000),
                0, rng.randrange(0, prompt // 2 + 1), OPENROUTER_MODELS[i % 8], "Provider",
                "standard", "true" if i % 997 == 0 else "false", "true", "", "stop", "stop",
                "1830", "412", "false", "prod-key", "bench",
            ])


def make_generic(path: Path, rows: int) -> None:
    rng = random.Random(2)
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "model", "input_tokens", "output_tokens",
                         "cached_input_tokens", "requests", "cost", "currency"])
        for i in range(rows):
            day = START.date() + datetime.timedelta(days=300 * i // rows)
            writer.writerow([
                day.isoformat(), GENERIC_MODELS[i % 6], rng.randrange(1000, 10**6),
                rng.randrange(100, 10**5), rng.randrange(0, 1000), rng.randrange(1, 500),
                f"{rng.random():.4f}", "USD",
            ])


# --- Azure Cost Management export (cloud bills; added with the cloud-bill readers) ----------
#
# A 1M-row EA cost-details file: the 57-column 2024-08-01 header, US dates as in the real EA
# file, long resource ids and JSON tags, 12 Azure OpenAI token meters (1K and 1M units) and
# one line in five for other services (VMs, storage, PTU hours) that the reader skips.

AZURE_LLM_METERS = [
    ("gpt-4o-0806-Inp-glbl Tokens", "1K", 0.0025), ("gpt 4o 0806 cached Inp glbl Tokens", "1K",
    0.00125), ("gpt-4o-0806-Outp-glbl Tokens", "1K", 0.01), ("gpt-4o-mini-0718-Inp-glbl Tokens",
    "1K", 0.00015), ("gpt-4o-mini-0718-Outp-glbl Tokens", "1K", 0.0006),
    ("gpt-4o-mini-0718-Batch-Inp-glbl Tokens", "1K", 0.000075), ("gpt 4o 1120 Inp glbl Tokens",
    "1K", 0.0025), ("gpt 4o 1120 Outp glbl Tokens", "1K", 0.01), ("gpt-4o-0806-Inp-regnl Tokens",
    "1K", 0.00275), ("gpt-4o-0806-Outp-regnl Tokens", "1K", 0.011), ("GPT 5 Inpt Glbl 1M Tokens",
    "1M", 1.25), ("GPT 5 outpt Glbl 1M Tokens", "1M", 10.0),
]
AZURE_OTHER_METERS = [
    ("Virtual Machines", "D2s v3", "1 Hour", 0.096, "Microsoft.Compute"),
    ("Storage", "LRS Data Stored", "1 GB/Month", 0.02, "Microsoft.Storage"),
    ("Cognitive Services", "Provisioned Managed Global", "1 Hour", 1.0,
     "Microsoft.CognitiveServices"),
]


def make_azure(path: Path, rows: int) -> None:
    sys.path.insert(0, str(ROOT / "fixtures" / "usage" / "cloud"))
    from make_cloud_samples import EA_HEADER  # the sample generator's documented header

    rng = random.Random(3)
    sub = "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.DictWriter(handle, fieldnames=EA_HEADER, restval="")
        writer.writeheader()
        for i in range(rows):
            day = START.date() + datetime.timedelta(days=300 * i // rows)
            account = f"aoai-{i % 7}"
            if i % 5 == 4:
                category, meter, unit, price, service = AZURE_OTHER_METERS[i % 3]
                quantity = rng.randrange(1, 48)
            else:
                meter, unit, price = AZURE_LLM_METERS[i % 12]
                category, service = "Cognitive Services", "Microsoft.CognitiveServices"
                quantity = rng.randrange(1, 5000) if unit == "1K" else rng.randrange(1, 50) / 10
            resource = (f"/subscriptions/{sub}/resourceGroups/rg-llm/providers/{service}/"
                        f"accounts/{account}")
            writer.writerow({
                "SubscriptionId": sub, "SubscriptionName": "prod", "ResourceGroup": "rg-llm",
                "ResourceLocation": "swedencentral", "Date": day.strftime("%m/%d/%Y"),
                "ProductName": f"{category} - {meter}", "MeterCategory": category,
                "MeterSubCategory": "Azure OpenAI", "MeterName": meter,
                "MeterRegion": "Sweden Central", "UnitOfMeasure": unit, "Quantity": quantity,
                "EffectivePrice": price, "CostInBillingCurrency": f"{quantity * price:.6f}",
                "ConsumedService": service, "ResourceId": resource,
                "Tags": '{"team": "search", "env": "prod"}', "ResourceName": account,
                "UnitPrice": price, "ChargeType": "Usage", "PricingModel": "OnDemand",
                "BillingCurrencyCode": "USD", "PayGPrice": price,
            })


# What each child runs: "ours" is read_usage; "baseline" is pyarrow.csv.read_csv of the same
# columns (types inferred) plus a group-by of day x model.
CHILD = r"""
import json, sys, time
sys.path.insert(0, ROOT)
kind, fmt, path = sys.argv[1:4]
import datetime
import pyarrow as pa, pyarrow.compute as pc, pyarrow.csv as pcsv
from dashboard.engine.usage import read_usage
import csv as _csv
from dashboard.engine.usage.meters import rules_from_records
with open(sys.path[0] + "/fixtures/catalog/meters.csv", encoding="utf-8") as _handle:
    RULES = rules_from_records(_csv.DictReader(_handle))
COLUMNS = {
    "azure": (["Date", "MeterName", "Quantity", "UnitOfMeasure", "CostInBillingCurrency",
               "EffectivePrice", "ConsumedService", "ChargeType", "BillingCurrencyCode"],
              "Date", "MeterName"),
    "openrouter": (["created_at", "model_permaslug", "tokens_prompt", "tokens_completion",
                    "tokens_cached", "cost_total", "cancelled"], "created_at", "model_permaslug"),
    "generic": (["date", "model", "input_tokens", "output_tokens", "cached_input_tokens",
                 "requests", "cost", "currency"], "date", "model"),
}
import resource
def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
cpu_start = cpu()
start = time.perf_counter()
if kind == "ours":
    frame, report = read_usage(path, today=datetime.date(2026, 11, 29), meter_rules=RULES)
    groups = len(frame)
else:
    columns, day, model = COLUMNS[fmt]
    table = pcsv.read_csv(path, convert_options=pcsv.ConvertOptions(include_columns=columns))
    days = table[day]
    if pa.types.is_timestamp(days.type):
        days = pc.floor_temporal(days, unit="day")
    table = table.append_column("day", days)
    sums = [(c, "sum") for c in columns if pa.types.is_integer(table[c].type) or pa.types.is_floating(table[c].type)]
    groups = table.group_by(["day", model]).aggregate(sums).num_rows
elapsed = time.perf_counter() - start
cpu_seconds = cpu() - cpu_start
with open("/proc/self/status") as status:
    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu_seconds, "peak_rss_mb": hwm / 1024,
                  "groups": groups}))
"""


def measure(kind: str, fmt: str, path: Path) -> dict[str, float]:
    code = CHILD.replace("ROOT", repr(str(ROOT)), 1)
    done = subprocess.run([sys.executable, "-c", code, kind, fmt, str(path)], check=True,
                          capture_output=True, text=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--formats", default="openrouter,generic,azure",
                        help="comma-separated: openrouter, generic, azure")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    files = {
        "openrouter": (DATA / f"openrouter_generations_{args.rows}.csv", make_openrouter),
        "generic": (DATA / f"generic_{args.rows}.csv", make_generic),
        "azure": (DATA / f"azure_ea_{args.rows}.csv", make_azure),
    }
    wanted = args.formats.split(",")
    for fmt, (path, make) in files.items():
        if fmt not in wanted:
            continue
        if not path.exists():
            print(f"generating {path.name} ...", flush=True)
            make(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        results = {}
        # Interleave the two so background load hits both alike.
        measured: dict[str, list[dict[str, float]]] = {"baseline": [], "ours": []}
        for _ in range(args.runs):
            for kind in ("baseline", "ours"):
                measured[kind].append(measure(kind, fmt, path))
        for kind, runs in measured.items():
            results[kind] = {
                "median_s": statistics.median(r["seconds"] for r in runs),
                "median_cpu_s": statistics.median(r["cpu_seconds"] for r in runs),
                "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
                "groups": runs[0]["groups"],
            }
        base, ours = results["baseline"], results["ours"]
        print(f"{fmt}: {args.rows:,} rows, {size_mb:.0f} MB")
        for kind in ("baseline", "ours"):
            r = results[kind]
            print(f"  {kind:9s} median {r['median_s']:.3f} s wall, {r['median_cpu_s']:.3f} s CPU"
                  f"   peak RSS {r['peak_rss_mb']:.0f} MB   groups {r['groups']}")
        print(f"  ratio     wall {ours['median_s'] / base['median_s']:.2f}x   "
              f"CPU {ours['median_cpu_s'] / base['median_cpu_s']:.2f}x   "
              f"RSS {ours['peak_rss_mb'] / base['peak_rss_mb']:.2f}x", flush=True)


if __name__ == "__main__":
    main()
