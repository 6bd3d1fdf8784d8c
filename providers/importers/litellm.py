"""Reading LiteLLM's ``model_prices_and_context_window.json`` into plain records.

LiteLLM's map gives USD per token, no dates, no currencies. This module only parses:
it turns each usable entry into a ``SourceModel`` (prices per 1M tokens as Decimal, one
``TierPrice`` per context tier, one undated period) and counts every entry it skips, with the reason. Writing
to the catalog is ``providers.importers.price_history``; comparing with our seed is
``providers.importers.crosscheck``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.utils.text import slugify

from providers.models import Verification

from .price_history import Source
from .records import (
    PRICE_FIELDS,
    Malformed,
    ParseResult,
    SourceModel,
    SourcePeriod,
    TierPrice,
)

__all__ = ["PRICE_FIELDS", "Malformed", "ParseResult", "SourceModel", "TierPrice"]

# LiteLLM's ``litellm_provider`` -> our Provider.slug (the seed's slugs, fixtures/catalog/
# providers.csv). Providers missing here are created on import under slugify(litellm name),
# marked unreviewed; an entry is needed only where that slug would be wrong.
PROVIDER_SLUGS: dict[str, str] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure-openai",
    "azure_text": "azure-openai",
    "deepseek": "deepseek",
    # dashscope entries carry the international (Singapore) Model Studio USD list.
    "dashscope": "alibaba-intl",
    "volcengine": "bytedance-doubao",
    # z.ai is Zhipu's international USD platform; bigmodel.cn the mainland CNY one (LiteLLM
    # lists it in USD converted at about 7 CNY/USD, so a crosscheck compares after conversion).
    "zai": "zai",
    "bigmodel": "zhipu",
    "moonshot": "moonshot-intl",
    "minimax": "minimax-intl",
    # LiteLLM's tencent entries are tencentcloud.com's international USD list (third-party
    # models mostly), not the mainland CNY Hunyuan list of the seed's "tencent".
    "tencent": "tencent-cloud-intl",
}

LITELLM = Source(
    name="LiteLLM",
    # An undated third-party mirror of the providers' lists.
    verification=Verification.UNVERIFIED,
    dates="LiteLLM's map gives no dates, so its prices start on the import day and price "
    "nothing before it",
)

IMPORT_MODES = frozenset({"chat", "completion"})
IGNORED_KEYS = frozenset({"sample_spec"})

# Our Price field -> LiteLLM's per-token key.
FIELD_KEYS: dict[str, str] = {
    "input_per_mtok": "input_cost_per_token",
    "output_per_mtok": "output_cost_per_token",
    "cache_read_per_mtok": "cache_read_input_token_cost",
    "cache_write_per_mtok": "cache_creation_input_token_cost",
    "batch_input_per_mtok": "input_cost_per_token_batches",
    "batch_output_per_mtok": "output_cost_per_token_batches",
}

# ``input_cost_per_token_above_128k_tokens`` and its batch twin ``..._tokens_batches``.
_ABOVE_KEY = re.compile(
    r"^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost"
    r"|cache_creation_input_token_cost)_above_(\d+)k_tokens(_batches)?$"
)
_BATCH_FIELD = {
    "input_cost_per_token": "batch_input_per_mtok",
    "output_cost_per_token": "batch_output_per_mtok",
}
_FIELD_FOR_KEY = {key: name for name, key in FIELD_KEYS.items()}

# The Price columns hold 6 decimal places; LiteLLM's floats sometimes carry repr noise
# (2.9999900000000002e-06), which this rounding removes.
STORED_PLACES = Decimal("0.000001")
MILLION = Decimal(10) ** 6


def provider_slug(litellm_provider: str) -> str:
    return PROVIDER_SLUGS.get(litellm_provider) or slugify(litellm_provider)[:64]


def per_mtok(value: Any) -> Decimal:
    """USD per token -> Decimal USD per 1M tokens, rounded to the stored 6 places.

    ``Decimal(str(x))`` keeps the float's shortest repr (2.8e-07 -> 0.28), where
    ``Decimal(x)`` would carry the binary expansion's 50 digits.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Malformed("non-numeric price")
    if isinstance(value, float) and not math.isfinite(value):
        raise Malformed("non-numeric price")
    if value < 0:
        raise Malformed("negative price")
    try:
        amount = Decimal(str(value)) * MILLION
    except InvalidOperation as exc:  # pragma: no cover - str() of a finite number always parses
        raise Malformed("non-numeric price") from exc
    return amount.quantize(STORED_PLACES, rounding=ROUND_HALF_EVEN).normalize()


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if not math.isfinite(value) or value <= 0 or value >= 2**31:
        return None
    return int(value)


def _flat_fields(entry: Mapping[str, Any]) -> dict[str, Decimal]:
    return {
        name: per_mtok(entry[key]) for name, key in FIELD_KEYS.items() if entry.get(key) is not None
    }


