"""One reader per known export format, detected from the header.

Each format names the columns it reads (field name -> accepted header spellings, all
lower-case), which of them are required, which are numbers, and a `build` function that turns
the checked columns into per-row usage arrays (see rows.Rows). Cache semantics are normalised
here: OpenAI and OpenRouter prompt counts include cached tokens, Anthropic's `*_no_cache`
columns exclude cache reads and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ..text import Worded, gettext_noop
from . import aws_cur, azure_cost, focus, gcp_billing, langfuse
from .columns import Columns
from .rows import Rows, models, skip, total_of


@dataclass(frozen=True)
class Format:
    slug: str
    label: str
    detect: Callable[[set[str]], bool]
    fields: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    numeric: tuple[str, ...]
    build: Callable[[Columns], Rows]
    # how the fast path asks pyarrow to parse the day column: "timestamp" (naive ISO) or "unix"
    day_type: str = "timestamp"
    # cloud bills: build(cols, meter_rules) identifies meters with the catalog's meter rules
    metered: bool = False


def _f(*names: str) -> tuple[str, ...]:
    return names


def _all_empty(cols: Columns, names: tuple[str, ...]) -> np.ndarray:
    empty = np.ones(cols.num_rows, dtype=bool)
    for name in names:
        if cols.has(name):
            empty &= ~cols.present(name)
    return empty


def _not_negative(
    cols: Columns, values: np.ndarray, keep: np.ndarray, message: str, name: str
) -> None:
    hits = np.flatnonzero((values < 0) & keep)
    if hits.size:
        raise cols.error(int(hits[0]), name, message)


def _ones(cols: Columns) -> np.ndarray:
    return np.ones(cols.num_rows, dtype=np.int64)


def _zeros(cols: Columns) -> np.ndarray:
    return np.zeros(cols.num_rows, dtype=np.int64)


# --- OpenAI Activity export (completions_usage_<from>_<to>.csv) ---------------------------

_OPENAI_METRICS = ("requests", "input", "output", "cached", "cache_write", "uncached")


def _openai_activity(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(keep, _all_empty(cols, ("model",) + _OPENAI_METRICS), "empty bucket", skipped)
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    input_total = cols.counts("input", keep)
    cached = cols.optional_counts("cached", keep)
    write = cols.optional_counts("cache_write", keep)
    if cols.has("uncached"):
        # input_uncached_tokens = input - cached; older files lack it and some rows leave it empty
        uncached_given = cols.counts("uncached", keep)
        uncached_all = np.where(cols.present("uncached"), uncached_given, input_total - cached)
    else:
        uncached_all = input_total - cached
    _not_negative(
        cols, uncached_all, keep, gettext_noop("input_cached_tokens is larger than input_tokens"), "cached"
    )
    uncached = uncached_all - write
    _not_negative(
        cols,
        uncached,
        keep,
        "input_cache_write_tokens is larger than the uncached input tokens",
        "cache_write",
    )
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=cols.optional_counts("requests", keep),
        uncached=uncached,
        cache_read=cached,
        cache_write=write,
        output=cols.counts("output", keep),
        batch=cols.flags("batch"),
        skipped=skipped,
    )


OPENAI_ACTIVITY = Format(
    slug="openai_activity",
    label="OpenAI Activity export (completions_usage_*.csv)",
    detect=lambda h: {"start_time", "end_time", "num_model_requests", "input_tokens"} <= h,
    fields={
        "day": _f("start_time"),
        "model": _f("model"),
        "requests": _f("num_model_requests"),
        "input": _f("input_tokens"),
        "output": _f("output_tokens"),
        "cached": _f("input_cached_tokens"),
        "cache_write": _f("input_cache_write_tokens"),
        "uncached": _f("input_uncached_tokens"),
        "batch": _f("batch"),
    },
    required=("day", "model", "requests", "input", "output"),
    numeric=("requests", "input", "output", "cached", "cache_write", "uncached"),
    build=_openai_activity,
    day_type="unix",
)


# --- OpenAI Cost export (cost_<from>_<to>.csv, grouped by line item) ----------------------

_LINE_ITEM = r"(?i)^(?:(?P<tier>[a-z_ -]+) \| )?(?P<model>[^,|]+), (?P<kind>[a-z ]+)(?:, .*)?$"
_TOKEN_KINDS = {
    "input": "uncached",
    "output": "output",
    "cached input": "cache_read",
    "cache write": "cache_write",
    "cached write": "cache_write",
}


def _openai_cost(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(keep, _all_empty(cols, ("line_item", "cost", "quantity")), "empty bucket", skipped)
    line_item = (
        cols.text("line_item") if cols.has("line_item") else pa.nulls(cols.num_rows, pa.string())
    )
    has_item = pc.is_valid(line_item).to_numpy(zero_copy_only=False)
    if keep.any() and not (has_item & keep).any():
        raise cols.error(
            None,
            None,
            gettext_noop(
                "this OpenAI cost export is not split by model: export it again from the Cost "
                'tab with "Group by: Line item" (or upload the Activity export instead)'
            ),
        )
    keep = skip(keep, ~has_item, "row without line item", skipped)
    parts = pc.extract_regex(pc.fill_null(line_item, ""), _LINE_ITEM)
    is_model = pc.is_valid(parts).to_numpy(zero_copy_only=False)
    kind_text = pc.utf8_lower(pc.fill_null(pc.struct_field(parts, "kind"), ""))
    known_kind = pc.is_in(kind_text, value_set=pa.array(list(_TOKEN_KINDS))).to_numpy(
        zero_copy_only=False
    )
    keep = skip(keep, ~(is_model & known_kind), "non-model line item", skipped)
    day = cols.days("day", keep)
    model = pc.utf8_trim_whitespace(pc.fill_null(pc.struct_field(parts, "model"), ""))
    tier = pc.utf8_lower(pc.fill_null(pc.struct_field(parts, "tier"), ""))
    quantity = cols.optional_counts("quantity", keep)
    arrays = {name: _zeros(cols) for name in ("uncached", "output", "cache_read", "cache_write")}
    kinds = kind_text.to_numpy(zero_copy_only=False)
    for kind, target in _TOKEN_KINDS.items():
        arrays[target] = arrays[target] + np.where(kinds == kind, quantity, 0)
    cost = cols.floats("cost", keep)
    currency = pc.utf8_upper(cols.text("currency")) if cols.has("currency") else "USD"
    batch = pc.equal(tier, "batch").to_numpy(zero_copy_only=False)
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=_zeros(cols),
        uncached=arrays["uncached"],
        cache_read=arrays["cache_read"],
        cache_write=arrays["cache_write"],
        output=arrays["output"],
        batch=batch,
        cost=cost,
        currency=currency,
        skipped=skipped,
        warnings=[Worded(gettext_noop("cost export: request counts are not in this file"))],
    )


OPENAI_COST = Format(
    slug="openai_cost",
    label="OpenAI Cost export (cost_*.csv)",
    detect=lambda h: {"start_time", "amount_value", "amount_currency"} <= h,
    fields={
        "day": _f("start_time"),
        "cost": _f("amount_value"),
        "currency": _f("amount_currency"),
        "quantity": _f("quantity"),
        "line_item": _f("line_item"),
    },
    required=("day", "cost"),
    numeric=("cost", "quantity"),
    build=_openai_cost,
    day_type="unix",
)


# --- OpenAI legacy Activity export (and Groq's console, which uses the same names) -------


def _openai_legacy(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(
        keep, _all_empty(cols, ("model", "input", "output", "requests")), "empty bucket", skipped
    )
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    input_total = cols.counts("input", keep)
    cached = cols.optional_counts("cached", keep)
    if cols.has("uncached"):
        uncached = np.where(
            cols.present("uncached"), cols.counts("uncached", keep), input_total - cached
        )
    else:
        uncached = input_total - cached
    _not_negative(
        cols, uncached, keep, gettext_noop("cached tokens are larger than n_context_tokens_total"), "cached"
    )
    cost = cols.floats("cost", keep) if cols.has("cost") else None
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=cols.optional_counts("requests", keep),
        uncached=uncached,
        cache_read=cached,
        cache_write=_zeros(cols),
        output=cols.counts("output", keep),
        cost=cost,
        currency="USD" if cost is not None else None,
        skipped=skipped,
    )


OPENAI_LEGACY = Format(
    slug="openai_legacy",
    label="OpenAI legacy Activity export (n_context_tokens_total, also Groq)",
    detect=lambda h: {"n_context_tokens_total", "n_generated_tokens_total"} <= h,
    fields={
        "day": _f("timestamp", "aggregation_timestamp"),
        "model": _f("model", "snapshot_id"),
        "requests": _f("n_requests", "num_requests"),
        "input": _f("n_context_tokens_total"),
        "output": _f("n_generated_tokens_total"),
        "cached": _f("n_cached_context_tokens_total"),
        "uncached": _f("n_non_cached_context_tokens_total"),
        "cost": _f("cost"),
    },
    required=("day", "model", "input", "output"),
    numeric=("requests", "input", "output", "cached", "uncached", "cost"),
    build=_openai_legacy,
    day_type="unix",
)


# --- Anthropic Console token export (claude_api_tokens_*.csv) ------------------------------


def _anthropic_tokens(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    metrics = ("uncached", "write", "write_5m", "write_1h", "cache_read", "output")
    keep = skip(keep, _all_empty(cols, ("model",) + metrics), "empty row", skipped)
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    # The four input buckets do not overlap: write = 5m + 1h (or the older single column).
    write = total_of(
        cols.optional_counts("write", keep),
        cols.optional_counts("write_5m", keep),
        cols.optional_counts("write_1h", keep),
    )
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=_zeros(cols),
        uncached=cols.counts("uncached", keep),
        cache_read=cols.optional_counts("cache_read", keep),
        cache_write=write,
        output=cols.counts("output", keep),
        batch=cols.flags("usage_type", ["batch"]),
        provider=None,
        skipped=skipped,
        warnings=[Worded(gettext_noop("Anthropic token export: request counts are not in this file"))],
    )


ANTHROPIC_TOKENS = Format(
    slug="anthropic_tokens",
    label="Anthropic Console token export (claude_api_tokens_*.csv)",
    detect=lambda h: (
        {"usage_date_utc", "model_version"} <= h
        and any(name.startswith("usage_input_tokens") for name in h)
    ),
    fields={
        "day": _f("usage_date_utc"),
        "model": _f("model_version"),
        "usage_type": _f("usage_type"),
        "uncached": _f("usage_input_tokens_no_cache"),
        "write": _f("usage_input_tokens_cache_write"),
        "write_5m": _f("usage_input_tokens_cache_write_5m"),
        "write_1h": _f("usage_input_tokens_cache_write_1h"),
        "cache_read": _f("usage_input_tokens_cache_read"),
        "output": _f("usage_output_tokens"),
    },
    required=("day", "model", "uncached", "output"),
    numeric=("uncached", "write", "write_5m", "write_1h", "cache_read", "output"),
    build=_anthropic_tokens,
)


# --- Anthropic Console cost export (claude_api_cost_*.csv) ---------------------------------

COST_ONLY_WARNING = Worded(
    gettext_noop("cost-only export: tokens unknown, only billed cost is available")
)


def _anthropic_cost(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(keep, _all_empty(cols, ("model", "cost")), "empty row", skipped)
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=_zeros(cols),
        uncached=_zeros(cols),
        cache_read=_zeros(cols),
        cache_write=_zeros(cols),
        output=_zeros(cols),
        batch=cols.flags("usage_type", ["batch"]),
        provider=pa.array(["anthropic"] * cols.num_rows, pa.string()),
        cost=cols.floats("cost", keep),
        currency="USD",
        skipped=skipped,
        warnings=[COST_ONLY_WARNING],
    )


ANTHROPIC_COST = Format(
    slug="anthropic_cost",
    label="Anthropic Console cost export (claude_api_cost_*.csv)",
    detect=lambda h: {"usage_date_utc", "token_type", "cost_usd"} <= h,
    fields={
        "day": _f("usage_date_utc"),
        "model": _f("model"),
        "usage_type": _f("usage_type"),
        "cost": _f("cost_usd"),
    },
    required=("day", "model", "cost"),
    numeric=("cost",),
    build=_anthropic_cost,
)


# --- OpenRouter per-generation export -----------------------------------------------------

# OpenRouter bills the usage itself (at its own listed prices, whoever served the request), so
# its exports' rows belong to the `openrouter` provider; the catalog knows its ids
# (`openai/gpt-4.1`, `meta-llama/llama-3.1-70b-instruct`, ...) and their dated aliases.
OPENROUTER = "openrouter"


def _openrouter_generations(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(
        keep, cols.flags("cancelled", ["true", "1", "yes"]), "cancelled generation", skipped
    )
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    prompt = cols.counts("prompt", keep)
    cached = cols.optional_counts("cached", keep)
    uncached = prompt - cached
    _not_negative(cols, uncached, keep, gettext_noop("tokens_cached is larger than tokens_prompt"), "cached")
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=_ones(cols),
        uncached=uncached,
        cache_read=cached,
        cache_write=_zeros(cols),
        output=cols.counts("output", keep),
        cost=cols.floats("cost", keep),
        currency="USD",
        provider=OPENROUTER,
        skipped=skipped,
    )


OPENROUTER_GENERATIONS = Format(
    slug="openrouter_generations",
    label="OpenRouter activity export, one row per generation",
    detect=lambda h: {"generation_id", "created_at", "model_permaslug"} <= h,
    fields={
        "day": _f("created_at"),
        "model": _f("model_permaslug"),
        "cost": _f("cost_total"),
        "prompt": _f("tokens_prompt"),
        "output": _f("tokens_completion"),
        "cached": _f("tokens_cached"),
        "cancelled": _f("cancelled"),
    },
    required=("day", "model", "prompt", "output"),
    numeric=("cost", "prompt", "output", "cached"),
    build=_openrouter_generations,
)


# --- OpenRouter aggregated Activity export (one row per day x model) -----------------------


def _openrouter_activity(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=cols.optional_counts("requests", keep),
        uncached=cols.counts("prompt", keep),
        cache_read=_zeros(cols),
        cache_write=_zeros(cols),
        output=cols.counts("output", keep),
        cost=cols.floats("cost", keep),
        currency="USD",
        provider=OPENROUTER,
        skipped=skipped,
    )


OPENROUTER_ACTIVITY = Format(
    slug="openrouter_activity",
    label="OpenRouter Activity export, one row per day and model",
    detect=lambda h: {"date", "slug", "usage", "byok usage"} <= h,
    fields={
        "day": _f("date"),
        "model": _f("slug"),
        "cost": _f("usage"),
        "requests": _f("requests"),
        "prompt": _f("prompt tokens"),
        "output": _f("completion tokens"),
    },
    required=("day", "model", "prompt", "output"),
    numeric=("cost", "requests", "prompt", "output"),
    build=_openrouter_activity,
)


# --- LiteLLM proxy LiteLLM_SpendLogs table dump --------------------------------------------


def _litellm_spendlogs(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    if cols.has("status"):
        failed = pc.fill_null(pc.equal(pc.utf8_lower(cols.text("status")), "failure"), False)
        keep = skip(keep, failed.to_numpy(zero_copy_only=False), "failed request", skipped)
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    # custom_llm_provider where filled; otherwise inferred from the model id later
    provider = pc.utf8_lower(cols.text("provider")) if cols.has("provider") else None
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=_ones(cols),
        uncached=cols.counts("prompt", keep),
        cache_read=_zeros(cols),
        cache_write=_zeros(cols),
        output=cols.counts("output", keep),
        provider=provider,
        cost=cols.floats("cost", keep),
        currency="USD",
        skipped=skipped,
    )


LITELLM_SPENDLOGS = Format(
    slug="litellm_spendlogs",
    label="LiteLLM proxy LiteLLM_SpendLogs table",
    detect=lambda h: {"request_id", "call_type", "spend", "starttime"} <= h,
    fields={
        "day": _f("starttime"),
        "model": _f("model"),
        "provider": _f("custom_llm_provider"),
        "cost": _f("spend"),
        "prompt": _f("prompt_tokens"),
        "output": _f("completion_tokens"),
        "status": _f("status"),
    },
    required=("day", "model", "prompt", "output"),
    numeric=("prompt", "output"),
    build=_litellm_spendlogs,
)


# --- LiteLLM UI usage export (daily, daily_with_models) ------------------------------------

NO_MODEL = "unknown"


def _litellm_ui(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    warnings: list[str] = []
    keep = np.ones(cols.num_rows, dtype=bool)
    day = cols.days("day", keep)
    if cols.has("model"):
        model = models(cols, "model", keep)
    else:
        model = pa.array([NO_MODEL] * cols.num_rows, pa.string())
        warnings.append(
            Worded(
                gettext_noop(
                    "this LiteLLM export has no model column: usage is recorded under model "
                    "'{model}'; export the 'daily_with_models' variant for per-model figures"
                ),
                model=NO_MODEL,
            )
        )
    if cols.has("prompt") and cols.has("output"):
        uncached = cols.counts("prompt", keep)
        output = cols.counts("output", keep)
    else:
        uncached = _zeros(cols)
        output = _zeros(cols)
        warnings.append(
            Worded(
                gettext_noop(
                    "only total tokens are exported (no input/output split): token columns are 0 "
                    "and only the spend is kept"
                )
            )
        )
    cache_read = cols.optional_counts("cache_read", keep)
    # LiteLLM's prompt_tokens include cache reads (OpenAI-style usage objects)
    if cols.has("cache_read") and cols.has("prompt"):
        uncached = uncached - cache_read
        _not_negative(
            cols,
            uncached,
            keep,
            gettext_noop("cache read tokens are larger than prompt tokens"),
            "cache_read",
        )
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=cols.optional_counts("requests", keep),
        uncached=uncached,
        cache_read=cache_read,
        cache_write=cols.optional_counts("cache_write", keep),
        output=output,
        cost=cols.floats("cost", keep),
        currency="USD",
        skipped=skipped,
        warnings=warnings,
    )


LITELLM_UI = Format(
    slug="litellm_ui",
    label="LiteLLM dashboard usage export (Spend ($))",
    detect=lambda h: {"date", "spend ($)"} <= h,
    fields={
        "day": _f("date"),
        "model": _f("model"),
        "cost": _f("spend ($)"),
        "requests": _f("requests"),
        "prompt": _f("prompt tokens"),
        "output": _f("completion tokens"),
        "cache_read": _f("cache read input tokens", "cache read tokens"),
        "cache_write": _f("cache creation input tokens", "cache write tokens"),
    },
    required=("day", "cost"),
    # Spend ($) carries thousands separators ("1,234.5678"): it stays text, cleaned in Columns
    numeric=("requests", "prompt", "output", "cache_read", "cache_write"),
    build=_litellm_ui,
)


# --- Helicone export (CLI with cost / cost_usd, older json2csv without cost) ---------------


def _helicone(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    if cols.has("status"):
        status = pc.cast(pc.match_substring_regex(cols.text("status"), r"^[45]\d\d$"), pa.bool_())
        failed = pc.fill_null(status, False).to_numpy(zero_copy_only=False)
        keep = skip(keep, failed, "failed request", skipped)
    day = cols.days("day", keep)
    names = [
        name
        for name in ("model", "model_override", "response_model", "request_model")
        if cols.has(name)
    ]
    if not names:
        raise cols.error(
            None,
            None,
            gettext_noop(
                "Helicone export without a model column (model, request_model or response_model)"
            ),
        )
    merged = pc.coalesce(*[cols.text(name) for name in names])
    # models() checks the merged column; messages name the first model column of the file
    cols.put("merged_model", merged, cols.header_name(names[0]))
    model = models(cols, "merged_model", keep)
    provider = pc.utf8_lower(cols.text("provider")) if cols.has("provider") else None
    cost = None
    if cols.has("cost"):
        cost = cols.floats("cost", keep)
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=_ones(cols),
        uncached=cols.counts("prompt", keep),
        cache_read=_zeros(cols),
        cache_write=_zeros(cols),
        output=cols.counts("output", keep),
        provider=provider,
        cost=cost,
        currency="USD" if cost is not None else None,
        skipped=skipped,
    )


HELICONE = Format(
    slug="helicone",
    label="Helicone request export",
    detect=lambda h: {"response_id", "request_created_at", "prompt_tokens"} <= h,
    fields={
        "day": _f("request_created_at"),
        "model": _f("model"),
        "model_override": _f("model_override"),
        "response_model": _f("response_model"),
        "request_model": _f("request_model"),
        "provider": _f("provider"),
        "status": _f("response_status"),
        "prompt": _f("prompt_tokens"),
        "output": _f("completion_tokens"),
        "cost": _f("cost", "cost_usd"),
    },
    required=("day", "prompt", "output"),
    numeric=("prompt", "output", "cost"),
    build=_helicone,
)


# --- Generic: date, model, input_tokens, output_tokens (+ optional columns) ---------------
#
# input_tokens EXCLUDES cached_input_tokens here (unlike OpenAI's exports): each token kind is
# counted once. Chinese headers from provider consoles are accepted as aliases.


def _generic(cols: Columns) -> Rows:
    skipped: dict[str, int] = {}
    keep = np.ones(cols.num_rows, dtype=bool)
    keep = skip(
        keep,
        _all_empty(cols, ("model", "input", "output", "cached", "cache_write", "requests")),
        "empty row",
        skipped,
    )
    day = cols.days("day", keep)
    model = models(cols, "model", keep)
    cost = None
    currency: str | pa.Array | None = None
    if cols.has("cost_cny"):
        cost = cols.floats("cost_cny", keep)
        currency = "CNY"
    elif cols.has("cost"):
        cost = cols.floats("cost", keep)
        currency = "USD"
        if cols.has("currency"):
            coded = cols.coded("currency")
            written = pc.replace_substring(pc.utf8_upper(coded.dictionary), "RMB", "CNY")
            known = pc.is_in(written, value_set=pa.array(["USD", "CNY"]))
            unknown = ~pc.fill_null(known, True).to_numpy(zero_copy_only=False)
            indices = pc.fill_null(coded.indices, -1).to_numpy()
            hits = np.flatnonzero(np.isin(indices, np.flatnonzero(unknown)) & keep)
            if hits.size:
                shown = written[int(indices[hits[0]])].as_py()
                raise cols.error(
                    int(hits[0]), "currency", gettext_noop("{currency!r} is not USD or CNY"),
                    currency=shown,
                )
            # empty currency cells (null indices) point at an extra "USD" entry
            currency = pa.DictionaryArray.from_arrays(
                pc.fill_null(coded.indices, len(written)),
                pa.concat_arrays([pc.fill_null(written, "USD"), pa.array(["USD"])]),
            )
    provider = pc.utf8_lower(cols.text("provider")) if cols.has("provider") else None
    return Rows(
        keep=keep,
        day=day,
        model=model,
        requests=cols.optional_counts("requests", keep),
        uncached=cols.counts("input", keep),
        cache_read=cols.optional_counts("cached", keep),
        cache_write=cols.optional_counts("cache_write", keep),
        output=cols.counts("output", keep),
        batch=cols.flags("batch"),
        provider=provider,
        cost=cost,
        currency=currency,
        skipped=skipped,
    )


GENERIC = Format(
    slug="generic",
    label="Generic usage CSV (date, model, input_tokens, output_tokens)",
    detect=lambda h: True,
    fields={
        "day": _f("date", "day", "usage_date", "日期", "时间", "账期"),
        "model": _f("model", "model_id", "model_name", "模型", "模型名称"),
        "input": _f(
            "input_tokens",
            "prompt_tokens",
            "输入token",
            "输入tokens",
            "输入token数",
            "输入tokens数",
        ),
        "output": _f(
            "output_tokens",
            "completion_tokens",
            "输出token",
            "输出tokens",
            "输出token数",
            "输出tokens数",
        ),
        "cached": _f(
            "cached_input_tokens",
            "cache_read_tokens",
            "缓存命中",
            "缓存命中token",
            "缓存命中tokens",
            "缓存命中token数",
        ),
        "cache_write": _f("cache_write_tokens", "缓存写入", "缓存写入token"),
        "requests": _f("requests", "num_requests", "请求数", "调用次数"),
        "cost": _f("cost", "amount", "金额", "费用"),
        "cost_cny": _f("金额(元)", "金额（元）", "费用(元)", "费用（元）"),
        "currency": _f("currency", "币种"),
        "provider": _f("provider", "供应商", "厂商"),
        "batch": _f("batch"),
    },
    required=("day", "model", "input", "output"),
    numeric=("input", "output", "cached", "cache_write", "requests", "cost", "cost_cny"),
    build=_generic,
)


# --- Cloud bills and observability exports (one module each) -------------------------------

AZURE_COST = Format(
    slug="azure_cost",
    label=azure_cost.LABEL,
    detect=azure_cost.detect,
    fields=azure_cost.FIELDS,
    required=azure_cost.REQUIRED,
    numeric=azure_cost.NUMERIC,
    build=azure_cost.build,
    metered=True,
)

AWS_CUR = Format(
    slug="aws_cur",
    label=aws_cur.LABEL,
    detect=aws_cur.detect,
    fields=aws_cur.FIELDS,
    required=aws_cur.REQUIRED,
    numeric=aws_cur.NUMERIC,
    build=aws_cur.build,
    metered=True,
)

GCP_BILLING = Format(
    slug="gcp_billing",
    label=gcp_billing.LABEL,
    detect=gcp_billing.detect,
    fields=gcp_billing.FIELDS,
    required=gcp_billing.REQUIRED,
    numeric=gcp_billing.NUMERIC,
    build=gcp_billing.build,
    metered=True,
)

FOCUS = Format(
    slug="focus",
    label=focus.LABEL,
    detect=focus.detect,
    fields=focus.FIELDS,
    required=focus.REQUIRED,
    numeric=focus.NUMERIC,
    build=focus.build,
    metered=True,
)

LANGFUSE = Format(
    slug="langfuse",
    label=langfuse.LABEL,
    detect=langfuse.detect,
    fields=langfuse.FIELDS,
    required=langfuse.REQUIRED,
    numeric=langfuse.NUMERIC,
    build=langfuse.build,
)


# Most specific signatures first; generic matches anything that has its required columns.
ALL_FORMATS: tuple[Format, ...] = (
    OPENAI_ACTIVITY,
    OPENAI_COST,
    OPENAI_LEGACY,
    ANTHROPIC_TOKENS,
    ANTHROPIC_COST,
    OPENROUTER_GENERATIONS,
    OPENROUTER_ACTIVITY,
    LITELLM_SPENDLOGS,
    LITELLM_UI,
    HELICONE,
    AZURE_COST,
    AWS_CUR,
    GCP_BILLING,
    FOCUS,
    LANGFUSE,
    GENERIC,
)

FORMATS: dict[str, str] = {fmt.slug: fmt.label for fmt in ALL_FORMATS}