def _above_tiers(entry: Mapping[str, Any]) -> dict[int, dict[str, Decimal]]:
    tiers: dict[int, dict[str, Decimal]] = {}
    for key, value in entry.items():
        match = _ABOVE_KEY.match(key)
        if match is None or value is None:
            continue
        base_key, thousands, batches = match.groups()
        if batches:
            name = _BATCH_FIELD.get(base_key)
            if name is None:
                continue
        else:
            name = _FIELD_FOR_KEY[base_key]
        tiers.setdefault(int(thousands) * 1000, {})[name] = per_mtok(value)
    return tiers


def _range_tiers(entry: Mapping[str, Any]) -> dict[int, dict[str, Decimal]]:
    ranges = entry.get("tiered_pricing")
    if ranges is None:
        return {}
    if not isinstance(ranges, list) or not ranges:
        raise Malformed("bad tiered_pricing")
    tiers: dict[int, dict[str, Decimal]] = {}
    for item in ranges:
        if not isinstance(item, dict):
            raise Malformed("bad tiered_pricing")
        bounds = item.get("range")
        if not isinstance(bounds, list) or len(bounds) != 2:
            raise Malformed("bad tiered_pricing")
        low = bounds[0]
        if (
            isinstance(low, bool)
            or not isinstance(low, int | float)
            or not math.isfinite(low)
            or low < 0
        ):
            raise Malformed("bad tiered_pricing")
        tiers[int(low)] = _flat_fields(item)
    return tiers


def parse_tiers(entry: Mapping[str, Any]) -> tuple[TierPrice, ...]:
    """All context tiers of one entry, lowest first.

    A higher tier lists only the prices that change; the rest are inherited from the base
    tier, because the whole request is billed at the tier its prompt size selects.
    """
    flat = _flat_fields(entry)
    extra = _range_tiers(entry)
    for floor, values in _above_tiers(entry).items():
        extra.setdefault(floor, {}).update(values)
    base = {**flat, **extra.pop(0, {})}
    if "input_per_mtok" not in base or "output_per_mtok" not in base:
        raise Malformed("missing input or output price")
    tiers = [TierPrice(min_prompt_tokens=0, **base)]
    for floor in sorted(extra):
        tiers.append(TierPrice(min_prompt_tokens=floor, **{**base, **extra[floor]}))
    return tuple(tiers)


def _has_token_prices(entry: Mapping[str, Any]) -> bool:
    return any(key in entry for key in FIELD_KEYS.values()) or "tiered_pricing" in entry


def parse_entry(key: str, entry: Any) -> SourceModel:
    """One entry of the map, or ``Malformed`` with the reason it is skipped."""
    if not isinstance(entry, dict):
        raise Malformed("not a JSON object")
    litellm_provider = entry.get("litellm_provider")
    if not isinstance(litellm_provider, str) or not litellm_provider.strip():
        raise Malformed("no litellm_provider")
    mode = entry.get("mode")
    if mode is None:
        if not _has_token_prices(entry):
            raise Malformed("no mode and no token prices")
    elif mode not in IMPORT_MODES:
        raise Malformed(
            f"mode {mode}" if isinstance(mode, str) and len(mode) < 40 else "unknown mode"
        )
    slug = provider_slug(litellm_provider)
    if not slug:
        raise Malformed("unusable litellm_provider")
    prefix = f"{litellm_provider}/"
    model_id = key[len(prefix) :] if key.startswith(prefix) else key
    if not model_id or len(model_id) > 200:
        raise Malformed("model id empty or longer than 200 characters")
    source_url = entry.get("source")
    if not (
        isinstance(source_url, str) and source_url.startswith("https://") and len(source_url) <= 500
    ):
        source_url = ""
    return SourceModel(
        key=key,
        source_provider=litellm_provider,
        provider_slug=slug,
        model_id=model_id,
        context_window=_positive_int(entry.get("max_input_tokens")),
        max_output_tokens=_positive_int(entry.get("max_output_tokens")),
        source_url=source_url,
        # LiteLLM's map carries no dates: its one period starts on the import day.
        periods=(SourcePeriod(None, parse_tiers(entry)),),
    )


def parse_price_map(data: Mapping[str, Any], providers: Iterable[str] | None = None) -> ParseResult:
    """Every importable entry of ``data``; ``providers`` limits litellm_provider values.

    Two keys can name one model ("deepseek-chat" and "deepseek/deepseek-chat"); the key
    carrying the provider prefix wins, being LiteLLM's canonical spelling.
    """
    wanted = {p.strip() for p in providers if p.strip()} if providers is not None else None
    result = ParseResult()
    chosen: dict[tuple[str, str], SourceModel] = {}
    for key, entry in data.items():
        if key in IGNORED_KEYS:
            continue
        if wanted is not None and not (
            isinstance(entry, dict) and entry.get("litellm_provider") in wanted
        ):
            result.filtered_out += 1
            continue
        try:
            model = parse_entry(key, entry)
        except Malformed as exc:
            result.skip(key, str(exc))
            continue
        identity = (model.provider_slug, model.model_id.lower())
        previous = chosen.get(identity)
        if previous is None:
            chosen[identity] = model
        elif model.key != model.model_id and previous.key == previous.model_id:
            chosen[identity] = model
            result.skip(previous.key, "duplicate model id")
        else:
            result.skip(model.key, "duplicate model id")
    result.models = list(chosen.values())
    return result
